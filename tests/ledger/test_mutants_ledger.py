"""The SQL ledger at the lines a mutation run showed untested (issue 22): what each claim
answer carries, an expired claim's own slot, the transitions take-over and release
write, who holds a claim after a take-over, how an attempt without error or receipt is
stored, verify_audit on an empty, a truncated and a purged chain, and what
record_delivery answers for replays, early and stale late-failure reports.

On both durable back-ends (``ledger`` of conftest.py), with fixed instants.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rawdb import raw_db

from notifysdk.channels import ReconcileStatus
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import AmbiguousDeliveryError, ClaimLostError
from notifysdk.ledger.base import AttemptEnd, ClaimStatus, NoticeState
from notifysdk.ledger.durable import Transition
from notifysdk.ledger.receipts import DeliveryUpdate, LateFailure
from notifysdk.ledger.sql import SqlLedger
from notifysdk.models import Notice, Outcome, OutcomeStatus, Receipt
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
LEASE = 60.0
TO = "+8613800138000"


def at(seconds: float) -> datetime:
    """The instant ``seconds`` after :data:`T0`."""
    return T0 + timedelta(seconds=seconds)


def cap(limit: int, scope: str = "debtor:P000001") -> Reservation:
    """One slot under a daily cap on ``scope`` (the day of :data:`T0`)."""
    start = T0.replace(hour=0)
    return Reservation("cap", "*", scope, limit, start, start + timedelta(days=1))


def done(notice: Notice, status: OutcomeStatus, when: datetime, **kw: Any) -> Outcome:
    """An outcome of ``notice`` at ``when``."""
    return Outcome(
        idempotency_key=notice.idempotency_key,
        status=status,
        channel=notice.channel,
        at=when,
        **kw,
    )


@pytest.fixture
async def other(ledger_url: str, ledger: SqlLedger) -> AsyncIterator[SqlLedger]:
    """A second worker's ledger on the same database as ``ledger``."""
    opened = open_ledger(ledger_url)
    assert isinstance(opened, SqlLedger)
    yield opened
    await opened.aclose()


# -- claim ------------------------------------------------------------------------


async def test_every_claim_answer_names_its_key_and_owner(ledger: SqlLedger) -> None:
    n, m, k = sample_notice(1), sample_notice(2), sample_notice(3)
    first = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    assert (first.status, first.key, first.owner) == (ClaimStatus.CLAIMED, n.idempotency_key, "w1")
    busy = await ledger.claim(n, owner="w2", now=at(1), lease_seconds=LEASE)
    assert (busy.status, busy.key, busy.owner) == (ClaimStatus.BUSY, n.idempotency_key, "w1")
    assert busy.lease_until == at(LEASE)
    delivered = done(n, OutcomeStatus.DELIVERED, at(2))
    assert await ledger.finish(n, delivered, fence=first.fence)
    dup = await ledger.claim(n, owner="w2", now=at(3), lease_seconds=LEASE)
    assert (dup.status, dup.key, dup.owner, dup.outcome) == (
        ClaimStatus.DUPLICATE,
        n.idempotency_key,
        "w2",
        delivered,
    )
    # an expired claim with an attempt in flight: busy, with no lease to wait for
    held = await ledger.claim(m, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert held.status is ClaimStatus.CLAIMED
    stuck = await ledger.claim(m, owner="w2", now=at(LEASE + 1), lease_seconds=LEASE)
    assert (stuck.status, stuck.key, stuck.owner, stuck.lease_until) == (
        ClaimStatus.BUSY,
        m.idempotency_key,
        "w1",
        None,
    )
    day = cap(1, "debtor:P000009")
    taken = await ledger.claim(k, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day])
    assert taken.status is ClaimStatus.CLAIMED
    refused = await ledger.claim(
        sample_notice(4), owner="w3", now=at(1), lease_seconds=LEASE, reservations=[day]
    )
    assert (refused.status, refused.key, refused.owner) == (
        ClaimStatus.CAP_EXCEEDED,
        sample_notice(4).idempotency_key,
        "w3",
    )
    assert (refused.reservation, refused.count) == (day, 1)


