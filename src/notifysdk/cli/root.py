"""The root typer app, the console and the exit codes, shared by every command module
(``app`` adds the root options and loads the command modules; none of them imports it)."""

from __future__ import annotations

import typer
from rich.console import Console

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
