"""The credit-report step (issue 17): a notice of kind ``credit_report`` on the record-only
``credit-bureau`` channel, blocked without a delivered pre-notice for the same debt on
record, and under Reg F deferred to the start of the 15th day after the pre-notice's date
(14 consecutive days after it, 12 CFR 1006.30(a)(1)(ii)) unless a telephone
conversation about the debt is on record."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifysdk.builtin.credit_bureau import CHANNEL_NAME, CreditBureauChannel
from notifysdk.channels import Attempt, ReconcileStatus
from notifysdk.clock import FakeClock
from notifysdk.compliance.profiles import CN, US_REGF
from notifysdk.compliance.rules.states import CreditReportPrenoticeRule
from notifysdk.compliance.scopes import CallOutcome, notice_scope, record_call
from notifysdk.compliance.specs import CreditReportSpec
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, Notice, NoticeKind, Outcome, OutcomeStatus
from notifysdk.policy import Profile, Verdict, Vote
from notifysdk.testing import MockChannel

from .conftest import cn_account, notice_for, policy_ctx, us_account, utc

SH_NOON = utc("2026-01-05T12:00:00+08:00")
NY = ZoneInfo("America/New_York")
RULE = "credit-report-prenotice"


def report(account: Account, **kw: Any) -> Notice:
    """The report step as the ladder's stage builds it."""
    return notice_for(account, CHANNEL_NAME, kind=NoticeKind.CREDIT_REPORT, **kw)


def prenotice(account: Account, **kw: Any) -> Notice:
    return notice_for(account, "email", kind=NoticeKind.CREDIT_REPORT_PRENOTICE, **kw)


async def decide(d: Dispatcher, notice: Notice) -> Outcome:
    """The outcome ``prepare`` reaches (it writes nothing); a stand-in when it goes."""
    prepared = await d.prepare(notice)
    if prepared.outcome is None:
        return Outcome(
            idempotency_key=notice.idempotency_key,
            status=OutcomeStatus.DELIVERED,
            channel=notice.channel,
            at=prepared.context.now,
        )
    return prepared.outcome


async def votes_at(d: Dispatcher, notice: Notice, now: datetime) -> list[Vote]:
    """The credit-report rule's votes on ``notice`` at ``now``."""
    rule = d.registry.rules[RULE]
    assert isinstance(rule, CreditReportPrenoticeRule)
    return await rule.votes(await policy_ctx(d, notice, now))


@pytest.fixture(autouse=True)
def _noon(fake_clock: FakeClock) -> None:
    fake_clock.set(SH_NOON)


async def test_cn_report_step_blocked_without_a_prenotice_then_recorded(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: Path
) -> None:
    d = build()
    account = cn_account()
    before = await d.send(report(account))
    assert (before.status, before.rule, before.profile) == (OutcomeStatus.BLOCKED, RULE, "cn")
    pre = await d.send(prenotice(account))
    assert pre.status is OutcomeStatus.DELIVERED, pre.reason
    fake_clock.advance(minutes=1)  # cn sets no wait: once it is delivered
    after = await d.send(report(account, data={"run": 2}))
    assert after.status is OutcomeStatus.DELIVERED, after.reason
    assert after.channel == CHANNEL_NAME
    record = tmp_path / "out" / "credit_report" / f"{after.idempotency_key}.json"
    doc = json.loads(record.read_text("utf-8"))
    assert doc["medium"] == "letter" and doc["metadata"]["kind"] == "credit_report"
    assert "征信报送记录" in doc["body"] and account.institution in doc["body"]
    assert record.stat().st_mode & 0o777 == 0o600


