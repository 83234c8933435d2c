"""The ledger contract (the module docstring of ``notifysdk.ledger.base``), clause by
clause, on every back-end: memory, SQLite and a real PostgreSQL server.

Each test opens its ledger by URL through ``open_ledger``, as the dispatcher does, and
drives it with fixed, timezone-aware instants (never the wall clock). An attempt's
stored status is read from ``detail["_status"]``, as recovery and ``ledger show`` do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifysdk.channels import BODY_DIGEST, Attempt, ReconcileStatus, body_digest
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import (
    AmbiguousDeliveryError,
    ClaimLostError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.ledger.audit import entry_hash, outcome_detail, verify_chain
from notifysdk.ledger.base import (
    AttemptEnd,
    BatchReader,
    ClaimStatus,
    Ledger,
    NoticeState,
    get_many,
)
from notifysdk.ledger.receipts import LateFailure, ReceiptLedger
from notifysdk.ledger.sql import GET_MANY_CHUNK
from notifysdk.models import Notice, Outcome, OutcomeStatus, Receipt
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
"""Every test's clock starts here; later instants are ``T0 + timedelta(...)``."""
LEASE = 60.0
TO = "+8613800138000"
TERMINAL = [
    OutcomeStatus.DELIVERED,
    OutcomeStatus.BLOCKED,
    OutcomeStatus.FAILED,
    OutcomeStatus.DEAD_LETTERED,
]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def ledger(request: pytest.FixtureRequest) -> AsyncIterator[Ledger]:
    """A fresh ledger on each back-end in turn, closed after the test (this overrides
    the durable-only ``ledger`` fixture of ``conftest.py`` for this module)."""
    if request.param == "memory":
        url = "memory://"
    else:
        url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    opened = open_ledger(url)
    yield opened
    await opened.aclose()


def at(seconds: float) -> datetime:
    """The instant ``seconds`` after :data:`T0`."""
    return T0 + timedelta(seconds=seconds)


def outcome(notice: Notice, status: OutcomeStatus, when: datetime, **kw: Any) -> Outcome:
    """An outcome of ``notice`` at ``when`` (a deferred one is due an hour later)."""
    if status is OutcomeStatus.DEFERRED:
        kw.setdefault("until", when + timedelta(hours=1))
        kw.setdefault("rule", "contact-hours")
    return Outcome(
        idempotency_key=notice.idempotency_key,
        status=status,
        channel=notice.channel,
        at=when,
        **kw,
    )


def receipt(provider_id: str, when: datetime) -> Receipt:
    """A provider's acceptance."""
    return Receipt(channel="mock", provider_id=provider_id, accepted_at=when)


def cap(limit: int, scope: str = "debtor:P000001") -> Reservation:
    """One slot under a daily cap on ``scope`` (the day of :data:`T0`)."""
    start = T0.replace(hour=0)
    return Reservation("cap", "*", scope, limit, start, start + timedelta(days=1))


def status_of(attempt: Attempt) -> str | None:
    """The stored status of an attempt (``in_flight``, ``ok``, ``error``, ...)."""
    value = attempt.detail.get("_status")
    return None if value is None else str(value)


async def attempts_of(ledger: Ledger, key: str) -> list[tuple[int, str | None]]:
    """``(number, status)`` of every stored attempt of ``key``."""
    record = await ledger.get(key)
    assert record is not None
    return [(a.number, status_of(a)) for a in record.attempts]


async def used(ledger: Ledger, reservation: Reservation) -> int:
    """Contacts counted under ``reservation``'s scope and window."""
    return await ledger.count(reservation.scope, reservation.window_start, reservation.window_end)


async def outcome_entries(ledger: Ledger, key: str) -> list[dict[str, object]]:
    """The details of the ``outcome`` audit entries of ``key``."""
    return [
        dict(e.detail)
        for e in await ledger.audit_entries()
        if e.event == "outcome" and e.key == key
    ]


# -- terminal outcomes are final ------------------------------------------------


@pytest.mark.parametrize("status", TERMINAL, ids=lambda s: s.value)
async def test_claim_after_a_terminal_outcome_is_duplicate_with_the_first_outcome(
    ledger: Ledger, status: OutcomeStatus
) -> None:
    n = sample_notice()
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    first = outcome(n, status, at(1))
    assert await ledger.finish(n, first, fence=claim.fence)
    for owner in ("w1", "w2"):
        dup = await ledger.claim(n, owner=owner, now=at(2), lease_seconds=LEASE)
        assert dup.status is ClaimStatus.DUPLICATE
        assert dup.outcome == first
    record = await ledger.get(n.idempotency_key)
    assert record is not None and record.state is NoticeState(status.value)


