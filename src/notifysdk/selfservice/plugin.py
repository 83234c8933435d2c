"""The built-in plugin that mounts the self-service page on ``notifysdk serve`` (under
:data:`MOUNT_PREFIX`). Loaded at every start of the CLI: it imports nothing heavy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..asgi import AsgiAppFactory
    from ..dispatch.dispatcher import Dispatcher


log = logging.getLogger("notifysdk.selfservice")

MOUNT_PREFIX = "/self-service"
"""Where ``notifysdk serve`` mounts the page: a proxy forwards ``public_base_url`` here."""


def _factory(dispatcher: Dispatcher) -> Any:
    """The page's app for ``dispatcher`` (Starlette loads only now)."""
    try:
        from .app import create_app
    except ImportError as exc:  # the 'selfservice' extra is not installed
        from ..errors import ConfigurationError

        raise ConfigurationError(
            f"the self-service page needs {exc.name}: pip install 'notifysdk[selfservice]'"
        ) from None
    from ..ledger.durable import DurableLedger

    if not isinstance(dispatcher.ledger, DurableLedger):
        # a server on an in-memory ledger still serves its webhooks; the page cannot
        # find a notice there, so it answers that it is unavailable
        log.warning("the self-service page is off: the ledger does not store notices")
        return _unavailable
    from .settings import self_service_settings

    config = self_service_settings(dispatcher.settings)  # bad settings stop the start
    return _OnFirstRequest(lambda: create_app(dispatcher, config))


class _OnFirstRequest:
    """An ASGI app built on its first request: a server that no one asks for the page
    never reads (or creates) the self-service key."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Build the app once, then pass every request to it."""
        if self._app is None:
            self._app = self._build()
        await self._app(scope, receive, send)


async def _unavailable(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app answering 503 to every HTTP request."""
    if scope["type"] != "http":
        return
    body = b"the self-service page needs a ledger that stores notices"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


@hookimpl
def notifysdk_register_asgi_apps(register: Callable[[str, AsgiAppFactory], None]) -> None:
    """Mount the self-service page at ``/self-service``."""
    register(MOUNT_PREFIX, _factory)
