"""``notifysdk run-due --now``: deferred notices go once their time has come, on a clock
the operator names (so a test, or a replay, never depends on the hour it runs at)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus
from notifysdk.testing import sample_account, sample_notice

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")


async def _defer_one(config: Path) -> None:
    notice = sample_notice(account=sample_account(1), channel="capture-sms")
    async with Dispatcher(Settings.load(config), clock=FakeClock(NIGHT)) as d:
        deferred = await d.send(notice)
    assert (deferred.status, deferred.rule) == (OutcomeStatus.DEFERRED, "contact-window")
    assert deferred.until is not None and deferred.until.isoformat() == "2026-01-06T00:00:00+00:00"


def test_run_due_sends_what_is_due_at_now(tmp_path: Path) -> None:
    config = tmp_path / "notifysdk.toml"
    config.write_text(
        f'ledger_url = "sqlite:///{tmp_path}/ledger.db"\noutput_dir = "{tmp_path}/out"\n',
        encoding="utf-8",
    )
    asyncio.run(_defer_one(config))
    runner = CliRunner()
    early = runner.invoke(
        get_app(), ["run-due", "--config", str(config), "--now", "2026-01-06T07:00:00+08:00"]
    )
    assert early.exit_code == 0, early.output
    assert json.loads(early.stdout) == {"sent_again": 0}
    due = runner.invoke(
        get_app(), ["run-due", "--config", str(config), "--now", "2026-01-06T09:00:00+08:00"]
    )
    assert due.exit_code == 0, due.output
    assert json.loads(due.stdout) == {"sent_again": 1, "delivered": 1}
    assert len(list((tmp_path / "out" / "sms").iterdir())) == 1


def test_run_due_refuses_a_naive_now(tmp_path: Path) -> None:
    result = CliRunner().invoke(get_app(), ["run-due", "--now", "2026-01-06T09:00:00"])
    assert result.exit_code == 2
    assert "--now" in result.output and "time zone" in result.output