async def test_an_expired_claims_own_slot_does_not_count_against_its_take_over(
    ledger: SqlLedger,
) -> None:
    n = sample_notice()
    day = cap(1)
    first = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day])
    assert first.status is ClaimStatus.CLAIMED
    # nothing went out under w1's claim: w2 takes it over, with the one slot w1 held
    second = await ledger.claim(
        n, owner="w2", now=at(LEASE + 1), lease_seconds=LEASE, reservations=[day]
    )
    assert second.status is ClaimStatus.CLAIMED, second
    assert await ledger.count(day.scope, day.window_start, day.window_end) == 1


# -- take_over and release ------------------------------------------------------------


async def test_take_over_and_release_record_their_transitions(ledger: SqlLedger) -> None:
    n = sample_notice()
    key = n.idempotency_key
    await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    fence = await ledger.take_over(
        key, expected_owner="w1", owner="w2", now=at(2 * LEASE), lease_seconds=LEASE
    )
    assert fence is not None
    released = await ledger.release(
        key, expected_owner="w2", now=at(4 * LEASE), reason="reconciled: not sent"
    )
    assert released is True
    assert list(await ledger.transitions(key)) == [
        Transition(key, None, NoticeState.CLAIMED, at(0), "claimed"),
        Transition(
            key, NoticeState.CLAIMED, NoticeState.CLAIMED, at(2 * LEASE), "taken over by recovery"
        ),
        Transition(
            key, NoticeState.CLAIMED, NoticeState.PENDING, at(4 * LEASE), "reconciled: not sent"
        ),
    ]


async def test_a_claim_taken_over_is_this_workers_not_a_stale_one(
    ledger: SqlLedger, other: SqlLedger, ledger_url: str
) -> None:
    """Recovery must not find the claim it just took over "stale" (it would take it over
    again, from itself, and lose its own fence); a restarted process of the same owner
    does find it."""
    n = sample_notice()
    key = n.idempotency_key
    await other.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    now = at(2 * LEASE)
    fence = await ledger.take_over(
        key, expected_owner="w1", owner="w2", now=now, lease_seconds=LEASE
    )
    assert fence is not None
    soon = now + timedelta(seconds=1)
    assert list(await ledger.stale_claims(owner="w2", now=soon)) == []
    restarted = open_ledger(ledger_url)
    assert isinstance(restarted, SqlLedger)
    try:
        assert [s.record.key for s in await restarted.stale_claims(owner="w2", now=soon)] == [key]
    finally:
        await restarted.aclose()
    with pytest.raises(ClaimLostError) as lost:
        await other.begin_attempt(key, fence=fence - 1, to=TO, now=now, lease_seconds=LEASE)
    assert str(lost.value) == (
        "this worker no longer holds the claim on the notice (taken over or finished)"
    )


# -- how an attempt ended -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ended", "detail"),
    [
        (
            {"reconciled": ReconcileStatus.NOT_SENT},
            {"error": "unknown", "reconciled": "not_sent", "_status": "reconciled_not_sent"},
        ),
        (
            {"error": AmbiguousDeliveryError("timeout"), "reconciled": ReconcileStatus.UNKNOWN},
            {"error": "AmbiguousDeliveryError", "reconciled": "unknown", "_status": "unknown"},
        ),
    ],
    ids=["reconciled_not_sent", "ambiguous"],
)
async def test_an_attempt_ended_by_reconciliation_stores_what_was_found(
    ledger: SqlLedger, ended: dict[str, Any], detail: dict[str, str]
) -> None:
    n = sample_notice()
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert claim.attempt is not None
    end = AttemptEnd(claim.attempt, **ended)
    await ledger.end_attempt(end, now=at(5), fence=claim.fence)
    (attempt,) = await ledger.attempts(n.idempotency_key)
    assert dict(attempt.detail) == {**detail, "_ended_at": at(5).isoformat()}


# -- finish ------------------------------------------------------------------------------


