"""The SQLite ledger's shorter paths hold to the long ones they replace.

- a claim's caps are read in one statement (:func:`notifysdk.ledger.sql._counts`): the
  same counts as one ``_count`` per reservation, the first full one refused;
- its reservations are written in one ``INSERT``, in the reservations' order;
- ``finish`` reads the audit chain's head with its row: the chain still links every
  entry, however appends of other operations of the same transaction interleave;
- the writer thread answers asyncio callers on their loop directly (no thread future
  chained to each): results in order, errors typed, a caller that gave up before its
  operation ran never runs it, one that gives up while it runs is not answered.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifysdk.ledger.base import ClaimStatus
from notifysdk.ledger.runner import TxRunner
from notifysdk.ledger.sql import AUDIT_HEAD_SQL, SqlLedger, _count, _counts, audit_head
from notifysdk.ledger.sqlite import SqliteBackend, SqliteLedger, _SqliteDb
from notifysdk.models import Outcome, OutcomeStatus
from notifysdk.reservations import Reservation
from notifysdk.testing import sample_notice

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
SCOPES = ["#a", "#b", "#c"]
KEYS = ["k1", "k2", "k3"]


def _db() -> _SqliteDb:
    db = _SqliteDb(sqlite3.connect(":memory:", isolation_level=None))
    SqlLedger.migrate(db)
    return db


contacts = st.lists(
    st.tuples(
        st.sampled_from(SCOPES),
        st.integers(-3, 3),
        st.sampled_from([None, *KEYS]),
        st.sampled_from(["reserved", "sent", "recorded"]),
    ),
    max_size=25,
)
reservations = st.lists(
    st.tuples(st.sampled_from(SCOPES), st.integers(-4, 4), st.integers(0, 5)),
    min_size=0,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=contacts, wanted=reservations, but=st.sampled_from(KEYS))
def test_counts_are_each_reservations_count(
    rows: list[tuple[str, int, str | None, str]],
    wanted: list[tuple[str, int, int]],
    but: str,
) -> None:
    db = _db()
    for scope, sec, key, kind in rows:
        db.x(
            "INSERT INTO contacts (scope, at, key, kind) VALUES (?, ?, ?, ?)",
            (scope, sec * 1_000_000, key, kind),
        )
    res = [
        Reservation("r", "p", scope, 1, T0 + timedelta(seconds=s), T0 + timedelta(seconds=s + w))
        for scope, s, w in wanted
    ]
    # stored times are relative to T0 in whole seconds: shift the rows to match
    db.x("UPDATE contacts SET at = at + ?", (int(T0.timestamp()) * 1_000_000,))
    scopes = [r.scope for r in res]
    one_by_one = [
        _count(
            db,
            r.scope,
            int(r.window_start.timestamp()) * 1_000_000,
            int(r.window_end.timestamp()) * 1_000_000,
            but=but,
        )
        for r in res
    ]
    assert _counts(db, res, scopes, but) == one_by_one


def _res(scope: str, limit: int) -> Reservation:
    return Reservation("r", "p", scope, limit, T0 - timedelta(days=1), T0 + timedelta(days=1))


async def test_claim_refuses_the_first_full_cap_and_writes_nothing(tmp_path: Path) -> None:
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/l.db")
    try:
        first = sample_notice(1, channel="capture-sms")
        taken = await ledger.claim(
            first,
            owner="w",
            now=T0,
            lease_seconds=30,
            reservations=[_res("debt:1", 5), _res("inst", 1), _res("num", 1)],
        )
        assert taken.status is ClaimStatus.CLAIMED
        second = sample_notice(2, channel="capture-sms")
        full = [_res("debt:1", 5), _res("inst", 1), _res("num", 1)]
        refused = await ledger.claim(second, owner="w", now=T0, lease_seconds=30, reservations=full)
        assert refused.status is ClaimStatus.CAP_EXCEEDED
        assert refused.reservation == full[1]  # the first full one, not the last
        assert refused.count == 1
        vault = ledger.vault
        rows = await ledger.runner.run(
            lambda db: db.all("SELECT scope, key, kind FROM contacts ORDER BY id")
        )
        key = first.idempotency_key
        assert rows == [
            (vault.scope("debt:1"), key, "reserved"),
            (vault.scope("inst"), key, "reserved"),
            (vault.scope("num"), key, "reserved"),
        ]
    finally:
        await ledger.aclose()


async def test_finish_links_the_chain_among_other_appends_of_its_transaction(
    tmp_path: Path,
) -> None:
    ledger = SqliteLedger(f"sqlite:///{tmp_path}/l.db")
    try:
        notices = [sample_notice(i, channel="capture-sms") for i in range(12)]
        claims = await asyncio.gather(
            *(ledger.claim(n, owner="w", now=T0, lease_seconds=30) for n in notices)
        )

        def outcome(i: int) -> Outcome:
            status = OutcomeStatus.DELIVERED if i % 2 else OutcomeStatus.FAILED
            return Outcome(
                idempotency_key=notices[i].idempotency_key,
                status=status,
                channel="capture-sms",
                at=T0,
                rule=None if i % 2 else "r",
                reason=None if i % 2 else "why",
            )

        # One batch: finishes (head read with the row) between plain appends (head read
        # alone) and a pre-claim decision of a new key (no row: head read alone).
        work: list[Any] = []
        for i, c in enumerate(claims):
            work.append(ledger.finish(notices[i], outcome(i), fence=c.fence))
            work.append(ledger.audit("note", None, {"i": i}, now=T0))
        fresh = sample_notice(99, channel="capture-sms")
        work.append(
            ledger.finish(
                fresh,
                Outcome(
                    idempotency_key=fresh.idempotency_key,
                    status=OutcomeStatus.BLOCKED,
                    channel="capture-sms",
                    at=T0,
                    rule="r",
                    reason="no",
                ),
            )
        )
        answers = await asyncio.gather(*work)
        assert all(answers[0::2])  # every finish wrote (the pre-claim one too)
        report = await ledger.verify_audit()
        assert report.ok, report
        entries = await ledger.audit_entries()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert len(entries) == 2 * len(notices) + 1
        head = await ledger.runner.run(lambda db: audit_head(db.all(AUDIT_HEAD_SQL)))
        assert head == (entries[-1].seq, entries[-1].hash)
    finally:
        await ledger.aclose()


@pytest.fixture
def runner(tmp_path: Path) -> TxRunner:
    return TxRunner(SqliteBackend(str(tmp_path / "r.db"), synchronous="off"), max_batch=8)


async def test_runner_answers_in_order_with_each_callers_error(runner: TxRunner) -> None:
    def op(i: int):  # type: ignore[no-untyped-def]
        def fn(db: object) -> int:
            if i % 3 == 0:
                raise ValueError(f"op {i}")
            return i * 10

        return fn

    try:
        got = await asyncio.gather(*(runner.run(op(i)) for i in range(20)), return_exceptions=True)
        for i, value in enumerate(got):
            if i % 3 == 0:
                assert isinstance(value, ValueError) and str(value) == f"op {i}"
            else:
                assert value == i * 10
        assert await asyncio.to_thread(runner.run_sync, lambda db: 7) == 7
    finally:
        await runner.aclose()


async def test_runner_skips_an_operation_given_up_before_it_ran(runner: TxRunner) -> None:
    hold = threading.Event()
    started = threading.Event()
    ran: list[str] = []

    def blocker(db: object) -> str:
        started.set()
        hold.wait(10)
        ran.append("blocker")
        return "blocker"

    def later(db: object) -> str:
        ran.append("later")
        return "later"

    try:
        first = asyncio.ensure_future(runner.run(blocker))
        while not started.is_set():
            await asyncio.sleep(0.001)
        gave_up = asyncio.ensure_future(runner.run(later))
        await asyncio.sleep(0)
        gave_up.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gave_up
        hold.set()
        assert await first == "blocker"
        assert await runner.run(lambda db: "after") == "after"
        assert ran == ["blocker"]
    finally:
        hold.set()
        await runner.aclose()


async def test_runner_drops_the_answer_of_a_caller_that_left_while_it_ran(
    runner: TxRunner,
) -> None:
    hold = threading.Event()
    started = threading.Event()

    def slow(db: object) -> str:
        started.set()
        hold.wait(10)
        return "done"

    loop = asyncio.get_running_loop()
    errors: list[object] = []
    loop.set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    try:
        task = asyncio.ensure_future(runner.run(slow))
        while not started.is_set():
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        hold.set()
        assert await runner.run(lambda db: "next") == "next"
        await asyncio.sleep(0.01)
        assert errors == []
    finally:
        hold.set()
        loop.set_exception_handler(None)
        await runner.aclose()
