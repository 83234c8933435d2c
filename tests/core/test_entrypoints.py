"""``notifysdk.entrypoints`` finds what ``importlib.metadata`` finds, in the same order,
with the same distribution names and versions, without importing it."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from notifysdk import entrypoints


def _reference(group: str) -> list[tuple[str, str, str | None, str | None]]:
    found = []
    for ep in importlib.metadata.entry_points(group=group):
        meta = ep.dist.metadata if ep.dist is not None else None
        found.append(
            (ep.name, ep.value, meta and meta["Name"], meta and meta["Version"]),
        )
    return found


def _ours(group: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.name, e.value, e.distribution, e.version) for e in entrypoints.entry_points(group)]


@pytest.mark.parametrize("group", ["notifysdk", "console_scripts", "pytest11", "no-such-group"])
def test_same_entry_points_as_importlib_metadata(group: str) -> None:
    assert _ours(group) == _reference(group)


def test_the_project_plugins_are_found() -> None:
    names = {e.name: e.distribution for e in entrypoints.entry_points("notifysdk")}
    assert names["twilio"] == "notifysdk-twilio"
    assert names["example"] == "notifysdk-example-plugin"  # the tests' fixture plugin


def _dist(root: Path, name: str, version: str, entry_points: str) -> None:
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        "Summary: a: summary\n\nName: not-this\nVersion: 9\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_first_distribution_of_a_name_on_sys_path_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    text = "# a comment\n[notifysdk]\n\nalpha = json:dumps\n[other]\nbeta = json\n"
    _dist(first, "Shadow.Plugin", "1.0", text)
    _dist(second, "shadow-plugin", "2.0", "[notifysdk]\ngamma = json\n")
    _dist(second, "other-plugin", "0.5", "[notifysdk]\ndelta = os.path:join\n")
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    assert _ours("notifysdk") == _reference("notifysdk")
    ours = {e.name: e for e in entrypoints.entry_points("notifysdk")}
    assert "gamma" not in ours
    assert (ours["alpha"].distribution, ours["alpha"].version) == ("Shadow.Plugin", "1.0")
    import json
    import os.path

    assert ours["alpha"].load() is json.dumps
    assert ours["delta"].load() is os.path.join
    assert entrypoints.distribution_version("shadow_plugin") == "1.0"
    assert entrypoints.distribution_version("no-such-dist") is None


def test_a_zip_on_sys_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        z.writestr("zipped-1.0.dist-info/entry_points.txt", "[notifysdk]\nzipped = json\n")
    monkeypatch.syspath_prepend(str(archive))
    assert ("zipped", "json", "zipped", "1.0") in _ours("notifysdk")
    assert _ours("notifysdk") == _reference("notifysdk")


def test_an_egg_on_sys_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    egg = tmp_path / "legacy-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text("Name: legacy\nVersion: 1.0\n", encoding="utf-8")
    (egg / "EGG-INFO" / "entry_points.txt").write_text(
        "[notifysdk]\nlegacy = json\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(egg))
    assert _ours("notifysdk") == _reference("notifysdk")
    assert ("legacy", "json", "legacy", "1.0") in _ours("notifysdk")


def test_a_bad_value_fails_when_loaded() -> None:
    bad = entrypoints.EntryPoint("bad", "not a value!", "notifysdk", None, None)
    with pytest.raises(ValueError, match="not a module"):
        bad.load()


def test_reading_them_does_not_import_importlib_metadata() -> None:
    code = (
        "import sys; from notifysdk import entrypoints; "
        "assert entrypoints.entry_points('notifysdk'); "
        "assert entrypoints.distribution_version('notifysdk'); "
        "print(sorted(m for m in sys.modules if m.startswith(('importlib.metadata', 'email'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