@pytest.mark.parametrize("status", TERMINAL, ids=lambda s: s.value)
async def test_finish_after_a_terminal_outcome_changes_nothing(
    ledger: Ledger, status: OutcomeStatus
) -> None:
    n = sample_notice()
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    first = outcome(n, status, at(1))
    assert await ledger.finish(n, first, fence=claim.fence) is True
    before = await ledger.audit_entries()
    later = [OutcomeStatus.DELIVERED, OutcomeStatus.BLOCKED, OutcomeStatus.DEFERRED]
    for other in later:
        assert await ledger.finish(n, outcome(n, other, at(2))) is False
    # the same worker finishing again, with the fence it finished under, changes nothing
    assert (
        await ledger.finish(n, outcome(n, OutcomeStatus.FAILED, at(3)), fence=claim.fence) is False
    )
    record = await ledger.get(n.idempotency_key)
    assert record is not None
    assert record.state is NoticeState(status.value) and record.outcome == first
    assert await ledger.audit_entries() == before


# -- re-claim ---------------------------------------------------------------------


async def test_an_unexpired_lease_is_busy_for_every_owner_its_own_included(
    ledger: Ledger,
) -> None:
    n = sample_notice()
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    assert claim.status is ClaimStatus.CLAIMED and claim.owner == "w1"
    assert claim.lease_until == at(LEASE)
    for owner in ("w1", "w2"):
        busy = await ledger.claim(n, owner=owner, now=at(LEASE - 1), lease_seconds=LEASE)
        assert busy.status is ClaimStatus.BUSY
        assert busy.owner == "w1" and busy.lease_until == at(LEASE)
    record = await ledger.get(n.idempotency_key)
    assert record is not None and record.state is NoticeState.CLAIMED
    assert record.owner == "w1" and record.lease_until == at(LEASE)


async def test_concurrent_claims_on_one_key_exactly_one_wins(ledger: Ledger) -> None:
    n = sample_notice()
    claims = await asyncio.gather(
        *(ledger.claim(n, owner=f"w{i}", now=at(0), lease_seconds=LEASE) for i in range(10))
    )
    assert [c.status for c in claims].count(ClaimStatus.CLAIMED) == 1
    assert [c.status for c in claims].count(ClaimStatus.BUSY) == 9


@pytest.mark.parametrize(
    "error",
    [TransientDeliveryError("429", provider_code="429"), PermanentDeliveryError("bad")],
    ids=["transient", "permanent"],
)
async def test_an_expired_claim_with_only_failed_attempts_is_taken_over(
    ledger: Ledger, error: Exception
) -> None:
    n = sample_notice()
    key = n.idempotency_key
    first = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert first.attempt is not None
    await ledger.end_attempt(AttemptEnd(first.attempt, error=error), now=at(1), fence=first.fence)
    assert await attempts_of(ledger, key) == [(1, "error")]
    taken = await ledger.claim(n, owner="w2", now=at(LEASE + 1), lease_seconds=LEASE, to=TO)
    assert taken.status is ClaimStatus.CLAIMED and taken.owner == "w2"
    assert taken.fence > first.fence
    assert taken.attempt is not None and taken.attempt.number == 2
    record = await ledger.get(key)
    assert record is not None and record.owner == "w2"
    assert record.lease_until == at(2 * LEASE + 1)


async def test_an_expired_claim_reconciled_as_not_sent_is_taken_over(ledger: Ledger) -> None:
    n = sample_notice()
    first = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert first.attempt is not None
    ended = AttemptEnd(
        first.attempt, error=AmbiguousDeliveryError("timeout"), reconciled=ReconcileStatus.NOT_SENT
    )
    await ledger.end_attempt(ended, now=at(1), fence=first.fence)
    taken = await ledger.claim(n, owner="w2", now=at(LEASE + 1), lease_seconds=LEASE)
    assert taken.status is ClaimStatus.CLAIMED and taken.fence > first.fence


def _in_flight(attempt: Attempt) -> AttemptEnd | None:
    return None


def _unknown(attempt: Attempt) -> AttemptEnd | None:
    return AttemptEnd(attempt, error=AmbiguousDeliveryError("dropped after DATA"))


def _reconciled_unknown(attempt: Attempt) -> AttemptEnd | None:
    return AttemptEnd(
        attempt, error=AmbiguousDeliveryError("timeout"), reconciled=ReconcileStatus.UNKNOWN
    )


