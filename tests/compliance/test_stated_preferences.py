"""``stated-inconvenience``: the debtor's recorded inconvenient times defer calls, SMS and
email to the first instant convenient in every plausible zone and inside the contact
window; the latest statement wins; other roles and letters are not read.

Statements are written as the self-service action writes them (the marker and one entry
per marked time, at the submission's instant: :func:`state`); the page's own action is
driven in tests/selfservice/test_preferences_statement.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules.preferences import (
    StatedInconvenienceRule,
    StatedTimes,
    statement_scope,
    time_scope,
)
from notifysdk.dispatcher import Dispatcher
from notifysdk.enums import Medium, Role
from notifysdk.ledger.base import Ledger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Notice, OutcomeStatus, Recipient
from notifysdk.policy import RuleContext, Verdict
from notifysdk.testing import MockChannel, sample_account, sample_notice, sample_person

from .conftest import with_party

SH = "+08:00"
TUESDAY_0830 = datetime.fromisoformat(f"2026-01-06T08:30:00{SH}")
RULE = "stated-inconvenience"


async def state(ledger: Ledger, account: Account, at: datetime, *times: str) -> None:
    """One statement by the debtor of ``account`` at ``at`` marking ``times``."""
    person = account.debtor
    for t in times:
        await ledger.record_contact(time_scope(t, account, person), at, detail={"event": "p"})
    await ledger.record_contact(statement_scope(account, person), at, detail={"event": "s"})


def us_account(n: int = 1, **person: Any) -> Account:
    """A Reg F account; by default on file in New York with a Los Angeles mobile."""
    person.setdefault("phone", "+12135550100")
    person.setdefault("time_zone", "America/New_York")
    return sample_account(
        n, profiles=("us-regf",), locale="en", currency="USD", country="US", **person
    )


async def sent(d: Dispatcher, clock: FakeClock, at: datetime, notice: Notice) -> Any:
    clock.set(at)
    return await d.send(notice)


async def test_before_9_defers_an_0830_sms_to_0900_exactly(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    await state(d.ledger, account, TUESDAY_0830 - timedelta(days=1), "before_9")
    out = await sent(d, notifysdk_clock, TUESDAY_0830, sample_notice(account=account))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert out.until == datetime.fromisoformat(f"2026-01-06T09:00:00{SH}")
    # at 09:00 it goes
    later = await sent(d, notifysdk_clock, out.until, sample_notice(account=account, data={"n": 2}))
    assert later.status is OutcomeStatus.DELIVERED


async def test_before_9_in_new_york_and_los_angeles_waits_for_0900_in_the_later_zone(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = us_account()
    # 11:30 in New York is 08:30 in Los Angeles: inside Reg F's 08:00-21:00 in both
    at = datetime.fromisoformat("2026-01-06T11:30:00-05:00")
    await state(d.ledger, account, at - timedelta(hours=3), "before_9")
    out = await sent(d, notifysdk_clock, at, sample_notice(account=account))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert out.until == datetime.fromisoformat("2026-01-06T09:00:00-08:00")  # 12:00 in NY


async def test_weekends_defer_saturday_1000_to_monday_at_the_window_start(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    saturday = datetime.fromisoformat(f"2026-01-10T10:00:00{SH}")
    await state(d.ledger, account, saturday - timedelta(days=2), "weekends")
    out = await sent(d, notifysdk_clock, saturday, sample_notice(account=account))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert out.until == datetime.fromisoformat(f"2026-01-12T08:00:00{SH}")  # cn opens 08:00


async def test_weekends_and_before_9_together_give_monday_0900(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    saturday = datetime.fromisoformat(f"2026-01-10T10:00:00{SH}")
    await state(d.ledger, account, saturday - timedelta(days=2), "weekends", "before_9")
    out = await sent(d, notifysdk_clock, saturday, sample_notice(account=account))
    assert out.until == datetime.fromisoformat(f"2026-01-12T09:00:00{SH}")


async def test_the_weekend_deferral_is_exact_across_the_spring_forward_weekend(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    # New York moves to EDT on Sunday 2026-03-08: Monday's 08:00 is 12:00 UTC, not 13:00
    d = dispatcher(MockChannel())
    account = us_account(phone="+12125550100")
    saturday = datetime.fromisoformat("2026-03-07T10:00:00-05:00")
    await state(d.ledger, account, saturday - timedelta(days=1), "weekends")
    out = await sent(d, notifysdk_clock, saturday, sample_notice(account=account))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    assert out.until == datetime.fromisoformat("2026-03-09T12:00:00+00:00")


async def test_after_20_and_the_profile_window_the_stricter_wins(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = us_account(phone="+12125550100")
    evening = datetime.fromisoformat("2026-01-06T20:30:00-05:00")  # inside Reg F's 21:00
    await state(d.ledger, account, evening - timedelta(days=1), "after_20")
    out = await sent(d, notifysdk_clock, evening, sample_notice(account=account))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, RULE)
    # not midnight (convenient by the statement) but the window's 08:00 next morning
    assert out.until == datetime.fromisoformat("2026-01-07T08:00:00-05:00")


async def test_a_later_statement_without_the_mark_clears_it(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    await state(d.ledger, account, TUESDAY_0830 - timedelta(days=2), "before_9", "weekends")
    await state(d.ledger, account, TUESDAY_0830 - timedelta(days=1), "weekends")
    out = await sent(d, notifysdk_clock, TUESDAY_0830, sample_notice(account=account))
    assert out.status is OutcomeStatus.DELIVERED
    # and a statement that marks nothing clears every time
    saturday = datetime.fromisoformat(f"2026-01-10T10:00:00{SH}")
    blocked = await sent(
        d, notifysdk_clock, saturday, sample_notice(account=account, data={"n": 2})
    )
    assert (blocked.status, blocked.rule) == (OutcomeStatus.DEFERRED, RULE)
    await state(d.ledger, account, saturday - timedelta(minutes=1))
    free = await sent(d, notifysdk_clock, saturday, sample_notice(account=account, data={"n": 3}))
    assert free.status is OutcomeStatus.DELIVERED


async def test_a_statement_made_after_the_send_instant_is_not_read(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    await state(d.ledger, account, TUESDAY_0830 + timedelta(seconds=1), "before_9")
    out = await sent(d, notifysdk_clock, TUESDAY_0830, sample_notice(account=account))
    assert out.status is OutcomeStatus.DELIVERED


async def test_a_guarantors_notice_is_not_affected(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account, guarantor = with_party(sample_account(), Role.GUARANTOR)
    await state(d.ledger, account, TUESDAY_0830 - timedelta(days=1), "before_9")
    notice = Notice(
        kind=sample_notice().kind,
        channel="mock",
        account=account,
        recipient=Recipient(person=guarantor, role=Role.GUARANTOR),
    )
    out = await sent(d, notifysdk_clock, TUESDAY_0830, notice)
    assert out.status is OutcomeStatus.DELIVERED, out
    debtor = await sent(d, notifysdk_clock, TUESDAY_0830, sample_notice(account=account))
    assert (debtor.status, debtor.rule) == (OutcomeStatus.DEFERRED, RULE)


class CountingLedger(MemoryLedger):
    """A memory ledger that counts the contact-log reads made through it."""

    reads = 0

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        self.reads += 1
        return await super().count(scope, start, end)

    async def last_contact(self, scope: str, before: datetime) -> datetime | None:
        self.reads += 1
        return await super().last_contact(scope, before)


def _ctx(ledger: Ledger, notice: Notice, medium: str = "sms") -> RuleContext:
    profiles = {p.name: p for p in DEFAULT_PROFILES if p.name in notice.effective_profiles}
    return RuleContext(notice, TUESDAY_0830, ledger, profiles, to=None, channel_medium=medium)


async def test_the_cost_one_read_when_nothing_was_stated_none_for_a_guarantor_or_a_letter() -> None:
    ledger = CountingLedger()
    rule = StatedInconvenienceRule()
    account = sample_account()
    ctx = _ctx(ledger, sample_notice(account=account))
    assert await rule.evaluate(ctx) is None and ledger.reads == 1
    assert await rule.evaluate(ctx) is None and ledger.reads == 1  # kept in ctx.memo
    await state(ledger, account, TUESDAY_0830 - timedelta(days=1), "before_9")
    guarantor = sample_notice(account=account).model_copy(
        update={"recipient": Recipient(person=sample_person(2), role=Role.GUARANTOR)}
    )
    ledger.reads = 0
    assert await rule.evaluate(_ctx(ledger, guarantor)) is None and ledger.reads == 0
    letter = _ctx(ledger, sample_notice(account=account), Medium.LETTER.value)
    assert await rule.evaluate(letter) is None and ledger.reads == 0
    vote = await rule.evaluate(_ctx(ledger, sample_notice(account=account), "voice"))
    assert vote is not None and vote.verdict is Verdict.DEFER
    assert ledger.reads == 1 + 3  # the marker, then each time label


async def test_explain_shows_the_statement_read(
    dispatcher: Callable[..., Dispatcher], notifysdk_clock: FakeClock
) -> None:
    d = dispatcher(MockChannel())
    account = sample_account()
    stated_at = TUESDAY_0830 - timedelta(days=1)
    await state(d.ledger, account, stated_at, "weekends", "before_9")
    result = await explain(d, sample_notice(account=account), TUESDAY_0830)
    (row,) = [r for r in result.rows if r.rule == RULE]
    assert row.verdict == "defer" and row.until == datetime.fromisoformat(f"2026-01-06T09:00{SH}")
    numbers = dict(row.numbers)
    assert numbers["stated_at"] == "2026-01-05T00:30:00+00:00"
    assert numbers["inconvenient"] == ["before_9", "weekends"]
    assert numbers["zones"] == ["Asia/Shanghai"]
    assert numbers["local"] == {"Asia/Shanghai": "2026-01-06 08:30:00 CST"}
    assert "1006.6(b)(1)(i)" in row.citation and "CONC 7.9" in row.citation
    assert result.as_dict()["votes"]  # JSON-ready, as `notifysdk explain --json` prints it


@pytest.mark.parametrize(
    ("times", "local", "expected"),
    [
        (("before_9",), "2026-01-06T08:59:59.999999", "2026-01-06T09:00:00"),
        (("before_9",), "2026-01-06T09:00:00", "2026-01-06T09:00:00"),
        (("after_20",), "2026-01-06T19:59:59", "2026-01-06T19:59:59"),
        (("after_20",), "2026-01-06T20:00:00", "2026-01-07T00:00:00"),
        (("weekends",), "2026-01-09T23:59:59.999999", "2026-01-09T23:59:59.999999"),
        (("weekends",), "2026-01-10T00:00:00", "2026-01-12T00:00:00"),
        (("weekends", "after_20"), "2026-01-09T20:00:00", "2026-01-12T00:00:00"),
    ],
)
def test_the_boundaries_of_each_stated_time(
    times: tuple[str, ...], local: str, expected: str
) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    stated = StatedTimes(datetime.fromisoformat("2026-01-01T00:00:00+00:00"), frozenset(times))
    at = datetime.fromisoformat(local).replace(tzinfo=zone)
    assert stated.next_convenient(at, [zone]) == datetime.fromisoformat(expected).replace(
        tzinfo=zone
    )
