"""``notifysdk preview`` shows what the Aliyun channel would carry (sign, approved
template code and text, parameters), and refuses a template that drifted from its
approved copy before anything could be sent (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.plugins import PluginManager

from .conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN, templates


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _config(tmp_path: Path, section: dict[str, Any]) -> Path:
    lines = ["[notifysdk]", 'routes = { sms = "aliyun-sms" }', "[notifysdk.channels.aliyun-sms]"]
    lines += [f"{k} = {_toml(v)}" for k, v in section.items() if k != "templates"]
    for kind, locales in section["templates"].items():
        for locale, spec in locales.items():
            lines.append(f'[notifysdk.channels.aliyun-sms.templates.{kind}."{locale}"]')
            lines += [f"{k} = {_toml(v)}" for k, v in spec.items()]
    path = tmp_path / "notifysdk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _preview(config: Path) -> tuple[int, list[dict[str, Any]]]:
    args = ["preview", "-c", str(config), "-m", "sms", "--locale", "zh-CN", "--json"]
    args += ["--now", "2026-01-05T10:00:00+08:00"]
    result = CliRunner().invoke(get_app(), args)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def section() -> dict[str, Any]:
    return {
        "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": ACCESS_KEY_SECRET,
        "sign_name": SIGN,
        "endpoint": "127.0.0.1:9",  # never reached: preview sends nothing
        "protocol": "http",
        "templates": templates(),
    }


def test_preview_shows_the_approved_template_form(
    tmp_path: Path,
    section: dict[str, Any],
    notifysdk_plugins: PluginManager,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "aliyun-sms")
    code, results = _preview(_config(tmp_path, section))
    (r,) = [r for r in results if r["channel"] == "aliyun-sms"]
    assert code == 0, r
    assert r["approved"]["template_code"] == "SMS_0001"
    assert r["approved"]["sign_name"] == SIGN
    assert r["approved"]["params"]  # read back out of the rendered, masked body


def test_preview_refuses_a_template_that_drifted_from_its_approved_copy(
    tmp_path: Path,
    section: dict[str, Any],
    notifysdk_plugins: PluginManager,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "aliyun-sms")
    section["templates"] = templates(overdue_notice="您好${name}，请联系我们。")
    code, results = _preview(_config(tmp_path, section))
    (r,) = [r for r in results if r["channel"] == "aliyun-sms"]
    assert code == 1
    assert r["status"] == "refused by the channel"
    assert "SMS_0001" in r["reason"]