async def test_finish_records_why_and_when_a_deferred_notice_is_due(ledger: SqlLedger) -> None:
    n, m = sample_notice(1), sample_notice(2)
    key = n.idempotency_key
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE)
    later = done(
        n,
        OutcomeStatus.DEFERRED,
        at(1),
        until=at(3600),
        rule="contact-window",
        reason="22:30 local",
    )
    assert await ledger.finish(n, later, fence=claim.fence)
    stored = await ledger.load(key)
    assert stored is not None and stored.due_at == at(3600)
    again = await ledger.claim(n, owner="w1", now=at(3600), lease_seconds=LEASE)
    assert again.status is ClaimStatus.CLAIMED
    assert [(t.from_state, t.to_state, t.reason) for t in await ledger.transitions(key)] == [
        (None, NoticeState.CLAIMED, "claimed"),
        (NoticeState.CLAIMED, NoticeState.DEFERRED, "contact-window: 22:30 local"),
        (NoticeState.DEFERRED, NoticeState.CLAIMED, "claimed"),
    ]
    # only a deferred notice has a due time, whatever else its outcome carries
    failed = done(m, OutcomeStatus.FAILED, at(2), until=at(7200), reason="provider refused")
    assert await ledger.finish(m, failed)
    stored = await ledger.load(m.idempotency_key)
    assert stored is not None and stored.due_at is None
    (last,) = await ledger.transitions(m.idempotency_key)
    assert (last.from_state, last.to_state, last.reason) == (
        None,
        NoticeState.FAILED,
        "provider refused",
    )


async def test_a_delivered_contact_stays_counted_when_the_notice_is_sent_again(
    ledger: SqlLedger,
) -> None:
    """A late failure and a re-drive put the notice through a second claim: releasing that
    claim's slot must not release the slot the first, delivered, send used."""
    n = sample_notice()
    key = n.idempotency_key
    day = cap(5)
    claim = await ledger.claim(
        n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[day], to=TO
    )
    assert claim.attempt is not None
    receipt = Receipt(channel=n.channel, provider_id="SM-c", accepted_at=at(0))
    outcome = done(n, OutcomeStatus.DELIVERED, at(0), receipt=receipt, attempts=1)
    assert await ledger.finish(
        n, outcome, fence=claim.fence, ended=AttemptEnd(claim.attempt, receipt=receipt)
    )
    transient = LateFailure("unreachable handset", provider_code="30003", retry_limit=2)
    await ledger.record_delivery(
        "SM-c", status="undelivered", rank=5, now=at(60), failure=transient
    )
    assert await ledger.requeue(key, now=at(120), reason="resend")
    second = await ledger.claim(n, owner="w1", now=at(180), lease_seconds=LEASE, reservations=[day])
    assert second.status is ClaimStatus.CLAIMED
    assert await ledger.count(day.scope, day.window_start, day.window_end) == 2
    assert await ledger.finish(n, done(n, OutcomeStatus.FAILED, at(181)), fence=second.fence)
    assert await ledger.count(day.scope, day.window_start, day.window_end) == 1


async def test_purge_keeps_a_notice_for_the_longest_retention_of_its_profiles(
    ledger: SqlLedger,
) -> None:
    from notifysdk.testing import sample_account

    n = sample_notice(1, account=sample_account(1, profiles=("us-regf", "cn")))
    await _deliver(ledger, [n], T0)
    retention = {"us-regf": timedelta(days=365), "cn": timedelta(days=5 * 365)}
    report = await ledger.purge(T0 + timedelta(days=2 * 365), retention, default=timedelta(days=30))
    assert report.notices == 0
    assert await ledger.get(n.idempotency_key) is not None


# -- verify_audit -------------------------------------------------------------------


async def test_an_empty_ledger_verifies(ledger: SqlLedger) -> None:
    report = await ledger.verify_audit()
    assert (report.ok, report.entries) == (True, 0)


async def _deliver(ledger: SqlLedger, notices: list[Notice], start: datetime) -> None:
    for i, n in enumerate(notices):
        now = start + timedelta(seconds=i)
        claim = await ledger.claim(n, owner="w1", now=now, lease_seconds=LEASE)
        assert await ledger.finish(n, done(n, OutcomeStatus.DELIVERED, now), fence=claim.fence)


async def test_verify_reports_the_chains_first_entry_missing(
    ledger: SqlLedger, ledger_url: str
) -> None:
    await _deliver(ledger, [sample_notice(i) for i in (1, 2, 3)], T0)
    with raw_db(ledger_url) as db:
        db.x("DELETE FROM audit WHERE seq = 1")
    report = await ledger.verify_audit()
    assert (report.ok, report.problem, report.position, report.seq) == (False, "deleted", 1, 2)
    assert report.detail == "1 entry(ies) missing before it"


