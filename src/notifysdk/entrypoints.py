"""Entry points of one group, read from the installed distributions without
:mod:`importlib.metadata`.

``importlib.metadata`` costs every CLI start-up about a fifth of ``notifysdk --help``:
importing it loads ``email``, ``zipfile``, ``csv`` and ``importlib.resources``, and
:func:`importlib.metadata.entry_points` then parses every distribution's metadata.
:func:`entry_points` finds the same entry points in the same order by reading the
folders on :data:`sys.path` the way ``importlib.metadata``'s path finder does: every
``*.dist-info`` and ``*.egg-info`` folder, the first distribution of each (normalised)
name winning, each one's ``entry_points.txt``, and the ``Name`` and ``Version`` lines at
the head of the metadata of only the distributions that have the group. Where that
reading could differ (a zip file or an egg on :data:`sys.path`, a finder on
:data:`sys.meta_path` that provides distributions of its own) it asks
``importlib.metadata`` instead.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

__all__ = ["EntryPoint", "distribution_version", "entry_points"]

_PATTERN = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""An entry point's value (``module``, ``module:attr.attr``, extras after), as
``importlib.metadata.EntryPoint.pattern`` has it."""


@dataclass(frozen=True)
class EntryPoint:
    """One entry point of a group, and the distribution that declares it."""

    name: str
    value: str
    group: str
    distribution: str | None
    """The distribution's ``Name`` as its metadata spells it."""
    version: str | None

    def load(self) -> Any:
        """Import the module the value names and return it, or the attribute it names."""
        match = _PATTERN.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r}: not a module[:attr] value: {self.value}")
        module = importlib.import_module(match["module"])
        attrs = (match["attr"] or "").split(".")
        return functools.reduce(getattr, filter(None, attrs), module)


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point of ``group``, in ``importlib.metadata.entry_points`` order."""
    if not _plain_path():
        return _from_importlib(group)
    found: list[EntryPoint] = []
    for info in _distributions():
        text = _read(os.path.join(info, "entry_points.txt"))
        if text is None or f"[{group}]" not in text:
            continue
        pairs = _section(text, group)
        if not pairs:
            continue
        name, version = _name_and_version(info)
        found.extend(EntryPoint(n, v, group, name, version) for n, v in pairs)
    return found


def distribution_version(name: str) -> str | None:
    """The version of the installed distribution ``name`` (``None`` if none is)."""
    if not _plain_path():
        import importlib.metadata

        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None
    wanted = _normalize(name)
    for info in _distributions():
        if _normalize(_stem_name(info)) == wanted:
            return _name_and_version(info)[1]
    return None


def _plain_path() -> bool:
    """Only plain folders on :data:`sys.path` (missing entries count as empty folders)
    and no finder with distributions of its own: what this module reads exactly."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return False
    return not any(entry.endswith(".egg") or os.path.isfile(entry) for entry in sys.path)


def _distributions() -> list[str]:
    """The metadata folders of the installed distributions, first of each name only."""
    seen: set[str] = set()
    found: list[str] = []
    for entry in sys.path:
        root = entry or "."
        try:
            children = os.listdir(root)
        except OSError:
            continue
        by_name: dict[str, list[str]] = {}  # grouped by name, as importlib's Lookup does
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                name = _normalize(low.rpartition(".")[0].partition("-")[0])
                by_name.setdefault(name, []).append(os.path.join(entry, child))
        for name, paths in by_name.items():
            if name not in seen:
                seen.add(name)
                found.append(paths[0])
    return found


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _stem_name(info: str) -> str:
    return os.path.basename(info).rpartition(".")[0].partition("-")[0]


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of section ``[group]`` (blank lines and ``#``
    comments skipped, as ``importlib.metadata.Sectioned`` does)."""
    pairs = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line.strip("[]")
            continue
        if current == group:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def _name_and_version(info: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from the head of a distribution's metadata."""
    for filename in ("METADATA", "PKG-INFO"):
        text = _read(os.path.join(info, filename))
        if text is None:
            continue
        fields: dict[str, str] = {}
        for line in text.splitlines():
            if not line.strip():
                break  # the body (the long description) starts
            key, colon, value = line.partition(":")
            if colon and not line[0].isspace():
                fields.setdefault(key.lower(), value.strip())
        return fields.get("name"), fields.get("version")
    return None, None


def _from_importlib(group: str) -> list[EntryPoint]:
    import importlib.metadata

    found: list[EntryPoint] = []
    for ep in importlib.metadata.entry_points(group=group):
        name = version = None
        if ep.dist is not None:
            meta = ep.dist.metadata
            name, version = meta["Name"], meta["Version"]
        found.append(EntryPoint(ep.name, ep.value, group, name, version))
    return found
