"""Lazy re-exports for packages whose ``__init__`` would otherwise import heavy modules.

A plugin package is imported whenever the plugin manager loads, the ``notifysdk --help``
start-up included; its vendor libraries (an HTTP client, a PDF engine, a database
driver) belong in the modules that build its channels, imported when a channel is built.
:func:`lazy_exports` keeps ``from package import Name`` working meanwhile::

    __getattr__ = lazy_exports(__name__, {"channel": ("MyChannel",), "settings": ("MySettings",)})

The package's ``dir()`` lists only what is loaded, so pluggy, which reads every name of a
plugin module when it registers it, does not trigger the imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, Iterable[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: reading one of the names listed under a
    submodule (relative to ``package``) imports that submodule and keeps the value in the
    package's namespace; any other name raises :class:`AttributeError` as usual."""
    module_of = {name: module for module, names in exports.items() for name in names}

    def load(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return load
