"""Issue 17 acceptance from the CLI, on a SQLite file in a temporary folder and on
PostgreSQL: a notice deferred overnight, a payment recorded in between with ``account
event record``, ``explain`` shows the event the account-state vote read, and ``run-due``
in the morning blocks the paid debt's notice while the unpaid account's goes."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Notice, OutcomeStatus
from notifysdk.testing import sample_account, sample_notice

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")
PAID_AT = "2026-01-06T01:00:00+08:00"
MORNING = "2026-01-06T09:00:00+08:00"


@pytest.fixture
def config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    durable_ledger_url: str,
    notifysdk_plugins: object,
) -> Path:
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


def _cli(*args: str) -> str:
    result = CliRunner().invoke(get_app(), list(args))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


async def _defer(config: Path, *notices: Notice) -> None:
    async with Dispatcher(Settings.load(config), clock=FakeClock(NIGHT)) as d:
        for n in notices:
            assert (await d.send(n)).status is OutcomeStatus.DEFERRED


def test_paid_overnight_is_read_by_explain_and_run_due(config: Path, tmp_path: Path) -> None:
    paid = sample_notice(1, account=sample_account(1), channel="capture-sms")
    unpaid = sample_notice(2, account=sample_account(2), channel="capture-sms")
    asyncio.run(_defer(config, paid, unpaid))
    c = str(config)
    _cli("account", "event", "record", "A000001", "paid", "--at", PAID_AT, "--now", PAID_AT,
         "-c", c)  # fmt: skip
    notice_file = tmp_path / "paid.json"
    notice_file.write_text(paid.model_dump_json(), encoding="utf-8")
    shown = json.loads(_cli("explain", str(notice_file), "--now", MORNING, "--json", "--config", c))
    assert shown["decision"]["verdict"] == "deny" and shown["decision"]["rule"] == "account-state"
    state = [v for v in shown["votes"] if v["rule"] == "account-state" and v["profile"] == "*"]
    assert state and state[0]["numbers"]["events"] == ["paid@2026-01-05T17:00:00+00:00"]
    assert json.loads(_cli("run-due", "--now", MORNING, "-c", c)) == {
        "sent_again": 2,
        "delivered": 1,
        "blocked": 1,
    }
    sent = list((tmp_path / "out" / "sms").iterdir())
    assert len(sent) == 1 and unpaid.idempotency_key in sent[0].name, sent
    verify = CliRunner().invoke(get_app(), ["audit", "verify", "-c", c])
    assert verify.exit_code == 0, verify.output
