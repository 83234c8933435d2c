"""The contact-window, frequency-cap and quiet-period rules at the lines a mutation run
showed untested (issue 22): holiday calendars, which caps apply to which roles, lines and
media, the per-person scope, the next free day, future-dated contacts at the window's
end, and what ``explain`` reports for each vote (reason, citation, numbers, until).

End to end on the SQLite ledger (this folder's conftest) with a fake clock; the few
profiles below exercise the spec fields no built-in profile uses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance import scopes as sc
from notifysdk.compliance.explain import ExplainedVote, explain
from notifysdk.compliance.profiles import CN, US_REGF, US_WA
from notifysdk.compliance.scopes import CallOutcome, record_call
from notifysdk.compliance.specs import CapSpec, QuietSpec, WindowSpec
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Account, Notice, OutcomeStatus, PhoneContact, Role
from notifysdk.policy import Profile, Reservation

from .conftest import cn_account, notice_for, policy_ctx, us_account, utc, with_party

NY_NOON = utc("2026-01-05T12:00:00-05:00")
SHANGHAI_10 = utc("2026-01-05T10:00:00+08:00")
CN_DEBTOR_PHONE = "+8613800138000"

HOLIDAY = Profile(
    name="t-holiday",
    params={
        "window": WindowSpec(
            start=time(8, 0),
            end=time(21, 0),
            citation="t-holiday: no texts on US public holidays",
            holiday_calendar="US",
            holiday_media=frozenset({"sms"}),
        )
    },
)
CAPS = Profile(
    name="t-caps",
    params={
        "caps": (
            # per number: applies to phone destinations only (an email address is none)
            CapSpec(
                id="t-number-email",
                counter="t.number",
                per="number",
                limit=1,
                days=1,
                reserve_media=frozenset({"email"}),
            ),
            CapSpec(
                id="t-debt-email",
                counter="t.debt",
                per="debt",
                limit=1,
                days=1,
                reserve_media=frozenset({"email"}),
            ),
            CapSpec(
                id="t-person-sms",
                counter="t.person",
                per="person",
                limit=1,
                days=1,
                reserve_media=frozenset({"sms"}),
                citation="t-caps: one text a day per person",
            ),
        )
    },
)
QUIET = Profile(
    name="t-quiet",
    params={
        "quiet": (
            QuietSpec(
                id="q-email", counter="contact", per="debtor", days=2, media=frozenset({"email"})
            ),
            QuietSpec(
                id="q-voice", counter="contact", per="debtor", days=2, media=frozenset({"voice"})
            ),
        )
    },
)


class TestProfiles:
    """Registers the three test profiles."""

    @hookimpl
    def notifysdk_register_profiles(self, register: Callable[[Profile], None]) -> None:
        """Register ``t-holiday``, ``t-caps`` and ``t-quiet``."""
        for profile in (HOLIDAY, CAPS, QUIET):
            register(profile)


@pytest.fixture
def build_t(
    build: Callable[..., Dispatcher], register_plugin: Callable[..., str]
) -> Callable[..., Dispatcher]:
    """``build`` with the test profiles registered."""
    register_plugin(TestProfiles(), "mutants-test-profiles")
    return build


def _cap(profile: Profile, cap_id: str) -> CapSpec:
    return next(c for c in profile.params["caps"] if c.id == cap_id)


async def _rows(d: Dispatcher, notice: Notice, now: datetime, rule: str) -> list[ExplainedVote]:
    explained = await explain(d, notice, now)
    return [r for r in explained.rows if r.rule == rule and r.stage == "policy"]


async def _calls(
    d: Dispatcher, account: Account, at: list[datetime], outcome: CallOutcome, *, who=None
) -> None:
    person = who or account.debtor
    for when in at:
        await record_call(d.ledger, account, person, person.contacts[0].value, outcome, when)


# -- contact window ---------------------------------------------------------------


async def test_a_holiday_calendar_keeps_its_media_out_on_a_public_holiday(
    build_t: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build_t()
    account = us_account(profiles=("t-holiday",))
    fake_clock.set(utc("2026-01-01T12:00:00-05:00"))  # New Year's Day, inside 08-21
    held = await d.send(notice_for(account, "sms", data={"i": 1}))
    assert (held.status, held.rule, held.profile) == (
        OutcomeStatus.DEFERRED,
        "contact-window",
        "t-holiday",
    )
    assert held.until == utc("2026-01-02T08:00:00-05:00")
    fake_clock.set(utc("2026-01-02T12:00:00-05:00"))  # a working Friday
    sent = await d.send(notice_for(account, "sms", data={"i": 2}))
    assert sent.status is OutcomeStatus.DELIVERED, sent.reason


async def test_explain_shows_every_profiles_window_vote_with_its_numbers(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    notice = notice_for(us_account(profiles=("us-regf", "us-wa")), "sms")
    inside = await _rows(d, notice, NY_NOON, "contact-window")
    local = {"America/New_York": "2026-01-05 12:00:00 EST"}
    assert [(r.profile, r.verdict, r.reason, r.citation, dict(r.numbers)) for r in inside] == [
        (
            "us-regf",
            "allow",
            "inside 08:00-21:00 local",
            US_REGF.params["window"].citation,
            {
                "window": "08:00-21:00",
                "zones": ["America/New_York"],
                "zone_source": "time_zone+phone",
                "sources": {"time_zone": ["America/New_York"], "phone": ["America/New_York"]},
                "covered": ["address", "country"],
                "local": local,
            },
        ),
        (
            "us-wa",
            "allow",
            "inside 07:30-21:00 local",
            US_WA.params["window"].citation,
            {
                "window": "07:30-21:00",
                "zones": ["America/New_York"],
                "zone_source": "time_zone+phone",
                "sources": {"time_zone": ["America/New_York"], "phone": ["America/New_York"]},
                "covered": ["address", "country"],
                "local": local,
            },
        ),
    ]
    early = await _rows(d, notice, utc("2026-01-05T07:45:00-05:00"), "contact-window")
    regf = early[0]
    assert (regf.profile, regf.verdict) == ("us-regf", "defer")
    assert regf.reason == "outside contact hours 08:00-21:00 local in America/New_York"
    assert regf.until == utc("2026-01-05T08:00:00-05:00")
    assert regf.citation == US_REGF.params["window"].citation
    assert regf.numbers["window"] == "08:00-21:00"
    assert regf.numbers["next_allowed"] == "2026-01-05T13:00:00+00:00"
    assert regf.numbers["local"] == {"America/New_York": "2026-01-05 07:45:00 EST"}
    assert [(r.profile, r.verdict) for r in early[1:]] == [("us-wa", "allow")]


async def test_explain_names_how_many_zones_a_deferral_is_computed_over(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    notice = notice_for(us_account(phone="+12085550123", time_zone=None), "sms")
    (row,) = await _rows(d, notice, utc("2026-01-05T15:30:00+00:00"), "contact-window")
    assert row.verdict == "defer"
    assert row.reason == "outside contact hours 08:00-21:00 local in one of 2 plausible zones"
    assert row.numbers["zones"] == ["America/Boise", "America/Los_Angeles"]


def _never_overlapping() -> tuple[Settings, Account]:
    """Windows with no common instant (08-09 Shanghai, 20:30-21:00 New York) for a person
    with a number in each zone (as in test_windows.py)."""
    settings = Settings(
        profiles={"cn": {"window.end": "09:00"}, "us-regf": {"window.start": "20:30"}}
    )
    account = cn_account(profiles=("cn", "us-regf"), time_zone=None)
    person = account.debtor.model_copy(
        update={
            "country": None,
            "contacts": (PhoneContact(value=CN_DEBTOR_PHONE), PhoneContact(value="+12125550100")),
        }
    )
    return settings, account.model_copy(update={"debtor": person})


async def test_explain_shows_why_each_rule_denies_when_no_window_ever_opens(
    build: Callable[..., Dispatcher],
) -> None:
    settings, account = _never_overlapping()
    d = build(settings=settings)
    now = utc("2026-01-05T03:00:00+00:00")
    # three conversations today: cn's connected-call cap is reached and Reg F's quiet
    # period runs, and neither has a window to defer into
    await _calls(
        d, account, [now - timedelta(minutes=30 - i) for i in range(3)], CallOutcome.CONNECTED
    )
    notice = notice_for(account, "voice")
    explained = await explain(d, notice, now)
    rows = [r for r in explained.rows if r.stage == "policy"]
    window = [r for r in rows if r.rule == "contact-window"]
    zones = "Asia/Shanghai, America/New_York"
    assert [(r.profile, r.verdict, r.reason, r.citation) for r in window] == [
        (
            "cn",
            "deny",
            f"no instant in the next weeks is inside 08:00-09:00 in every plausible zone ({zones})",
            CN.params["window"].citation,
        ),
        (
            "us-regf",
            "deny",
            f"no instant in the next weeks is inside 20:30-21:00 in every plausible zone ({zones})",
            US_REGF.params["window"].citation,
        ),
    ]
    assert window[0].numbers["window"] == "08:00-09:00"
    assert "next_allowed" not in window[0].numbers
    caps = {r.numbers["cap"]: r for r in rows if r.rule == "frequency-cap"}
    cn_cap = caps["cn-connected-calls"]
    assert (cn_cap.rule, cn_cap.profile, cn_cap.verdict) == ("frequency-cap", "cn", "deny")
    assert cn_cap.reason == "cn-connected-calls: cap reached and no contact window follows"
    assert cn_cap.citation == _cap(CN, "cn-connected-calls").citation
    assert (cn_cap.numbers["count"], cn_cap.numbers["limit"]) == (3, 3)
    assert "next_allowed" not in cn_cap.numbers
    (quiet,) = [r for r in rows if r.rule == "quiet-period"]
    assert (quiet.profile, quiet.verdict) == ("us-regf", "deny")
    assert quiet.reason == "regf-after-conversation: quiet period and no window follows"
    assert quiet.citation == US_REGF.params["quiet"][0].citation
    assert quiet.numbers == {
        "quiet": "regf-after-conversation",
        "events": 3,
        "days": 7,
        "day_of_period": 1,
    }
    assert explained.verdict == "deny"


# -- frequency caps: which caps apply ------------------------------------------


async def test_a_cap_for_any_line_applies_to_a_work_number(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account(line_type="work")
    fake_clock.set(NY_NOON)
    outs = []
    for i in range(4):
        outs.append(await d.send(notice_for(account, "sms", data={"i": i})))
        fake_clock.advance(60)
    assert [o.status.value for o in outs] == ["delivered"] * 3 + ["deferred"]
    assert (outs[3].rule, outs[3].profile) == ("frequency-cap", "us-regf")
    assert outs[3].until == utc("2026-01-06T08:00:00-05:00")


@pytest.mark.parametrize(("called", "status"), [("debtor", "delivered"), ("guarantor", "deferred")])
async def test_a_per_debtor_cap_counts_the_guarantors_own_calls(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, called: str, status: str
) -> None:
    d = build()
    account, guarantor = with_party(cn_account(), Role.GUARANTOR)
    who = guarantor if called == "guarantor" else account.debtor
    await _calls(
        d,
        account,
        [SHANGHAI_10 + timedelta(minutes=i) for i in range(3)],
        CallOutcome.CONNECTED,
        who=who,
    )
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "voice", role=Role.GUARANTOR, person=guarantor))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert (out.rule, out.profile) == ("frequency-cap", "cn")


async def test_a_per_person_cap_counts_and_reserves_under_the_recipients_scope(
    build_t: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build_t()
    account = us_account(profiles=("t-caps",))
    first = notice_for(account, "sms", data={"i": 1})
    (row,) = await _rows(d, first, NY_NOON, "frequency-cap")
    scope = sc.person_scope("t.person", account, account.debtor)
    assert (row.profile, row.verdict, row.numbers["cap"]) == ("t-caps", "allow", "t-person-sms")
    assert row.reservations == (f"{scope} (limit 1)",)
    fake_clock.set(NY_NOON)
    assert (await d.send(first)).status is OutcomeStatus.DELIVERED
    fake_clock.advance(60)
    again = await d.send(notice_for(account, "sms", data={"i": 2}))
    assert (again.status, again.rule, again.profile) == (
        OutcomeStatus.DEFERRED,
        "frequency-cap",
        "t-caps",
    )
    assert again.reason == "t-person-sms: 1 of 1 in 1 day(s) already"


async def test_a_per_number_cap_does_not_apply_to_an_email_and_later_caps_still_do(
    build_t: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build_t()
    account = us_account(profiles=("t-caps",))
    rows = await _rows(d, notice_for(account, "email", data={"i": 1}), NY_NOON, "frequency-cap")
    assert [r.numbers["cap"] for r in rows] == ["t-debt-email"]
    fake_clock.set(NY_NOON)
    assert (await d.send(notice_for(account, "email", data={"i": 1}))).status.value == "delivered"
    second = await d.send(notice_for(account, "email", data={"i": 2}))
    assert (second.status, second.reason) == (
        OutcomeStatus.DEFERRED,
        "t-debt-email: 1 of 1 in 1 day(s) already",
    )


async def test_a_profile_without_caps_or_quiet_periods_gets_no_such_votes(
    build_t: Callable[..., Dispatcher],
) -> None:
    d = build_t()
    explained = await explain(d, notice_for(us_account(profiles=("t-holiday",)), "sms"), NY_NOON)
    votes = {r.rule: r.verdict for r in explained.rows if r.stage == "policy"}
    assert votes["frequency-cap"] == "abstain"
    assert votes["quiet-period"] == "abstain"
    assert votes["contact-window"] == "allow"


# -- frequency caps: counts, next free day, what explain shows --------------------


async def test_the_next_free_day_is_when_the_oldest_call_in_the_window_leaves_it(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    # one call yesterday, six today: 7 in 7 until yesterday's leaves the window on day 6
    at = [NY_NOON - timedelta(days=1)] + [NY_NOON + timedelta(minutes=i) for i in range(6)]
    await _calls(d, account, at, CallOutcome.NO_ANSWER)
    fake_clock.set(NY_NOON + timedelta(hours=1))
    out = await d.send(notice_for(account, "voice"))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, "frequency-cap")
    assert out.until == utc("2026-01-11T08:00:00-05:00")


@pytest.mark.parametrize(("today", "status"), [(2, "delivered"), (3, "deferred")])
async def test_contacts_dated_tomorrow_do_not_count_today(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, today: int, status: str
) -> None:
    """A call recorded for tomorrow (a worker whose clock runs ahead) is outside today's
    window; when tomorrow is full too, the deferral re-checks tomorrow morning."""
    d = build()
    account = cn_account()
    at = [SHANGHAI_10 + timedelta(minutes=i) for i in range(today)]
    at += [SHANGHAI_10 + timedelta(days=1, minutes=i) for i in range(3)]
    await _calls(d, account, at, CallOutcome.CONNECTED)
    fake_clock.set(SHANGHAI_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "voice"))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert (out.rule, out.profile) == ("frequency-cap", "cn")
        assert out.until == utc("2026-01-06T08:00:00+08:00")


async def test_explain_shows_the_caps_count_limit_and_window(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    spec = _cap(US_REGF, "regf-sms-daily-soft-cap")
    (row,) = await _rows(d, notice_for(account, "sms", data={"i": 0}), NY_NOON, "frequency-cap")
    numbers = {
        "cap": "regf-sms-daily-soft-cap",
        "count": 0,
        "limit": 3,
        "days": 1,
        "window_start": "2026-01-05T05:00:00+00:00",
    }
    assert (row.rule, row.profile, row.verdict) == ("frequency-cap", "us-regf", "allow")
    assert (row.reason, row.citation, dict(row.numbers)) == (
        "regf-sms-daily-soft-cap: 0 of 3",
        spec.citation,
        numbers,
    )
    assert row.reservations == (f"{sc.debt_scope('msg.sms', account)} (limit 3)",)
    fake_clock.set(NY_NOON)
    for i in range(3):
        assert (await d.send(notice_for(account, "sms", data={"i": i}))).status.value == "delivered"
    (full,) = await _rows(d, notice_for(account, "sms", data={"i": 3}), NY_NOON, "frequency-cap")
    assert (full.profile, full.verdict, full.citation) == ("us-regf", "defer", spec.citation)
    assert full.reason == "regf-sms-daily-soft-cap: 3 of 3 in 1 day(s) already"
    assert full.until == utc("2026-01-06T08:00:00-05:00")
    assert dict(full.numbers) == {
        **numbers,
        "count": 3,
        "next_allowed": "2026-01-06T13:00:00+00:00",
    }


async def test_a_reservation_carries_the_caps_window_and_its_next_free_slot(
    build: Callable[..., Dispatcher],
) -> None:
    """What the ledger gets at claim time: when the cap filled up in between, the claim
    defers to ``next_free`` (the next local day, moved into the contact window)."""
    d = build()
    account = us_account()
    notice = notice_for(account, "sms")
    rule = d.registry.rules["frequency-cap"]
    (vote,) = await rule.votes(await policy_ctx(d, notice, NY_NOON))
    assert vote.reservations == (
        Reservation(
            rule="frequency-cap",
            profile="us-regf",
            scope=sc.debt_scope("msg.sms", account),
            limit=3,
            window_start=utc("2026-01-05T00:00:00-05:00"),
            window_end=utc("2026-01-06T00:00:00-05:00"),
            next_free=utc("2026-01-06T08:00:00-05:00"),
            citation=_cap(US_REGF, "regf-sms-daily-soft-cap").citation,
        ),
    )


# -- quiet periods ----------------------------------------------------------------


async def test_a_conversation_starts_a_quiet_period_for_calls_to_the_guarantor(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account, guarantor = with_party(us_account(), Role.GUARANTOR, "+12125550199", "en")
    await _calls(d, account, [NY_NOON], CallOutcome.CONNECTED)  # with the debtor
    fake_clock.set(NY_NOON + timedelta(days=1))
    out = await d.send(notice_for(account, "voice", role=Role.GUARANTOR, person=guarantor))
    assert (out.status, out.rule, out.profile) == (
        OutcomeStatus.DEFERRED,
        "quiet-period",
        "us-regf",
    )


@pytest.mark.parametrize(
    ("contacted", "status"), [("debtor", "delivered"), ("guarantor", "deferred")]
)
async def test_a_per_debtor_quiet_period_is_the_recipients_own_and_every_spec_is_checked(
    build_t: Callable[..., Dispatcher], fake_clock: FakeClock, contacted: str, status: str
) -> None:
    d = build_t()
    account, guarantor = with_party(us_account(profiles=("t-quiet",)), Role.GUARANTOR)
    who = guarantor if contacted == "guarantor" else account.debtor
    await _calls(d, account, [NY_NOON], CallOutcome.CONNECTED, who=who)
    fake_clock.set(NY_NOON + timedelta(hours=1))
    # the first quiet spec is for email only; the second, for calls, applies
    out = await d.send(notice_for(account, "voice", role=Role.GUARANTOR, person=guarantor))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert (out.rule, out.profile) == ("quiet-period", "t-quiet")
        assert out.reason == "q-voice: day 1 of 2 after a contact"


async def test_explain_shows_the_quiet_periods_vote_and_day(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = us_account()
    citation = US_REGF.params["quiet"][0].citation
    (clear,) = await _rows(d, notice_for(account, "voice"), NY_NOON, "quiet-period")
    assert (clear.rule, clear.profile, clear.verdict, clear.citation) == (
        "quiet-period",
        "us-regf",
        "allow",
        citation,
    )
    assert clear.reason == "regf-after-conversation: no conversation in 7 days"
    assert dict(clear.numbers) == {"quiet": "regf-after-conversation", "events": 0, "days": 7}
    await _calls(d, account, [NY_NOON - timedelta(days=2)], CallOutcome.CONNECTED)
    (held,) = await _rows(d, notice_for(account, "voice"), NY_NOON, "quiet-period")
    assert (held.profile, held.verdict, held.citation) == ("us-regf", "defer", citation)
    assert held.reason == "regf-after-conversation: day 3 of 7 after a conversation"
    assert held.until == utc("2026-01-10T08:00:00-05:00")
    assert dict(held.numbers) == {
        "quiet": "regf-after-conversation",
        "events": 1,
        "days": 7,
        "day_of_period": 3,
        "next_allowed": "2026-01-10T13:00:00+00:00",
    }


async def test_a_conversation_dated_tomorrow_neither_starts_nor_shifts_todays_quiet_period(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    tomorrow = utc("2026-01-06T00:00:00-05:00")  # the first instant after today's window
    await _calls(d, account, [tomorrow], CallOutcome.CONNECTED)
    fake_clock.set(utc("2026-01-05T20:00:00-05:00"))
    out = await d.send(notice_for(account, "voice", data={"i": 1}))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    # with a conversation three days ago as well, day 1 is that day, not tomorrow
    await _calls(d, account, [NY_NOON - timedelta(days=3)], CallOutcome.CONNECTED)
    (row,) = await _rows(d, notice_for(account, "voice", data={"i": 2}), NY_NOON, "quiet-period")
    assert (row.verdict, row.numbers["day_of_period"]) == ("defer", 4)
    assert row.until == utc("2026-01-09T08:00:00-05:00")
