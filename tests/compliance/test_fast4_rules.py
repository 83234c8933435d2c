"""Rules that build their vote directly, held to the vote as first written.

``contact-record`` reads the notice's kind without the enum property and builds its
reservations and its allow vote directly (what ``Vote.allow`` and the generator over
the scopes made)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifysdk.compliance import scopes as sc
from notifysdk.compliance.rules import ContactRecordRule
from notifysdk.compliance.rules.base import RECORD_ONLY_LIMIT
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message, Notice, NoticeKind, Party, Recipient, Role
from notifysdk.policy import Reservation, RuleContext, Vote
from notifysdk.testing import sample_account, sample_person

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
