"""A registration hook that raises."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_filters(register):  # type: ignore[no-untyped-def]
    register("half_registered", str)
    raise RuntimeError("the plugin's own bug")
