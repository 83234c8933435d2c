"""A plugin's mistakes are reported by its name and reason, and cost only that plugin.

The fixture distribution ``tests/core/misbehaving`` ships six entry-point plugins, five
with one mistake each a plugin author makes (a misspelt hook, an argument the hook does
not pass, a hook function without ``@hookimpl``, a registration hook that raises, a
channel name a built-in has) and one without. It is installed for this module only, into
a temporary folder on ``PYTHONPATH`` of the CLI subprocesses: never into the project's
environment, and not into the other tests' fixture plugins.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notifysdk import errors
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import PluginManager

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "misbehaving"
UV = ROOT / ".tools" / "bin" / "uv"
MISTAKES = ("misspelt", "badargs", "unmarked", "raising", "duplicate")


@pytest.fixture(scope="module")
def misbehaving(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a CLI run that sees the six fixture plugins."""
    if not UV.exists():
        pytest.skip("uv is not installed in .tools/: run `make test`")
    target = tmp_path_factory.mktemp("misbehaving")
    install = ["pip", "install", "--no-deps", "--quiet", "--target", str(target)]
    subprocess.run(
        [str(UV), *install, "--python", sys.executable, str(FIXTURE)],
        check=True,
        capture_output=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFYSDK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")])
    env["NOTIFYSDK_LOAD_PLUGINS"] = ",".join((*MISTAKES, "fine", "commands"))
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "notifysdk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plugins_command_lists_each_mistake_by_name_with_its_reason(
    misbehaving: dict[str, str],
) -> None:
    run = _cli(misbehaving, "plugins", "--json")
    assert run.returncode == 0, run.stderr
    infos = {i["name"]: i for i in json.loads(run.stdout)}
    errs = {name: infos[name]["error"] for name in MISTAKES}
    assert "'notifysdk_register_channel' is not a notifysdk hook" in errs["misspelt"]
    assert "did you mean 'notifysdk_register_channels'" in errs["misspelt"]
    assert "notifysdk_register_channels declares 'reg'" in errs["badargs"]
    assert "it passes: register" in errs["badargs"]
    assert "notifysdk_register_filters is not marked @hookimpl" in errs["unmarked"]
    assert "RuntimeError: the plugin's own bug" in errs["raising"]
    assert "capture-sms" in errs["duplicate"] and "notifysdk.builtin.capture" in errs["duplicate"]
    # set aside: nothing of theirs is registered, the good plugin's filter is
    for name in MISTAKES:
        assert infos[name]["registered"] == {}, name
    assert infos["fine"]["error"] is None
    assert infos["fine"]["registered"] == {"filter": ["shout"]}
    # each is reported on stderr once, by name
    for name in MISTAKES:
        assert run.stderr.count(f"plugin {name!r} set aside") == 1, run.stderr


def test_every_other_command_keeps_working(misbehaving: dict[str, str]) -> None:
    helped = _cli(misbehaving, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Traceback" not in helped.stderr
    # a commands hook that raises is set aside by name, once, and the CLI starts
    assert helped.stderr.count("plugin 'commands' set aside") == 1, helped.stderr
    assert "notifysdk_register_commands raised RuntimeError" in helped.stderr
    shown = _cli(misbehaving, "preview", "--help")
    assert shown.returncode == 0, shown.stderr
    table = _cli(misbehaving, "plugins")
    assert table.returncode == 0, table.stderr
    assert "Traceback" not in table.stdout + table.stderr
    assert "set aside" in table.stderr


class Misspelt:
    @hookimpl
    def notifysdk_register_rule(self, register: Callable[[Any], None]) -> None:
        """Misspelt (the hook is notifysdk_register_rules)."""


class BadArgs:
    @hookimpl
    def notifysdk_on_outcome(self, notice: Any, result: Any) -> None:
        """``result`` is not an argument of the hook (``outcome`` is)."""


class Unmarked:
    def notifysdk_register_rules(self, register: Callable[[Any], None]) -> None:
        """No @hookimpl."""


class Raises:
    @hookimpl
    def notifysdk_register_filters(self, register: Callable[[str, Any], None]) -> None:
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (Misspelt(), "did you mean 'notifysdk_register_rules'"),
        (BadArgs(), "notifysdk_on_outcome declares 'result', which the hook does not pass"),
        (Unmarked(), "notifysdk_register_rules is not marked @hookimpl"),
    ],
)
def test_a_plugin_registered_by_hand_raises_with_the_reason(plugin: object, reason: str) -> None:
    pm = PluginManager(load_entry_points=False)
    with pytest.raises(errors.PluginError, match="mine") as info:
        pm.register(plugin, name="mine")
    assert reason in str(info.value)
    assert not pm.pm.has_plugin("mine")
    pm.registry()  # the manager still works


def test_a_hand_registered_plugin_that_raises_while_registering_raises() -> None:
    pm = PluginManager(load_entry_points=False)
    pm.register(Raises(), name="raises")
    with pytest.raises(RuntimeError, match="boom"):
        pm.registry()


def test_registering_the_same_object_twice_names_the_plugin() -> None:
    pm = PluginManager(load_entry_points=False)
    plugin = Raises()
    pm.register(plugin, name="first")
    with pytest.raises(errors.PluginError, match="'second': Plugin already registered"):
        pm.register(plugin, name="second")
