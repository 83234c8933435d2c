"""The privacy stage through the real dispatcher (mock channels, a profile with no rules)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Medium, Notice, NoticeKind, OutcomeStatus, Party, Recipient, Role
from notifysdk.testing import (
    NO_RULES_PROFILE,
    MockChannel,
    NoRulesProfile,
    sample_account,
    sample_person,
)

HOTLINE = "400-820-8820"


@pytest.fixture(autouse=True)
def _no_rules_profile(register_plugin: Callable[..., str]) -> None:
    # Only the privacy stage stands between these notices and the channel.
    register_plugin(NoRulesProfile(), NO_RULES_PROFILE)


def _account_with_contact() -> tuple[Notice, Notice]:
    contact = sample_person(9, phone="+8613900139000")
    account = sample_account(1, profiles=(NO_RULES_PROFILE,)).model_copy(
        update={"parties": (Party(person=contact, role=Role.EMERGENCY_CONTACT),)}
    )
    to_contact = Recipient(person=contact, role=Role.EMERGENCY_CONTACT)
    overdue = Notice(
        kind=NoticeKind.OVERDUE_NOTICE, channel="mock", account=account, recipient=to_contact
    )
    limited = Notice(
        kind=NoticeKind.LIMITED_CONTENT, channel="mock", account=account, recipient=to_contact
    )
    return overdue, limited


async def test_emergency_contact_template_with_amount_is_blocked_for_privacy(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    overdue, _ = _account_with_contact()
    ch = MockChannel()
    d = dispatcher(ch)
    outcome = await d.send(overdue)
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "privacy"
    assert "amount" in (outcome.reason or "")
    assert "1,246.80" not in (outcome.reason or "")
    assert ch.calls == []
    entries = await d.ledger.audit_entries()  # type: ignore[attr-defined]
    assert entries[-1].detail["rule"] == "privacy"


async def test_emergency_contact_may_get_a_limited_content_call_back_request(
    dispatcher: Callable[..., Dispatcher], tmp_path: object
) -> None:
    _, limited = _account_with_contact()
    ch = MockChannel()
    d = dispatcher(ch, settings=Settings(output_dir=str(tmp_path), institution_contact=HOTLINE))
    outcome = await d.send(limited)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert HOTLINE in ch.sent[0].body  # the institution's own number is not personal data
    assert ch.sent[0].metadata["disclosure"] == "none"


async def test_debtor_sms_carries_surname_and_amount_email_carries_everything(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    account = sample_account(2, profiles=(NO_RULES_PROFILE,))
    to_debtor = Recipient(person=account.debtor, role=Role.DEBTOR)
    sms, email = (
        MockChannel(name="sms"),
        MockChannel(name="mail", medium=Medium.EMAIL, contact_kind="email"),
    )
    from notifysdk.channels import Disclosure

    email.disclosure = Disclosure.FULL  # type: ignore[misc]
    d = dispatcher(sms, email)
    for ch in ("sms", "mail"):
        notice = Notice(
            kind=NoticeKind.OVERDUE_NOTICE, channel=ch, account=account, recipient=to_debtor
        )
        assert (await d.send(notice)).ok
    body = sms.sent[0].body
    assert "张**" in body and "张伟" not in body and "¥1,246.80" in body
    assert "张伟" in email.sent[0].body and account.loan_id in email.sent[0].body
