"""A plugin that fails on import, on purpose."""

raise ImportError(
    "notifysdk_broken_plugin needs a module that is not installed: no_such_vendor_sdk"
)
