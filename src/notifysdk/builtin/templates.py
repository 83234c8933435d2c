"""Registers the default template pack (``templates/`` in the source tree)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..hookspecs import hookimpl


def default_template_dir() -> Path:
    """The default pack: inside the installed wheel, or ``templates/`` of a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_default_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


@hookimpl
def notifysdk_register_template_dirs(register: Callable[[Path], None]) -> None:
    """Register the default pack."""
    register(default_template_dir())
