"""cn emergency contacts: whether the debtor can be reached comes from the record (failed
attempts, invalid numbers, a recent conversation, account events), end to end through
the dispatcher on the SQLite and PostgreSQL ledgers (``notifysdk_ledger_url``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from notifysdk.account_events import AccountEvent, AccountEventKind, record_account_event
from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.profiles import CN
from notifysdk.compliance.reachability import reachability
from notifysdk.compliance.scopes import CallOutcome, record_call
from notifysdk.compliance.specs import ReachabilitySpec
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, AccountState, Outcome, PhoneContact, Role

from .conftest import cn_account, notice_for, utc, with_party

SH_NOON = utc("2026-01-05T12:00:00+08:00")
DEBTOR_PHONE = "+8613800138000"
SECOND_PHONE = "+8613700137000"
SPEC = CN.params["reachability"]
assert isinstance(SPEC, ReachabilitySpec)
NEEDED = SPEC.failed_attempts


@pytest.fixture(autouse=True)
def _noon(fake_clock: FakeClock) -> None:
    fake_clock.set(SH_NOON)


async def _calls(
    d: Dispatcher,
    account: Account,
    outcomes: list[CallOutcome | str],
    *,
    start: datetime,
    number: str = DEBTOR_PHONE,
) -> None:
    """Record calls to the debtor, one an hour from ``start``."""
    for i, outcome in enumerate(outcomes):
        await record_call(
            d.ledger, account, account.debtor, number, outcome, start + timedelta(hours=i)
        )


class Sent:
    """A notice sent to the emergency contact: its outcome, and the cn recipient-guard
    vote's numbers as ``explain`` showed them just before the send."""

    def __init__(self, outcome: Outcome, numbers: dict[str, Any]) -> None:
        self.outcome = outcome
        self.numbers = numbers
        self.record: dict[str, Any] = numbers["reachability"]


async def _to_emergency_contact(d: Dispatcher, account: Account, **data: object) -> Sent:
    acc, person = with_party(account, Role.EMERGENCY_CONTACT)
    notice = notice_for(acc, "sms", role=Role.EMERGENCY_CONTACT, person=person, data=dict(data))
    shown = await explain(d, notice, d.clock.now())
    row = next(r for r in shown.rows if r.rule == "recipient-guard" and r.profile == "cn")
    return Sent(await d.send(notice), dict(row.numbers))


def _limited(d: Dispatcher, sent: Sent) -> None:
    out = sent.outcome
    assert out.status.value == "delivered", out.reason
    sent = d.channel("sms").sent[-1]
    assert sent.metadata["template"] == "limited_content/sms.zh-CN.txt.j2"
    assert "1,234" not in sent.body and "逾期" not in sent.body


@pytest.mark.parametrize(("failures", "allowed"), [(NEEDED - 1, False), (NEEDED, True)])
async def test_failed_attempts_at_n_minus_one_and_n(
    build: Callable[..., Dispatcher], failures: int, allowed: bool
) -> None:
    d = build()
    account = cn_account()
    outcomes: list[CallOutcome | str] = [CallOutcome.NO_ANSWER, CallOutcome.BUSY, "voicemail"]
    await _calls(d, account, outcomes[:failures], start=SH_NOON - timedelta(hours=5))
    sent = await _to_emergency_contact(d, account)
    out = sent.outcome
    if allowed:
        _limited(d, sent)
    else:
        assert (out.status.value, out.rule, out.profile) == ("blocked", "recipient-guard", "cn")
        assert f"{failures} of {NEEDED} consecutive failed attempts" in (out.reason or "")
    record = sent.record
    assert record["consecutive_failures"] == failures
    assert record["failed_attempts_needed"] == NEEDED
    assert record["unreachable"] is allowed


