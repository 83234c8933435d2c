"""``notifysdk redact``: stdin → masked stdout, --json findings, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from notifysdk.cli.app import get_app

TEXT = "张伟您好，卡号6222 0213 8001 3800，电话+86 138 0013 8000，应还¥1,246.80"
RUNNER = CliRunner()


def run(*args: str, text: str = TEXT) -> tuple[int, str, str]:
    result = RUNNER.invoke(get_app(), ["redact", *args], input=text)
    return result.exit_code, result.stdout, result.stderr


def test_debtor_sms_is_masked_and_allowed() -> None:
    code, out, _ = run("--role", "debtor", "--channel", "sms")
    assert code == 0
    assert out == "张伟您好，卡号**** **** **** 3800，电话138****8000，应还¥1,246.80"


def test_third_party_is_blocked_with_exit_status_one() -> None:
    code, out, err = run("--role", "emergency_contact", "--channel", "capture-sms")
    assert code == 1
    assert "1,246.80" not in out and "3800" in out
    assert "amount" in err and "card" in err


def test_json_lists_kind_span_and_masked_form(tmp_path: Path) -> None:
    known = tmp_path / "known.json"
    known.write_text(json.dumps({"name": ["张伟"]}, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("--role", "debtor", "--channel", "letter", "--json", "--known", str(known))
    report = json.loads(out)
    assert code == 0 and report["level"] == "full" and report["blocked"] is False
    by_kind = {f["kind"]: f for f in report["findings"]}
    assert by_kind["card"]["masked"] == "**** **** **** 3800"
    start, end = by_kind["card"]["span"]
    assert TEXT[start:end] == "6222 0213 8001 3800"
    assert by_kind["name"]["masked"] == "张伟"  # a sealed letter may carry the name


def test_envelope_level_and_bad_options() -> None:
    assert run("--role", "debtor", "--channel", "envelope")[0] == 1
    code, _, err = run("--role", "boss", "--channel", "sms")
    assert code == 2 and "--role" in err
    code, _, err = run("--role", "debtor", "--channel", "pigeon")
    assert code == 2 and "--channel" in err


def test_unreadable_known_file_names_the_option(tmp_path: Path) -> None:
    bad = tmp_path / "known.json"
    bad.write_text("[13800138000]", encoding="utf-8")
    code, _, err = run("--role", "debtor", "--channel", "sms", "--known", str(bad))
    assert code == 2 and "--known" in err and "13800138000" not in err


def test_config_public_values_are_kept_as_the_dispatcher_keeps_them(tmp_path: Path) -> None:
    """``--config`` gives the institution's hotline: left as written, as the dispatcher
    leaves it; another number in the same text is still masked."""
    settings = tmp_path / "notifysdk.toml"
    settings.write_text('[notifysdk]\ninstitution_contact = "400-820-8820"\n', encoding="utf-8")
    text = "请致电 400-820-8820 或 021-6888-1234 联系"
    _, without, _ = run("--role", "debtor", "--channel", "sms", text=text)
    assert "400-820-8820" not in without and "021-6888-1234" not in without
    code, out, _ = run("--role", "debtor", "--channel", "sms", "--config", str(settings), text=text)
    assert code == 0
    assert "400-820-8820" in out and "021-6888-1234" not in out


def test_redact_and_dispatcher_build_the_same_redactor(tmp_path: Path) -> None:
    from notifysdk.builtin import privacy_cli
    from notifysdk.config import Settings
    from notifysdk.dispatch import Dispatcher
    from notifysdk.privacy.configured import configured_redactor

    settings = Settings.load(
        institution_contact="400-820-8820", ledger_url=f"sqlite:///{tmp_path}/l.db"
    )
    d = Dispatcher(settings)
    from_cli = configured_redactor(
        privacy_cli.get_plugin_manager().registry().detectors.values(), settings
    )
    assert [x.name for x in from_cli.detectors] == [x.name for x in d.redactor.detectors]
    assert from_cli.public == d.redactor.public


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[notifysdk\n", encoding="utf-8")
    code, out, err = run("--role", "debtor", "--channel", "sms", "--config", str(bad))
    assert code == 2 and out == "" and "error:" in err
