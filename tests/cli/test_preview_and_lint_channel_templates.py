"""A channel's own templates (``KIND/CHANNEL.LOCALE.PART.j2``) are rendered by ``lint``
like a medium's, and ``preview`` names the file a channel uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.plugin import hookimpl
from notifysdk.plugins import PluginManager


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notifysdk_plugins: PluginManager
) -> None:
    # notifysdk_plugins: the CLI loads a fresh process-wide manager under this test's
    # NOTIFYSDK_LOAD_PLUGINS, and the next test gets the previous one back
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


def test_lint_renders_a_channel_template(tmp_path: Path) -> None:
    pack = tmp_path / "pack" / "overdue_notice"
    pack.mkdir(parents=True)
    (pack / "wecom-bot.en.txt.j2").write_text(
        "{{ institution }}: {{ amount_due }} is due.", encoding="utf-8"
    )
    result = CliRunner().invoke(get_app(), ["lint", str(tmp_path / "pack"), "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["template"] == "overdue_notice/wecom-bot.en.txt.j2"
    assert row["rendered"] is True and row["note"] == "" and row["error"] == ""


def test_lint_finds_a_phrase_only_the_rendering_of_a_channel_template_shows(
    tmp_path: Path,
) -> None:
    pack = tmp_path / "pack" / "overdue_notice"
    pack.mkdir(parents=True)
    (pack / "wecom-bot.en.txt.j2").write_text(
        "{{ institution }}: pay or you will be {{ 'ARR' ~ 'ESTED' }}.", encoding="utf-8"
    )
    result = CliRunner().invoke(get_app(), ["lint", str(tmp_path / "pack"), "--json"])
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert [f["part"] for f in row["findings"]] == ["rendered"]


def test_preview_uses_and_names_the_channels_own_template(
    tmp_path: Path, notifysdk_register_plugin: Callable[..., str]
) -> None:
    folder = tmp_path / "pack" / "overdue_notice"
    folder.mkdir(parents=True)
    (folder / "capture-sms.en.txt.j2").write_text(
        "{{ institution }} via capture: {{ amount_due }} is due. Reply STOP to opt out. "
        "This is an attempt to collect a debt and any information obtained will be used "
        "for that purpose.",
        encoding="utf-8",
    )

    class Pack:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(folder.parent)

    notifysdk_register_plugin(Pack(), "channel-pack")
    args = ["preview", "--now", "2026-01-05T15:00:00+00:00", "--json"]
    result = CliRunner().invoke(get_app(), [*args, "--medium", "sms", "--locale", "en"])
    (r,) = json.loads(result.stdout)
    assert r["template"] == "overdue_notice/capture-sms.en.txt.j2"
    assert "via capture" in r["body"]
