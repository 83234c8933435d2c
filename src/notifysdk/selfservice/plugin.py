"""The built-in plugin that mounts the self-service page on ``notifysdk serve`` (under
:data:`MOUNT_PREFIX`). Loaded at every start of the CLI: it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..asgi import AsgiAppFactory
    from ..dispatch.dispatcher import Dispatcher


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
    return create_app(dispatcher)


@hookimpl
def notifysdk_register_asgi_apps(register: Callable[[str, AsgiAppFactory], None]) -> None:
    """Mount the self-service page at ``/self-service``."""
    register(MOUNT_PREFIX, _factory)