def _interrupted(attempt: Attempt) -> AttemptEnd | None:
    return AttemptEnd(attempt, error=asyncio.CancelledError())


def _receipted(attempt: Attempt) -> AttemptEnd | None:
    return AttemptEnd(attempt, receipt=receipt("SM1", at(1)))


MAY_HAVE_GONE_OUT = {
    "in_flight": (_in_flight, "in_flight"),
    "unknown": (_unknown, "unknown"),
    "reconciled_unknown": (_reconciled_unknown, "unknown"),
    "interrupted": (_interrupted, "interrupted"),
    "receipted": (_receipted, "ok"),
}


@pytest.mark.parametrize("case", sorted(MAY_HAVE_GONE_OUT))
async def test_an_expired_claim_stays_busy_while_an_attempt_may_have_gone_out(
    ledger: Ledger, case: str
) -> None:
    end, stored = MAY_HAVE_GONE_OUT[case]
    n = sample_notice()
    key = n.idempotency_key
    first = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert first.attempt is not None
    ended = end(first.attempt)
    if ended is not None:
        await ledger.end_attempt(ended, now=at(1), fence=first.fence)
    assert await attempts_of(ledger, key) == [(1, stored)]
    before = await ledger.get(key)
    for owner in ("w1", "w2"):
        busy = await ledger.claim(n, owner=owner, now=at(LEASE + 1), lease_seconds=LEASE, to=TO)
        assert busy.status is ClaimStatus.BUSY and busy.owner == "w1"
    assert await ledger.get(key) == before  # no new attempt, same owner and lease
    # the original holder's fence still holds: nothing took the claim over
    assert await ledger.finish(
        n, outcome(n, OutcomeStatus.FAILED, at(LEASE + 2)), fence=first.fence
    )


async def test_a_deferred_key_is_claimed_again(ledger: Ledger) -> None:
    pre, claimed = sample_notice(1), sample_notice(2)
    # deferred before any claim (a window): written with finish alone
    assert await ledger.finish(pre, outcome(pre, OutcomeStatus.DEFERRED, at(0)))
    # deferred by the cap after a claim
    c = await ledger.claim(claimed, owner="w1", now=at(0), lease_seconds=LEASE)
    assert await ledger.finish(
        claimed, outcome(claimed, OutcomeStatus.DEFERRED, at(1)), fence=c.fence
    )
    for n in (pre, claimed):
        record = await ledger.get(n.idempotency_key)
        assert record is not None and record.state is NoticeState.DEFERRED
        again = await ledger.claim(n, owner="w1", now=at(3600), lease_seconds=LEASE)
        assert again.status is ClaimStatus.CLAIMED
        record = await ledger.get(n.idempotency_key)
        assert record is not None and record.state is NoticeState.CLAIMED and record.owner == "w1"


# -- fencing ------------------------------------------------------------------------


async def test_every_claim_and_take_over_gives_a_larger_fence(ledger: Ledger) -> None:
    n = sample_notice()
    claims = [await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)]
    await ledger.finish(n, outcome(n, OutcomeStatus.DEFERRED, at(1)), fence=claims[-1].fence)
    claims.append(await ledger.claim(n, owner="w1", now=at(10), lease_seconds=LEASE))  # afresh
    later = at(10 + LEASE)
    claims.append(await ledger.claim(n, owner="w2", now=later, lease_seconds=LEASE))  # take-over
    later = at(10 + 2 * LEASE)
    claims.append(await ledger.claim(n, owner="w2", now=later, lease_seconds=LEASE))  # its own
    assert [c.status for c in claims] == [ClaimStatus.CLAIMED] * 4
    fences = [c.fence for c in claims]
    assert fences == sorted(set(fences)), fences


