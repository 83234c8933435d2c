"""The ``notifysdk`` command line (typer + rich)."""

from __future__ import annotations

from .app import get_app, main
from .root import app

__all__ = ["app", "get_app", "main"]