async def test_a_conversation_after_failures_resets_the_run(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = cn_account()
    talked = SH_NOON - timedelta(days=SPEC.connected_within_days + 1)
    await _calls(d, account, ["no_answer"] * NEEDED, start=talked - timedelta(days=1))
    await _calls(d, account, [CallOutcome.CONNECTED], start=talked)
    await _calls(d, account, ["no_answer"] * (NEEDED - 1), start=talked + timedelta(hours=1))
    sent = await _to_emergency_contact(d, account)
    assert (sent.outcome.status.value, sent.outcome.rule) == ("blocked", "recipient-guard")
    record = sent.record
    assert record["consecutive_failures"] == NEEDED - 1
    assert datetime.fromisoformat(record["last_connected"]) == talked
    # one more failure after the conversation completes a run
    await _calls(d, account, ["network_error"], start=SH_NOON - timedelta(hours=1))
    _limited(d, await _to_emergency_contact(d, account, attempt=2))


@pytest.mark.parametrize(("days_ago", "allowed"), [(1, False), (SPEC.connected_within_days, True)])
async def test_the_debtor_answered_recently(
    build: Callable[..., Dispatcher], days_ago: int, allowed: bool
) -> None:
    d = build()
    account = cn_account()
    talked = SH_NOON - timedelta(days=days_ago)
    await _calls(d, account, [CallOutcome.REFUSED], start=talked)  # a refusal is a conversation
    await _calls(d, account, ["no_answer"] * NEEDED, start=SH_NOON - timedelta(hours=4))
    sent = await _to_emergency_contact(d, account)
    record = sent.record
    assert record["consecutive_failures"] == NEEDED
    if allowed:
        _limited(d, sent)
        assert record["because"] == "consecutive_failures"
    else:
        assert sent.outcome.status.value == "blocked"
        assert record["because"] == "connected_recently"


async def test_failures_older_than_the_window_say_nothing(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = cn_account()
    await _calls(
        d, account, ["no_answer"] * NEEDED, start=SH_NOON - timedelta(days=SPEC.window_days + 1)
    )
    sent = await _to_emergency_contact(d, account)
    assert sent.outcome.status.value == "blocked"
    assert sent.record["consecutive_failures"] == 0


def _two_phones(account: Account) -> Account:
    debtor = account.debtor.model_copy(
        update={"contacts": (*account.debtor.contacts, PhoneContact(value=SECOND_PHONE))}
    )
    return account.model_copy(update={"debtor": debtor})


async def test_an_invalid_number_result_on_every_number(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = _two_phones(cn_account())
    earlier = SH_NOON - timedelta(hours=3)
    await _calls(d, account, [CallOutcome.INVALID_NUMBER], start=earlier)
    one = await _to_emergency_contact(d, account)
    assert one.outcome.status.value == "blocked"
    assert (one.record["invalid_numbers"], one.record["phone_numbers"]) == (1, 2)
    # the second number, reported invalid by the lender's platform (an account event)
    event = AccountEvent(
        AccountEventKind.NUMBER_INVALID, earlier + timedelta(hours=1), contact=SECOND_PHONE
    )
    await record_account_event(d.ledger, account, event, now=earlier + timedelta(hours=1))
    both = await _to_emergency_contact(d, account, attempt=2)
    _limited(d, both)
    record = both.record
    assert record["because"] == "all_numbers_invalid"
    assert record["invalid_from"] == {"call_outcomes": 1, "account_events": 1}
    assert record["events"] == {"deceased": 0, "number_invalid": 1}
    # a connected call on the second number afterwards: it works again
    await _calls(d, account, ["connected"], start=earlier + timedelta(hours=2), number=SECOND_PHONE)
    again = await _to_emergency_contact(d, account, attempt=3)
    assert again.outcome.status.value == "blocked"
    assert again.record["invalid_numbers"] == 1


async def test_the_flag_no_longer_decides(build: Callable[..., Dispatcher]) -> None:
    d = build()
    sent = await _to_emergency_contact(d, cn_account(), debtor_unreachable=True)
    assert (sent.outcome.status.value, sent.outcome.rule) == ("blocked", "recipient-guard")
    assert "debtor_unreachable" in str(sent.numbers["ignored"])


@pytest.mark.parametrize(
    ("account_update", "data"),
    [
        ({"states": frozenset({AccountState.DECEASED})}, {}),
        ({}, {"debtor_incapacitated": True}),
    ],
)
async def test_deceased_or_incapacitated_still_count(
    build: Callable[..., Dispatcher], account_update: dict[str, object], data: dict[str, object]
) -> None:
    d = build()
    account = cn_account().model_copy(update=account_update)
    _limited(d, await _to_emergency_contact(d, account, **data))


async def test_an_emergency_contact_who_refused_is_not_contacted_again(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = cn_account()
    await _calls(d, account, ["no_answer"] * NEEDED, start=SH_NOON - timedelta(hours=5))
    acc, person = with_party(account, Role.EMERGENCY_CONTACT)
    await record_call(
        d.ledger,
        acc,
        person,
        "+8613900139000",
        CallOutcome.REFUSED,
        SH_NOON - timedelta(hours=1),
        role="emergency_contact",
    )
    out = await d.send(notice_for(acc, "sms", role=Role.EMERGENCY_CONTACT, person=person))
    assert (out.status.value, out.rule) == ("blocked", "recipient-guard")
    assert "refused" in (out.reason or "")


async def test_calls_to_an_emergency_contact_are_not_attempts_to_reach_the_debtor() -> None:
    ledger = MemoryLedger()
    account, person = with_party(cn_account(), Role.EMERGENCY_CONTACT)
    for i in range(NEEDED):
        await record_call(
            ledger,
            account,
            person,
            "+8613900139000",
            "no_answer",
            SH_NOON - timedelta(hours=i + 1),
            role="emergency_contact",
        )
    found = await reachability(ledger, account, SH_NOON, SPEC)
    assert (found.unreachable, found.consecutive_failures) == (False, 0)


async def test_a_ledger_that_cannot_order_the_record_leaves_the_debtor_reachable() -> None:
    class CountOnly:
        """A ledger with counts but no ``last_contact`` (a third-party ledger)."""

        def __init__(self) -> None:
            self.inner = MemoryLedger()

        async def count(self, scope: str, start: datetime, end: datetime) -> int:
            return await self.inner.count(scope, start, end)

    ledger = CountOnly()
    account = cn_account()
    found = await reachability(ledger, account, SH_NOON, SPEC)  # type: ignore[arg-type]
    assert (found.unreachable, found.history, found.because) == (False, False, "reachable")