async def test_a_worker_whose_claim_was_taken_over_raises_claim_lost_and_writes_nothing(
    ledger: Ledger,
) -> None:
    n = sample_notice()
    key = n.idempotency_key
    day = cap(5)
    old = await ledger.claim(
        n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert old.attempt is not None
    await ledger.end_attempt(
        AttemptEnd(old.attempt, error=TransientDeliveryError("429")), now=at(1), fence=old.fence
    )
    new = await ledger.claim(
        n, owner="w2", now=at(LEASE + 1), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert new.status is ClaimStatus.CLAIMED and new.attempt is not None
    before = (await ledger.get(key), await ledger.audit_entries(), await used(ledger, day))

    with pytest.raises(ClaimLostError):
        await ledger.begin_attempt(
            key, fence=old.fence, to=TO, now=at(LEASE + 2), lease_seconds=LEASE
        )
    with pytest.raises(ClaimLostError):
        await ledger.end_attempt(
            AttemptEnd(new.attempt, receipt=receipt("SMx", at(LEASE + 2))),
            now=at(LEASE + 2),
            fence=old.fence,
        )
    delivered = outcome(n, OutcomeStatus.DELIVERED, at(LEASE + 2), attempts=1)
    with pytest.raises(ClaimLostError):
        await ledger.finish(
            n,
            delivered,
            fence=old.fence,
            ended=AttemptEnd(new.attempt, receipt=receipt("SMx", at(LEASE + 2))),
        )
    assert (await ledger.get(key), await ledger.audit_entries(), await used(ledger, day)) == before
    assert await attempts_of(ledger, key) == [(1, "error"), (2, "in_flight")]
    # the new holder goes on undisturbed
    assert await ledger.finish(
        n,
        outcome(n, OutcomeStatus.DELIVERED, at(LEASE + 3), attempts=2),
        fence=new.fence,
        ended=AttemptEnd(new.attempt, receipt=receipt("SM2", at(LEASE + 3))),
    )


async def test_a_fence_no_longer_holds_once_the_key_is_finished(ledger: Ledger) -> None:
    n = sample_notice()
    key = n.idempotency_key
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None
    await ledger.finish(
        n,
        outcome(n, OutcomeStatus.DEFERRED, at(1)),
        fence=c.fence,
        ended=AttemptEnd(c.attempt, error=TransientDeliveryError("429")),
    )
    before = await ledger.get(key)
    with pytest.raises(ClaimLostError):
        await ledger.begin_attempt(key, fence=c.fence, to=TO, now=at(2), lease_seconds=LEASE)
    with pytest.raises(ClaimLostError):
        await ledger.end_attempt(
            AttemptEnd(c.attempt, receipt=receipt("SMx", at(2))), now=at(2), fence=c.fence
        )
    with pytest.raises(ClaimLostError):
        await ledger.finish(n, outcome(n, OutcomeStatus.DELIVERED, at(2)), fence=c.fence)
    assert await ledger.get(key) == before


async def test_begin_attempt_with_an_unknown_key_raises_claim_lost(ledger: Ledger) -> None:
    with pytest.raises(ClaimLostError):
        await ledger.begin_attempt("never-claimed", fence=1, to=TO, now=at(0), lease_seconds=LEASE)
    assert await ledger.get("never-claimed") is None


async def test_begin_attempt_renews_the_lease(ledger: Ledger) -> None:
    n = sample_notice()
    key = n.idempotency_key
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None and c.lease_until == at(LEASE)
    await ledger.end_attempt(
        AttemptEnd(c.attempt, error=TransientDeliveryError("503")), now=at(1), fence=c.fence
    )
    second = await ledger.begin_attempt(key, fence=c.fence, to=TO, now=at(50), lease_seconds=LEASE)
    assert second.number == 2
    record = await ledger.get(key)
    assert record is not None and record.lease_until == at(50 + LEASE)
    await ledger.end_attempt(
        AttemptEnd(second, error=TransientDeliveryError("503")), now=at(51), fence=c.fence
    )
    # after the original lease, before the renewed one: still this worker's claim
    busy = await ledger.claim(n, owner="w2", now=at(LEASE + 30), lease_seconds=LEASE)
    assert busy.status is ClaimStatus.BUSY and busy.owner == "w1"
    assert busy.lease_until == at(50 + LEASE)
    # after the renewed lease, with only failed attempts: taken over
    taken = await ledger.claim(n, owner="w2", now=at(50 + LEASE), lease_seconds=LEASE)
    assert taken.status is ClaimStatus.CLAIMED and taken.fence > c.fence


async def test_an_expired_claim_nobody_took_over_is_still_held_by_its_fence(
    ledger: Ledger,
) -> None:
    """A retry that slept past the lease may go on while no one took the claim over:
    the fence, not the clock, says who holds the key."""
    n = sample_notice()
    key = n.idempotency_key
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None
    await ledger.end_attempt(
        AttemptEnd(c.attempt, error=TransientDeliveryError("429")), now=at(1), fence=c.fence
    )
    later = await ledger.begin_attempt(key, fence=c.fence, to=TO, now=at(400), lease_seconds=LEASE)
    assert later.number == 2
    record = await ledger.get(key)
    assert record is not None and record.owner == "w1" and record.lease_until == at(400 + LEASE)


# -- attempts -----------------------------------------------------------------------


async def test_claim_with_to_records_attempt_one_in_flight(ledger: Ledger) -> None:
    n, bare = sample_notice(1), sample_notice(2)
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None
    assert (c.attempt.idempotency_key, c.attempt.number, c.attempt.to) == (n.idempotency_key, 1, TO)
    assert c.attempt.channel == n.channel and c.attempt.started_at == at(0)
    record = await ledger.get(n.idempotency_key)
    assert record is not None and len(record.attempts) == 1
    stored = record.attempts[0]
    assert (stored.number, stored.to, stored.started_at) == (1, TO, at(0))
    assert status_of(stored) == "in_flight"
    # without ``to`` no attempt is recorded
    c = await ledger.claim(bare, owner="w1", now=at(0), lease_seconds=LEASE)
    assert c.status is ClaimStatus.CLAIMED and c.attempt is None
    record = await ledger.get(bare.idempotency_key)
    assert record is not None and record.attempts == ()


async def test_an_attempt_keeps_its_body_digest_from_start_to_end(ledger: Ledger) -> None:
    # The digest is what lets a channel's reconcile tell its own message from another to
    # the same number, after a crash too: it must survive the attempt's end.
    n = sample_notice(1)
    one, two = body_digest("first body"), body_digest("second body")
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO, digest=one)
    assert c.attempt is not None and c.attempt.detail[BODY_DIGEST] == one
    await ledger.end_attempt(
        AttemptEnd(c.attempt, error=AmbiguousDeliveryError("dropped")), now=at(1), fence=c.fence
    )
    second = await ledger.begin_attempt(
        n.idempotency_key, fence=c.fence, to=TO, now=at(2), lease_seconds=LEASE, digest=two
    )
    assert second.detail[BODY_DIGEST] == two
    record = await ledger.get(n.idempotency_key)
    assert record is not None
    assert [(status_of(a), a.detail.get(BODY_DIGEST)) for a in record.attempts] == [
        ("unknown", one),
        ("in_flight", two),
    ]
    # without a digest nothing is kept under the key
    bare = await ledger.claim(sample_notice(2), owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert bare.attempt is not None and BODY_DIGEST not in bare.attempt.detail


async def test_attempts_are_numbered_per_key_across_claims(ledger: Ledger) -> None:
    n, other = sample_notice(1), sample_notice(2)
    key = n.idempotency_key
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None and c.attempt.number == 1
    await ledger.end_attempt(
        AttemptEnd(c.attempt, error=TransientDeliveryError("x")), now=at(1), fence=c.fence
    )
    a2 = await ledger.begin_attempt(key, fence=c.fence, to=TO, now=at(2), lease_seconds=LEASE)
    assert a2.number == 2
    await ledger.finish(
        n,
        outcome(n, OutcomeStatus.DEFERRED, at(3)),
        fence=c.fence,
        ended=AttemptEnd(a2, error=TransientDeliveryError("x")),
    )
    # claimed afresh later: the count goes on
    c = await ledger.claim(n, owner="w2", now=at(3600), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None and c.attempt.number == 3
    await ledger.end_attempt(
        AttemptEnd(c.attempt, error=TransientDeliveryError("x")), now=at(3601), fence=c.fence
    )
    # taken over after its lease expired: the count still goes on
    c = await ledger.claim(n, owner="w3", now=at(3600 + LEASE), lease_seconds=LEASE)
    a4 = await ledger.begin_attempt(
        key, fence=c.fence, to=TO, now=at(3600 + LEASE), lease_seconds=LEASE
    )
    assert a4.number == 4
    assert await attempts_of(ledger, key) == [
        (1, "error"),
        (2, "error"),
        (3, "error"),
        (4, "in_flight"),
    ]
    # another key counts from 1
    o = await ledger.claim(other, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert o.attempt is not None and o.attempt.number == 1


END_CASES: dict[str, tuple[Receipt | BaseException, str]] = {
    "receipt": (receipt("SM9", at(1)), "ok"),
    "ambiguous": (AmbiguousDeliveryError("drop"), "unknown"),
    "cancelled": (asyncio.CancelledError(), "interrupted"),
    "transient": (TransientDeliveryError("429"), "error"),
    "permanent": (PermanentDeliveryError("bad"), "error"),
}


@pytest.mark.parametrize("case", sorted(END_CASES))
@pytest.mark.parametrize("via", ["end_attempt", "finish"])
async def test_how_an_attempt_ended_is_stored(ledger: Ledger, case: str, via: str) -> None:
    how, stored = END_CASES[case]
    n = sample_notice()
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert c.attempt is not None
    if isinstance(how, Receipt):
        ended = AttemptEnd(c.attempt, receipt=how)
    else:
        ended = AttemptEnd(c.attempt, error=how)
    if via == "end_attempt":
        await ledger.end_attempt(ended, now=at(1), fence=c.fence)
    else:
        status = OutcomeStatus.DELIVERED if ended.receipt else OutcomeStatus.FAILED
        assert await ledger.finish(
            n, outcome(n, status, at(1), attempts=1), fence=c.fence, ended=ended
        )
    record = await ledger.get(n.idempotency_key)
    assert record is not None
    (attempt,) = record.attempts
    assert status_of(attempt) == stored
    assert attempt.provider_id == ("SM9" if ended.receipt else None)


# -- reservations -------------------------------------------------------------------


async def test_reservations_are_all_or_nothing(ledger: Ledger) -> None:
    roomy, tight = cap(5, scope="number:x"), cap(1)
    first, second = sample_notice(1), sample_notice(1, data={"i": 2})
    ok = await ledger.claim(
        first, owner="w", now=at(0), lease_seconds=LEASE, reservations=[roomy, tight]
    )
    assert ok.status is ClaimStatus.CLAIMED
    full = await ledger.claim(
        second, owner="w", now=at(1), lease_seconds=LEASE, reservations=[roomy, tight], to=TO
    )
    assert full.status is ClaimStatus.CAP_EXCEEDED
    assert full.reservation == tight and full.count == 1
    assert (await used(ledger, roomy), await used(ledger, tight)) == (1, 1)  # nothing taken
    assert await ledger.get(second.idempotency_key) is None  # not claimed, no attempt


async def test_reservations_are_kept_when_delivered(ledger: Ledger) -> None:
    day = cap(5)
    n = sample_notice()
    c = await ledger.claim(n, owner="w", now=at(0), lease_seconds=LEASE, reservations=[day], to=TO)
    assert c.attempt is not None and await used(ledger, day) == 1
    assert await ledger.finish(
        n,
        outcome(n, OutcomeStatus.DELIVERED, at(1), attempts=1),
        fence=c.fence,
        ended=AttemptEnd(c.attempt, receipt=receipt("SM1", at(1))),
    )
    assert await used(ledger, day) == 1


@pytest.mark.parametrize(
    "status",
    [
        OutcomeStatus.DEFERRED,
        OutcomeStatus.BLOCKED,
        OutcomeStatus.FAILED,
        OutcomeStatus.DEAD_LETTERED,
    ],
    ids=lambda s: s.value,
)
async def test_reservations_are_released_unless_delivered(
    ledger: Ledger, status: OutcomeStatus
) -> None:
    day = cap(5)
    n = sample_notice()
    c = await ledger.claim(n, owner="w", now=at(0), lease_seconds=LEASE, reservations=[day])
    assert await used(ledger, day) == 1
    assert await ledger.finish(n, outcome(n, status, at(1)), fence=c.fence)
    assert await used(ledger, day) == 0


async def test_reservations_are_released_when_a_claim_is_taken_over(ledger: Ledger) -> None:
    day = cap(5)
    n = sample_notice()
    await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day])
    taken = await ledger.claim(
        n, owner="w2", now=at(LEASE), lease_seconds=LEASE, reservations=[day]
    )
    assert taken.status is ClaimStatus.CLAIMED
    assert await used(ledger, day) == 1  # the new claim's slot, not both


async def test_a_take_over_refused_by_a_cap_leaves_the_expired_claim_as_it_was(
    ledger: Ledger,
) -> None:
    """All or nothing: a claim answered ``CAP_EXCEEDED`` did not take the key over, so
    the expired claim keeps its slots (its holder's fence still holds and may send)."""
    day, number = cap(5), cap(1, scope="number:x")
    n, filler = sample_notice(1), sample_notice(2)
    old = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day])
    await ledger.claim(filler, owner="w3", now=at(1), lease_seconds=LEASE, reservations=[number])
    before = await ledger.get(n.idempotency_key)
    refused = await ledger.claim(
        n, owner="w2", now=at(LEASE), lease_seconds=LEASE, reservations=[day, number]
    )
    assert refused.status is ClaimStatus.CAP_EXCEEDED and refused.reservation == number
    assert (await used(ledger, day), await used(ledger, number)) == (1, 1)
    assert await ledger.get(n.idempotency_key) == before
    assert await ledger.finish(
        n, outcome(n, OutcomeStatus.DELIVERED, at(LEASE + 1)), fence=old.fence
    )
    assert await used(ledger, day) == 1


