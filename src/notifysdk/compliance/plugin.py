"""The compliance engine as a built-in plugin: its rules, profiles and CLI commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:  # rules, profiles and commands load when their hook is called
    import typer

    from ..policy import Profile, Rule


@hookimpl
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register every compliance rule."""
    from .rules import default_rules

    for rule in default_rules():
        register(rule)


@hookimpl
def notifysdk_register_profiles(register: Callable[[Profile], None]) -> None:
    """Register ``cn``, ``us-regf``, ``us-ma``, ``us-wa`` and ``uk-conc``."""
    from .profiles import DEFAULT_PROFILES

    for profile in DEFAULT_PROFILES:
        register(profile)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``notifysdk lint`` and ``notifysdk explain``."""
    from .cli import register_commands

    register_commands(app)
