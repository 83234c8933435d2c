"""The root command: ``--version``, its options, every command's help, and errors printed
as plain text."""

from __future__ import annotations

import importlib
import os
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


def _every_command_path() -> list[list[str]]:
    from notifysdk.cli import get_app

    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(get_app()), [])
    return paths


def test_every_command_has_its_help() -> None:
    from typer.testing import CliRunner

    from notifysdk.cli import get_app

    paths = _every_command_path()
    assert len(paths) > 20
    listed = CliRunner().invoke(get_app(), ["--help"], env={"COLUMNS": "200"}).output
    for path in paths:
        done = CliRunner().invoke(get_app(), [*path, "--help"], env={"COLUMNS": "200"})
        assert done.exit_code == 0, (path, done.output)
        assert "Usage:" in done.output and "--help" in done.output, path
        if len(path) == 1:
            assert path[0] in listed


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (["--log-level", "debug", "--log-format", "JSON", "plugins", "--json"], 0, '"name"'),
        (["--log-level", "loud", "plugins"], 2, "Invalid value for --log-level"),
        (["--log-format", "xml", "plugins"], 2, "Invalid value for --log-format"),
    ],
)
def test_root_options_are_read_and_checked(args: list[str], code: int, shown: str) -> None:
    from typer.testing import CliRunner

    from notifysdk.cli import get_app

    done = CliRunner().invoke(get_app(), args, env={"COLUMNS": "200"})
    assert done.exit_code == code, done.output
    assert shown in done.output


def test_root_options_from_the_environment() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "notifysdk", "plugins", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NOTIFYSDK_LOG_LEVEL": "shout"},
    )
    assert run.returncode == 2
    assert "Invalid value for --log-level" in run.stderr
