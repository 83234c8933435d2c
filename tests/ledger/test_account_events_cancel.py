"""``cancel``: pending notices stop with an audited reason, by key or by account; a
notice in flight or done is left as it is (SQLite and PostgreSQL), and the CLI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.errors import InvalidInputError
from notifysdk.keys import ephemeral_keys
from notifysdk.ledger.base import Ledger, NoticeState
from notifysdk.ledger.durable import DurableLedger
from notifysdk.models import Notice, OutcomeStatus
from notifysdk.testing import MockChannel, sample_account, sample_notice

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")
MORNING = datetime.fromisoformat("2026-01-06T08:00:00+08:00")
DAY = datetime.fromisoformat("2026-01-05T12:00:00+08:00")


@pytest.fixture
async def ledger(durable_ledger_url: str) -> AsyncIterator[Ledger]:
    keys = ephemeral_keys()
    opened = open_ledger(durable_ledger_url, keys=lambda: keys)
    yield opened
    await opened.aclose()


def _notice(n: int, i: int = 0) -> Notice:
    return sample_notice(n, account=sample_account(n), data={"i": i})


async def _state(ledger: Ledger, notice: Notice) -> NoticeState:
    record = await ledger.get(notice.idempotency_key)
    assert record is not None
    return record.state


async def _scene(
    d: Dispatcher, ledger: Ledger, clock: FakeClock
) -> tuple[Notice, list[Notice], Notice, Notice]:
    """Account 1: one delivered, two deferred, one in flight; account 2: one deferred."""
    clock.set(DAY)
    delivered = _notice(1, 0)
    assert (await d.send(delivered)).status is OutcomeStatus.DELIVERED
    clock.set(NIGHT)
    deferred = [_notice(1, 1), _notice(1, 2)]
    for n in deferred:
        assert (await d.send(n)).status is OutcomeStatus.DEFERRED
    in_flight = _notice(1, 3)
    claim = await ledger.claim(
        in_flight, owner="worker-9", now=NIGHT, lease_seconds=600, to="+8613912345678"
    )
    assert claim.fence
    other = _notice(2, 0)
    assert (await d.send(other)).status is OutcomeStatus.DEFERRED
    return delivered, deferred, in_flight, other


async def test_cancel_by_account_stops_its_pending_notices_only(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    delivered, deferred, in_flight, other = await _scene(d, ledger, notifysdk_clock)
    result = await d.cancel(account_id=delivered.account.account_id, reason="paid at the branch")
    assert sorted(o.idempotency_key for o in result.cancelled) == sorted(
        n.idempotency_key for n in deferred
    )
    assert {o.status for o in result.cancelled} == {OutcomeStatus.BLOCKED}
    assert {o.rule for o in result.cancelled} == {"cancelled"}
    assert dict(result.untouched) == {
        delivered.idempotency_key: "delivered",
        in_flight.idempotency_key: "claimed",
    }
    for n in deferred:
        assert await _state(ledger, n) is NoticeState.BLOCKED
    assert await _state(ledger, in_flight) is NoticeState.CLAIMED
    assert await _state(ledger, other) is NoticeState.DEFERRED
    # the morning run sends the other account's notice and nothing cancelled
    notifysdk_clock.set(MORNING)
    (due,) = await d.run_due()
    assert due.idempotency_key == other.idempotency_key and len(channel.sent) == 2
    assert isinstance(ledger, DurableLedger)
    entries = await ledger.audit_entries()
    (summary,) = [e for e in entries if e.event == "cancel"]
    assert summary.detail["by"] == "account" and summary.detail["cancelled"] == 2
    assert summary.detail["untouched"] == 2 and summary.detail["reason"] == "paid at the branch"
    assert delivered.account.account_id not in json.dumps(dict(summary.detail))
    cancelled = [e for e in entries if e.event == "outcome" and e.detail.get("rule") == "cancelled"]
    assert sorted(str(e.key) for e in cancelled) == sorted(n.idempotency_key for n in deferred)
    assert (await ledger.verify_audit()).ok


async def test_cancel_by_key_and_what_it_leaves(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel(), ledger=ledger)
    delivered, deferred, in_flight, _ = await _scene(d, ledger, notifysdk_clock)
    phone = "13912345678"
    result = await d.cancel(key=deferred[0].idempotency_key, reason=f"debtor called from {phone}")
    (outcome,) = result.cancelled
    assert outcome.reason is not None and phone not in outcome.reason
    assert outcome.reason.startswith("cancelled: debtor called from")
    assert await _state(ledger, deferred[0]) is NoticeState.BLOCKED
    assert await _state(ledger, deferred[1]) is NoticeState.DEFERRED
    for key, state in (
        (delivered.idempotency_key, "delivered"),
        (in_flight.idempotency_key, "claimed"),
        ("nk_never_seen", "unknown"),
        (deferred[0].idempotency_key, "blocked"),  # cancelled already: done
    ):
        again = await d.cancel(key=key, reason="operator")
        assert again.cancelled == () and dict(again.untouched) == {key: state}
    assert isinstance(ledger, DurableLedger)
    assert (await ledger.verify_audit()).ok
    text = json.dumps([dict(e.detail) for e in await ledger.audit_entries()])
    assert phone not in text


async def test_cancel_needs_one_target_and_a_reason(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher]
) -> None:
    d = dispatcher(MockChannel(), ledger=ledger)
    with pytest.raises(InvalidInputError):
        await d.cancel(reason="x")
    with pytest.raises(InvalidInputError):
        await d.cancel(key="k", account_id="a", reason="x")
    with pytest.raises(InvalidInputError, match="reason"):
        await d.cancel(key="k", reason="  ")


# -- the CLI ------------------------------------------------------------------------


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "notifysdk.toml"
    config.write_text(
        f'ledger_url = "sqlite:///{tmp_path}/ledger.db"\noutput_dir = "{tmp_path}/out"\n'
        f'key_dir = "{tmp_path}/keys"\n',
        encoding="utf-8",
    )
    return config


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(get_app(), list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def _defer(config: Path, *notices: Notice) -> None:
    async with Dispatcher(Settings.load(config), clock=FakeClock(NIGHT)) as d:
        for n in notices:
            assert (await d.send(n)).status is OutcomeStatus.DEFERRED


def _capture(n: int, i: int = 0) -> Notice:
    return sample_notice(n, account=sample_account(n), channel="capture-sms", data={"i": i})


def test_cli_records_and_lists_events_masked(tmp_path: Path) -> None:
    config = _config(tmp_path)
    account = sample_account(1).account_id
    number = "+8613912345678"
    recorded = _cli(
        "account", "event", "record", account, "number_invalid", "--contact", number,
        "--note", "wrong person, said 13912345678 is his", "--at", "2026-01-05T09:00:00Z",
        "--config", str(config),
    )  # fmt: skip
    assert recorded["recorded"]["kind"] == "number_invalid"
    _cli(
        "account", "event", "record", account, "promise_to_pay", "--until", "2026-01-09",
        "--at", "2026-01-05T10:00:00Z", "--config", str(config),
    )  # fmt: skip
    listed = _cli("account", "events", account, "--json", "--config", str(config))
    assert [(e["kind"], e["source"]) for e in listed] == [
        ("number_invalid", "cli"),
        ("promise_to_pay", "cli"),
    ]
    # a promised date holds through that day wherever the debtor is (its end at UTC-12)
    assert listed[1]["until"] == "2026-01-10T12:00:00+00:00"
    out = json.dumps([recorded, listed])
    assert "13912345678" not in out and "wrong person" in out
    table = CliRunner().invoke(get_app(), ["account", "events", account, "--config", str(config)])
    assert table.exit_code == 0 and "13912345678" not in table.output


def test_cli_refuses_an_event_without_what_it_needs(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = CliRunner().invoke(
        get_app(), ["account", "event", "record", "A1", "promise_to_pay", "--config", str(config)]
    )
    assert result.exit_code == 2 and "promised date" in result.output
    naive = CliRunner().invoke(
        get_app(),
        ["account", "event", "record", "A1", "paid", "--at", "2026-01-05T09:00", "-c", str(config)],
    )
    assert naive.exit_code == 2 and "time zone" in naive.output
    # what only record_account_event knows is bad input too (exit 2), not a failure
    early = CliRunner().invoke(
        get_app(),
        [
            "account", "event", "record", "A1", "promise_to_pay", "--until", "2026-01-03",
            "--at", "2026-01-05T09:00:00Z", "-c", str(config),
        ],
    )  # fmt: skip
    assert early.exit_code == 2, early.output
    empty = CliRunner().invoke(
        get_app(), ["cancel", "--key", "k", "--reason", " ", "-c", str(config)]
    )
    assert empty.exit_code == 2 and "--reason" in empty.output


def test_cli_cancel_by_account_and_by_key(tmp_path: Path) -> None:
    config = _config(tmp_path)
    first, second, other = _capture(1, 1), _capture(1, 2), _capture(2)
    asyncio.run(_defer(config, first, second, other))
    by_key = _cli("cancel", "--key", first.idempotency_key, "--reason", "dispute by mail",
                  "--config", str(config))  # fmt: skip
    assert by_key == {"cancelled": [first.idempotency_key], "untouched": {}}
    by_account = _cli("cancel", "--account", first.account.account_id, "--reason", "settled",
                      "--config", str(config))  # fmt: skip
    assert by_account == {
        "cancelled": [second.idempotency_key],
        "untouched": {first.idempotency_key: "blocked"},
    }
    due = _cli("run-due", "--config", str(config), "--now", "2026-01-06T09:00:00+08:00")
    assert due == {"sent_again": 1, "delivered": 1}
    verify = CliRunner().invoke(get_app(), ["audit", "verify", "--config", str(config)])
    assert verify.exit_code == 0, verify.output
    neither = CliRunner().invoke(get_app(), ["cancel", "--reason", "x", "-c", str(config)])
    assert neither.exit_code == 2


def test_cli_paid_overnight_stops_the_morning_run(tmp_path: Path) -> None:
    config = _config(tmp_path)
    notice = _capture(1)
    asyncio.run(_defer(config, notice))
    _cli("account", "event", "record", notice.account.account_id, "paid",
         "--at", "2026-01-06T01:00:00+08:00", "--config", str(config))  # fmt: skip
    due = _cli("run-due", "--config", str(config), "--now", "2026-01-06T09:00:00+08:00")
    assert due == {"sent_again": 1, "blocked": 1}
    assert not (tmp_path / "out" / "sms").exists() or not list((tmp_path / "out" / "sms").iterdir())
