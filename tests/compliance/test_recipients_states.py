"""Recipient guard, account states, opt-outs on record, the credit-report pre-notice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.scopes import record_optout
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import AccountState, NoticeKind, OutcomeStatus, Role

from .conftest import cn_account, notice_for, us_account, utc, with_party

SH_NOON = utc("2026-01-05T12:00:00+08:00")
NY_NOON = utc("2026-01-05T12:00:00-05:00")


@pytest.fixture(autouse=True)
def _noon(fake_clock: FakeClock) -> None:
    fake_clock.set(SH_NOON)


@pytest.mark.parametrize(
    ("data", "status", "template"),
    [
        ({}, "blocked", None),
        # a flag alone no longer makes the debtor unreachable (the record decides:
        # tests/compliance/test_reachability.py); incapacity stays the caller's word
        ({"debtor_unreachable": True}, "blocked", None),
        ({"debtor_incapacitated": True}, "delivered", "limited_content/sms.zh-CN.txt.j2"),
    ],
)
async def test_cn_emergency_contact_only_when_unreachable_and_never_told(
    build: Callable[..., Dispatcher],
    data: dict,
    status: str,
    template: str | None,
) -> None:
    account, person = with_party(cn_account(), Role.EMERGENCY_CONTACT)
    d = build()
    out = await d.send(
        notice_for(account, "sms", role=Role.EMERGENCY_CONTACT, person=person, data=data)
    )
    assert out.status.value == status, out.reason
    if template:
        sent = d.channel("sms").sent[-1]
        assert sent.metadata["template"] == template
        assert "1,234" not in sent.body and "逾期" not in sent.body
    else:
        assert (out.rule, out.profile) == ("recipient-guard", "cn")


async def test_cn_third_party_blocked(build: Callable[..., Dispatcher]) -> None:
    account, person = with_party(cn_account(), Role.THIRD_PARTY)
    out = await build().send(notice_for(account, "sms", role=Role.THIRD_PARTY, person=person))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "recipient-guard")


async def test_us_location_call_once_per_person(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(NY_NOON)
    account, person = with_party(us_account(), Role.THIRD_PARTY, phone="+12125550199", locale="en")
    d = build()
    n1 = notice_for(
        account,
        "voice",
        kind=NoticeKind.LOCATION_CALL,
        role=Role.THIRD_PARTY,
        person=person,
        data={"i": 1},
    )
    n2 = notice_for(
        account,
        "voice",
        kind=NoticeKind.LOCATION_CALL,
        role=Role.THIRD_PARTY,
        person=person,
        data={"i": 2},
    )
    sms = notice_for(account, "sms", role=Role.THIRD_PARTY, person=person)
    results = [await d.send(n) for n in (n1, n2, sms)]
    assert [r.status.value for r in results] == ["delivered", "blocked", "blocked"], [
        r.reason for r in results
    ]


async def test_us_voicemail_on_work_line_is_limited_content(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(NY_NOON)
    d = build()
    out = await d.send(notice_for(us_account(line_type="work"), "voice"))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert d.channel("voice").sent[-1].metadata["kind"] == "limited_content"


async def test_uk_third_party_gets_limited_content(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(utc("2026-01-05T12:00:00+00:00"))
    base = us_account(profiles=("uk-conc",), phone="+447911123456", time_zone="Europe/London")
    account, person = with_party(base, Role.THIRD_PARTY, phone="+447911123457", locale="en")
    d = build()
    out = await d.send(notice_for(account, "sms", role=Role.THIRD_PARTY, person=person))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert d.channel("sms").sent[-1].metadata["kind"] == "limited_content"


STATE_CASES = [
    # (profiles, state, kind, role, data, expected status)
    (("us-regf",), AccountState.CEASE, NoticeKind.OVERDUE_NOTICE, Role.DEBTOR, {}, "blocked"),
    (
        ("us-regf",),
        AccountState.CEASE,
        NoticeKind.OVERDUE_NOTICE,
        Role.DEBTOR,
        {"cease_exception": "termination"},
        "delivered",
    ),
    (("us-regf",), AccountState.ATTORNEY, NoticeKind.OVERDUE_NOTICE, Role.DEBTOR, {}, "blocked"),
    (("us-regf",), AccountState.DISPUTE, NoticeKind.OVERDUE_NOTICE, Role.DEBTOR, {}, "blocked"),
    (
        ("us-regf",),
        AccountState.BANKRUPTCY,
        NoticeKind.PRE_DUE_REMINDER,
        Role.DEBTOR,
        {},
        "blocked",
    ),
    (("us-regf",), AccountState.TIME_BARRED, NoticeKind.FINAL_DEMAND, Role.DEBTOR, {}, "blocked"),
    (
        ("us-regf",),
        AccountState.TIME_BARRED,
        NoticeKind.OVERDUE_NOTICE,
        Role.DEBTOR,
        {},
        "delivered",
    ),
    (("us-regf",), AccountState.DECEASED, NoticeKind.OVERDUE_NOTICE, Role.DEBTOR, {}, "blocked"),
]


@pytest.mark.parametrize(("profiles", "state", "kind", "role", "data", "status"), STATE_CASES)
async def test_states_that_stop_contact(
    build: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    profiles,
    state,
    kind,
    role,
    data,
    status,
) -> None:
    fake_clock.set(NY_NOON)
    account = us_account(profiles=profiles).model_copy(update={"states": frozenset({state})})
    out = await build().send(notice_for(account, "sms", kind=kind, role=role, data=data))
    assert out.status.value == status, out.reason
    if status == "blocked":
        assert (out.rule, out.profile) == ("account-state", "us-regf")


async def test_attorney_state_allows_the_attorney(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(NY_NOON)
    base = us_account().model_copy(update={"states": frozenset({AccountState.ATTORNEY})})
    account, lawyer = with_party(base, Role.ATTORNEY, phone="+12125550177", locale="en")
    out = await build().send(notice_for(account, "sms", role=Role.ATTORNEY, person=lawyer))
    assert out.status is OutcomeStatus.DELIVERED, out.reason


async def test_opt_out_on_record_blocks_that_medium_only(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(SH_NOON)
    d = build()
    account = cn_account()
    await record_optout(d.ledger, "+8613800138000", SH_NOON, media=("sms",))
    sms = await d.send(notice_for(account, "sms"))
    voice = await d.send(notice_for(account, "voice"))
    assert (sms.status, sms.rule) == (OutcomeStatus.BLOCKED, "ledger-opt-out")
    assert voice.status is OutcomeStatus.DELIVERED, voice.reason


async def test_credit_report_step_needs_prenotice_on_record(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    d = build()
    account = cn_account()
    step = notice_for(account, "sms", stage="credit_report")
    before = await d.send(step)
    assert (before.status, before.rule) == (OutcomeStatus.BLOCKED, "credit-report-prenotice")
    pre = await d.send(notice_for(account, "email", kind=NoticeKind.CREDIT_REPORT_PRENOTICE))
    assert pre.status is OutcomeStatus.DELIVERED, pre.reason
    fake_clock.advance(hours=1)
    after = await d.send(notice_for(account, "sms", stage="credit_report", data={"retry": 1}))
    assert after.status is OutcomeStatus.DELIVERED, after.reason
