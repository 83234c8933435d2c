"""ASGI apps a plugin mounts on ``notifysdk serve`` (the self-service page, say).

A plugin registers ``register(prefix, factory)`` from
:func:`~notifysdk.hookspecs.notifysdk_register_asgi_apps`; the server calls
``factory(dispatcher)`` once, when it starts, and mounts the ASGI app it returns under
``prefix``, behind the server's concurrency limit and access log (which names such
paths ``<other>``: a path under a mount may carry a token). Unlike a webhook, the app
reads its own requests (bounding their bodies itself) and answers as it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .webhooks import check_path

if TYPE_CHECKING:
    from .dispatch.dispatcher import Dispatcher

AsgiAppFactory = Callable[["Dispatcher"], Any]
"""``factory(dispatcher) -> ASGI app``, called once when the server starts."""


def check_prefix(prefix: Any) -> str:
    """``prefix`` if it is a valid mount prefix (a webhook-style path such as
    ``/self-service``), else :class:`ValueError` saying why."""
    try:
        return check_path(prefix)
    except ValueError:
        raise ValueError(
            "a mount prefix is lower-case words of letters, digits and hyphens after "
            "slashes, such as /self-service"
        ) from None


def mounts(dispatcher: Dispatcher) -> list[Any]:
    """Starlette ``Mount`` routes of every registered app, built for ``dispatcher``."""
    from starlette.routing import Mount

    apps = dispatcher.registry.asgi_apps
    return [Mount(prefix, app=factory(dispatcher)) for prefix, factory in sorted(apps.items())]
