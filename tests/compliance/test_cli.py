"""``notifysdk explain`` and ``notifysdk lint``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from notifysdk.compliance.cli import register_commands
from notifysdk.compliance.rules import default_rules

runner = CliRunner()


@pytest.fixture
def app(notifysdk_plugins: object) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root."""

    register_commands(root)
    return root


def test_explain_prints_every_rules_vote_and_the_decision(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            "--sample",
            "--locale",
            "en",
            "--profile",
            "us-regf",
            "--phone",
            "+12085550123",
            "--no-tz",
            "--now",
            "2026-01-05T15:30:00Z",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output  # deferred: not allowed at --now
    data = json.loads(result.stdout)  # a warning on stderr is not part of the JSON
    rules = {v["rule"] for v in data["votes"]}
    assert {r.name for r in default_rules()} <= rules
    assert data["decision"]["verdict"] == "defer"
    assert data["decision"]["rule"] == "contact-window"
    assert data["decision"]["until"] == "2026-01-05T16:00:00+00:00"
    window = next(v for v in data["votes"] if v["rule"] == "contact-window")
    assert window["numbers"]["zones"] == ["America/Boise", "America/Los_Angeles"]
    assert window["citation"].startswith("12 CFR 1006.6(b)(1)(i)")


def test_explain_allowed_notice_exits_zero_and_prints_text(app: typer.Typer) -> None:
    result = runner.invoke(app, ["explain", "--sample", "--now", "2026-01-05T10:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert "[policy] contact-window (cn): ALLOW" in result.output
    assert "[content] content-lint (cn): ALLOW" in result.output
    assert "decision: allow" in result.output


def test_explain_naive_now_is_a_usage_error(app: typer.Typer) -> None:
    result = runner.invoke(app, ["explain", "--sample", "--now", "2026-01-05T10:00:00"])
    assert result.exit_code == 2
    assert "--now" in result.output


def test_explain_reads_a_notice_file(app: typer.Typer, tmp_path: Path) -> None:
    from notifysdk.testing import sample_notice

    path = tmp_path / "notice.json"
    path.write_text(sample_notice(channel="capture-sms").model_dump_json(), encoding="utf-8")
    result = runner.invoke(app, ["explain", str(path), "--now", "2026-01-05T23:00:00+08:00"])
    assert result.exit_code == 1
    assert "decision: defer by contact-window (cn)" in result.output


def test_lint_fails_on_a_bad_pack(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "overdue_notice").mkdir()
    (tmp_path / "overdue_notice" / "sms.en.txt.j2").write_text(
        "{{ institution }}: pay or you will be ARRESTED.", encoding="utf-8"
    )
    (tmp_path / "overdue_notice" / "sms.zh-CN.txt.j2").write_text(
        "【{{ institution }}】请按时还款。", encoding="utf-8"
    )
    result = runner.invoke(app, ["lint", str(tmp_path), "--json"])
    assert result.exit_code == 1
    rows = {r["template"]: r["findings"] for r in json.loads(result.stdout)}
    assert {f["phrase"] for f in rows["overdue_notice/sms.en.txt.j2"]} == {"en-arrest"}
    assert rows["overdue_notice/sms.zh-CN.txt.j2"] == []


def test_lint_names_the_authority_a_template_claims_to_be(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "overdue_notice").mkdir()
    (tmp_path / "overdue_notice" / "sms.zh-CN.txt.j2").write_text(
        "本院通知：{{ name }}，请于三日内还款。", encoding="utf-8"
    )
    result = runner.invoke(app, ["lint", str(tmp_path), "--json"])
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    source = [f for f in row["findings"] if f["part"] == "source"]
    assert source and {f["kind"] for f in source} == {"court"}
    assert {f["category"] for f in source} == {"impersonation"}


def test_lint_default_pack_is_clean(app: typer.Typer) -> None:
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.output


def _cn_notice_to_emergency_contact(tmp_path: Path) -> tuple[Path, object]:
    from notifysdk.models import Notice, Party, Person, PhoneContact, Recipient, Role
    from notifysdk.testing import sample_account

    account = sample_account(1)
    contact = Person(
        person_id="EC-1", name="李娜", contacts=(PhoneContact(value="+8613900139000"),)
    )
    account = account.model_copy(
        update={"parties": (Party(person=contact, role=Role.EMERGENCY_CONTACT),)}
    )
    notice = Notice(
        kind="overdue_notice",
        channel="capture-sms",
        account=account,
        recipient=Recipient(person=contact, role=Role.EMERGENCY_CONTACT),
    )
    path = tmp_path / "notice.json"
    path.write_text(notice.model_dump_json(), encoding="utf-8")
    return path, account


def test_explain_shows_the_record_each_vote_read(
    app: typer.Typer, tmp_path: Path, durable_ledger_url: str
) -> None:
    import asyncio
    from datetime import datetime, timedelta

    from notifysdk.account_events import AccountEvent, AccountEventKind, record_account_event
    from notifysdk.compliance.scopes import record_call
    from notifysdk.config import Settings
    from notifysdk.dispatcher import Dispatcher

    path, account = _cn_notice_to_emergency_contact(tmp_path)
    now = datetime.fromisoformat("2026-01-05T12:00:00+08:00")
    phone = account.debtor.contacts[0].value  # type: ignore[attr-defined]

    async def history() -> None:
        async with Dispatcher(Settings(ledger_url=durable_ledger_url)) as d:
            for i, outcome in enumerate(["no_answer", "busy", "voicemail"]):
                at = now - timedelta(hours=3 - i)
                await record_call(d.ledger, account, account.debtor, phone, outcome, at)  # type: ignore[attr-defined]
            event = AccountEvent(AccountEventKind.DISPUTE, now - timedelta(days=40))
            await record_account_event(d.ledger, account, event, now=now)  # type: ignore[arg-type]

    asyncio.run(history())
    args = ["explain", str(path), "--now", now.isoformat(), "--ledger", durable_ledger_url]
    text = runner.invoke(app, args)
    shown = runner.invoke(app, [*args, "--json"])
    data = json.loads(shown.stdout)
    guard = next(v for v in data["votes"] if v["rule"] == "recipient-guard")
    record = guard["numbers"]["reachability"]
    assert record["consecutive_failures"] == 3 and record["unreachable"] is True
    assert record["failures_by_outcome"] == {"busy": 1, "no_answer": 1, "voicemail": 1}
    window = next(v for v in data["votes"] if v["rule"] == "contact-window")
    assert window["numbers"]["zones"] == ["Asia/Shanghai"]
    out = text.stdout
    assert "[policy] recipient-guard (cn): RESTRICT" in out
    assert "    record:" in out and "consecutive_failures=3" in out
    assert "failures_by_outcome: busy=1, no_answer=1, voicemail=1" in out
    assert "numbers: {" not in out  # the record is laid out, not dumped
    for secret in (phone, phone[3:], "13900139000", "李娜", account.debtor.name):  # type: ignore[attr-defined]
        assert secret not in out and secret not in shown.stdout


def test_record_lines_lay_out_nested_records() -> None:
    from notifysdk.compliance.cli import record_lines

    lines = record_lines(
        {
            "cap": "regf-calls-7-in-7",
            "count": 3,
            "excluded": {"not_connected": 2, "with_consent": 0},
            "events": [{"kind": "dispute", "at": "2026-01-01T00:00:00+00:00"}],
            "sources": {"phone": ["America/New_York"], "time_zone": None},
            "note": "x" * 60,
            "ok": True,
        }
    )
    assert lines == [
        "cap=regf-calls-7-in-7, count=3, ok=yes",
        "excluded: not_connected=2, with_consent=0",
        "events:",
        "  - kind=dispute, at=2026-01-01T00:00:00+00:00",
        "sources: phone=[America/New_York], time_zone=-",
        "note: " + "x" * 60,
    ]
