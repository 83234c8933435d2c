"""The root typer app; each command group lives in its own module."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import redaction_logging
from ..errors import NotifyError
from ..plugins import get_plugin_manager
from . import preview, run  # noqa: F401  (each registers its commands on ``app``)
from .root import EXIT_ERROR, app, console
from .text_options import PlainOptionsGroup

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_LOG_FORMATS = ("text", "json")


def _print_version(value: bool) -> None:
    if value:
        from ..plugins import sdk_version

        typer.echo(f"notifysdk {sdk_version()}")
        raise typer.Exit()


@app.callback(cls=PlainOptionsGroup)  # its options without pydantic
def root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
    log_level: str = typer.Option(
        "WARNING",
        "--log-level",
        envvar="NOTIFYSDK_LOG_LEVEL",
        help="Log to stderr from this level on (DEBUG, INFO, WARNING, ERROR); every line "
        "is masked: no personal data is ever logged.",
    ),
    log_format: str = typer.Option(
        "text",
        "--log-format",
        envvar="NOTIFYSDK_LOG_FORMAT",
        help="text, or json: one JSON object per line (time, level, logger, message, "
        "exception), written after the redaction filter.",
    ),
) -> None:
    """Send overdue-loan notices lawfully: preview, lint, run campaigns, inspect the ledger."""
    level = log_level.upper()
    if level not in _LOG_LEVELS:
        raise typer.BadParameter(f"one of {', '.join(_LOG_LEVELS)}", param_hint="--log-level")
    fmt = log_format.lower()
    if fmt not in _LOG_FORMATS:
        raise typer.BadParameter(f"one of {', '.join(_LOG_FORMATS)}", param_hint="--log-format")
    _log_to_stderr(getattr(logging, level), json_lines=fmt == "json")


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the stream of
    the first command that ran (an application or a test runner embedding the CLI swaps
    it: a closed old stream turned warnings into "--- Logging error ---")."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # StreamHandler.__init__ sets it: always the current sys.stderr instead


def _log_to_stderr(level: int, *, json_lines: bool = False) -> None:
    # The filter sits on the handler too, so loggers created after start-up are masked;
    # handler filters run before the formatter, so JSON lines are built from masked text.
    logger = logging.getLogger("notifysdk")
    logger.setLevel(level)
    handler = next((h for h in logger.handlers if getattr(h, "_notifysdk_cli", False)), None)
    if handler is None:
        handler = _CurrentStderr()
        handler.addFilter(redaction_logging.install())
        handler._notifysdk_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    if json_lines:
        from ..observability.json_logs import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


@app.command("plugins")
def plugins_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List every plugin, its version and what it registered (and any that failed to load)."""
    pm = get_plugin_manager()
    pm.registry()
    infos = [i.as_dict() for i in pm.infos.values()]
    if as_json:
        typer.echo(json.dumps(infos, indent=2, ensure_ascii=False))
        return
    table = Table(title="notifysdk plugins")
    for col in ("plugin", "version", "registered", "status"):
        table.add_column(col)
    for info in infos:
        registered = "; ".join(f"{k}: {', '.join(v)}" for k, v in info["registered"].items())
        status = (
            f"[red]failed: {info['error']}[/red]"
            if info["error"]
            else ("built-in" if info["builtin"] else "ok")
        )
        table.add_row(info["name"], info["version"] or "-", registered or "-", status)
    console.print(table)


_commands_loaded = False


def get_app() -> typer.Typer:
    """The root app with every plugin's commands added (once per process)."""
    global _commands_loaded
    if not _commands_loaded:
        _commands_loaded = True
        get_plugin_manager().call_commands_hook(app)
    return app


def main() -> None:
    """Entry point of the ``notifysdk`` script."""
    redaction_logging.install()
    redaction_logging.install_excepthook()
    try:
        get_app()()
    except NotifyError as exc:
        # The message as plain text: rich markup would eat "[notifysdk.channels.x]".
        message = Text.assemble(("error:", "red"), " ", redaction_logging.redact_text(str(exc)))
        Console(stderr=True, highlight=False).print(message)
        sys.exit(EXIT_ERROR)
