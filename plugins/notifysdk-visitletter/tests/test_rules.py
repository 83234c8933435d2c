"""Blocked visits: no appointment call, too few staff, outside hours, days off; bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk.campaign import NoticeDataSource, data_sources
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import InvalidInputError, NaiveDatetimeError
from notifysdk.models import Account, Notice, NoticeKind, OutcomeStatus, Recipient, Role
from notifysdk.policy import Verdict, Vote
from notifysdk.testing import sample_account
from notifysdk_callscript import AppointmentStaff, CallOutcome, CallReport, record_call_outcome
from notifysdk_visitletter import VisitAppointment
from notifysdk_visitletter.hours import WINDOWS, check_slot, day_off
from notifysdk_visitletter.rules import NO_APPOINTMENT

from .conftest import SLOT, STAFF, book, letter_notice, pdftotext


async def test_visit_without_an_appointment_call_is_blocked(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
) -> None:
    d = make_dispatcher()
    outcome = await d.send(letter_notice(cn_account))
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "visit-appointment"
    assert outcome.reason is not None and "appointment_booked" in outcome.reason
    # a call that booked another slot does not count
    await book(d, cn_account, clock, slot="2026-01-09T10:00:00+08:00")
    again = await d.send(letter_notice(cn_account))
    assert again.status is OutcomeStatus.BLOCKED and again.rule == "visit-appointment"


async def test_summons_needs_no_appointment_call(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
) -> None:
    outcome = await make_dispatcher().send(letter_notice(cn_account, NoticeKind.SUMMONS_LETTER))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason


@pytest.mark.parametrize("kind", [NoticeKind.VISIT_LETTER, NoticeKind.SUMMONS_LETTER])
async def test_fewer_than_two_staff_is_blocked(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
    kind: NoticeKind,
) -> None:
    d = make_dispatcher()
    await book(d, cn_account, clock)
    outcome = await d.send(letter_notice(cn_account, kind, staff=STAFF[:1]))
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "visit-staff"
    assert outcome.reason is not None and "at least 2 named staff" in outcome.reason
    assert "1 given" in outcome.reason


@pytest.mark.parametrize(
    ("slot", "why"),
    [
        ("2026-01-08T22:30:00+08:00", "outside the allowed hours 08:00–22:00"),
        ("2026-01-08T07:59:00+08:00", "outside the allowed hours"),
        ("2026-01-10T10:00:00+08:00", "not a working day: weekend"),
        ("2026-10-01T10:00:00+08:00", "statutory holiday"),
        ("2026-01-08T15:00:00+00:00", "23:00 Asia/Shanghai is outside"),  # zone conversion
    ],
)
async def test_slot_outside_hours_or_on_a_day_off_is_blocked(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
    slot: str,
    why: str,
) -> None:
    d = make_dispatcher()
    await book(d, cn_account, clock, slot=slot)
    outcome = await d.send(letter_notice(cn_account, slot=slot))
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "visit-hours" and outcome.profile == "cn"
    assert outcome.reason is not None and why in outcome.reason


def test_us_and_uk_calendars() -> None:
    assert day_off(datetime(2026, 7, 3).date(), "US") is not None  # Independence Day observed
    assert day_off(datetime(2026, 12, 28).date(), "GB") is not None  # Boxing Day substitute
    assert day_off(datetime(2026, 1, 6).date(), "US") is None
    slot = datetime(2026, 1, 6, 13, 0, tzinfo=UTC)  # 08:00 New York, 05:00 Los Angeles
    problems = check_slot(slot, [WINDOWS["us-regf"]], None)
    assert {p.numbers["zone"] for p in problems} >= {"America/Los_Angeles"}
    assert not check_slot(slot, [WINDOWS["us-regf"]], "America/New_York")


@pytest.mark.parametrize(
    ("kw", "error", "field"),
    [
        ({"slot": "2026-01-08T10:00:00"}, NaiveDatetimeError, "notice.data.visit.slot"),
        ({"slot": "next tuesday"}, InvalidInputError, "notice.data.visit.slot"),
        (
            {"staff": [{"name": "王强"}, {"name": "李娜", "staff_id": "S-2"}]},
            InvalidInputError,
            "notice.data.staff[0].staff_id",
        ),
        (
            {"staff": [{"name": "A", "staff_id": "S-1"}, {"name": "B", "staff_id": "S-1"}]},
            InvalidInputError,
            "notice.data.staff[1].staff_id",
        ),
        (
            {"staff": [{"name": "A\nB", "staff_id": "S-1"}]},
            InvalidInputError,
            "notice.data.staff[0].name",
        ),
    ],
)
async def test_malformed_visit_data_is_a_typed_error(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    kw: dict[str, object],
    error: type[Exception],
    field: str,
) -> None:
    account = sample_account(4)
    with pytest.raises(error) as err:
        await make_dispatcher().send(letter_notice(account, **kw))  # type: ignore[arg-type]
    assert isinstance(err.value, InvalidInputError) and err.value.field == field


async def test_campaign_data_supplies_the_booked_visit_or_blocks(
    make_dispatcher: Callable[..., Dispatcher],
    clock: FakeClock,
    cn_account: Account,
    tmp_path: Path,
) -> None:
    d = make_dispatcher()
    sources = data_sources(d.registry.rules.values())
    assert [s.name for s in sources] == ["visit-appointment", "summons-interview"]
    rule = sources[0]
    assert isinstance(VisitAppointment(), NoticeDataSource)
    bare = Notice(
        kind=NoticeKind.VISIT_LETTER,
        channel="visitletter",
        account=cn_account,
        recipient=Recipient(person=cn_account.debtor, role=Role.DEBTOR),
    )
    answer = await rule.campaign_data(bare, d.ledger, clock.now())
    assert isinstance(answer, Vote) and answer.verdict is Verdict.DENY
    assert answer.rule == "visit-appointment" and answer.reason == NO_APPOINTMENT
    # not its business: other kinds, or a notice that already names its visit
    summons = bare.model_copy(update={"kind": NoticeKind.SUMMONS_LETTER})
    assert await rule.campaign_data(summons, d.ledger, clock.now()) is None
    assert await rule.campaign_data(letter_notice(cn_account), d.ledger, clock.now()) is None

    await record_call_outcome(
        d.ledger,
        cn_account,
        cn_account.debtor,
        CallReport(
            outcome=CallOutcome.APPOINTMENT_BOOKED,
            at=clock.now(),
            number=cn_account.debtor.contacts[0].value,
            appointment_slot=SLOT,
            appointment_staff=[AppointmentStaff(**s) for s in STAFF],
        ),
    )
    data = await rule.campaign_data(bare, d.ledger, clock.now())
    assert data == {"visit": {"slot": SLOT}, "staff": STAFF}
    assert isinstance(data, dict)
    # ... and with it the letter passes every visit rule and is written
    outcome = await d.send(bare.model_copy(update={"data": data}))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    pdf = Path(outcome.receipt.detail["path"])
    assert pdf.suffix == ".pdf" and pdf.is_relative_to(tmp_path)
    text = pdftotext(pdf)
    assert "S-1001" in text and "S-1002" in text and "王强" in text
