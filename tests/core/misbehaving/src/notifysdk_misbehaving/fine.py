"""A plugin with no mistake: it must keep working beside the others."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_filters(register):  # type: ignore[no-untyped-def]
    register("shout", lambda s: str(s).upper())
