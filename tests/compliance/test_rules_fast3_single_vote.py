"""``contact-window``, ``content-lint``, ``account-state`` and ``recipient-guard``
build the vote ``evaluate`` returns for one profile's allow directly, instead of a
per-profile vote that ``strictest`` rebuilds. Held to ``strictest(votes)`` (the general definition)
over profiles alone and together, inside and outside the windows, with and without
findings, states and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.account_events import AccountEvent, AccountEventKind
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules import (
    AccountStateRule,
    ContactWindowRule,
    ContentLintRule,
    RecipientGuardRule,
)
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import AccountState, Medium, Message, Notice, NoticeKind, Recipient, Role
from notifysdk.policy import RuleContext
from notifysdk.testing import sample_account

from .conftest import drive

_BY_NAME = {p.name: p for p in DEFAULT_PROFILES}
_T0 = datetime(2026, 1, 1, tzinfo=UTC)
_EVENTS = [
    AccountEventKind.PAID,
    AccountEventKind.PROMISE_TO_PAY,
    AccountEventKind.DISPUTE,
    AccountEventKind.CEASE,
]
_TEXTS = [
    "【Example Bank】张**您好，您的借款已逾期10天，应还¥1,246.80。请尽快还款。回复TD退订",
    "We will sue you and take you to court. Reply STOP to opt out.",
    "【某银行】再不还款就起诉你，通知你的单位领导",
    "Your payment is overdue. Please call us. Reply STOP to opt out.",
    "",
]


@st.composite
def _contexts(draw: st.DrawFn) -> RuleContext:
    names = draw(st.lists(st.sampled_from(sorted(_BY_NAME)), min_size=1, max_size=3, unique=True))
    medium = draw(st.sampled_from([Medium.SMS, Medium.EMAIL, Medium.VOICE, Medium.CALL_SCRIPT]))
    phone = draw(st.sampled_from(["+8613912345678", "+12125550100", "+447911123456"]))
    zone = draw(st.sampled_from([None, "Asia/Shanghai", "America/New_York", "Europe/London"]))
    account = sample_account(1, profiles=tuple(names), phone=phone, time_zone=zone)
    states = draw(
        st.sampled_from(
            [(), (AccountState.TIME_BARRED,), (AccountState.DISPUTE,), (AccountState.CEASE,)]
        )
    )
    account = account.model_copy(update={"states": frozenset(states)})
    notice = Notice(
        kind=draw(st.sampled_from([NoticeKind.OVERDUE_NOTICE, NoticeKind.LOCATION_CALL])),
        channel="x",
        account=account,
        recipient=Recipient(person=account.debtor, role=draw(st.sampled_from(list(Role)))),
    )
    now = _T0 + timedelta(
        seconds=draw(st.integers(0, 365 * 86400)), microseconds=draw(st.integers(0, 999_999))
    )
    to = phone if medium is not Medium.EMAIL else "borrower@example.com"
    message = Message(
        idempotency_key="k",
        channel="x",
        medium=medium,
        to=to,
        locale="zh-CN",
        body=draw(st.sampled_from(_TEXTS)) or "ok",
        subject=draw(st.sampled_from([None, "Overdue", "法院传票"])),
        metadata={"kind": "overdue_notice"},
    )
    ledger = MemoryLedger()
    for kind in draw(st.lists(st.sampled_from(_EVENTS), max_size=2)):
        at = now - timedelta(days=draw(st.integers(0, 20)))
        until = at + timedelta(days=5) if kind is AccountEventKind.PROMISE_TO_PAY else None
        drive(
            ledger.record_event(
                account.account_id, AccountEvent(kind, at, until), detail={}, now=now
            )
        )
    return RuleContext(
        notice,
        now,
        ledger,
        {n: _BY_NAME[n] for n in names},
        to=to,
        message=message,
        channel_medium=medium.value,
    )


@settings(max_examples=300, deadline=None)
@given(ctx=_contexts())
def test_evaluate_is_the_strictest_of_the_votes(ctx: RuleContext) -> None:
    rules = (ContactWindowRule(), ContentLintRule(), AccountStateRule(), RecipientGuardRule())
    for rule in rules:
        votes = drive(rule.votes(ctx))
        assert drive(rule.evaluate(ctx)) == rule.strictest(votes), rule.name
