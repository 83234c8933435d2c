"""Recovery's compare-and-set on a stale claim's owner, on SQLite and on PostgreSQL.

Two recovering workers that both find the same stale claim must not both act on it:
``take_over`` and ``release`` change a claim only while ``expected_owner`` still holds
it. ``take_over`` answers the new fencing token (the old one's plus one), or ``None``
when it changed nothing. Every test opens two ledgers on one database, as two worker
processes would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import ClaimLostError
from notifysdk.ledger.base import ClaimStatus, NoticeState
from notifysdk.ledger.sql import SqlLedger
from notifysdk.policy import Reservation
from notifysdk.testing import sample_notice

LEASE = 60.0
SCOPE = "debtor:P000001"


def _cap(clock: FakeClock, limit: int = 1) -> Reservation:
    start = clock.now().replace(hour=0, minute=0)
    end = start + timedelta(days=1)
    return Reservation("cap", "*", SCOPE, limit, start, end, next_free=end)


@pytest.fixture
async def other(ledger_url: str, ledger: SqlLedger) -> AsyncIterator[SqlLedger]:
    """A second worker's ledger on the same database as ``ledger``."""
    opened = open_ledger(ledger_url)
    assert isinstance(opened, SqlLedger)
    yield opened
    await opened.aclose()


async def _stale(ledger: SqlLedger, clock: FakeClock) -> tuple[str, int]:
    """Worker w1 claims a notice (one reservation on SCOPE) and then dies: its lease runs
    out. Returns the key and w1's fencing token."""
    n = sample_notice()
    claim = await ledger.claim(
        n, owner="w1", now=clock.now(), lease_seconds=LEASE, reservations=[_cap(clock)]
    )
    assert claim.status is ClaimStatus.CLAIMED
    clock.advance(2 * LEASE)
    return n.idempotency_key, claim.fence


async def _reservation_held(ledger: SqlLedger, clock: FakeClock) -> bool:
    """True when SCOPE's only contact is taken (another notice cannot reserve it)."""
    probe = sample_notice(1, data={"probe": clock.now().isoformat()})
    claim = await ledger.claim(
        probe, owner="probe", now=clock.now(), lease_seconds=LEASE, reservations=[_cap(clock)]
    )
    if claim.status is ClaimStatus.CLAIMED:  # give the contact back for the next probe
        assert await ledger.release(
            probe.idempotency_key, expected_owner="probe", now=clock.now(), reason="probe"
        )
        return False
    assert claim.status is ClaimStatus.CAP_EXCEEDED
    return True


async def test_two_recovering_workers_only_one_takes_the_claim_over(
    ledger: SqlLedger, other: SqlLedger, fake_clock: FakeClock
) -> None:
    key, fence = await _stale(ledger, fake_clock)
    # both workers see the same stale claim, held by the dead w1
    seen = [
        await w.stale_claims(owner=o, now=fake_clock.now())
        for w, o in ((ledger, "r1"), (other, "r2"))
    ]
    for claims in seen:
        assert [(c.record.key, c.record.owner) for c in claims] == [(key, "w1")]
    took = await asyncio.gather(
        ledger.take_over(
            key, expected_owner="w1", owner="r1", now=fake_clock.now(), lease_seconds=LEASE
        ),
        other.take_over(
            key, expected_owner="w1", owner="r2", now=fake_clock.now(), lease_seconds=LEASE
        ),
    )
    assert took.count(None) == 1 and fence + 1 in took
    winner = "r1" if took[0] is not None else "r2"
    record = await ledger.get(key)
    assert record is not None
    assert record.state is NoticeState.CLAIMED and record.owner == winner
    assert record.lease_until == fake_clock.now() + timedelta(seconds=LEASE)
    # the loser cannot release what the winner now holds, nor can the dead owner
    loser = other if took[0] is not None else ledger
    for stale_owner in ("w1", "r2" if took[0] is not None else "r1"):
        assert not await loser.release(
            key, expected_owner=stale_owner, now=fake_clock.now(), reason="lost"
        )
    after = await other.get(key)
    assert after is not None and (after.state, after.owner) == (NoticeState.CLAIMED, winner)
    assert await _reservation_held(ledger, fake_clock)
    # the dead owner's fence no longer holds the key; the winner's does
    with pytest.raises(ClaimLostError):
        await loser.begin_attempt(
            key, fence=fence, to="+8613800138000", now=fake_clock.now(), lease_seconds=LEASE
        )
    attempt = await (ledger if winner == "r1" else other).begin_attempt(
        key, fence=fence + 1, to="+8613800138000", now=fake_clock.now(), lease_seconds=LEASE
    )
    assert attempt.number == 1


async def test_a_wrong_expected_owner_changes_nothing(
    ledger: SqlLedger, other: SqlLedger, fake_clock: FakeClock
) -> None:
    key, fence = await _stale(ledger, fake_clock)
    before = await ledger.get(key)
    assert before is not None and before.owner == "w1"
    later = fake_clock.now() + timedelta(seconds=5)
    for expected in ("w2", None, ""):
        assert (
            await other.take_over(
                key, expected_owner=expected, owner="r2", now=later, lease_seconds=LEASE
            )
            is None
        )
        assert not await other.release(key, expected_owner=expected, now=later, reason="wrong")
    after = await ledger.get(key)
    assert after == before  # same owner, lease, state and last update
    assert [c.record.owner for c in await ledger.stale_claims(owner="r1", now=later)] == ["w1"]
    assert await _reservation_held(ledger, fake_clock)
    # and the right owner still can, under the next fencing token
    assert (
        await other.take_over(key, expected_owner="w1", owner="r2", now=later, lease_seconds=LEASE)
        == fence + 1
    )
    taken = await ledger.get(key)
    assert taken is not None and taken.owner == "r2"


async def test_release_frees_the_claim_and_its_reservations_only_for_the_holder(
    ledger: SqlLedger, other: SqlLedger, fake_clock: FakeClock
) -> None:
    key, fence = await _stale(ledger, fake_clock)
    assert (
        await other.take_over(
            key, expected_owner="w1", owner="r2", now=fake_clock.now(), lease_seconds=LEASE
        )
        == fence + 1
    )
    # the first recoverer lost the race: it still thinks w1 holds the claim
    assert not await ledger.release(
        key, expected_owner="w1", now=fake_clock.now(), reason="stale view"
    )
    held = await ledger.get(key)
    assert held is not None and (held.state, held.owner) == (NoticeState.CLAIMED, "r2")
    assert await _reservation_held(ledger, fake_clock)

    assert await other.release(
        key, expected_owner="r2", now=fake_clock.now(), reason="nothing went out"
    )
    freed = await ledger.get(key)
    assert freed is not None
    assert (freed.state, freed.owner, freed.lease_until) == (NoticeState.PENDING, None, None)
    assert not await _reservation_held(ledger, fake_clock)
    assert await ledger.stale_claims(owner="r1", now=fake_clock.now()) == []
    # a released claim cannot be taken over or released again by anyone
    assert (
        await ledger.take_over(
            key, expected_owner="r2", owner="r1", now=fake_clock.now(), lease_seconds=LEASE
        )
        is None
    )
    assert not await ledger.release(key, expected_owner="r2", now=fake_clock.now(), reason="again")
