"""A hook name with a typo: ``notifysdk_register_channel`` (no such hook)."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_channel(register):  # type: ignore[no-untyped-def]
    register("never", lambda ctx: None)
