"""Registers a channel name a built-in already has."""

from notifysdk.hookspecs import hookimpl


@hookimpl
def notifysdk_register_channels(register):  # type: ignore[no-untyped-def]
    register("capture-sms", lambda ctx: None)
