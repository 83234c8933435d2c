"""A hook function without ``@hookimpl``: pluggy would never call it."""


def notifysdk_register_filters(register):  # type: ignore[no-untyped-def]
    register("never", str)