# -- audit --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [*TERMINAL, OutcomeStatus.DEFERRED], ids=lambda s: s.value)
async def test_finish_writes_exactly_one_outcome_entry_with_the_outcome_detail(
    ledger: Ledger, status: OutcomeStatus
) -> None:
    n = sample_notice()
    c = await ledger.claim(n, owner="w", now=at(0), lease_seconds=LEASE)
    done = outcome(n, status, at(5), rule="r1", reason="because", attempts=1)
    assert await ledger.finish(n, done, fence=c.fence) is True
    entries = [e for e in await ledger.audit_entries() if e.key == n.idempotency_key]
    assert [e.event for e in entries] == ["outcome"]
    assert dict(entries[0].detail) == outcome_detail(n, done)
    assert entries[0].at == done.at
    # a later decision: refused after a terminal outcome (and then audits nothing),
    # written and audited after a deferral
    written = await ledger.finish(n, outcome(n, OutcomeStatus.BLOCKED, at(6)))
    assert written is (status is OutcomeStatus.DEFERRED)
    assert len(await outcome_entries(ledger, n.idempotency_key)) == 1 + written


async def test_a_pre_claim_decision_is_written_and_audited_by_finish_alone(
    ledger: Ledger,
) -> None:
    n = sample_notice()
    blocked = outcome(n, OutcomeStatus.BLOCKED, at(0), rule="opt-out")
    assert await ledger.finish(n, blocked) is True
    record = await ledger.get(n.idempotency_key)
    assert record is not None and record.state is NoticeState.BLOCKED
    assert record.outcome == blocked and record.attempts == ()
    assert await outcome_entries(ledger, n.idempotency_key) == [outcome_detail(n, blocked)]


