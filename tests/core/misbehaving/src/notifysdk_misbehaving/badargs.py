"""A hook implementation whose argument the hook does not pass (``reg``)."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_channels(reg):  # type: ignore[no-untyped-def]
    reg("never", lambda ctx: None)
