"""Runs ``notifysdk worker`` (the real command of :mod:`notifysdk.builtin.worker_cli`)
in a process of its own, for the tests: ``python worker_command.py worker --config ...``.
The lead wires the command into ``notifysdk`` itself (DEFAULT_PLUGINS); until then this
is the same Typer command on an app of its own."""

from __future__ import annotations

import typer

from notifysdk.builtin import worker_cli

app = typer.Typer()


@app.callback()
def main() -> None:
    """The worker command alone."""


worker_cli.notifysdk_register_commands(app)

if __name__ == "__main__":
    app()
