"""The rules decide from the record: account events recorded in the ledger (SQLite and
PostgreSQL) stop, hold or defer notices, at the first send and again at ``run-due``.

Notices run under the shipped ``cn`` profile on a mock SMS channel; a notice sent at
23:30 in Shanghai is deferred by the contact window to 08:00 (00:00 UTC), the deferral
every run-due test starts from.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from notifysdk.account_events import AccountEvent, record_account_event
from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.rules.states import PAID_CITATION
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.enums import AccountState
from notifysdk.hookspecs import hookimpl
from notifysdk.keys import ephemeral_keys
from notifysdk.ledger.base import Ledger, NoticeState
from notifysdk.models import Account, Notice, OutcomeStatus
from notifysdk.testing import MockChannel, sample_account, sample_notice

NIGHT = datetime.fromisoformat("2026-01-05T23:30:00+08:00")
MORNING = datetime.fromisoformat("2026-01-06T08:00:00+08:00")
DAY = datetime.fromisoformat("2026-01-06T10:00:00+08:00")


@pytest.fixture
async def ledger(durable_ledger_url: str) -> AsyncIterator[Ledger]:
    keys = ephemeral_keys()
    opened = open_ledger(durable_ledger_url, keys=lambda: keys)
    yield opened
    await opened.aclose()


def _notice(n: int = 1, **kw: Any) -> Notice:
    return sample_notice(n, account=sample_account(n), **kw)


async def _deferred(d: Dispatcher, notice: Notice) -> None:
    outcome = await d.send(notice)
    assert (outcome.status, outcome.rule) == (OutcomeStatus.DEFERRED, "contact-window")


async def test_a_payment_recorded_between_deferral_and_run_due_blocks_the_notice(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    notifysdk_clock.set(NIGHT)
    paid, unpaid = _notice(1), _notice(2)
    await _deferred(d, paid)
    await _deferred(d, unpaid)
    # the payment arrives overnight, after the deferral stored its snapshot
    await record_account_event(
        ledger, paid.account, AccountEvent("paid", NIGHT + timedelta(hours=1), note="wire")
    )
    notifysdk_clock.set(MORNING)
    outcomes = {o.idempotency_key: o for o in await d.run_due()}
    stopped = outcomes[paid.idempotency_key]
    assert (stopped.status, stopped.rule) == (OutcomeStatus.BLOCKED, "account-state")
    assert "paid" in (stopped.reason or "")
    # the account without a payment goes: the run re-read each account, not a flag
    assert outcomes[unpaid.idempotency_key].status is OutcomeStatus.DELIVERED
    assert len(channel.sent) == 1
    record = await ledger.get(paid.idempotency_key)
    assert record is not None and record.state is NoticeState.BLOCKED


async def test_a_payment_recorded_after_the_send_instant_is_not_read_back(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    notifysdk_clock.set(DAY)
    notice = _notice()
    later = DAY + timedelta(seconds=1)
    await record_account_event(ledger, notice.account, AccountEvent("settled", later))
    d = dispatcher(MockChannel(), ledger=ledger)
    assert (await d.send(notice)).status is OutcomeStatus.DELIVERED
    # and at the very instant it is recorded, it counts
    notifysdk_clock.set(later)
    blocked = await d.send(_notice(1, data={"n": 2}))
    assert (blocked.status, blocked.rule) == (OutcomeStatus.BLOCKED, "account-state")


async def test_a_dispute_on_record_holds_collection_under_the_profile_citation(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    notifysdk_clock.set(DAY)
    notice = _notice()
    assert AccountState.DISPUTE not in notice.account.states
    await record_account_event(
        ledger, notice.account, AccountEvent("dispute", DAY - timedelta(days=1))
    )
    d = dispatcher(MockChannel(), ledger=ledger)
    explained = await explain(d, notice, DAY)
    (deny,) = [r for r in explained.rows if r.rule == "account-state" and r.verdict == "deny"]
    assert deny.profile == "cn" and "dispute" in deny.citation
    assert deny.numbers["source"] == "record"
    assert deny.numbers["events"] == ["dispute@2026-01-05T02:00:00+00:00"]
    outcome = await d.send(notice)
    assert (outcome.status, outcome.rule) == (OutcomeStatus.BLOCKED, "account-state")


async def test_paid_stops_every_kind_with_an_honest_citation(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    notifysdk_clock.set(DAY)
    notice = _notice()
    await record_account_event(ledger, notice.account, AccountEvent("paid", DAY))
    d = dispatcher(MockChannel(), ledger=ledger)
    explained = await explain(d, notice, DAY)
    (deny,) = [r for r in explained.rows if r.rule == "account-state" and r.verdict == "deny"]
    assert deny.citation == PAID_CITATION and deny.citation.startswith("policy")
    assert deny.numbers == {
        "event": "paid",
        "at": "2026-01-06T02:00:00+00:00",
        "events": ["paid@2026-01-06T02:00:00+00:00"],
    }


async def test_a_promise_to_pay_defers_to_the_promised_date_then_collection_resumes(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    promised = DAY + timedelta(days=1)  # D, 10:00 in Shanghai
    notice = _notice()
    await record_account_event(
        ledger, notice.account, AccountEvent("promise_to_pay", DAY, until=promised)
    )
    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    notifysdk_clock.set(promised - timedelta(days=1))  # D-1
    outcome = await d.send(notice)
    assert (outcome.status, outcome.rule, outcome.until) == (
        OutcomeStatus.DEFERRED,
        "account-state",
        promised,
    )
    notifysdk_clock.set(promised - timedelta(microseconds=1))
    assert await d.run_due() == []
    notifysdk_clock.set(promised)  # D: no payment was recorded, collection resumes
    (due,) = await d.run_due()
    assert due.status is OutcomeStatus.DELIVERED and len(channel.sent) == 1


async def test_a_payment_before_the_promised_date_stops_the_deferred_notice(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    promised = DAY + timedelta(days=1)
    notice = _notice()
    await record_account_event(
        ledger, notice.account, AccountEvent("promise_to_pay", DAY, until=promised)
    )
    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    notifysdk_clock.set(DAY)
    assert (await d.send(notice)).status is OutcomeStatus.DEFERRED
    await record_account_event(
        ledger, notice.account, AccountEvent("paid", promised - timedelta(hours=1))
    )
    notifysdk_clock.set(promised)
    (due,) = await d.run_due()
    assert (due.status, due.rule) == (OutcomeStatus.BLOCKED, "account-state")
    assert channel.sent == []


async def test_the_promise_reminder_itself_still_goes(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    notifysdk_clock.set(DAY)
    notice = _notice(data={"promise_reminder": True})
    await record_account_event(
        ledger,
        notice.account,
        AccountEvent("promise_to_pay", DAY, until=DAY + timedelta(days=3)),
    )
    d = dispatcher(MockChannel(), ledger=ledger)
    assert (await d.send(notice)).status is OutcomeStatus.DELIVERED


async def test_the_refresh_hook_replaces_the_snapshot_before_run_due_sends(
    ledger: Ledger,
    dispatcher: Callable[..., Dispatcher],
    notifysdk_clock: FakeClock,
    register_plugin: Callable[..., str],
) -> None:
    """The platform says the account is now disputed: run-due holds the notice the
    stored snapshot would have let through."""
    refreshed: list[str] = []

    class Platform:
        @hookimpl
        def notifysdk_refresh_account(self, account: Account) -> Account:
            refreshed.append(account.account_id)
            return account.model_copy(update={"states": frozenset({AccountState.DISPUTE})})

    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    notifysdk_clock.set(NIGHT)
    notice = _notice()
    await _deferred(d, notice)
    register_plugin(Platform(), "platform")
    notifysdk_clock.set(MORNING)
    (due,) = await d.run_due()
    assert (due.status, due.rule) == (OutcomeStatus.BLOCKED, "account-state")
    assert refreshed == [notice.account.account_id] and channel.sent == []


async def test_a_failing_refresh_leaves_the_notice_deferred(
    ledger: Ledger,
    dispatcher: Callable[..., Dispatcher],
    notifysdk_clock: FakeClock,
    register_plugin: Callable[..., str],
) -> None:
    class Platform:
        @hookimpl
        def notifysdk_refresh_account(self, account: Account) -> Account:
            raise TimeoutError("platform down")

    channel = MockChannel()
    d = dispatcher(channel, ledger=ledger)
    notifysdk_clock.set(NIGHT)
    notice = _notice()
    await _deferred(d, notice)
    register_plugin(Platform(), "platform")
    notifysdk_clock.set(MORNING)
    assert await d.run_due() == [] and channel.sent == []
    record = await ledger.get(notice.idempotency_key)
    assert record is not None and record.state is NoticeState.DEFERRED


async def test_an_account_without_events_reads_nothing_and_sends(
    ledger: Ledger, dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    notifysdk_clock.set(DAY)
    other = _notice(7)
    await record_account_event(ledger, other.account, AccountEvent("cease", DAY))
    d = dispatcher(MockChannel(), ledger=ledger)
    notice = _notice(1)
    prepared = await d.prepare(notice)
    assert prepared.ready
    votes = [v for v in prepared.decision.votes if v.rule == "account-state"]
    assert votes and all("events" not in v.numbers for v in votes)