async def test_a_pre_claim_finish_does_not_overwrite_another_owners_live_claim(
    ledger: Ledger,
) -> None:
    n = sample_notice()
    key = n.idempotency_key
    day = cap(5)
    c = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day], to=TO)
    before = await ledger.get(key)
    for status in (OutcomeStatus.BLOCKED, OutcomeStatus.DEFERRED):
        assert await ledger.finish(n, outcome(n, status, at(1))) is False
    assert await ledger.get(key) == before
    assert await outcome_entries(ledger, key) == []
    assert await used(ledger, day) == 1
    # the holder still finishes it
    assert c.attempt is not None
    assert await ledger.finish(
        n,
        outcome(n, OutcomeStatus.DELIVERED, at(2), attempts=1),
        fence=c.fence,
        ended=AttemptEnd(c.attempt, receipt=receipt("SM1", at(2))),
    )


async def test_the_audit_chain_links_every_entry_to_the_one_before(ledger: Ledger) -> None:
    a, b = sample_notice(1), sample_notice(2)
    await ledger.audit("campaign_started", None, {"rows": 2}, now=at(0))
    ca = await ledger.claim(a, owner="w", now=at(1), lease_seconds=LEASE)
    await ledger.finish(a, outcome(a, OutcomeStatus.DELIVERED, at(2)), fence=ca.fence)
    await ledger.finish(b, outcome(b, OutcomeStatus.BLOCKED, at(3), rule="hours"))
    await ledger.audit("campaign_finished", None, {"delivered": 1}, now=at(4))
    entries = list(await ledger.audit_entries())
    assert [e.event for e in entries] == [
        "campaign_started",
        "outcome",
        "outcome",
        "campaign_finished",
    ]
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert [e.at for e in entries] == [at(0), at(2), at(3), at(4)]
    assert entries[0].prev_hash == ""
    for prev, entry in pairwise(entries):
        assert entry.prev_hash == prev.hash
    for e in entries:
        assert e.hash == entry_hash(e.prev_hash, e.at, e.event, e.key, e.detail)
    assert verify_chain(entries).ok


