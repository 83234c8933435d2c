"""Ledger write throughput (issue 18) must not cost the audit chain: on PostgreSQL an
audit append is deferred to the end of its transaction and linked under the audit lock
there (see notifysdk.ledger.sql). Four processes claim and finish notices at once on one
ledger, with audit entries of their own and finishes refused for a stale fence among
them: the chain verifies intact, its sequence numbers have no gap, every outcome has
exactly one entry, written in its own transaction and named by its transition, and a
refused finish left nothing behind.

Run as a script, this file is one of those processes:
``test_throughput_chain.py URL PROCESS NOTICES`` (it waits for a line on stdin to start).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import ClaimLostError, ConfigurationError
from notifysdk.keys import KeySource, ephemeral_keys
from notifysdk.ledger.audit import entry_hash
from notifysdk.ledger.base import AttemptEnd, ClaimStatus
from notifysdk.ledger.schema import Db, to_us
from notifysdk.ledger.sql import SqlLedger, _append_audit
from notifysdk.models import Notice, Outcome, OutcomeStatus, Receipt
from notifysdk.policy import Reservation
from notifysdk.testing import sample_notice

HERE = Path(__file__).parent
PROCESSES, NOTICES = 4, 120
STALE_EVERY, NOTE_EVERY = 5, 7
"""Every 5th notice is first finished under a stale fence (refused); every 7th gets an
audit entry of its own (``note``) between its claim and its finish."""


def _notice(proc: int, i: int) -> Notice:
    return sample_notice(proc * 100_000 + i + 1)


def _delivered(notice: Notice, now: datetime, provider_id: str) -> tuple[Outcome, Receipt]:
    receipt = Receipt(channel="mock", provider_id=provider_id, accepted_at=now)
    outcome = Outcome(
        idempotency_key=notice.idempotency_key,
        status=OutcomeStatus.DELIVERED,
        channel="mock",
        at=now,
        receipt=receipt,
        attempts=1,
    )
    return outcome, receipt


async def _work(url: str, proc: int, n: int) -> dict[str, int]:
    """One process: claim and finish ``n`` notices, 16 in flight (batched)."""
    ledger = open_ledger(url)
    assert isinstance(ledger, SqlLedger)
    await ledger.get("-")
    clock = FakeClock()
    day = clock.now().replace(hour=0)
    print("ready", flush=True)
    sys.stdin.readline()
    sem = asyncio.Semaphore(16)
    refused = notes = 0

    async def one(i: int) -> None:
        nonlocal refused, notes
        notice = _notice(proc, i)
        res = Reservation("t", "*", f"debtor:{proc}:{i}", 3, day, day + timedelta(days=1))
        async with sem:
            now = clock.now()
            claim = await ledger.claim(
                notice, owner=f"p{proc}", now=now, lease_seconds=60, reservations=(res,), to="+1"
            )
            assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None
            assert claim.fence is not None
            outcome, receipt = _delivered(notice, now, f"p{proc}-{i}")
            ended = AttemptEnd(claim.attempt, receipt=receipt)
            if i % STALE_EVERY == 0:
                try:
                    await ledger.finish(notice, outcome, fence=claim.fence + 1, ended=ended)
                except ClaimLostError:
                    refused += 1
            if i % NOTE_EVERY == 0:
                await ledger.audit("note", notice.idempotency_key, {"proc": proc}, now=now)
                notes += 1
            assert await ledger.finish(notice, outcome, fence=claim.fence, ended=ended)

    await asyncio.gather(*(one(i) for i in range(n)))
    await ledger.aclose()
    return {"refused": refused, "notes": notes}


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("shared_key_dir")
async def test_concurrent_processes_leave_an_intact_gap_free_chain(
    pg_url: str, tmp_path: Path
) -> None:
    first = open_ledger(pg_url)  # the schema and the keys, before the processes race
    await first.get("-")
    await first.aclose()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, pg_url, str(p), str(NOTICES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for p in range(PROCESSES)
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            assert p.stdout.readline().strip() == "ready"
        for p in procs:  # start together, so their transactions overlap
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = await asyncio.to_thread(p.communicate, timeout=280)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert sum(r["refused"] for r in results) == PROCESSES * len(range(0, NOTICES, STALE_EVERY))
    notes = sum(r["notes"] for r in results)
    assert notes == PROCESSES * len(range(0, NOTICES, NOTE_EVERY))

    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    try:
        report = await ledger.verify_audit()
        entries = list(await ledger.audit_entries())
        transitions = {
            p * 100_000 + i: await ledger.transitions(_notice(p, i).idempotency_key)
            for p in range(PROCESSES)
            for i in (0, NOTICES - 1)
        }
    finally:
        await ledger.aclose()
    assert report.ok, report
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    events = Counter(e.event for e in entries)
    assert events == {"outcome": PROCESSES * NOTICES, "note": notes}
    outcome_keys = Counter(e.key for e in entries if e.event == "outcome")
    assert set(outcome_keys.values()) == {1}  # a refused finish wrote no entry
    assert len(outcome_keys) == PROCESSES * NOTICES
    assert all(e.detail["status"] == "delivered" for e in entries if e.event == "outcome")
    # the processes' entries interleave: their appends overlapped (4 blocks in a row
    # would mean the writers ran one after another, and the test proved nothing)
    proc_of = {_notice(p, i).idempotency_key: p for p in range(PROCESSES) for i in range(NOTICES)}
    owner = [proc_of[e.key] for e in entries if e.key is not None]
    assert sum(1 for a, b in itertools.pairwise(owner) if a != b) > PROCESSES
    for moves in transitions.values():
        assert [t.to_state.value for t in moves] == ["claimed", "delivered"]


def test_the_hash_input_built_outside_the_lock_is_the_one_always_hashed() -> None:
    """The content serialised before the lock, joined to its link under it, is byte for
    byte what an entry's hash has always covered (old chains keep verifying)."""
    at = datetime(2026, 12, 2, 8, 0, 1, 5, tzinfo=UTC)
    detail = {"reason": "逾期 notice", "n": 3, "none": None, "nested": {"b": 1, "a": [1.5]}}
    key = secrets.token_bytes(32)
    for prev in ("", "ab" * 32, "h1:0011aabb:" + "c" * 64):
        for event_key in (None, "n-1"):
            blob = json.dumps(
                [prev, at.isoformat(), "outcome", event_key, detail],
                sort_keys=True,
                default=str,
                ensure_ascii=False,
            ).encode()
            plain = entry_hash(prev, at, "outcome", event_key, detail)
            assert plain == hashlib.sha256(blob).hexdigest()
            keyed = entry_hash(prev, at, "outcome", event_key, detail, key)
            assert keyed.endswith(":" + hmac.new(key, blob, "sha256").hexdigest())


