"""The root command: ``--version``, and errors printed as plain text."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pytest
import typer

from notifysdk.cli.root import EXIT_ERROR
from notifysdk.errors import ConfigurationError
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import PluginManager


def test_version_prints_the_installed_version() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "notifysdk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"notifysdk {version('notifysdk')}"


app_module = importlib.import_module("notifysdk.cli.app")  # the module, not its Typer `app`

MESSAGE = "invalid settings in x.toml: [notifysdk.channels.smtp-email] port: not an integer"


class Failing:
    @hookimpl
    def notifysdk_register_commands(self, app: typer.Typer) -> None:
        @app.command("fail-for-test")
        def fail() -> None:
            raise ConfigurationError(MESSAGE)


@pytest.fixture
def failing_command(
    notifysdk_plugins: PluginManager, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    notifysdk_plugins.register(Failing(), name="failing")
    before = list(app_module.app.registered_commands)
    monkeypatch.setattr(app_module, "_commands_loaded", False)
    yield
    app_module.app.registered_commands[:] = before


def test_an_error_message_keeps_its_brackets(
    failing_command: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["notifysdk", "fail-for-test"])
    with pytest.raises(SystemExit) as exit_:
        app_module.main()
    assert exit_.value.code == EXIT_ERROR
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert f"error: {MESSAGE}" in err
