"""Issue 17 QA: nothing personal in clear in what an operator sees of the record —
``account event record``, ``account events``, ``cancel``, ``explain`` (text and
``--json``) with the reachability record and events, ``run-due`` — nor in the audit
trail and the log lines they leave. One scenario on a SQLite ledger in a temporary
folder and on PostgreSQL, scanned with tests/privacy/pii_scan.py for every raw value
of the account."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.compliance.scopes import record_call
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, Notice, OutcomeStatus, Party, Person, PhoneContact, Role
from notifysdk.testing import sample_account, sample_notice

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "privacy"))
from pii_scan import PiiScanner  # type: ignore[import-not-found]

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")
MORNING = "2026-01-06T09:00:00+08:00"
CONTACT_PHONE = "+8613912345678"


def _account() -> Account:
    account = sample_account(1)
    wife = Person(
        person_id="P-W", name="王芳", locale="zh-CN", contacts=(PhoneContact(value=CONTACT_PHONE),)
    )
    return account.model_copy(
        update={"parties": (Party(person=wife, role=Role.EMERGENCY_CONTACT),)}
    )


@pytest.fixture
def config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    durable_ledger_url: str,
    notifysdk_plugins: object,
) -> Path:
    """Settings on a SQLite file in ``tmp_path`` or a fresh PostgreSQL database, the
    keys in ``tmp_path`` too."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")
    path = tmp_path / "notifysdk.toml"
    path.write_text(
        "[notifysdk]\n"
        f'ledger_url = "{durable_ledger_url}"\n'
        f'key_dir = "{tmp_path}/keys"\n'
        f'output_dir = "{tmp_path}/out"\n',
        encoding="utf-8",
    )
    return path


async def _scene(config: Path, account: Account) -> tuple[Notice, Notice]:
    """Three failed calls, an invalid second number, one deferred notice to the debtor
    and one notice file to the emergency contact (for explain)."""
    async with Dispatcher(Settings.load(config), clock=FakeClock(NIGHT)) as d:
        for i in range(3):
            await record_call(
                d.ledger,
                account,
                account.debtor,
                account.debtor.contacts[0].value,  # type: ignore[union-attr]
                "no_answer",
                NIGHT - timedelta(hours=6 - i),
            )
        debtor = sample_notice(1, account=account, channel="capture-sms")
        assert (await d.send(debtor)).status is OutcomeStatus.DEFERRED
    person = account.parties[0].person
    to_contact = sample_notice(1, account=account, channel="capture-sms").model_copy(
        update={
            "recipient": debtor.recipient.model_copy(
                update={"person": person, "role": Role.EMERGENCY_CONTACT}
            )
        }
    )
    return debtor, to_contact


def _note(account: Account) -> str:
    return f"张伟 says his wife 王芳 ({CONTACT_PHONE}) will pay; loan {account.loan_id}"


def _scan(
    config: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    commands: list[list[str]],
    *,
    audited: int = 3,
) -> tuple[PiiScanner, dict[str, str]]:
    """Run the scene, then ``commands`` (``{config}`` and ``{notice}`` filled in); scan
    each output (by its first two words), the log records and the whole audit trail."""
    account = _account()
    debtor, to_contact = asyncio.run(_scene(config, account))
    notice_file = tmp_path / "to_contact.json"
    notice_file.write_text(to_contact.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    scanner = PiiScanner.for_accounts([account], amounts=False)
    outputs: dict[str, str] = {}
    with caplog.at_level(logging.DEBUG):
        for template in commands:
            args = [
                a.replace("{config}", str(config)).replace("{notice}", str(notice_file))
                for a in template
            ]
            result = runner.invoke(get_app(), args)
            assert result.exit_code in (0, 1), (args[:3], result.output)
            name = " ".join(a for a in args[:3] if not a.startswith("/"))
            outputs[name] = result.stdout
            scanner.add(name, result.output)
    scanner.add_log_records(caplog.records)

    async def audit() -> None:
        async with Dispatcher(Settings.load(config)) as d:
            await scanner.add_ledger(d.ledger, [debtor.idempotency_key])

    asyncio.run(audit())
    assert scanner.sources.get("ledger.audit", 0) >= audited  # the scan read the trail
    return scanner, outputs


RECORD = ["account", "event", "record", "A000001", "number_invalid", "--contact",
          CONTACT_PHONE, "--note", _note(_account()), "--at", "2026-01-05T20:00:00+08:00",
          "-c", "{config}"]  # fmt: skip


def test_what_an_operator_sees_of_the_record_is_masked(
    config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reason = f"张伟 paid; wife 王芳 {CONTACT_PHONE}"
    scanner, out = _scan(
        config,
        tmp_path,
        caplog,
        [
            RECORD,
            ["account", "events", "A000001", "-c", "{config}"],
            ["account", "events", "A000001", "--json", "-c", "{config}"],
            ["explain", "{notice}", "--now", MORNING, "--config", "{config}"],
            ["explain", "{notice}", "--now", MORNING, "--json", "--config", "{config}"],
            ["cancel", "--account", "A000001", "--reason", reason, "-c", "{config}"],
            ["run-due", "--now", MORNING, "-c", "{config}"],
        ],
    )
    assert scanner.hits == [], scanner.report()
    (row,) = json.loads(out["account events A000001"])
    assert "will pay" in row["note"] and row["contact"] == "139****5678"
    explained = json.loads(out["explain --now"])  # the --json run came last
    guard = next(
        v for v in explained["votes"] if v["rule"] == "recipient-guard" and v["profile"] == "cn"
    )
    record = guard["numbers"]["reachability"]
    assert record["consecutive_failures"] == 3 and record["events"]["number_invalid"] == 1


def test_account_event_record_prints_the_note_as_stored(
    config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scanner, _ = _scan(config, tmp_path, caplog, [RECORD], audited=2)
    assert scanner.sources.get("account event record") == 1
    assert scanner.hits == [], scanner.report()


def test_a_cancel_that_stops_nothing_audits_its_reason_masked(
    config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reason = f"张伟 asked, wife 王芳 {CONTACT_PHONE}"
    scanner, _ = _scan(
        config,
        tmp_path,
        caplog,
        [
            ["cancel", "--account", "A000001", "--reason", "first", "-c", "{config}"],
            ["cancel", "--account", "A000001", "--reason", reason, "-c", "{config}"],
        ],
    )
    assert scanner.hits == [], scanner.report()
