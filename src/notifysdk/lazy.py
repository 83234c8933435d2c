"""Lazy re-exports for packages whose ``__init__`` would otherwise import heavy modules.

A plugin package is imported whenever the plugin manager loads, the ``notifysdk --help``
start-up included; its vendor libraries (an HTTP client, a PDF engine, a database
driver) belong in the modules that build its channels, imported when a channel is built.
:func:`lazy_exports` keeps ``from package import Name`` working meanwhile::

    __getattr__ = lazy_exports(__name__, {"channel": ("MyChannel",), "settings": ("MySettings",)})

The keys name modules of the same package (``channel`` is ``mypackage.channel`` from
``mypackage/__init__.py``, and from ``mypackage/hooks.py`` too).

The package's ``dir()`` lists only what is loaded, so pluggy, which reads every name of a
plugin module when it registers it, does not trigger the imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(module: str, exports: Mapping[str, Iterable[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the module named ``module`` (pass ``__name__``): reading
    one of the names listed under a module of the same package (a package's submodule, for
    its ``__init__``) imports that module and keeps the value in ``module``'s namespace;
    any other name raises :class:`AttributeError` as usual."""
    package = sys.modules[module].__package__ or module
    source_of = {name: f"{package}.{source}" for source, names in exports.items() for name in names}

    def load(name: str) -> Any:
        source = source_of.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(sys.modules[module], name, value)
        return value

    return load
