"""The memory ledger's ``count`` and ``last_contact`` answer a scope never contacted (or
emptied by a released claim) at once (issue 13): the same answers as the written-out
definitions over every contact the ledger holds; and the opted-out-destination rule,
which now asks ``opted_out`` before a contact's value, still denies exactly the
opted-out destination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.builtin.shared_rules import OptedOutDestination
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import (
    Notice,
    Outcome,
    OutcomeStatus,
    PhoneContact,
    PostalAddress,
    Recipient,
    Role,
)
from notifysdk.policy import RuleContext, Verdict
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice, sample_person

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
_SCOPES = ("a", "b", "c")


def _count(contacts: list[tuple[str, datetime]], scope: str, start: datetime, end: datetime) -> int:
    return sum(1 for s, at in contacts if s == scope and start <= at < end)


def _last(contacts: list[tuple[str, datetime]], scope: str, before: datetime) -> datetime | None:
    return max((at for s, at in contacts if s == scope and at < before), default=None)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_SCOPES), st.integers(0, 20)), max_size=8),
    st.lists(st.sampled_from(_SCOPES), max_size=3),
    st.sampled_from((*_SCOPES, "never")),
    st.integers(-2, 22),
    st.integers(-2, 22),
)
async def test_count_and_last_contact_match_their_definitions(
    recorded: list[tuple[str, int]],
    released: list[str],
    scope: str,
    lo: int,
    hi: int,
) -> None:
    ledger = MemoryLedger()
    contacts: list[tuple[str, datetime]] = []
    for s, minute in recorded:
        at = T0 + timedelta(minutes=minute)
        await ledger.record_contact(s, at)
        contacts.append((s, at))
    # a claim whose reservations are given back (a capped notice): its scope's list
    # is left empty in the ledger
    for i, s in enumerate(released):
        notice = sample_notice(i, idempotency_key=f"rel{i}")
        day = timedelta(days=1)
        res = Reservation("cap", "cn", f"rel-{s}", 9, T0 - day, T0 + day)
        claim = await ledger.claim(notice, owner="w", now=T0, lease_seconds=1, reservations=(res,))
        blocked = Outcome(
            idempotency_key=notice.idempotency_key,
            status=OutcomeStatus.BLOCKED,
            channel=notice.channel,
            at=T0,
        )
        await ledger.finish(notice, blocked, fence=claim.fence)
        assert await ledger.count(f"rel-{s}", T0 - timedelta(days=1), T0 + timedelta(days=1)) == 0
        assert await ledger.last_contact(f"rel-{s}", T0 + timedelta(days=1)) is None
    start, end = T0 + timedelta(minutes=lo), T0 + timedelta(minutes=hi)
    assert await ledger.count(scope, start, end) == _count(contacts, scope, start, end)
    assert await ledger.last_contact(scope, end) == _last(contacts, scope, end)


def _ctx(notice: Notice, to: str | None) -> RuleContext:
    return RuleContext(notice, T0, MemoryLedger(), {}, to=to)


def test_opted_out_destination_denies_only_the_opted_out_destination() -> None:
    rule = OptedOutDestination()
    person = sample_person(1)
    phone = PhoneContact(value="+8613900000001")
    out = PhoneContact(value="+8613900000002", opted_out=True)
    address = PostalAddress(lines=("1 Sample Road",), city="Shanghai", country="CN", opted_out=True)
    person = person.model_copy(update={"contacts": (phone, address, out)})
    base = sample_notice(1)
    notice = base.model_copy(update={"recipient": Recipient(person=person, role=Role.DEBTOR)})
    assert rule.evaluate(_ctx(notice, None)) is None
    assert rule.evaluate(_ctx(notice, phone.value)) is None
    vote = rule.evaluate(_ctx(notice, out.value))
    assert vote is not None and vote.verdict is Verdict.DENY
    vote = rule.evaluate(_ctx(notice, address.value))
    assert vote is not None and vote.verdict is Verdict.DENY
    assert rule.evaluate(_ctx(notice, "+8613900000003")) is None
