"""Issue 17 QA: the credit-report step needs the pre-notice told to the borrower.

征信业管理条例 Art. 15 wants the information subject told beforehand (COMPLIANCE.md:
"the borrower must be told before adverse information is reported"), and 12 CFR
1006.30(a)(1) a communication with the consumer. A pre-notice delivered only to a
guarantor or an emergency contact tells someone else: it must not open the report
step.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifysdk.builtin.credit_bureau import CHANNEL_NAME
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import Account, EmailContact, NoticeKind, OutcomeStatus, Party, Person, Role

from .conftest import cn_account, notice_for, utc

SH_NOON = utc("2026-01-05T12:00:00+08:00")
RULE = "credit-report-prenotice"


def _with_guarantor(role: Role) -> tuple[Account, Person]:
    """The cn account with a party in ``role`` reachable by email."""
    person = Person(
        person_id="G-1",
        name="李娜",
        locale="zh-CN",
        contacts=(EmailContact(value="guarantor@example.com"),),
    )
    account = cn_account()
    return account.model_copy(update={"parties": (Party(person=person, role=role),)}), person


@pytest.mark.parametrize("role", [Role.GUARANTOR])
async def test_a_prenotice_to_someone_else_does_not_open_the_report_step(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, role: Role
) -> None:
    fake_clock.set(SH_NOON)
    d = build()
    account, person = _with_guarantor(role)
    pre = notice_for(
        account, "email", kind=NoticeKind.CREDIT_REPORT_PRENOTICE, role=role, person=person
    )
    sent = await d.send(pre)
    assert sent.status is OutcomeStatus.DELIVERED, sent.reason
    fake_clock.advance(minutes=1)
    out = await d.send(notice_for(account, CHANNEL_NAME, kind=NoticeKind.CREDIT_REPORT))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, RULE), out.reason


async def test_the_prenotice_to_the_borrower_opens_it(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(SH_NOON)
    d = build()
    account, _ = _with_guarantor(Role.GUARANTOR)
    pre = notice_for(account, "email", kind=NoticeKind.CREDIT_REPORT_PRENOTICE)
    assert (await d.send(pre)).status is OutcomeStatus.DELIVERED
    fake_clock.advance(minutes=1)
    out = await d.send(notice_for(account, CHANNEL_NAME, kind=NoticeKind.CREDIT_REPORT))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