async def test_verify_checks_a_purged_chain_from_its_anchor(
    ledger: SqlLedger, ledger_url: str
) -> None:
    old, kept = sample_notice(1), sample_notice(2)
    await _deliver(ledger, [old], T0)
    await _deliver(ledger, [kept], T0 + timedelta(days=300))
    report = await ledger.purge(T0 + timedelta(days=400), {}, default=timedelta(days=365))
    assert (report.notices, report.audit_entries, report.kept_from_seq) == (1, 1, 2)
    assert (await ledger.verify_audit()).ok  # the chain now starts after its anchor
    with raw_db(ledger_url) as db:  # a forged anchor
        db.x("UPDATE ledger_meta SET value = 'f00d' WHERE name = 'audit_anchor_hash'")
    forged = await ledger.verify_audit()
    assert (forged.ok, forged.problem, forged.position, forged.seq) == (False, "deleted", 1, 2)
    assert forged.detail == "the first entry does not link to the chain's anchor"


# -- record_delivery ------------------------------------------------------------------


async def _delivered(ledger: SqlLedger, n: Notice, sid: str, now: datetime) -> int:
    """Claim ``n``, send it (accepted as ``sid``) and finish it delivered; its fence."""
    claim = await ledger.claim(n, owner="w1", now=now, lease_seconds=LEASE, to=TO)
    assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None
    receipt = Receipt(channel=n.channel, provider_id=sid, accepted_at=now)
    outcome = done(n, OutcomeStatus.DELIVERED, now, receipt=receipt, attempts=1)
    ended = AttemptEnd(claim.attempt, receipt=receipt)
    assert await ledger.finish(n, outcome, fence=claim.fence, ended=ended)
    return claim.fence


async def test_record_delivery_answers_in_full(ledger: SqlLedger) -> None:
    n = sample_notice()
    key = n.idempotency_key
    await _delivered(ledger, n, "SM1", at(0))
    first = await ledger.record_delivery("SM1", status="delivered", rank=4, now=at(5))
    assert first == DeliveryUpdate(True, True, key, 1, "delivered", NoticeState.DELIVERED, 1, False)
    replay = await ledger.record_delivery("SM1", status="sent", rank=2, now=at(6))
    assert replay == DeliveryUpdate(
        True, False, key, 1, "delivered", NoticeState.DELIVERED, 1, False
    )
    unknown = await ledger.record_delivery("SM-none", status="sent", rank=2, now=at(6))
    assert unknown == DeliveryUpdate(known=False)
    assert unknown.known is False


async def test_a_late_failure_before_the_outcome_is_recorded_moves_nothing(
    ledger: SqlLedger,
) -> None:
    """The status callback can beat the worker's ``finish``: the notice is still
    claimed, so the failure is stored on the attempt and the notice is left alone."""
    n = sample_notice()
    key = n.idempotency_key
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert claim.attempt is not None
    receipt = Receipt(channel=n.channel, provider_id="SM2", accepted_at=at(0))
    await ledger.end_attempt(
        AttemptEnd(claim.attempt, receipt=receipt), now=at(1), fence=claim.fence
    )
    before = list(await ledger.transitions(key))
    update = await ledger.record_delivery(
        "SM2",
        status="undelivered",
        rank=5,
        now=at(2),
        error_code="30003",
        failure=LateFailure("unreachable handset", provider_code="30003", retry_limit=2),
    )
    assert (update.changed, update.notice_state, update.retry) == (
        True,
        NoticeState.CLAIMED,
        False,
    )
    assert list(await ledger.transitions(key)) == before
    record = await ledger.get(key)
    assert record is not None and record.state is NoticeState.CLAIMED


