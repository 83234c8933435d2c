"""One CallOutcome for the SDK: former values still read, what each profile counts (its
CallCountSpecs), Reg F's exclusions (calls that never connect, calls within 7 days of the
consumer's direct consent), end to end on the SQLite and PostgreSQL ledgers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from pydantic import BaseModel

from notifysdk.clock import FakeClock
from notifysdk.compliance import scopes as sc
from notifysdk.compliance.explain import explain
from notifysdk.compliance.profiles import DEFAULT_PROFILES, US_REGF
from notifysdk.compliance.scopes import CallOutcome, record_call, record_call_consent
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import NoticeKind, OutcomeStatus

from .conftest import cn_account, notice_for, us_account, utc

NY_10 = utc("2026-01-05T10:00:00-05:00")
SH_10 = utc("2026-01-05T10:00:00+08:00")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("answered_other", CallOutcome.WRONG_PARTY),
        ("wrong_number", CallOutcome.WRONG_PARTY),
        ("unanswered", CallOutcome.NO_ANSWER),
        ("voicemail_left", CallOutcome.VOICEMAIL),
        ("refusal", CallOutcome.REFUSED),
    ],
)
def test_former_values_and_names_still_read(old: str, new: CallOutcome) -> None:
    assert CallOutcome(old) is new
    assert getattr(CallOutcome, old.upper()) is new

    class Report(BaseModel):
        outcome: CallOutcome

    assert Report.model_validate_json(f'{{"outcome": "{old}"}}').outcome is new
    acc = cn_account()
    number = "+8613800138000"
    assert sc.call_scopes(acc, acc.debtor, number, old) == sc.call_scopes(
        acc, acc.debtor, number, new
    )


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="hung_up"):
        CallOutcome("hung_up")


def test_one_enum_with_the_eight_call_outcomes() -> None:
    assert [o.value for o in sc.CALL_OUTCOMES] == [
        "connected",
        "voicemail",
        "no_answer",
        "busy",
        "network_error",
        "wrong_party",
        "refused",
        "invalid_number",
    ]
    assert CallOutcome.PROMISE_TO_PAY.counted_as is CallOutcome.CONNECTED
    assert CallOutcome.REFUSED.connected and not CallOutcome.WRONG_PARTY.connected
    assert len(list(CallOutcome)) == len(set(CallOutcome)) == 12  # aliases are not members


def test_every_counted_outcome_is_a_call_outcome_and_each_counter_is_defined_once() -> None:
    values = {o.value for o in sc.CALL_OUTCOMES}
    seen: dict[tuple[str, str, str], frozenset[str]] = {}
    for profile in DEFAULT_PROFILES:
        for spec in profile.params.get("call_counts", ()):
            assert spec.outcomes <= values and spec.excluded <= values, spec.counter
            assert not spec.outcomes & spec.excluded, spec.counter
            assert spec.citation, spec.counter
            key = (spec.counter, spec.per, spec.line)
            assert seen.setdefault(key, spec.outcomes) == spec.outcomes, key
    # every cap of every profile counts a counter some profile defines (or a notice's own)
    defined = {k[0] for k in seen}
    for profile in DEFAULT_PROFILES:
        for cap in profile.params.get("caps", ()):
            assert cap.counter in defined or cap.counter.startswith("msg."), cap.id


def test_regf_counts_placed_calls_that_reach_the_number() -> None:
    (call,) = [s for s in US_REGF.params["call_counts"] if s.counter == "call"]
    assert call.excluded == {"busy", "network_error", "invalid_number"}
    assert {"no_answer", "voicemail", "wrong_party", "connected", "refused"} == call.outcomes
    assert call.consent_days == 7
    assert "(b)(3)-(4)" in call.citation


async def _calls(d: Dispatcher, account, outcome, n: int, start) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        await record_call(
            d.ledger,
            account,
            account.debtor,
            account.debtor.contacts[0].value,
            outcome,
            start + timedelta(minutes=i),
        )


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("no_answer", "deferred"), ("busy", "delivered"), ("network_error", "delivered")],
)
async def test_regf_7_in_7_does_not_count_calls_that_never_connect(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, outcome: str, status: str
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, outcome, 7, NY_10)
    fake_clock.set(NY_10 + timedelta(hours=2))
    notice = notice_for(account, "voice")
    shown = await explain(d, notice, fake_clock.now())
    out = await d.send(notice)
    assert out.status.value == status, out.reason
    cap = next(
        r
        for r in shown.rows
        if r.rule == "frequency-cap" and r.numbers.get("cap") == "regf-calls-7-in-7"
    )
    excluded = 0 if outcome == "no_answer" else 7
    assert cap.numbers["count"] == 7 - excluded
    assert cap.numbers["excluded"] == {"not_connected": excluded, "with_consent": 0}


@pytest.mark.parametrize("outcome", ["busy", "network_error", "no_answer"])
async def test_cn_counts_busy_and_network_errors_as_unanswered_dials(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, outcome: str
) -> None:
    d = build()
    account = cn_account()
    await _calls(d, account, outcome, 6, SH_10)
    fake_clock.set(SH_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "call_script", kind=NoticeKind.APPOINTMENT_CALL))
    assert (out.status, out.profile) == (OutcomeStatus.DEFERRED, "cn"), out.reason


# -- consent: 12 CFR 1006.14(b)(3)-(4) ---------------------------------------------------


@pytest.mark.parametrize(
    ("after_consent", "status"),
    [(timedelta(days=6, hours=23), "delivered"), (timedelta(days=7), "deferred")],
)
async def test_calls_within_seven_days_of_consent_are_not_counted(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    after_consent: timedelta,
    status: str,
) -> None:
    d = build()
    account = us_account()
    await record_call_consent(d.ledger, account, NY_10)
    await _calls(d, account, "no_answer", 7, NY_10 + after_consent)
    # judged once the consent has expired: only the calls it did not cover count
    fake_clock.set(NY_10 + timedelta(days=7, hours=1, minutes=30))
    notice = notice_for(account, "voice")
    shown = await explain(d, notice, fake_clock.now())
    out = await d.send(notice)
    assert out.status.value == status, out.reason
    cap = next(r for r in shown.rows if r.numbers.get("cap") == "regf-calls-7-in-7")
    consented = 7 if status == "delivered" else 0
    assert cap.numbers["excluded"]["with_consent"] == consented
    assert cap.numbers["count"] == 7 - consented


async def test_a_consent_for_another_debt_does_not_count(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    other = account.model_copy(update={"loan_id": "LN-OTHER"})
    await record_call_consent(d.ledger, other, NY_10)
    await _calls(d, account, "no_answer", 7, NY_10 + timedelta(hours=1))
    fake_clock.set(NY_10 + timedelta(hours=3))
    out = await d.send(notice_for(account, "voice"))
    assert (out.status, out.rule) == (OutcomeStatus.DEFERRED, "frequency-cap")


@pytest.mark.parametrize(
    ("since_consent", "status"),
    [(timedelta(days=6, hours=23), "delivered"), (timedelta(days=7), "deferred")],
)
async def test_a_call_placed_now_with_recent_consent_is_not_held_by_the_quiet_period(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    since_consent: timedelta,
    status: str,
) -> None:
    d = build()
    account = us_account()
    await record_call_consent(d.ledger, account, NY_10)
    now = NY_10 + since_consent
    await _calls(d, account, "connected", 1, now - timedelta(hours=1))  # a conversation today
    fake_clock.set(now)
    out = await d.send(notice_for(account, "voice"))
    assert out.status.value == status, out.reason
    if status == "deferred":
        assert out.rule == "quiet-period"


async def test_a_voice_notice_sent_under_consent_is_recorded_as_consented(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    await _calls(d, account, "no_answer", 7, NY_10 - timedelta(days=1))
    await record_call_consent(d.ledger, account, NY_10)
    fake_clock.set(NY_10 + timedelta(hours=1))
    out = await d.send(notice_for(account, "voice"))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    week = (NY_10 - timedelta(days=7), NY_10 + timedelta(days=1))
    assert await d.ledger.count(sc.debt_scope("call.consented", account), *week) == 1
    assert await d.ledger.count(sc.debt_scope("call", account), *week) == 7
