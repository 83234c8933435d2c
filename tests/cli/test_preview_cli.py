"""``notifysdk preview``: every medium and locale, masked as sent, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.models import Medium

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-01-05T02:00:00+00:00"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _preview(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(get_app(), ["preview", "--now", NOW, "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_every_medium_and_locale_is_previewed_and_nothing_is_written(tmp_path: Path) -> None:
    results = _preview()
    assert {(r["medium"], r["locale"]) for r in results} == {
        (m.value, loc) for m in Medium for loc in ("zh-CN", "en")
    }
    sms = {r["locale"]: r for r in results if r["medium"] == "sms"}
    assert sms["zh-CN"]["status"] == "rendered"
    assert "示例" in str(sms["zh-CN"]["body"]) or "Example Bank" in str(sms["zh-CN"]["body"])
    # Masked exactly as sent: an SMS (limited disclosure) carries no full name or number.
    assert "张伟" not in str(sms["zh-CN"]["body"])
    assert sms["zh-CN"]["to"] != "+8613800138000" and "****" in str(sms["zh-CN"]["to"])
    assert sms["en"]["disclosure"] == "limited"
    assert not (tmp_path / ".notifysdk" / "out").exists()


def test_third_party_never_sees_the_debt() -> None:
    for r in _preview("--role", "emergency_contact", "--medium", "sms"):
        body = str(r.get("body") or "")
        assert "1,246.80" not in body and "1246.80" not in body and "LN2026" not in body
        assert r["status"] in ("rendered", "blocked by the leak guard", "not rendered")


def test_preview_one_account_of_a_portfolio() -> None:
    results = _preview(
        "--portfolio",
        str(EXAMPLES / "portfolio.csv"),
        "--account",
        "ACC0000002",
        "--medium",
        "email",
        "--locale",
        "zh-CN",
    )
    assert len(results) == 1 and results[0]["status"] == "rendered"
    assert "borrower2@example.cn" not in str(results[0]["to"])


def test_unknown_account_is_an_error() -> None:
    result = CliRunner().invoke(
        get_app(), ["preview", "--portfolio", str(EXAMPLES / "portfolio.csv"), "--account", "NOPE"]
    )
    assert result.exit_code == 3
    assert "--account" in result.output


def test_each_locale_is_previewed_on_the_channel_a_run_routes_it_to() -> None:
    config = str(EXAMPLES / "notifysdk-cnsms.toml")
    result = CliRunner().invoke(
        get_app(), ["preview", "--now", NOW, "--json", "--medium", "sms", "--config", config]
    )
    # exit 1: the Aliyun channel refuses the preview's sample lender, whose name is not a
    # sign registered in that config -- which shows the channel really judged it
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)
    zh = next(r for r in rows if r["locale"] == "zh-CN")
    assert zh["status"] == "refused by the channel" and "sign_name" in zh["reason"]
    assert {r["locale"]: r["channel"] for r in rows} == {
        "zh-CN": "aliyun-sms",
        "en": "capture-sms",
    }
