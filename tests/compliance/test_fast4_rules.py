"""Rules that build their vote directly, held to the vote as first written.

``contact-record`` reads the notice's kind without the enum property and builds its
reservations and its allow vote directly (what ``Vote.allow`` and the generator over
the scopes made)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifysdk.compliance import scopes as sc
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules import ContactRecordRule, LedgerOptOutRule
from notifysdk.compliance.rules import preferences as pref
from notifysdk.compliance.rules.base import RECORD_ONLY_LIMIT
from notifysdk.compliance.rules.preferences import StatedInconvenienceRule
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message, Notice, NoticeKind, Party, Recipient, Role
from notifysdk.policy import Reservation, RuleContext, Vote
from notifysdk.testing import sample_account, sample_person

from .conftest import drive

_NOW = datetime(2026, 3, 2, 3, 0, 0, 123456, tzinfo=UTC)
_NOT_A_COMMUNICATION = frozenset({"limited_content", "credit_report"})


def _reference_contact_record(rule: ContactRecordRule, ctx: RuleContext) -> Vote | None:
    """``ContactRecordRule.evaluate`` as first written."""
    msg = ctx.message
    if msg is None:
        return None
    account = ctx.notice.account
    kind = str(msg.metadata.get("kind", ctx.notice.kind.value))
    debtor = ctx.notice.recipient.role is Role.DEBTOR
    scopes = [sc.notice_scope(kind, account)] if debtor else []
    if kind not in _NOT_A_COMMUNICATION:
        scopes.append(sc.person_scope(sc.Counter.COMM, account, ctx.notice.recipient.person))
    end = ctx.now + timedelta(seconds=1)
    return Vote.allow(
        rule.name,
        "*",
        "records the delivery",
        reservations=tuple(
            Reservation(rule.name, "*", s, RECORD_ONLY_LIMIT, ctx.now, end, None, rule.citation)
            for s in scopes
        ),
    )


def _metadata(kind: NoticeKind) -> list[dict[str, Any]]:
    return [
        {},
        {"kind": kind.value},
        {"kind": kind},
        {"kind": "limited_content"},
        {"kind": "credit_report"},
        {"kind": None},
        {"other": 1},
    ]


@pytest.mark.parametrize("kind", list(NoticeKind))
@pytest.mark.parametrize("role", list(Role))
def test_contact_record_is_the_vote_as_first_written(kind: NoticeKind, role: Role) -> None:
    rule = ContactRecordRule()
    account = sample_account(3)
    other = sample_person(9)
    if role is not Role.DEBTOR:
        account = account.model_copy(update={"parties": (Party(person=other, role=role),)})
    person = account.debtor if role is Role.DEBTOR else other
    notice = Notice(
        kind=kind, channel="x", account=account, recipient=Recipient(person=person, role=role)
    )
    for metadata in _metadata(kind):
        message = Message(
            idempotency_key="k",
            channel="x",
            medium=Medium.SMS,
            to="+8613800138000",
            locale="zh-CN",
            body="hi",
            metadata=metadata,
        )
        for msg in (message, None):
            ctx = RuleContext(notice, _NOW, MemoryLedger(), {}, to="+8613800138000", message=msg)
            got = rule.evaluate(ctx)
            assert repr(got) == repr(_reference_contact_record(rule, ctx))
            assert got == _reference_contact_record(rule, ctx)


# -- stated-inconvenience and ledger-opt-out -------------------------------------------
#
# ``stated-inconvenience`` finds that it abstains without its votes coroutine, and reads
# the statements up to now with a constant microsecond added; ``ledger-opt-out`` adds
# the same constant and builds its allow vote directly.


def _notice(role: Role) -> Notice:
    account = sample_account(4, profiles=("us-regf",), time_zone="America/New_York")
    other = sample_person(8)
    if role is not Role.DEBTOR:
        account = account.model_copy(update={"parties": (Party(person=other, role=role),)})
    person = account.debtor if role is Role.DEBTOR else other
    return Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="x",
        account=account,
        recipient=Recipient(person=person, role=role),
    )


def _ctx(notice: Notice, ledger: MemoryLedger, medium: Medium, now: datetime) -> RuleContext:
    by_name = {p.name: p for p in DEFAULT_PROFILES}
    return RuleContext(
        notice,
        now,
        ledger,
        {"us-regf": by_name["us-regf"]},
        to="+12125550100",
        channel_medium=medium.value,
    )


_MARKS = [(), ("before_9",), ("after_20", "weekends"), ("before_9", "after_20", "weekends")]


@pytest.mark.parametrize("role", [Role.DEBTOR, Role.GUARANTOR])
@pytest.mark.parametrize("medium", [Medium.SMS, Medium.EMAIL, Medium.VOICE, Medium.LETTER])
@pytest.mark.parametrize(
    "offset", [None, timedelta(0), timedelta(microseconds=1), -timedelta(days=2)]
)
def test_stated_inconvenience_evaluates_as_the_strictest_of_its_votes(
    role: Role, medium: Medium, offset: timedelta | None
) -> None:

    rule = StatedInconvenienceRule()
    for marks in _MARKS:
        for hour in (2, 12, 23):
            now = datetime(2026, 3, 4, hour, 30, tzinfo=UTC)
            notice = _notice(role)
            ledger = MemoryLedger()
            person = notice.recipient.person
            if offset is not None:
                at = now + offset
                drive(ledger.record_contact(pref.statement_scope(notice.account, person), at))
                for mark in marks:
                    scope = pref.time_scope(mark, notice.account, person)
                    drive(ledger.record_contact(scope, at))
            got = drive(rule.evaluate(_ctx(notice, ledger, medium, now)))
            votes = drive(rule.votes(_ctx(notice, ledger, medium, now)))
            assert repr(got) == repr(rule.strictest(votes))
            # a statement made at the very instant counts; one a microsecond later not
            stated = offset is not None and offset <= timedelta(0)
            voting = stated and role is Role.DEBTOR and medium is not Medium.LETTER
            assert (got is not None) == voting


@pytest.mark.parametrize("at_offset", [timedelta(0), timedelta(microseconds=1), -timedelta(days=1)])
@pytest.mark.parametrize("medium", ["sms", "*", "email"])
def test_ledger_opt_out_reads_up_to_now_and_allows_as_vote_allow(
    at_offset: timedelta, medium: str
) -> None:

    rule = LedgerOptOutRule()
    now = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    ledger = MemoryLedger()
    drive(ledger.record_contact(sc.optout_scope(medium, "+12125550100"), now + at_offset))
    got = drive(rule.evaluate(_ctx(_notice(Role.DEBTOR), ledger, Medium.SMS, now)))
    opted_out = medium in ("sms", "*") and at_offset <= timedelta(0)
    if opted_out:
        assert got is not None and got.verdict.name == "DENY"
    else:
        expected = Vote.allow(rule.name, "*", "no opt-out on record", numbers={"medium": "sms"})
        assert repr(got) == repr(expected)


# -- the carrier rules -----------------------------------------------------------------
#
# Their votes await nothing: ``SyncVoteRule`` runs them in evaluate's own coroutine;
# ``carrier-optout`` reads the notice's kind as contact-record does.


def _carrier_profile() -> Any:
    import dataclasses

    from notifysdk.policy import Profile

    cn = {p.name: p for p in DEFAULT_PROFILES}["cn"]
    params = dict(cn.params)
    params["carrier_optout"] = dataclasses.replace(
        params["carrier_optout"], kinds=frozenset({"overdue_notice", "final_demand"})
    )
    params["carrier_links"] = dataclasses.replace(
        params["carrier_links"], registered_domains=("example.cn",)
    )
    params["carrier_sign"] = dataclasses.replace(params["carrier_sign"], channels=frozenset({"x"}))
    return Profile("cn-marketing", params)


_CARRIER_TEXTS = [
    "【Example Bank】请访问 https://pay.example.cn/x 还款，退订回T",
    "【Example Bank】【另一个】逾期请还款 www.evil.xyz",
    "请尽快还款 example.cn 回复TD退订",
    "  【一】 hi 1,246.80",
]


def test_carrier_rules_evaluate_as_the_strictest_of_their_votes() -> None:
    from notifysdk.compliance.rules.base import ProfileRule
    from notifysdk.compliance.rules.carrier import carrier_rules

    profile = _carrier_profile()
    cn = {p.name: p for p in DEFAULT_PROFILES}["cn"]
    profile_sets = [{profile.name: profile}, {profile.name: profile, "cn": cn}]
    verdicts: set[str] = set()
    kinds_seen: set[str] = set()
    for kind in list(NoticeKind):
        notice = Notice(
            kind=kind,
            channel="x",
            account=sample_account(5),
            recipient=Recipient(person=sample_account(5).debtor, role=Role.DEBTOR),
        )
        for metadata in _metadata(kind):
            for text in _CARRIER_TEXTS:
                for traits, profiles in itertools.product(
                    ({}, {"carrier_route": "cn"}, {"sign_name": "Example Bank"}), profile_sets
                ):
                    message = Message(
                        idempotency_key="k",
                        channel="x",
                        medium=Medium.SMS,
                        to="+8613800138000",
                        locale="zh-CN",
                        body=text,
                        metadata=metadata,
                    )
                    ctx = RuleContext(
                        notice,
                        _NOW,
                        MemoryLedger(),
                        profiles,
                        to="+8613800138000",
                        message=message,
                        channel_traits=traits,
                    )
                    for rule in carrier_rules():
                        got = drive(rule.evaluate(ctx))
                        votes = drive(rule.votes(ctx))
                        assert repr(got) == repr(drive(ProfileRule.evaluate(rule, ctx)))
                        assert repr(got) == repr(rule.strictest(votes))
                        if got is not None:
                            verdicts.add(f"{rule.name} {got.verdict.name} {len(votes)}")
                        if rule.name == "carrier-optout":
                            expected = str(metadata.get("kind", kind.value))
                            for vote in votes:
                                assert vote.numbers["kind"] == expected
                                kinds_seen.add(expected)
    assert {"carrier-sign DENY 2", "carrier-links DENY 2", "carrier-links ALLOW 1"} <= verdicts
    assert {"carrier-optout ALLOW 1", "carrier-sign ALLOW 2"} <= verdicts
    assert {"overdue_notice", "final_demand"} <= kinds_seen


# -- account-state ---------------------------------------------------------------------
#
# A profile's state specs are not looked at when the account has no state, on record or
# in the snapshot: every one of them needs its state.


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("names", [("cn",), ("us-regf",), ("uk-conc",), ("cn", "us-regf")])
def test_account_state_stops_exactly_where_a_spec_names_a_state_held(
    role: Role, names: tuple[str, ...]
) -> None:
    from notifysdk.compliance.rules import AccountStateRule
    from notifysdk.models import AccountState

    by_name = {p.name: p for p in DEFAULT_PROFILES}
    rule = AccountStateRule()
    for held in [frozenset(), *(frozenset({s}) for s in AccountState)]:
        account = sample_account(6, profiles=names).model_copy(update={"states": held})
        other = sample_person(7)
        if role is not Role.DEBTOR:
            account = account.model_copy(update={"parties": (Party(person=other, role=role),)})
        person = account.debtor if role is Role.DEBTOR else other
        notice = Notice(
            kind=NoticeKind.OVERDUE_NOTICE,
            channel="x",
            account=account,
            recipient=Recipient(person=person, role=role),
        )
        ctx = RuleContext(notice, _NOW, MemoryLedger(), {n: by_name[n] for n in names})
        votes = drive(rule.votes(ctx))
        assert repr(drive(rule.evaluate(ctx))) == repr(rule.strictest(votes))
        for name in names:
            stops = [
                spec
                for spec in by_name[name].params.get("states", ())
                if spec.state in {s.value for s in held}
                and role.value in spec.roles
                and (spec.kinds is None or "overdue_notice" in spec.kinds)
            ]
            mine = [v for v in votes if v.profile == name]
            if not by_name[name].params.get("states"):
                assert mine == []
            elif stops:
                assert mine and all(v.verdict.name == "DENY" for v in mine)
            else:
                assert [v.verdict.name for v in mine] == ["ALLOW"]
