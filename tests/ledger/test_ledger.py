"""The durable ledgers' contract, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from notifysdk.clock import FakeClock
from notifysdk.ledger.base import AttemptEnd, ClaimStatus, Ledger, NoticeState
from notifysdk.ledger.durable import DurableLedger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.sql import SqlLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk.policy import Reservation
from notifysdk.testing import sample_notice


def _outcome(key: str, status: OutcomeStatus, clock: FakeClock, **kw: object) -> Outcome:
    return Outcome(idempotency_key=key, status=status, channel="mock", at=clock.now(), **kw)


def _cap(clock: FakeClock, limit: int, scope: str = "debtor:P000001") -> Reservation:
    start = clock.now().replace(hour=0, minute=0)
    return Reservation(
        "cap",
        "*",
        scope,
        limit,
        start,
        start + timedelta(days=1),
        next_free=start + timedelta(days=1),
    )


def test_protocols() -> None:
    assert isinstance(MemoryLedger(), Ledger)
    assert not isinstance(MemoryLedger(), DurableLedger)


async def test_claim_record_and_duplicate(ledger: SqlLedger, fake_clock: FakeClock) -> None:
    assert isinstance(ledger, DurableLedger)
    n = sample_notice()
    key = n.idempotency_key
    assert await ledger.get(key) is None
    claim = await ledger.claim(
        n, owner="w1", now=fake_clock.now(), lease_seconds=60, to="+8613800138000"
    )
    assert claim.status is ClaimStatus.CLAIMED
    assert claim.attempt is not None and claim.attempt.number == 1
    busy = await ledger.claim(n, owner="w2", now=fake_clock.now(), lease_seconds=60)
    assert busy.status is ClaimStatus.BUSY and busy.owner == "w1"
    receipt = Receipt(channel="mock", provider_id="p1", accepted_at=fake_clock.now())
    await ledger.end_attempt(
        AttemptEnd(claim.attempt, receipt=receipt), now=fake_clock.now(), fence=claim.fence
    )
    first = _outcome(key, OutcomeStatus.DELIVERED, fake_clock, receipt=receipt, attempts=1)
    assert await ledger.finish(n, first, fence=claim.fence)
    # a later outcome for a finished key changes nothing: the first one stands
    assert not await ledger.finish(n, _outcome(key, OutcomeStatus.BLOCKED, fake_clock, rule="x"))
    record = await ledger.get(key)
    assert record is not None and record.state is NoticeState.DELIVERED
    assert record.outcome == first and record.attempts[0].provider_id == "p1"
    dup = await ledger.claim(n, owner="w2", now=fake_clock.now(), lease_seconds=60)
    assert dup.status is ClaimStatus.DUPLICATE and dup.outcome == first
    states = [(t.from_state, t.to_state) for t in await ledger.transitions(key)]
    assert states == [(None, NoticeState.CLAIMED), (NoticeState.CLAIMED, NoticeState.DELIVERED)]


async def test_concurrent_claims_on_one_key_exactly_one_wins(
    ledger: SqlLedger, fake_clock: FakeClock
) -> None:
    n = sample_notice()
    claims = await asyncio.gather(
        *(ledger.claim(n, owner=f"w{i}", now=fake_clock.now(), lease_seconds=60) for i in range(20))
    )
    assert sum(c.status is ClaimStatus.CLAIMED for c in claims) == 1


async def test_reservations_are_all_or_nothing_and_released_unless_delivered(
    ledger: SqlLedger, fake_clock: FakeClock
) -> None:
    cap = _cap(fake_clock, 2)
    other = _cap(fake_clock, 5, scope="number:x")
    notices = [sample_notice(1, data={"i": i}) for i in range(4)]
    results = [
        await ledger.claim(
            n, owner="w", now=fake_clock.now(), lease_seconds=60, reservations=(other, cap)
        )
        for n in notices
    ]
    assert [r.status for r in results] == [ClaimStatus.CLAIMED] * 2 + [ClaimStatus.CAP_EXCEEDED] * 2
    assert results[2].reservation == cap and results[2].count == 2
    day = (cap.window_start, cap.window_end)
    assert await ledger.count("debtor:P000001", *day) == 2
    assert await ledger.count("number:x", *day) == 2  # the refused claims took nothing
    assert await ledger.finish(
        notices[0],
        _outcome(notices[0].idempotency_key, OutcomeStatus.FAILED, fake_clock),
        fence=results[0].fence,
    )
    assert await ledger.count("debtor:P000001", *day) == 1
    assert await ledger.finish(
        notices[1],
        _outcome(notices[1].idempotency_key, OutcomeStatus.DELIVERED, fake_clock),
        fence=results[1].fence,
    )
    assert await ledger.count("debtor:P000001", *day) == 1
    await ledger.record_contact("debtor:P000001", fake_clock.now(), detail={"call": "connected"})
    assert await ledger.count("debtor:P000001", *day) == 2
    assert await ledger.count("debtor:P000001", cap.window_end, cap.window_end + timedelta(1)) == 0


async def test_expired_claim_is_taken_over_only_when_nothing_may_have_gone_out(
    ledger: SqlLedger, fake_clock: FakeClock
) -> None:
    quiet, risky = sample_notice(1), sample_notice(2)
    claims = [
        await ledger.claim(n, owner="dead", now=fake_clock.now(), lease_seconds=10)
        for n in (quiet, risky)
    ]
    await ledger.begin_attempt(
        risky.idempotency_key,
        fence=claims[1].fence,
        to="+8613800138000",
        now=fake_clock.now(),
        lease_seconds=10,
    )
    fake_clock.advance(11)
    again = await ledger.claim(quiet, owner="w", now=fake_clock.now(), lease_seconds=10)
    assert again.status is ClaimStatus.CLAIMED
    held = await ledger.claim(risky, owner="w", now=fake_clock.now(), lease_seconds=10)
    assert held.status is ClaimStatus.BUSY and held.lease_until is None
    stale = await ledger.stale_claims(owner="w", now=fake_clock.now())
    assert [s.record.key for s in stale] == [risky.idempotency_key]
    assert len(stale[0].in_flight) == 1 and stale[0].notice == risky


async def test_due_list_and_requeue(ledger: SqlLedger, fake_clock: FakeClock) -> None:
    later, dead = sample_notice(1), sample_notice(2)
    until = fake_clock.now() + timedelta(hours=10)
    await ledger.finish(
        later,
        _outcome(
            later.idempotency_key,
            OutcomeStatus.DEFERRED,
            fake_clock,
            until=until,
            rule="contact-hours",
        ),
    )
    assert await ledger.due(fake_clock.now()) == []
    due = await ledger.due(until)
    assert [d.notice for d in due] == [later] and due[0].due_at == until
    await ledger.finish(
        dead, _outcome(dead.idempotency_key, OutcomeStatus.DEAD_LETTERED, fake_clock, rule="retry")
    )
    assert [s.key for s in await ledger.notices(NoticeState.DEAD_LETTERED)] == [
        dead.idempotency_key
    ]
    assert await ledger.requeue(dead.idempotency_key, now=fake_clock.now(), reason="operator")
    assert not await ledger.requeue(later.idempotency_key, now=fake_clock.now(), reason="x")
    record = await ledger.get(dead.idempotency_key)
    assert record is not None and record.state is NoticeState.PENDING
    # the re-drive wrote its own audit entry, and only the one that moved the notice
    entries = [(e.event, e.key) for e in await ledger.audit_entries() if e.event == "redrive"]
    assert entries == [("redrive", dead.idempotency_key)]
    assert (await ledger.verify_audit()).ok


async def test_batched_operations_from_many_tasks(ledger: SqlLedger, fake_clock: FakeClock) -> None:
    notices = [sample_notice(i) for i in range(1, 41)]
    claims = await asyncio.gather(
        *(ledger.claim(n, owner="w", now=fake_clock.now(), lease_seconds=60) for n in notices)
    )
    assert all(c.status is ClaimStatus.CLAIMED for c in claims)
    await asyncio.gather(
        *(
            ledger.audit("e", n.idempotency_key, {"i": i}, now=fake_clock.now())
            for i, n in enumerate(notices)
        )
    )
    assert ledger.runner.batches < 80  # queued operations shared transactions
    assert (await ledger.verify_audit()).entries == 40
