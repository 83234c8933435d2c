"""The call-outcome API: what it writes, and how it changes what the dispatcher allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance import scopes as engine_scopes
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import InvalidInputError, NaiveDatetimeError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Notice, NoticeKind, OutcomeStatus, Recipient
from notifysdk_callscript import (
    AppointmentStaff,
    CallOutcome,
    CallReport,
    booked_appointments,
    clear_state,
    medium_stopped,
    next_appointment,
    record_call_outcome,
    state_active,
)

from .conftest import call_notice

NUMBER = "+12125550123"


def report(clock: FakeClock, outcome: CallOutcome, **kw: object) -> CallReport:
    return CallReport(outcome=outcome, at=clock.now(), number=NUMBER, **kw)  # type: ignore[arg-type]


async def test_outcomes_write_the_engine_scopes(us_clock: FakeClock, us_account: Account) -> None:
    ledger = MemoryLedger()
    person = us_account.debtor
    rec = await record_call_outcome(
        ledger,
        us_account,
        person,
        report(
            us_clock,
            CallOutcome.PROMISE_TO_PAY,
            promise_date=date(2026, 1, 20),
            promise_amount=Decimal("200.00"),
        ),
    )
    conv = engine_scopes.debt_scope(engine_scopes.Counter.CONVERSATION, us_account)
    call = engine_scopes.debt_scope(engine_scopes.Counter.CALL, us_account)
    assert conv in rec.scopes and call in rec.scopes
    day = (us_clock.now() - timedelta(days=1), us_clock.now() + timedelta(days=1))
    assert await ledger.count(conv, *day) == 1
    rec = await record_call_outcome(
        ledger, us_account, person, report(us_clock, CallOutcome.UNANSWERED)
    )
    unanswered = engine_scopes.number_scope(engine_scopes.Counter.CALL_UNANSWERED, NUMBER)
    assert unanswered in rec.scopes and conv not in rec.scopes
    assert await ledger.count(call, *day) == 2
    assert await ledger.count(conv, *day) == 1
    audit = [e for e in await ledger.audit_entries() if e.event == "call_outcome"]
    assert audit[0].detail["promise_amount"] == "****"
    assert audit[0].detail["promise_date"] == "2026-01-20"
    flat = repr([e.detail for e in audit])
    assert NUMBER not in flat and person.name not in flat and "0123" in flat
    assert "200.00" not in flat and "200" not in flat


async def test_dispute_state_is_set_and_cleared(us_clock: FakeClock, us_account: Account) -> None:
    ledger = MemoryLedger()
    now = us_clock.now()
    assert not await state_active(ledger, us_account, "dispute", now)
    await record_call_outcome(
        ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.DISPUTE)
    )
    assert await state_active(ledger, us_account, "dispute", now)
    await clear_state(ledger, us_account, "dispute", now, reason="verification sent")
    assert not await state_active(ledger, us_account, "dispute", now)
    with pytest.raises(InvalidInputError):
        await clear_state(ledger, us_account, "dispute", now, reason="twice")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (
            {"outcome": CallOutcome.PROMISE_TO_PAY, "promise_amount": "10"},
            "call_report.promise_date",
        ),
        (
            {"outcome": CallOutcome.PROMISE_TO_PAY, "promise_date": "2026-01-20"},
            "call_report.promise_amount",
        ),
        (
            {
                "outcome": CallOutcome.PROMISE_TO_PAY,
                "promise_date": "2025-01-01",
                "promise_amount": "10",
            },
            "call_report.promise_date",
        ),
        ({"outcome": CallOutcome.APPOINTMENT_BOOKED}, "call_report.appointment_slot"),
        ({"outcome": CallOutcome.CONNECTED, "number": "12345"}, "call_report.number"),
        (
            {
                "outcome": CallOutcome.PROMISE_TO_PAY,
                "promise_date": "2026-01-20",
                "promise_amount": "-5",
            },
            "call_report.promise_amount",
        ),
    ],
)
def test_bad_reports_are_typed_errors_naming_the_field(
    us_clock: FakeClock, kw: dict[str, object], field: str
) -> None:
    data: dict[str, object] = {"at": us_clock.now(), "number": NUMBER, **kw}
    with pytest.raises(InvalidInputError) as err:
        CallReport(**data)  # type: ignore[arg-type]
    assert err.value.field == field
    assert "12345" not in str(err.value)


def test_naive_call_time_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError):
        CallReport(outcome=CallOutcome.CONNECTED, at=datetime(2026, 1, 5, 10), number=NUMBER)


async def test_regf_conversation_starts_the_seven_day_quiet_period(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    d = make_dispatcher()
    await record_call_outcome(
        d.ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.CONNECTED)
    )
    us_clock.advance(hours=1)
    blocked = await d.send(call_notice(us_account))
    assert blocked.status is OutcomeStatus.DEFERRED
    assert blocked.rule == "quiet-period" and blocked.profile == "us-regf"
    assert blocked.until is not None and blocked.until.date() >= date(2026, 1, 12)


async def test_unanswered_call_does_not_start_the_quiet_period(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    d = make_dispatcher()
    await record_call_outcome(
        d.ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.UNANSWERED)
    )
    outcome = await d.send(call_notice(us_account))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason


async def test_dispute_holds_collection(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    d = make_dispatcher()
    await record_call_outcome(
        d.ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.DISPUTE)
    )
    us_clock.advance(days=10)  # past the quiet period the conversation started
    held = await d.send(call_notice(us_account))
    assert held.status is OutcomeStatus.BLOCKED
    assert held.rule == "ledger-account-state" and held.profile == "us-regf"
    assert held.reason is not None and "dispute" in held.reason
    await clear_state(d.ledger, us_account, "dispute", us_clock.now(), reason="verified")
    us_clock.advance(hours=1)
    again = await d.send(call_notice(us_account, data={"attempt": 2}))
    assert again.status is OutcomeStatus.DELIVERED, again.reason


async def test_request_to_stop_blocks_that_channel_only(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    d = make_dispatcher()
    await record_call_outcome(
        d.ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.REQUEST_TO_STOP)
    )
    assert await medium_stopped(d.ledger, NUMBER, "call_script", us_clock.now())
    assert not await medium_stopped(d.ledger, NUMBER, "sms", us_clock.now())
    us_clock.advance(days=10)
    stopped = await d.send(call_notice(us_account))
    assert stopped.status is OutcomeStatus.BLOCKED
    assert stopped.rule == "ledger-opt-out"
    # email is another channel: not stopped by a request to stop calls
    email = await d.send(
        Notice(
            kind=NoticeKind.OVERDUE_NOTICE,
            channel="capture-email",
            account=us_account,
            recipient=Recipient(person=us_account.debtor),
        )
    )
    assert email.status is OutcomeStatus.DELIVERED, email.reason


# -- appointments read back ----------------------------------------------------------


async def test_a_booked_appointment_reads_back_with_slot_place_and_staff(
    us_clock: FakeClock, cn_account: Account
) -> None:
    ledger = MemoryLedger()
    now = us_clock.now()
    slot = datetime.fromisoformat("2026-01-08T10:00:00+08:00")
    staff = (
        AppointmentStaff(name="王强", staff_id="S-1001"),
        AppointmentStaff(name="李娜", staff_id="S-1002"),
    )
    assert await next_appointment(ledger, cn_account, now) is None
    await record_call_outcome(
        ledger,
        cn_account,
        cn_account.debtor,
        report(
            us_clock,
            CallOutcome.APPOINTMENT_BOOKED,
            appointment_slot=slot,
            appointment_place="示例银行营业部",
            appointment_staff=staff,
        ),
    )
    got = await next_appointment(ledger, cn_account, now)
    assert got is not None
    assert got.slot == slot and got.slot.utcoffset() == slot.utcoffset()  # the booked zone
    assert got.place == "示例银行营业部" and got.staff == staff
    assert got.visit_data() == {
        "visit": {"slot": "2026-01-08T10:00:00+08:00", "place": "示例银行营业部"},
        "staff": [{"name": "王强", "staff_id": "S-1001"}, {"name": "李娜", "staff_id": "S-1002"}],
    }
    other = cn_account.model_copy(update={"account_id": "ACC-OTHER"})
    assert await booked_appointments(ledger, other, now) == []
    # Not visible before the call was recorded, nor once the slot has passed.
    assert await booked_appointments(ledger, cn_account, now - timedelta(seconds=1)) == []
    assert await next_appointment(ledger, cn_account, slot + timedelta(minutes=1)) is None


async def test_a_rebooking_replaces_the_earlier_appointment(
    us_clock: FakeClock, cn_account: Account
) -> None:
    ledger = MemoryLedger()
    first = datetime.fromisoformat("2026-01-08T10:00:00+08:00")
    second = datetime.fromisoformat("2026-01-07T15:00:00+08:00")
    for slot in (first, second):
        await record_call_outcome(
            ledger,
            cn_account,
            cn_account.debtor,
            report(us_clock, CallOutcome.APPOINTMENT_BOOKED, appointment_slot=slot),
        )
        us_clock.advance(minutes=5)
    booked = await booked_appointments(ledger, cn_account, us_clock.now())
    assert [b.slot for b in booked] == [first, second]
    latest = await next_appointment(ledger, cn_account, us_clock.now())
    assert latest is not None and latest.slot == second
    assert latest.place is None and latest.staff == ()
    assert latest.visit_data() == {"visit": {"slot": second.isoformat()}}


def test_place_and_staff_belong_to_a_booking_only(us_clock: FakeClock) -> None:
    with pytest.raises(InvalidInputError) as err:
        report(us_clock, CallOutcome.CONNECTED, appointment_place="Branch office")
    assert err.value.field == "call_report.appointment_place"
    slot = us_clock.now() + timedelta(days=2)
    with pytest.raises(InvalidInputError) as err:
        report(
            us_clock,
            CallOutcome.APPOINTMENT_BOOKED,
            appointment_slot=slot,
            appointment_staff=(
                AppointmentStaff(name="A", staff_id="S-1"),
                AppointmentStaff(name="B", staff_id="S-1"),
            ),
        )
    assert err.value.field == "call_report.appointment_staff"
    with pytest.raises(InvalidInputError) as err:
        report(
            us_clock,
            CallOutcome.APPOINTMENT_BOOKED,
            appointment_slot=slot,
            appointment_place="line one\nline two",
        )
    assert err.value.field == "call_report.appointment_place"


# -- the SDK's one CallOutcome: new values, former values, consent ------------------------


async def test_busy_and_network_error_are_reported_and_not_counted_for_regf(
    us_clock: FakeClock, us_account: Account
) -> None:
    ledger = MemoryLedger()
    call = engine_scopes.debt_scope(engine_scopes.Counter.CALL, us_account)
    unanswered = engine_scopes.number_scope(engine_scopes.Counter.CALL_UNANSWERED, NUMBER)
    for outcome in ("busy", "network_error"):
        rec = await record_call_outcome(
            ledger, us_account, us_account.debtor, report(us_clock, CallOutcome(outcome))
        )
        assert unanswered in rec.scopes and call not in rec.scopes
        assert rec.audit_detail["counted_as"] == outcome
    day = (us_clock.now() - timedelta(days=1), us_clock.now() + timedelta(days=1))
    assert await ledger.count(call, *day) == 0
    assert await ledger.count(unanswered, *day) == 2


def test_former_agent_outcomes_still_read(us_clock: FakeClock) -> None:
    for old, new in [
        ("unanswered", CallOutcome.NO_ANSWER),
        ("voicemail_left", CallOutcome.VOICEMAIL),
        ("wrong_number", CallOutcome.WRONG_PARTY),
        ("refusal", CallOutcome.REFUSED),
    ]:
        got = CallReport(outcome=old, at=us_clock.now(), number=NUMBER)  # type: ignore[arg-type]
        assert got.outcome is new
    assert CallOutcome is engine_scopes.CallOutcome


async def test_a_refusal_still_sets_the_refusal_state(
    us_clock: FakeClock, us_account: Account
) -> None:
    ledger = MemoryLedger()
    rec = await record_call_outcome(
        ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.REFUSED)
    )
    assert rec.states == ("refusal",)
    assert await state_active(ledger, us_account, "refusal", us_clock.now())


async def test_consent_given_on_a_call_excludes_the_next_calls_from_regf(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    d = make_dispatcher()
    call = engine_scopes.debt_scope(engine_scopes.Counter.CALL, us_account)
    consented = engine_scopes.debt_scope("call.consented", us_account)
    await record_call_outcome(
        d.ledger,
        us_account,
        us_account.debtor,
        report(us_clock, CallOutcome.CONNECTED, consent=True),
    )
    us_clock.advance(hours=2)
    await record_call_outcome(
        d.ledger, us_account, us_account.debtor, report(us_clock, CallOutcome.NO_ANSWER)
    )
    day = (us_clock.now() - timedelta(days=1), us_clock.now() + timedelta(days=1))
    assert await d.ledger.count(call, *day) == 1  # the call that carried the consent
    assert await d.ledger.count(consented, *day) == 1
    # the conversation would hold the next call for 7 days; the consent lets it go
    us_clock.advance(hours=1)
    outcome = await d.send(call_notice(us_account))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason


async def test_only_the_consumer_gives_consent(us_clock: FakeClock, us_account: Account) -> None:
    bad = report(us_clock, CallOutcome.CONNECTED, consent=True, role="emergency_contact")
    with pytest.raises(InvalidInputError) as err:
        await record_call_outcome(MemoryLedger(), us_account, us_account.debtor, bad)
    assert err.value.field == "call_report.consent"
