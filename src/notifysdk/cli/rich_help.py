"""typer's rich help and error panels without ``rich.markdown`` and ``rich.traceback``.

typer formats ``--help`` and usage errors with ``typer.rich_utils``, whose first lines
import ``rich.markdown`` (markdown-it-py, linkify, pygments) and ``rich.traceback``
(``rich.pretty``, attrs, pygments): about a third of ``notifysdk --help``'s start-up. It
uses them only for ``rich_markup_mode="markdown"`` and for pretty exceptions, which this
CLI does not turn on. :func:`install` makes the import of ``typer.rich_utils`` (whenever
typer does it) see stand-ins for those two modules instead: each name imported from them
is a stand-in class that imports the real module on first use (a call, or reading an
attribute) and then puts the real object in ``typer.rich_utils`` in its place. The stand-in
modules are gone from :data:`sys.modules` once ``typer.rich_utils`` is loaded, so any other
``import rich.markdown`` gets the real module. The help looks exactly as before.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["DEFERRED", "install"]

TARGET = "typer.rich_utils"
"""The module loaded with the stand-ins in place."""
DEFERRED = ("rich.markdown", "rich.traceback")
"""The modules ``typer.rich_utils`` imports at its top but uses only in modes we leave off."""


class _StandIn(type):
    """The type of a stand-in: calling it, or reading an attribute of it, loads the real
    object (and puts it in ``typer.rich_utils`` for the next use)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return _real(cls)(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(_real(cls), name)


def _real(stand_in: type) -> Any:
    real = getattr(importlib.import_module(stand_in.__module__), stand_in.__name__)
    target = sys.modules.get(TARGET)
    if target is not None and getattr(target, stand_in.__name__, None) is stand_in:
        setattr(target, stand_in.__name__, real)
    return real


def _stub(name: str) -> types.ModuleType:
    """A module whose every attribute is a stand-in for the real module's."""
    module = types.ModuleType(name, f"stand-in for {name} (see notifysdk.cli.rich_help)")

    def stand_in(attr: str) -> type:
        if attr.startswith("__"):
            raise AttributeError(attr)
        made = _StandIn(attr, (), {"__module__": name, "__qualname__": attr})
        setattr(module, attr, made)
        return made

    module.__getattr__ = stand_in  # type: ignore[method-assign]
    return module


class _Loader:
    """Runs the real loader of ``typer.rich_utils`` with the stand-in modules in place."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        result: types.ModuleType | None = self._real.create_module(spec)
        return result

    def exec_module(self, module: types.ModuleType) -> None:
        stubs = {name: _stub(name) for name in DEFERRED if name not in sys.modules}
        sys.modules.update(stubs)
        try:
            self._real.exec_module(module)
        finally:
            for name, stub in stubs.items():
                if sys.modules.get(name) is stub:
                    del sys.modules[name]

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, …
        return getattr(self._real, name)


class _Finder:
    """A ``sys.meta_path`` finder for ``typer.rich_utils`` only; it leaves after one use."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
        return spec


_finder = _Finder()


def install() -> None:
    """Load ``typer.rich_utils`` with the stand-ins when typer first imports it (nothing
    to do if it is loaded already)."""
    if TARGET not in sys.modules and _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Stop intercepting (``typer.rich_utils`` then loads as usual)."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