async def test_a_late_report_on_the_first_send_leaves_the_resent_notice_delivered(
    ledger: SqlLedger,
) -> None:
    n = sample_notice()
    key = n.idempotency_key
    transient = LateFailure("unreachable handset", provider_code="30003", retry_limit=2)
    await _delivered(ledger, n, "SM-a", at(0))
    failed = await ledger.record_delivery(
        "SM-a", status="undelivered", rank=5, now=at(60), error_code="30003", failure=transient
    )
    assert (failed.notice_state, failed.retry) == (NoticeState.FAILED, True)
    last = (await ledger.transitions(key))[-1]
    assert (last.from_state, last.to_state, last.reason) == (
        NoticeState.DELIVERED,
        NoticeState.FAILED,
        "unreachable handset",
    )
    assert await ledger.requeue(key, now=at(120), reason="resend after a late failure")
    await _delivered(ledger, n, "SM-b", at(180))  # the re-send, accepted
    before = list(await ledger.transitions(key))
    stale = await ledger.record_delivery(
        "SM-a", status="failed", rank=6, now=at(240), error_code="30003", failure=transient
    )
    assert (stale.changed, stale.attempt, stale.notice_state, stale.retry) == (
        True,
        1,
        NoticeState.DELIVERED,
        False,
    )
    assert stale.accepted_sends == 2
    assert list(await ledger.transitions(key)) == before
    record = await ledger.get(key)
    assert record is not None and record.state is NoticeState.DELIVERED


# -- PostgreSQL: every write waits for the locks it names ------------------------------


async def _setup_claimed(ledger: SqlLedger, n: Notice) -> dict[str, Any]:
    claim = await ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, to=TO)
    assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None
    return {"fence": claim.fence, "attempt": claim.attempt}


def _op(ledger: SqlLedger, what: str, n: Notice, got: dict[str, Any]) -> Awaitable[object]:
    key, fence = n.idempotency_key, int(got["fence"])
    if what == "begin_attempt":
        return ledger.begin_attempt(key, fence=fence, to=TO, now=at(1), lease_seconds=LEASE)
    if what == "end_attempt":
        ended = AttemptEnd(got["attempt"], error=AmbiguousDeliveryError("timeout"))
        return ledger.end_attempt(ended, now=at(1), fence=fence)
    if what == "take_over":
        return ledger.take_over(
            key, expected_owner="w1", owner="w2", now=at(2 * LEASE), lease_seconds=LEASE
        )
    if what == "release":
        return ledger.release(key, expected_owner="w1", now=at(2 * LEASE), reason="test")
    if what == "finish":
        return ledger.finish(n, done(n, OutcomeStatus.FAILED, at(1)), fence=fence)
    if what == "claim":
        return ledger.claim(n, owner="w1", now=at(0), lease_seconds=LEASE, reservations=[cap(5)])
    assert what == "record_delivery"
    return ledger.record_delivery("SM-lock", status="delivered", rank=4, now=at(5))


@pytest.mark.parametrize(
    ("what", "lock"),
    [
        ("begin_attempt", "n"),
        ("end_attempt", "n"),
        ("take_over", "n"),
        ("release", "n"),
        ("finish", "n"),
        ("finish", "audit"),
        ("record_delivery", "audit"),
        ("claim", "n"),
        ("claim", "s"),
    ],
)
async def test_on_postgresql_a_write_waits_for_the_locks_it_names(
    pg_url: str, what: str, lock: str
) -> None:
    """Two workers on PostgreSQL are serialized by advisory locks (``n:KEY`` for a notice,
    ``audit`` for the chain's head): while another session holds the lock, the write
    waits, and it completes once the lock is free."""
    import asyncio

    import psycopg

    from notifysdk.ledger.postgres import split_pg_url
    from notifysdk.ledger.runner import lock_id

    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    try:
        n = sample_notice()
        got: dict[str, Any] = {"fence": 0}
        if what == "record_delivery":
            await _delivered(ledger, n, "SM-lock", at(0))
        elif what != "claim":
            got = await _setup_claimed(ledger, n)
        name = {"n": f"n:{n.idempotency_key}", "s": f"s:{cap(5).scope}"}.get(lock, lock)
        with psycopg.connect(split_pg_url(pg_url)[0], autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (lock_id(name),))
            task = asyncio.ensure_future(_op(ledger, what, n, got))
            finished, _ = await asyncio.wait({task}, timeout=0.5)
            assert not finished, f"{what} did not wait for the {name!r} lock"
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_id(name),))
            await asyncio.wait_for(task, timeout=10)
    finally:
        await ledger.aclose()
