"""A commands hook that raises while adding its command."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_commands(app):  # type: ignore[no-untyped-def]
    raise RuntimeError("the plugin's command could not be built")
