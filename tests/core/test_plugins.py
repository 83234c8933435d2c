"""Plugin discovery through real entry points, allow and block lists, failures, duplicates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from notifysdk import errors
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import DEFAULT_PLUGINS, PluginManager

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFYSDK_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("NOTIFYSDK_DISABLE_PLUGINS", raising=False)


def test_builtins_are_plugins_registered_first() -> None:
    pm = PluginManager()
    reg = pm.registry()
    names = list(pm.infos)
    assert names[: len(DEFAULT_PLUGINS)] == list(DEFAULT_PLUGINS)
    assert all(pm.infos[n].builtin for n in DEFAULT_PLUGINS)
    assert "capture-sms" in reg.channels
    assert reg.owners[("channel", "capture-sms")] == "notifysdk.builtin.capture"


def test_entry_point_plugin_is_discovered() -> None:
    pm = PluginManager()
    reg = pm.registry()
    info = pm.infos["example"]
    assert info.distribution == "notifysdk-example-plugin"
    assert info.version == "0.3.1"
    assert "example-log" in reg.channels
    assert reg.owners[("channel", "example-log")] == "example"
    assert reg.filters["shout"]("hi") == "HI!"
    assert info.registered == {"channel": ["example-log"], "filter": ["shout"]}


def test_entry_points_load_once() -> None:
    pm = PluginManager()
    pm.load()
    pm.load()
    assert [n for n in pm.infos if n == "example"] == ["example"]
    assert pm.registry() is pm.registry()


def test_broken_plugin_is_reported_by_name_and_does_not_take_the_sdk_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pm = PluginManager()
    reg = pm.registry()
    failed = {f.name: f for f in pm.failures}
    assert "broken" in failed
    assert failed["broken"].error is not None
    assert "ImportError" in failed["broken"].error
    assert "no_such_vendor_sdk" in failed["broken"].error
    assert "plugin 'broken' failed to load" in caplog.text
    assert "capture-sms" in reg.channels  # everything else still works


def test_allow_list_empty_means_no_entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")
    pm = PluginManager()
    assert set(pm.registry().owners.values()) <= set(DEFAULT_PLUGINS)
    assert "example" not in pm.infos and "broken" not in pm.infos


def test_allow_list_loads_only_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "example")
    pm = PluginManager()
    pm.load()
    assert "example" in pm.infos
    assert "broken" not in pm.infos  # never even imported
    assert pm.failures == []


def test_block_list_disables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_DISABLE_PLUGINS", "broken, example")
    pm = PluginManager()
    pm.load()
    assert "example" not in pm.infos and "broken" not in pm.infos


def test_block_list_can_disable_a_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_DISABLE_PLUGINS", "notifysdk.builtin.capture")
    pm = PluginManager()
    assert "capture-sms" not in pm.registry().channels


class DuplicateChannel:
    @hookimpl
    def notifysdk_register_channels(self, register: Callable[[str, Any], None]) -> None:
        register("capture-sms", lambda ctx: None)


def test_duplicate_channel_names_both_plugins() -> None:
    pm = PluginManager()
    pm.register(DuplicateChannel(), name="copycat")
    with pytest.raises(errors.DuplicateRegistrationError) as info:
        pm.registry()
    assert info.value.first == "notifysdk.builtin.capture"
    assert info.value.second == "copycat"
    assert "capture-sms" in str(info.value)
    assert "copycat" in str(info.value)


class Nameless:
    @hookimpl
    def notifysdk_register_rules(self, register: Callable[[Any], None]) -> None:
        register(object())


def test_registering_a_nameless_rule_is_an_error() -> None:
    pm = PluginManager()
    pm.register(Nameless(), name="nameless")
    with pytest.raises(errors.PluginError, match="nameless"):
        pm.registry()


def test_register_plugin_fixture_scopes_to_one_test(
    register_plugin: Callable[..., str], notifysdk_plugins: PluginManager
) -> None:
    class Extra:
        @hookimpl
        def notifysdk_register_filters(self, register: Callable[[str, Any], None]) -> None:
            register("double", lambda s: s * 2)

    register_plugin(Extra(), "extra")
    assert notifysdk_plugins.registry().filters["double"]("ab") == "abab"


_OUTLIVING_MANAGER = """
import pytest
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import PluginManager

SHARED = PluginManager()


@pytest.fixture
def notifysdk_plugins():
    # one manager for every test, as a project with a session-wide manager would have
    return SHARED


class Extra:
    @hookimpl
    def notifysdk_register_filters(self, register):
        register("double", lambda s: s * 2)


def test_registers(register_plugin):
    register_plugin(Extra(), "extra")
    assert SHARED.registry().filters["double"]("ab") == "abab"


def test_then_nothing_is_left():
    assert not SHARED.pm.has_plugin("extra")
    assert "double" not in SHARED.registry().filters
"""


def test_register_plugin_fixture_left_nothing_behind(pytester: pytest.Pytester) -> None:
    """The fixture unregisters what it registered even from a manager that outlives the
    test (a fresh manager per test would hide a missing cleanup)."""
    pytester.makepyfile(test_outliving=_OUTLIVING_MANAGER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "notifysdk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_plugins_command_lists_versions_and_registrations() -> None:
    out = _cli("plugins", "--json")
    assert out.returncode == 0, out.stderr
    infos = {i["name"]: i for i in json.loads(out.stdout)}
    assert infos["example"]["version"] == "0.3.1"
    assert infos["example"]["registered"]["channel"] == ["example-log"]
    assert infos["broken"]["error"].startswith("ImportError")
    assert infos["notifysdk.builtin.capture"]["builtin"] is True


def test_plugins_command_table() -> None:
    out = _cli("plugins", NOTIFYSDK_DISABLE_PLUGINS="broken", COLUMNS="200")
    assert out.returncode == 0, out.stderr
    assert "example-log" in out.stdout
    assert "broken" not in out.stdout
