"""A profile without overrides is in force as itself: ``in_force`` and the
``profile-overrides`` audit skip resolving it (``resolve`` would return the profile
unchanged and nothing applied), and the frequency cap reads the line type only for a
cap that depends on it. Each is held to the plain definition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance.overrides import resolve
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules import FrequencyCapRule, ProfileOverridesRule
from notifysdk.compliance.rules.base import in_force, line_type
from notifysdk.compliance.rules.frequency import cap_scope
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Notice, NoticeKind, Recipient, Role
from notifysdk.policy import RuleContext, Vote
from notifysdk.testing import sample_account

from .conftest import drive

_BY_NAME = {p.name: p for p in DEFAULT_PROFILES}
_OVERRIDES: dict[str, list[Any]] = {
    "cn": [None, {}, {"reachability.failed_attempts": 5, "reachability.window_days": 14}],
    "us-regf": [None, {}, {"window": {"start": "09:00"}, "caps.regf-calls-7-in-7.limit": 5}],
    "us-wa": [None, {}, {"window": {"start": "08:30"}}],
    "us-ma": [None, {}],
    "uk-conc": [None, {}],
}
_NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@st.composite
def _contexts(draw: st.DrawFn) -> RuleContext:
    names = draw(st.lists(st.sampled_from(sorted(_BY_NAME)), min_size=1, max_size=3, unique=True))
    overrides = {}
    for name in names:
        chosen = draw(st.sampled_from(_OVERRIDES[name]))
        if chosen is not None:
            overrides[name] = chosen
    line = draw(st.sampled_from(["mobile", "landline", "work", "unknown"]))
    medium = draw(st.sampled_from(["sms", "voice", "email", "call_script"]))
    account = sample_account(1, profiles=tuple(names), phone="+12125550100")
    phone = account.debtor.contacts[0].model_copy(update={"line_type": line})
    debtor = account.debtor.model_copy(update={"contacts": (phone, *account.debtor.contacts[1:])})
    account = account.model_copy(update={"debtor": debtor})
    notice = Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="x",
        account=account,
        recipient=Recipient(person=debtor, role=Role.DEBTOR),
    )
    return RuleContext(
        notice,
        _NOW,
        MemoryLedger(),
        {n: _BY_NAME[n] for n in names},
        to="+12125550100" if medium != "email" else "borrower@example.com",
        channel_medium=medium,
        overrides=overrides,
    )


@settings(max_examples=150, deadline=None)
@given(ctx=_contexts())
def test_in_force_is_every_profile_resolved(ctx: RuleContext) -> None:
    want = [resolve(p, ctx.overrides.get(n)).profile for n, p in ctx.profiles.items()]
    got = in_force(ctx)
    assert got == want
    for name, profile in zip(ctx.profiles, got, strict=True):
        if not ctx.overrides.get(name):
            assert profile is ctx.profiles[name]


@settings(max_examples=150, deadline=None)
@given(ctx=_contexts())
def test_the_audit_votes_for_every_profile_with_overrides_applied(ctx: RuleContext) -> None:
    votes: list[Vote] = drive(ProfileOverridesRule().votes(ctx))
    applied = {
        n: resolve(p, ctx.overrides.get(n)).applied
        for n, p in ctx.profiles.items()
        if resolve(p, ctx.overrides.get(n)).applied
    }
    assert [v.profile for v in votes] == list(applied)
    for vote in votes:
        assert vote.numbers == {"overrides": [a.as_dict() for a in applied[vote.profile]]}


@settings(max_examples=150, deadline=None)
@given(ctx=_contexts())
def test_the_caps_voting_are_those_the_plain_definition_applies(ctx: RuleContext) -> None:
    medium, line = ctx.channel_medium, line_type(ctx)
    notice = ctx.notice
    want = [
        (profile.name, spec.id)
        for profile in in_force(ctx)
        for spec in profile.params.get("caps", ())
        if medium in spec.reserve_media | spec.check_media
        and notice.recipient.role.value in spec.roles
        and (spec.line == "any" or (line == "work") == (spec.line == "work"))
        and cap_scope(spec.counter, spec.per, notice.account, notice.recipient.person, ctx.to)
    ]
    fresh = RuleContext(
        notice,
        ctx.now,
        ctx.ledger,
        ctx.profiles,
        to=ctx.to,
        channel_medium=ctx.channel_medium,
        overrides=ctx.overrides,
    )  # no line type kept yet: the rule reads it itself when a cap needs it
    votes: list[Vote] = drive(FrequencyCapRule().votes(fresh))
    assert [(v.profile, v.numbers["cap"]) for v in votes] == want
