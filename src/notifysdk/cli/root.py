"""The root typer app, the console and the exit codes, shared by every command module
(``app`` adds the root options and loads the command modules; none of them imports it)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from . import rich_help

if TYPE_CHECKING:
    from ..clock import Clock

rich_help.install()  # before typer first formats a help or an error

app = typer.Typer(
    name="notifysdk",
    help="Send overdue-loan notices lawfully: preview, lint, run campaigns, inspect the ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_ERROR = 3


def clock_at(now: str | None) -> Clock:
    """The clock a command runs on: the system clock, or for ``--now`` an ISO 8601
    instant with a zone, from which the clock keeps running (retries really wait)."""
    from ..clock import OffsetClock, SystemClock  # asyncio: only for a command that runs

    if now is None:
        return SystemClock()
    try:
        instant = datetime.fromisoformat(now)
    except ValueError:
        raise typer.BadParameter("not an ISO 8601 date and time", param_hint="--now") from None
    if instant.tzinfo is None:
        raise typer.BadParameter(
            "needs a time zone (…+08:00 or …Z): a naive time is ambiguous", param_hint="--now"
        )
    return OffsetClock(instant)