async def test_a_prenotice_for_another_debt_does_not_count(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    assert (await d.send(prenotice(cn_account(1)))).status is OutcomeStatus.DELIVERED
    fake_clock.advance(minutes=1)
    other = await d.send(report(cn_account(2)))
    assert (other.status, other.rule) == (OutcomeStatus.BLOCKED, RULE)


async def test_a_prenotice_sent_later_does_not_count_for_an_earlier_decision(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = cn_account()
    assert (await d.send(prenotice(account))).status is OutcomeStatus.DELIVERED
    fake_clock.set(SH_NOON - timedelta(seconds=1))  # before the pre-notice went
    votes = await votes_at(d, report(account), fake_clock.now())
    assert [v.verdict for v in votes] == [Verdict.DENY]


@pytest.mark.parametrize(
    "notice_kw",
    [
        {"stage": "credit_report"},  # deprecated alias (tests/compliance/test_recipients_states)
        {"data": {"credit_report": True}},  # deprecated alias (rules/states.py docs)
    ],
)
async def test_deprecated_aliases_still_mark_the_report_step(
    build: Callable[..., Dispatcher], notice_kw: dict[str, Any]
) -> None:
    out = await build().send(notice_for(cn_account(), "sms", **notice_kw))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, RULE)


async def test_other_notices_get_no_vote(build: Callable[..., Dispatcher]) -> None:
    d = build()
    assert await votes_at(d, notice_for(cn_account(), "sms"), SH_NOON) == []


# --- Reg F: 14 consecutive days after the date of the pre-notice ------------------------


def ny(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


@pytest.mark.parametrize(
    ("sent", "ready"),
    [
        ("2026-01-05T12:00:00", "2026-01-20T00:00:00"),
        ("2026-01-05T00:00:00", "2026-01-20T00:00:00"),  # first instant of the date
        ("2026-01-05T23:59:59", "2026-01-20T00:00:00"),  # last second of the date
        ("2026-01-06T00:00:00", "2026-01-21T00:00:00"),  # the next date: one day later
        ("2026-02-25T12:00:00", "2026-03-12T00:00:00"),  # across the DST change (Mar 8)
    ],
)
async def test_us_report_deferred_to_the_exact_instant_the_wait_ends(
    build: Callable[..., Dispatcher], sent: str, ready: str
) -> None:
    # The pre-notice's delivery as the contact-record rule leaves it in the ledger, at an
    # instant the contact window would not let a notice go (the rule alone is tested).
    d = build()
    account = us_account()
    await d.ledger.record_contact(
        notice_scope(NoticeKind.CREDIT_REPORT_PRENOTICE.value, account), ny(sent)
    )
    ready_at = ny(ready)
    early = await votes_at(d, report(account), ready_at - timedelta(microseconds=1))
    assert [(v.verdict, v.until) for v in early] == [(Verdict.DEFER, ready_at)]
    assert early[0].numbers["wait_days"] == 14
    on_time = await votes_at(d, report(account), ready_at)
    assert [v.verdict for v in on_time] == [Verdict.ALLOW]
    assert on_time[0].numbers["ready_at"] == ready_at.astimezone(UTC).isoformat()


async def test_us_report_goes_when_run_due_at_the_ready_instant(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    fake_clock.set(ny("2026-01-05T10:00:00"))
    assert (await d.send(prenotice(account))).status is OutcomeStatus.DELIVERED
    fake_clock.set(ny("2026-01-12T10:00:00"))
    deferred = await d.send(report(account))
    assert deferred.status is OutcomeStatus.DEFERRED and deferred.until == ny("2026-01-20T00:00")
    # the contact window (08:00-21:00) applies on top: the report goes at 08:00 that day
    fake_clock.set(ny("2026-01-20T09:00:00"))
    sent = await d.send(report(account))
    assert sent.status is OutcomeStatus.DELIVERED, sent.reason


async def test_us_wait_counts_from_the_earliest_of_several_prenotices(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    for day, n in (("2026-01-05", 1), ("2026-01-09", 2)):
        fake_clock.set(ny(f"{day}T10:00:00"))
        out = await d.send(prenotice(account, data={"n": n}))
        assert out.status is OutcomeStatus.DELIVERED, out.reason
    fake_clock.set(ny("2026-01-15T10:00:00"))
    out = await decide(d, report(account))
    assert out.until == ny("2026-01-20T00:00:00")  # the first one's date + 15


async def test_us_a_telephone_conversation_on_record_needs_no_wait(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    fake_clock.set(ny("2026-01-05T10:00:00"))
    no = await decide(d, report(account))
    assert (no.status, no.rule) == (OutcomeStatus.BLOCKED, RULE)
    await record_call(
        d.ledger, account, account.debtor, "+12125550100", CallOutcome.CONNECTED, fake_clock.now()
    )
    fake_clock.advance(minutes=5)
    yes = await decide(d, report(account))
    assert yes.status is OutcomeStatus.DELIVERED, yes.reason  # would go
    votes = await votes_at(d, report(account), fake_clock.now())
    assert [(v.verdict, v.numbers["conversations_on_record"]) for v in votes] == [
        (Verdict.ALLOW, 1)
    ]


async def test_us_an_unanswered_call_is_no_communication(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = us_account()
    fake_clock.set(ny("2026-01-05T10:00:00"))
    await record_call(
        d.ledger, account, account.debtor, "+12125550100", CallOutcome.VOICEMAIL, fake_clock.now()
    )
    fake_clock.advance(minutes=5)
    out = await decide(d, report(account))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, RULE)


async def test_us_record_needs_no_mini_miranda_but_notices_still_do(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    # The credit-report record is not a communication with the consumer; the
    # pre-notice to them is, and keeps every required line.
    d = build()
    account = us_account()
    fake_clock.set(ny("2026-01-05T10:00:00"))
    assert (await d.send(prenotice(account))).status is OutcomeStatus.DELIVERED
    email = d.channel("email")
    assert isinstance(email, MockChannel)
    sent = email.sent[-1].body
    assert "attempt to collect a debt" in sent and "7 years" in sent
    fake_clock.set(ny("2026-01-20T10:00:00"))
    out = await d.send(report(account))
    assert out.status is OutcomeStatus.DELIVERED, out.reason


def test_profiles_state_their_specs_with_citations() -> None:
    cn = CN.params["credit_report_prenotice"]
    us = US_REGF.params["credit_report_prenotice"]
    assert isinstance(cn, CreditReportSpec) and isinstance(us, CreditReportSpec)
    assert (cn.wait_days, cn.conversation_satisfies) == (0, False)
    assert "Art. 15" in cn.citation
    assert (us.wait_days, us.conversation_satisfies) == (14, True)
    assert "1006.30(a)(1)(ii)" in us.wait_citation and "14" in us.wait_citation


async def test_a_bare_citation_string_still_means_a_prenotice_without_wait(
    build: Callable[..., Dispatcher],
) -> None:
    spec = CreditReportPrenoticeRule.spec_of(
        Profile("lender", {"credit_report_prenotice": "lender policy"})
    )
    assert spec == CreditReportSpec(citation="lender policy")
    assert CreditReportPrenoticeRule.spec_of(Profile("none", {})) is None


async def test_the_channel_reconciles_from_its_record(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    channel = CreditBureauChannel(CHANNEL_NAME, tmp_path, fake_clock)
    attempt = Attempt("nk_1", CHANNEL_NAME, 1, "P-1", fake_clock.now())
    assert (await channel.reconcile(attempt)).status is ReconcileStatus.NOT_SENT
    (tmp_path / "credit_report").mkdir(mode=0o700)
    (tmp_path / "credit_report" / "nk_1.json").write_text("{}")
    assert (await channel.reconcile(attempt)).status is ReconcileStatus.SENT


# --- through the campaign: the default ladder's D+60 pre-notice and D+75 report ---------


async def test_the_default_ladder_reports_only_after_its_prenotice(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: Path
) -> None:
    from notifysdk.campaign import PortfolioRow, default_ladder, run_campaign
    from notifysdk.config import Settings

    settings = Settings(output_dir=tmp_path / "out", routes={"email": "email"})
    d = build(settings=settings)
    ladder = default_ladder()

    def row(days: int) -> list[PortfolioRow]:
        return [PortfolioRow(2, cn_account(7, days_overdue=days))]

    # A portfolio's first run on day 75: no pre-notice on record, the step is blocked.
    first = await run_campaign(d, [PortfolioRow(2, cn_account(8, days_overdue=75))], ladder)
    assert first.by_rule["blocked: credit-report-prenotice"] == 1
    assert first.by_channel[CHANNEL_NAME]["blocked"] == 1
    # Day 60: the pre-notice by email; day 75: the report is recorded.
    on_60 = await run_campaign(d, row(60), ladder)
    assert on_60.by_channel["email"]["delivered"] == 1
    fake_clock.advance(days=15)
    on_75 = await run_campaign(d, row(75), ladder)
    assert on_75.by_channel[CHANNEL_NAME]["delivered"] == 1, on_75.by_rule
    assert len(list((tmp_path / "out" / "credit_report").glob("*.json"))) == 1


async def test_the_report_record_is_no_communication_with_the_debtor(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    from notifysdk.compliance.rules.base import EPOCH, FAR_FUTURE
    from notifysdk.compliance.scopes import Counter, person_scope

    d = build()
    account = cn_account()
    comm = person_scope(Counter.COMM, account, account.debtor)
    assert (await d.send(prenotice(account))).status is OutcomeStatus.DELIVERED
    assert await d.ledger.count(comm, EPOCH, FAR_FUTURE) == 1
    fake_clock.advance(minutes=1)
    out = await d.send(report(account))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert await d.ledger.count(notice_scope("credit_report", account), EPOCH, FAR_FUTURE) == 1
    assert await d.ledger.count(comm, EPOCH, FAR_FUTURE) == 1  # the bureau is not the debtor
