"""Issue 17 QA: the record is keyed by the number as the notice has it (E.164), whatever
way a caller wrote it, and bad input to the record API is a typed error.

A number written ``+86 138 0013 8000`` is the debtor's ``+8613800138000``: a call, an
opt-out or a ``number_invalid`` event recorded under the spaced form must count for the
notice's destination (per-number caps, opt-outs, reachability), or a cap or an opt-out
silently fails open. End to end through the dispatcher on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from notifysdk.account_events import AccountEvent, record_account_event
from notifysdk.clock import FakeClock
from notifysdk.compliance.profiles import CN
from notifysdk.compliance.reachability import reachability
from notifysdk.compliance.scopes import CallOutcome, optout_scope, record_call, record_optout
from notifysdk.compliance.specs import ReachabilitySpec
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import InvalidInputError
from notifysdk.models import NoticeKind, OutcomeStatus

from .conftest import cn_account, notice_for, utc

SHANGHAI_10 = utc("2026-01-05T10:00:00+08:00")
E164 = "+8613800138000"  # the sample debtor's number, as PhoneContact stores it
WRITTEN = ["+86 138 0013 8000", "+86-138-0013-8000", "＋86 13800138000"]
SPEC = CN.params["reachability"]
assert isinstance(SPEC, ReachabilitySpec)


@pytest.mark.parametrize("written", WRITTEN)
async def test_dials_recorded_under_a_spaced_number_count_for_the_notices_number(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, written: str
) -> None:
    """cn: at most 6 unanswered dials per number per day (CBA 2026)."""
    d = build()
    account = cn_account()
    for i in range(6):
        await record_call(
            d.ledger,
            account,
            account.debtor,
            written,
            CallOutcome.NO_ANSWER,
            SHANGHAI_10 + timedelta(minutes=i),
        )
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "call_script", kind=NoticeKind.APPOINTMENT_CALL))
    assert out.status is OutcomeStatus.DEFERRED, out.reason
    assert out.rule == "frequency-cap" and "cn-unanswered-dials" in (out.reason or "")


async def test_an_opt_out_recorded_under_a_spaced_number_blocks_that_number(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = cn_account()
    await record_optout(d.ledger, "+86 138 0013 8000", SHANGHAI_10, media=("sms",))
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "sms"))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "ledger-opt-out"), out.reason


async def test_an_opt_out_from_a_number_the_plan_does_not_know_is_still_recorded(
    build: Callable[..., Dispatcher],
) -> None:
    """Normalizing must never drop an opt-out (a reply from a range the numbering
    metadata does not know yet): it is kept as written."""
    d = build()
    odd = "+106900000000"
    await record_optout(d.ledger, odd, SHANGHAI_10, media=("sms",))
    assert (
        await d.ledger.count(
            optout_scope("sms", odd), SHANGHAI_10, SHANGHAI_10 + timedelta(seconds=1)
        )
        == 1
    )


@pytest.mark.parametrize("written", WRITTEN)
async def test_an_invalid_number_recorded_in_another_form_makes_the_debtor_unreachable(
    build: Callable[..., Dispatcher], written: str
) -> None:
    d = build()
    account = cn_account()
    await record_call(
        d.ledger, account, account.debtor, written, CallOutcome.INVALID_NUMBER, SHANGHAI_10
    )
    found = await reachability(d.ledger, account, SHANGHAI_10 + timedelta(hours=1), SPEC)
    assert (found.unreachable, found.because) == (True, "all_numbers_invalid")


@pytest.mark.parametrize("written", WRITTEN)
async def test_a_number_invalid_event_in_another_form_names_the_debtors_number(
    build: Callable[..., Dispatcher], written: str
) -> None:
    d = build()
    account = cn_account()
    await record_account_event(
        d.ledger, account, AccountEvent("number_invalid", SHANGHAI_10, contact=written)
    )
    found = await reachability(d.ledger, account, SHANGHAI_10 + timedelta(hours=1), SPEC)
    assert found.invalid_from["account_events"] == 1
    assert (found.unreachable, found.because) == (True, "all_numbers_invalid")


def test_an_event_keeps_its_number_as_e164() -> None:
    event = AccountEvent("number_invalid", SHANGHAI_10, contact="+86 138 0013 8000")
    assert event.contact == E164
    email = AccountEvent("number_invalid", SHANGHAI_10, contact="Borrower@Example.com")
    assert email.contact is not None and "@" in email.contact


@pytest.mark.parametrize("contact", ["13800138000", "138 0013 8000", "+86 123", "+999 1234567"])
def test_an_event_refuses_a_number_that_is_not_e164_naming_the_field(contact: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        AccountEvent("number_invalid", SHANGHAI_10, contact=contact)
    assert caught.value.field == "event.contact"
    assert contact not in str(caught.value) and "8000" not in str(caught.value)


@pytest.mark.parametrize("number", ["13800138000", "hello", "+86 123"])
async def test_record_call_refuses_a_number_that_is_not_e164(
    build: Callable[..., Dispatcher], number: str
) -> None:
    d = build()
    account = cn_account()
    with pytest.raises(InvalidInputError) as caught:
        await record_call(d.ledger, account, account.debtor, number, "no_answer", SHANGHAI_10)
    assert caught.value.field == "number"
    assert number not in str(caught.value)


async def test_record_call_refuses_a_naive_instant_with_a_typed_error(
    build: Callable[..., Dispatcher],
) -> None:
    """A naive instant raised a bare TypeError from the SQL ledger (and was stored by
    the memory ledger)."""
    d = build()
    account = cn_account()
    with pytest.raises(InvalidInputError) as caught:
        await record_call(
            d.ledger, account, account.debtor, E164, "no_answer", datetime(2026, 1, 5)
        )
    assert caught.value.field == "at"


async def test_record_call_refuses_an_unknown_outcome_with_a_typed_error(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = cn_account()
    with pytest.raises(InvalidInputError) as caught:
        await record_call(d.ledger, account, account.debtor, E164, "hung_up", SHANGHAI_10)
    assert caught.value.field == "outcome"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (AccountEvent("paid", SHANGHAI_10, until=SHANGHAI_10 + timedelta(days=3)), "event.until"),
        (AccountEvent("promise_to_pay", SHANGHAI_10, until=SHANGHAI_10), "event.until"),
        (
            AccountEvent("promise_to_pay", SHANGHAI_10, until=SHANGHAI_10 - timedelta(days=1)),
            "event.until",
        ),
        (AccountEvent("dispute", SHANGHAI_10, contact=E164), "event.contact"),
    ],
)
async def test_an_event_with_a_field_its_kind_does_not_use_is_refused(
    build: Callable[..., Dispatcher], event: AccountEvent, field: str
) -> None:
    """Silently stored before (a paid event 'until' a date meant nothing, a promise
    already broken when made deferred nothing): a typed error naming the field."""
    d = build()
    with pytest.raises(InvalidInputError) as caught:
        await record_account_event(d.ledger, cn_account(), event)
    assert caught.value.field == field
    assert "8000" not in str(caught.value)
