"""The ``notifysdk`` command line (typer + rich)."""

from __future__ import annotations

from .app import app, get_app, main

__all__ = ["app", "get_app", "main"]
