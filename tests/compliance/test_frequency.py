"""Frequency caps and quiet periods: the 7th vs 8th call, the last quiet day, cn's daily
caps, MA and WA (table-driven, end to end on the memory ledger)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.scopes import CallOutcome, record_call
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import NoticeKind, OutcomeStatus

from .conftest import cn_account, notice_for, us_account, utc

NY_NOON = utc("2026-01-05T12:00:00-05:00")


async def _calls(d: Dispatcher, account, days: list[int], outcome=CallOutcome.NO_ANSWER) -> None:
    for day in days:
        await record_call(
            d.ledger,
            account,
            account.debtor,
            account.debtor.contacts[0].value,
            outcome,
            NY_NOON + timedelta(days=day),
        )


@pytest.mark.parametrize(("placed", "status"), [(6, "delivered"), (7, "deferred")])
async def test_regf_seventh_vs_eighth_call(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, placed: int, status: str
) -> None:
    d = build()
    account = us_account()
    # calls on days 0..placed-1 within the 7-day window ending today (day 6)
    await _calls(d, account, list(range(placed)))
    fake_clock.set(NY_NOON + timedelta(days=6, hours=1))
    out = await d.send(notice_for(account, "voice", data={"n": placed}))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert (out.rule, out.profile) == ("frequency-cap", "us-regf")
        # day 0's call leaves the 7-day window on day 7: 08:00 local that day
        assert out.until == utc("2026-01-12T08:00:00-05:00")


async def test_regf_reservation_is_kept_only_when_delivered(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, list(range(6)))
    fake_clock.set(NY_NOON + timedelta(days=6, hours=1))
    first = await d.send(notice_for(account, "voice", data={"i": 1}))
    second = await d.send(notice_for(account, "voice", data={"i": 2}))
    assert first.status is OutcomeStatus.DELIVERED
    assert (second.status, second.rule) == (OutcomeStatus.DEFERRED, "frequency-cap")


async def test_agent_call_script_is_checked_not_reserved(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, list(range(6)))
    fake_clock.set(NY_NOON + timedelta(days=6, hours=1))
    for i in range(3):  # scripts do not count: the call-outcome API records calls
        out = await d.send(
            notice_for(account, "call_script", kind=NoticeKind.APPOINTMENT_CALL, data={"i": i})
        )
        assert out.status is OutcomeStatus.DELIVERED, out.reason


@pytest.mark.parametrize(
    ("days_after", "status", "until"),
    [
        (5, "deferred", "2026-01-12T08:00:00-05:00"),  # day 6 of the quiet period
        (6, "deferred", "2026-01-12T08:00:00-05:00"),  # day 7: the last quiet day
        (7, "delivered", None),  # day 8
    ],
)
async def test_regf_quiet_period_after_conversation(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    days_after: int,
    status: str,
    until: str | None,
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, [0], CallOutcome.CONNECTED)  # conversation on 2026-01-05
    fake_clock.set(utc("2026-01-05T08:00:00-05:00") + timedelta(days=days_after))
    out = await d.send(notice_for(account, "voice"))
    assert out.status.value == status, out.reason
    if until:
        assert (out.rule, out.until) == ("quiet-period", utc(until))


async def test_quiet_period_does_not_stop_texts(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, [0], CallOutcome.CONNECTED)
    fake_clock.set(NY_NOON + timedelta(days=2))
    out = await d.send(notice_for(account, "sms"))
    assert out.status is OutcomeStatus.DELIVERED, out.reason


SHANGHAI_10 = utc("2026-01-05T10:00:00+08:00")


@pytest.mark.parametrize(("connected", "status"), [(2, "delivered"), (3, "deferred")])
async def test_cn_connected_calls_per_debtor_per_day(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    connected: int,
    status: str,
) -> None:
    d = build()
    account = cn_account()
    agency = account.model_copy(update={"agency": "Agency Co", "loan_id": "LN-OTHER"})
    for i in range(connected):  # the institution and its agency, across two loans
        acc = account if i % 2 else agency
        await record_call(
            d.ledger,
            acc,
            acc.debtor,
            "+8613800138000",
            CallOutcome.CONNECTED,
            SHANGHAI_10 + timedelta(minutes=i),
        )
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "voice"))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert out.until == utc("2026-01-06T08:00:00+08:00")
        assert out.profile == "cn"


@pytest.mark.parametrize(("unanswered", "status"), [(5, "delivered"), (6, "deferred")])
async def test_cn_unanswered_dials_per_number(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    unanswered: int,
    status: str,
) -> None:
    d = build()
    account = cn_account()
    for i in range(unanswered):
        await record_call(
            d.ledger,
            account,
            account.debtor,
            "+8613800138000",
            CallOutcome.NO_ANSWER,
            SHANGHAI_10 + timedelta(minutes=i),
        )
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "call_script", kind=NoticeKind.APPOINTMENT_CALL))
    assert out.status.value == status, out.reason


async def test_cn_unanswered_yesterday_does_not_count(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = cn_account()
    for _ in range(6):
        await record_call(
            d.ledger,
            account,
            account.debtor,
            "+8613800138000",
            CallOutcome.NO_ANSWER,
            utc("2026-01-04T23:50:00+08:00"),
        )
    fake_clock.set(utc("2026-01-05T08:00:00+08:00"))
    out = await d.send(notice_for(account, "call_script", kind=NoticeKind.APPOINTMENT_CALL))
    assert out.status is OutcomeStatus.DELIVERED


async def test_ma_two_phone_communications_in_seven_days(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
) -> None:
    d = build()
    account = us_account(profiles=("us-regf", "us-ma"))
    outcomes = []
    for i in range(3):
        fake_clock.set(NY_NOON + timedelta(days=i))
        outcomes.append(await d.send(notice_for(account, "sms", data={"i": i})))
    assert [o.status.value for o in outcomes] == ["delivered", "delivered", "deferred"]
    assert (outcomes[2].profile, outcomes[2].until) == ("us-ma", utc("2026-01-12T08:00:00-05:00"))


async def test_ma_work_number_two_in_thirty_days(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account(profiles=("us-regf", "us-ma"), line_type="work")
    statuses = []
    for i in (0, 10, 20):
        fake_clock.set(NY_NOON + timedelta(days=i))
        statuses.append((await d.send(notice_for(account, "sms", data={"i": i}))).status.value)
    assert statuses == ["delivered", "delivered", "deferred"]


async def test_wa_three_contacts_a_week_across_media(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account(profiles=("us-regf", "us-wa"))
    statuses = []
    for i, channel in enumerate(["sms", "email", "voice", "sms"]):
        fake_clock.set(NY_NOON + timedelta(days=i))
        statuses.append((await d.send(notice_for(account, channel, data={"i": i}))).status.value)
    assert statuses == ["delivered", "delivered", "delivered", "deferred"]


@pytest.mark.parametrize(
    ("outcome", "status", "rule"),
    [
        (CallOutcome.WRONG_PARTY, "deferred", "frequency-cap"),  # placed: counts toward 7
        (CallOutcome.BUSY, "delivered", None),  # never connected: not counted
    ],
)
async def test_regf_counts_what_the_profile_says(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    outcome: CallOutcome,
    status: str,
    rule: str | None,
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, list(range(7)), outcome)
    fake_clock.set(NY_NOON + timedelta(days=6, hours=1))
    out = await d.send(notice_for(account, "voice", data={"o": outcome.value}))
    assert (out.status.value, out.rule) == (status, rule), out.reason


async def test_regf_a_refusal_is_a_conversation(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, [0], CallOutcome.REFUSED)
    fake_clock.set(NY_NOON + timedelta(days=1))
    out = await d.send(notice_for(account, "voice"))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, "quiet-period")
