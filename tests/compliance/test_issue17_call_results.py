"""Issue 17 QA: what an agent reports through the call-outcome API reaches the record
the rules read.

A promise to pay reported on a call (``CallReport(outcome="promise_to_pay",
promise_date=...)``) is only audited: no ``promise_to_pay`` account event is recorded,
so the account-state rule never defers collection to the promised date, while the same
promise recorded with :func:`notifysdk.account_events.record_account_event` does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from notifysdk.account_events import AccountEvent, record_account_event
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus

from .conftest import cn_account, notice_for, utc

CALL = utc("2026-01-05T10:00:00+08:00")
PROMISED = date(2026, 1, 9)


async def test_a_promise_recorded_as_an_event_defers_collection(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    """The reference behaviour the call-outcome API should reach."""
    fake_clock.set(CALL)
    d = build()
    account = cn_account()
    until = datetime(2026, 1, 9, tzinfo=CALL.tzinfo)
    await record_account_event(d.ledger, account, AccountEvent("promise_to_pay", CALL, until))
    fake_clock.set(CALL + timedelta(hours=1))
    out = await d.send(notice_for(account, "sms"))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, "account-state"), out.reason


async def test_a_promise_reported_on_a_call_defers_collection(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    from notifysdk_callscript.outcomes import CallReport, record_call_outcome

    fake_clock.set(CALL)
    d = build()
    account = cn_account()
    report = CallReport(
        outcome="promise_to_pay",
        at=CALL,
        number="+8613800138000",
        promise_date=PROMISED,
        promise_amount=Decimal("500"),
    )
    await record_call_outcome(d.ledger, account, account.debtor, report)
    fake_clock.set(CALL + timedelta(hours=1))
    out = await d.send(notice_for(account, "sms"))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, "account-state"), out.reason
