"""Registers ``notifysdk plugin new NAME``: a plugin distribution that works as written."""

from __future__ import annotations

from pathlib import Path

import typer

from ..hookspecs import hookimpl

plugin_app = typer.Typer(
    name="plugin", help="Write a new plugin distribution to start from.", no_args_is_help=True
)

_DIR = typer.Option(Path("."), "--dir", help="Where to write notifysdk-NAME/ (default: here).")


@plugin_app.command("new")
def plugin_new(
    name: str = typer.Argument(..., help="The plugin's name, e.g. wecom-bot."),
    directory: Path = _DIR,
) -> None:
    """Write notifysdk-NAME/: a channel, a rule, a detector, templates for the channel
    and a filter, with tests that pass as generated (pip install -e '.[test]' && pytest)."""
    from ..cli.root import EXIT_USAGE
    from ..errors import InvalidInputError
    from ..plugins import sdk_version
    from ..scaffold import new_plugin

    try:
        target = new_plugin(name, directory, sdk_version=_release(sdk_version()))
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"wrote {target}")
    typer.echo(f"next: cd {target} && pip install -e '.[test]' && pytest")


def _release(version: str) -> str:
    """The release part of a version (``0.1.0`` of ``0.1.0.dev3+g1234``)."""
    parts = []
    for part in version.split("."):
        if not part.isdigit():
            break
        parts.append(part)
    return ".".join(parts) or "0"


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """``notifysdk plugin new``."""
    app.add_typer(plugin_app)