@pytest.mark.timeout(120)
async def test_a_refused_append_fails_its_own_caller_only(pg_url: str) -> None:
    """A batch whose deferred appends the chain refuses (the wrong audit key) is run
    again one operation at a time: the appender gets the ConfigurationError, the claims
    batched with it still succeed."""
    keys = ephemeral_keys()
    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    ledger.use_keys(keys)
    try:
        await ledger.audit("campaign", None, {"n": 1}, now=datetime.now(UTC))
    finally:
        await ledger.aclose()
    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    ledger.use_keys(replace(keys, audit=KeySource(secrets.token_bytes(32))))
    now = datetime.now(UTC)
    try:
        await ledger.get("-")

        async def claim(i: int) -> ClaimStatus:
            c = await ledger.claim(sample_notice(i), owner="o", now=now, lease_seconds=60)
            return c.status

        results = await asyncio.gather(
            *(claim(i) for i in range(1, 11)),
            ledger.audit("campaign", None, {"n": 2}, now=now),
            *(claim(i) for i in range(11, 21)),
            return_exceptions=True,
        )
        assert isinstance(results[10], ConfigurationError)
        assert "nor a retired one" in str(results[10])
        assert results[:10] + results[11:] == [ClaimStatus.CLAIMED] * 20
    finally:
        await ledger.aclose()
    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    ledger.use_keys(keys)
    try:
        report = await ledger.verify_audit()
        assert (report.ok, report.entries) == (True, 1)
    finally:
        await ledger.aclose()


@pytest.mark.timeout(120)
async def test_an_operation_that_fails_after_its_append_takes_its_entry_with_it(
    pg_url: str,
) -> None:
    """An operation's deferred entry goes with its savepoint: batched with others that
    succeed, an operation that appended and then failed leaves no entry (and no gap)."""
    ledger = open_ledger(pg_url)
    assert isinstance(ledger, SqlLedger)
    at = to_us(datetime.now(UTC))

    def good(i: int) -> Callable[[Db], int]:
        def op(db: Db) -> int:
            _append_audit(db, ledger.audit_key, "good", None, {"i": i}, at)
            return i

        return op

    def bad(db: Db) -> None:
        _append_audit(db, ledger.audit_key, "bad", None, {}, at)
        raise ValueError("fails after its append")

    try:
        await ledger.get("-")
        for _ in range(5):  # some of these runs batch the failing one with others
            results = await asyncio.gather(
                *(ledger.runner.run(good(i)) for i in range(8)),
                ledger.runner.run(bad),
                *(ledger.runner.run(good(i)) for i in range(8, 16)),
                return_exceptions=True,
            )
            assert isinstance(results[8], ValueError)
            assert results[:8] + results[9:] == list(range(16))
        entries = list(await ledger.audit_entries())
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert report.ok, report
    assert Counter(e.event for e in entries) == {"good": 80}
    assert [e.seq for e in entries] == list(range(1, 81))


if __name__ == "__main__":
    url, proc, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(asyncio.run(_work(url, proc, n))), flush=True)
