"""Ledger throughput: claims+records per second on SQLite and PostgreSQL, unbatched and
batched (group commit), against a bare baseline measured in the same run.

One "notice" = claim (with one counter reservation, beginning the first attempt) +
finish (ending it with its receipt): two transactions, the ledger work of one notice
delivered on its first attempt, as the dispatcher does it. The baseline is the
same driver doing one bare ``INSERT`` per transaction (unbatched) or per
``executemany`` chunk of the batch size (batched) into a two-column table: the floor of
what a commit costs on that database. Ratios are ledger notices/s over baseline rows/s.

    .venv/bin/python bench/ledger_bench.py [--notices 2000] [--no-postgres]

PostgreSQL is started on loopback from Debian's binaries (tests/ledger/pg_server.py),
with fsync off: its numbers measure the ledger's round trips and locking, not a disk.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ledger"))

from notifysdk.clock import FakeClock  # noqa: E402
from notifysdk.ledger.base import AttemptEnd  # noqa: E402
from notifysdk.ledger.sql import SqlLedger  # noqa: E402
from notifysdk.models import Notice, Outcome, OutcomeStatus, Receipt  # noqa: E402
from notifysdk.policy import Reservation  # noqa: E402
from notifysdk.testing import sample_notice  # noqa: E402

BATCH = 64


async def _one(ledger: SqlLedger, n: Notice, clock: FakeClock, res: Reservation) -> None:
    key = n.idempotency_key
    now = clock.now()
    claim = await ledger.claim(
        n, owner="bench", now=now, lease_seconds=60, reservations=(res,), to="+8613800138000"
    )
    assert claim.attempt is not None, claim
    receipt = Receipt(channel="mock", provider_id="p", accepted_at=now)
    await ledger.finish(
        n,
        Outcome(
            idempotency_key=key,
            status=OutcomeStatus.DELIVERED,
            channel="mock",
            at=now,
            receipt=receipt,
            attempts=1,
        ),
        fence=claim.fence,
        ended=AttemptEnd(claim.attempt, receipt=receipt),
    )


async def _ledger_run(
    open_ledger: Callable[[int], SqlLedger], notices: list[Notice], batched: bool
) -> tuple[float, float]:
    ledger = open_ledger(BATCH if batched else 1)
    clock = FakeClock()
    start = clock.now().replace(hour=0)
    res = Reservation("bench", "*", "debtor:bench", 10**9, start, start + timedelta(days=1))
    t0 = time.perf_counter()
    if batched:
        sem = asyncio.Semaphore(BATCH)

        async def bounded(n: Notice) -> None:
            async with sem:
                await _one(ledger, n, clock, res)

        await asyncio.gather(*(bounded(n) for n in notices))
    else:
        for n in notices:
            await _one(ledger, n, clock, res)
    elapsed = time.perf_counter() - t0
    per_tx = (4 * len(notices)) / max(1, ledger.runner.batches)
    await ledger.aclose()
    return len(notices) / elapsed, per_tx


def _baseline(
    execute: Callable[[str, tuple[object, ...]], object],
    executemany: Callable[[str, list[tuple[object, ...]]], object],
    commit: Callable[[], object],
    n: int,
    batched: bool,
    ph: str,
) -> float:
    execute("CREATE TABLE IF NOT EXISTS bare (k TEXT PRIMARY KEY, v BIGINT)", ())
    commit()
    rows = [(f"k{i}-{batched}", i) for i in range(n)]
    sql = f"INSERT INTO bare (k, v) VALUES ({ph}, {ph})"
    t0 = time.perf_counter()
    if batched:
        for i in range(0, n, BATCH):
            executemany(sql, rows[i : i + BATCH])
            commit()
    else:
        for row in rows:
            execute(sql, row)
            commit()
    return n / (time.perf_counter() - t0)


def bench_sqlite(tmp: Path, n: int, sync: str) -> list[tuple[str, float, float, float]]:
    """Rows: (label, ledger notices/s, baseline rows/s, operations per transaction)."""
    out = []
    for batched in (False, True):
        db = tmp / f"base-{sync}-{batched}.db"
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {sync}")
        base = _baseline(conn.execute, conn.executemany, conn.commit, n, batched, "?")
        conn.close()
        notices = [sample_notice(i) for i in range(1, n + 1)]

        def opener(batch: int, b: bool = batched) -> SqlLedger:
            from notifysdk.ledger.sqlite import SqliteLedger

            return SqliteLedger(f"sqlite:///{tmp}/l-{sync}-{b}.db?synchronous={sync}&batch={batch}")

        rate, per_tx = asyncio.run(_ledger_run(opener, notices, batched))
        out.append(
            (
                f"sqlite synchronous={sync} {'batched' if batched else 'unbatched'}",
                rate,
                base,
                per_tx,
            )
        )
    return out


def bench_postgres(n: int) -> list[tuple[str, float, float, float]]:
    """The same on a loopback PostgreSQL server."""
    import psycopg
    from pg_server import PgServer

    from notifysdk.ledger.postgres import PostgresLedger

    out = []
    with PgServer.start() as pg:
        for batched in (False, True):
            url = pg.create_database(f"bench_{int(batched)}")
            with psycopg.connect(url) as conn:
                base = _baseline(
                    conn.execute, conn.cursor().executemany, conn.commit, n, batched, "%s"
                )
            notices = [sample_notice(i) for i in range(1, n + 1)]

            def opener(batch: int, u: str = url) -> SqlLedger:
                return PostgresLedger(f"{u}?batch={batch}")

            rate, per_tx = asyncio.run(_ledger_run(opener, notices, batched))
            out.append((f"postgresql {'batched' if batched else 'unbatched'}", rate, base, per_tx))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for sync in ("normal", "full"):
            rows += bench_sqlite(Path(tmp), args.notices, sync)
    if not args.no_postgres:
        rows += bench_postgres(args.notices)
    print(
        f"{args.notices} notices each; one notice = claim+reserve, begin, end, finish "
        f"(4 transactions); batched = {BATCH} in flight, group commit up to {BATCH}"
    )
    print(f"{'configuration':38} {'notices/s':>10} {'bare rows/s':>12} {'ratio':>7} {'ops/tx':>7}")
    for label, rate, base, per_tx in rows:
        print(f"{label:38} {rate:10.0f} {base:12.0f} {rate / base:7.3f} {per_tx:7.1f}")


if __name__ == "__main__":
    main()