# -- the same record on every back-end ----------------------------------------------


async def _script(ledger: Ledger) -> None:
    """One run touching every call: retries, a take-over, a pre-claim decision, a
    deferral, receipts (one replayed, one a late failure) and a free audit entry."""
    day = cap(5)
    a, b, c, d = (sample_notice(i) for i in range(1, 5))
    ca = await ledger.claim(
        a, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert ca.attempt is not None
    await ledger.end_attempt(
        AttemptEnd(ca.attempt, error=TransientDeliveryError("429", provider_code="429")),
        now=at(1),
        fence=ca.fence,
    )
    a2 = await ledger.begin_attempt(
        a.idempotency_key, fence=ca.fence, to=TO, now=at(2), lease_seconds=LEASE
    )
    await ledger.finish(
        a,
        outcome(a, OutcomeStatus.DELIVERED, at(3), attempts=2, receipt=receipt("SMa", at(3))),
        fence=ca.fence,
        ended=AttemptEnd(a2, receipt=receipt("SMa", at(3))),
    )
    await ledger.finish(b, outcome(b, OutcomeStatus.BLOCKED, at(4), rule="opt-out", reason="STOP"))
    cc = await ledger.claim(
        c, owner="w1", now=at(5), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert cc.attempt is not None
    await ledger.end_attempt(
        AttemptEnd(cc.attempt, error=PermanentDeliveryError("bad")),
        now=at(6).astimezone(ZoneInfo("Asia/Shanghai")),
        fence=cc.fence,
    )
    taken = await ledger.claim(
        c, owner="w2", now=at(5 + LEASE), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert taken.attempt is not None
    await ledger.finish(
        c,
        outcome(
            c,
            OutcomeStatus.DELIVERED,
            at(6 + LEASE),
            attempts=1,
            receipt=receipt("SMc", at(6 + LEASE)),
        ),
        fence=taken.fence,
        ended=AttemptEnd(taken.attempt, receipt=receipt("SMc", at(6 + LEASE))),
    )
    await ledger.finish(d, outcome(d, OutcomeStatus.DEFERRED, at(7)))
    assert isinstance(ledger, ReceiptLedger)
    await ledger.record_delivery("SMa", status="delivered", rank=3, now=at(100))
    replay = await ledger.record_delivery("SMa", status="delivered", rank=3, now=at(101))
    assert replay.known and not replay.changed
    await ledger.record_delivery(
        "SMc",
        status="undelivered",
        rank=4,
        now=at(200),
        error_code="30003",
        failure=LateFailure("unreachable handset", provider_code="30003", retry_limit=1),
    )
    # an instant given in another zone reads back the same (in UTC) on every back-end
    shanghai = at(300).astimezone(ZoneInfo("Asia/Shanghai"))
    await ledger.audit("campaign_finished", None, {"delivered": 2}, now=shanghai)


async def test_memory_keeps_the_same_records_as_each_durable_ledger(ledger_url: str) -> None:
    """A plugin author's test on the memory ledger sees what production stores: the
    same records, attempts, counts and audit chain (hashes included) for one script."""
    memory, durable = open_ledger("memory://"), open_ledger(ledger_url)
    try:
        for each in (memory, durable):
            await _script(each)
        for i in range(1, 5):
            key = sample_notice(i).idempotency_key
            assert await memory.get(key) == await durable.get(key), key
        day = cap(5)
        assert await used(memory, day) == await used(durable, day) == 2
        entries = list(await durable.audit_entries())
        assert list(await memory.audit_entries()) == entries
        assert [e.event for e in entries] == [
            *(["outcome"] * 4),
            *(["delivery_status"] * 2),
            "campaign_finished",
        ]
        late = await durable.get(sample_notice(3).idempotency_key)
        assert late is not None and late.state is NoticeState.FAILED
    finally:
        await memory.aclose()
        await durable.aclose()


# -- batched reads ----------------------------------------------------------------


async def test_get_many_answers_what_get_answers_for_every_key_in_one_call(
    ledger: Ledger,
) -> None:
    """Delivered (one attempt), claimed after a failed attempt (two attempts), and
    pending-free keys; more unknown keys than one SQL query takes."""
    assert isinstance(ledger, BatchReader)
    done, retried = sample_notice(1), sample_notice(2)
    claim = await ledger.claim(done, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    await ledger.finish(done, outcome(done, OutcomeStatus.DELIVERED, at(1)), fence=claim.fence)
    first = await ledger.claim(retried, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert first.attempt is not None
    await ledger.end_attempt(
        AttemptEnd(first.attempt, error=TransientDeliveryError("429")), now=at(1), fence=first.fence
    )
    await ledger.begin_attempt(
        retried.idempotency_key, fence=first.fence, to=TO, now=at(2), lease_seconds=LEASE
    )
    unknown = [f"never-seen-{i}" for i in range(GET_MANY_CHUNK + 20)]
    keys = [*unknown[:300], retried.idempotency_key, *unknown[300:], done.idempotency_key]

    got = await ledger.get_many([*keys, done.idempotency_key])  # a repeated key too

    assert set(got) == {done.idempotency_key, retried.idempotency_key}
    for key, record in got.items():
        assert record == await ledger.get(key)
    assert len(got[retried.idempotency_key].attempts) == 2
    assert await ledger.get_many([]) == {}
    assert await get_many(ledger, keys) == got
