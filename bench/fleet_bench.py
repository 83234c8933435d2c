"""Ledger write throughput across processes: N processes (1, 2, 4) each claiming and
finishing notices on one PostgreSQL ledger, in one run, with the ratio to N=1.

One notice = claim (one counter reservation under its own debtor's scope, attempt 1 in
flight) + finish (the attempt ended with its receipt, the outcome and its ``outcome``
audit entry): the two write transactions of a notice delivered at the first attempt, as
the dispatcher makes them. Each process keeps ``--concurrency`` notices in flight (the
group commit batches them, as a worker's concurrent sends are batched). Every process
does the same number of notices, so N processes do N times the work; notices/s is the
total over the wall time from the common start to the last process done. While they
run, the parent samples ``pg_stat_activity`` every 5 ms: the share of the ledger's
sessions waiting on a lock (the audit chain's advisory lock, when it serialises the
writers) and "idle in transaction" (a transaction held open while the client works).
After each N the audit chain is verified (intact, no gaps) and counted.

    .venv/bin/python bench/fleet_bench.py [--notices 1500] [--procs 1,2,4] [--send-ms 20]

``--send-ms``: each notice waits that long between its claim and its finish, as a send
to a provider does; with few notices in flight a process is then latency-bound, not
CPU-bound, which shows whether the ledger lets processes overlap.

PostgreSQL is started on loopback from Debian's binaries (tests/ledger/pg_server.py),
fsync off. On a shared 2-core machine the clients and the server share the cores, so
past N=2 the run is CPU-bound (``cpu ms/n`` rises, ``idle in tx`` is a client waiting for
a core): compare ratios within one run, not figures across runs, and read ``lock wait``
for what the ledger's own locking costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ledger"))

from notifysdk.clock import FakeClock  # noqa: E402
from notifysdk.ledger.base import AttemptEnd, ClaimStatus  # noqa: E402
from notifysdk.ledger.postgres import PostgresLedger  # noqa: E402
from notifysdk.models import Outcome, OutcomeStatus, Receipt  # noqa: E402
from notifysdk.policy import Reservation  # noqa: E402
from notifysdk.testing import sample_notice  # noqa: E402

PER_PROCESS = 10_000_000
"""Notice numbers of process p start at ``p * PER_PROCESS`` (distinct keys)."""


async def _child(url: str, proc: int, n: int, concurrency: int, send_ms: float) -> dict[str, float]:
    ledger = PostgresLedger(url)
    await ledger.get("-")  # connect, check the keys, before the common start
    clock = FakeClock()
    start_day = clock.now().replace(hour=0)
    notices = [sample_notice(proc * PER_PROCESS + i) for i in range(1, n + 1)]
    print("ready", flush=True)
    sys.stdin.readline()  # the parent's "go"
    t0 = time.monotonic()
    cpu0 = time.process_time()
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        notice = notices[i]
        key = notice.idempotency_key
        res = Reservation(
            "bench", "*", f"debtor:{proc}:{i}", 3, start_day, start_day + timedelta(days=1)
        )
        async with sem:
            now = clock.now()
            claim = await ledger.claim(
                notice,
                owner=f"bench-{proc}",
                now=now,
                lease_seconds=60,
                reservations=(res,),
                to="+8613800138000",
            )
            assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None, claim
            if send_ms:
                await asyncio.sleep(send_ms / 1000)  # the provider's answer
            receipt = Receipt(channel="mock", provider_id=f"p{proc}-{i}", accepted_at=now)
            written = await ledger.finish(
                notice,
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
            assert written

    await asyncio.gather(*(one(i) for i in range(n)))
    t1 = time.monotonic()
    cpu = time.process_time() - cpu0
    batches = ledger.runner.batches
    await ledger.aclose()
    return {"start": t0, "end": t1, "cpu": cpu, "batches": batches, "notices": n}


class _Sampler:
    """Samples the ledger sessions' states in pg_stat_activity until stopped."""

    def __init__(self, url: str, dbname: str) -> None:
        self.url, self.dbname = url, dbname
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                for state, wait_type in conn.execute(
                    "SELECT state, wait_event_type FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = "
                    "'client backend'",
                    (self.dbname,),
                ).fetchall():
                    if wait_type == "Lock":
                        self.counts["lock"] += 1
                    elif state == "idle in transaction":
                        self.counts["idle_tx"] += 1
                    elif state == "active":
                        self.counts["active"] += 1
                    else:
                        self.counts["idle"] += 1
                time.sleep(0.005)

    def share(self, what: str) -> float:
        total = sum(self.counts.values())
        return self.counts[what] / total if total else 0.0


def _run_fleet(
    url: str, dbname: str, procs: int, n: int, concurrency: int, send_ms: float
) -> dict[str, float]:
    path = [str(ROOT / "bench"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                url,
                str(p),
                str(n),
                str(concurrency),
                str(send_ms),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for p in range(procs)
    ]
    for c in children:
        assert c.stdout is not None
        line = c.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a bench process did not start: {line!r}")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with _Sampler(admin, dbname) as sampler:
        for c in children:
            assert c.stdin is not None
            c.stdin.write("go\n")
            c.stdin.flush()
        results = []
        for c in children:
            out, _ = c.communicate(timeout=900)
            if c.returncode != 0:
                raise RuntimeError(f"a bench process failed ({c.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    total = sum(r["notices"] for r in results)
    return {
        "rate": total / wall,
        "wall": wall,
        "cpu": sum(r["cpu"] for r in results),
        "ops_per_tx": 2 * total / max(1, sum(r["batches"] for r in results)),
        "lock": sampler.share("lock"),
        "idle_tx": sampler.share("idle_tx"),
    }


async def _check_chain(url: str) -> tuple[bool, int, str]:
    ledger = PostgresLedger(url)
    report = await ledger.verify_audit()
    entries = await ledger.audit_entries()
    await ledger.aclose()
    seqs = [e.seq for e in entries]
    gap_free = seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True
    return report.ok and gap_free, len(entries), report.detail or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=1500, help="per process")
    parser.add_argument("--procs", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--send-ms",
        type=float,
        default=0.0,
        help="a provider's latency between claim and finish (0: the ledger alone)",
    )
    args = parser.parse_args()
    from pg_server import PgServer

    counts = [int(p) for p in args.procs.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as keys, PgServer.start() as pg:
        os.environ["NOTIFYSDK_KEY_DIR"] = keys  # one key folder for every process
        for procs in counts:
            dbname = f"fleet_{procs}"
            url = pg.create_database(dbname)

            async def prepare(u: str = url) -> None:  # schema and keys, once, before the race
                ledger = PostgresLedger(u)
                await ledger.get("-")
                await ledger.aclose()

            asyncio.run(prepare())
            row = _run_fleet(url, dbname, procs, args.notices, args.concurrency, args.send_ms)
            ok, entries, why = asyncio.run(_check_chain(url))
            if not ok or entries != procs * args.notices:
                raise SystemExit(f"audit chain after N={procs}: {entries} entries, {why}")
            rows.append((procs, row))
    base = rows[0][1]["rate"]
    print(
        f"{args.notices} notices per process (claim + finish"
        + (f", {args.send_ms:g} ms send between" if args.send_ms else "")
        + f"), {args.concurrency} in flight per process; PostgreSQL on loopback, fsync off; "
        "audit chain verified after each N"
    )
    print(
        f"{'processes':>9} {'notices/s':>10} {'ratio':>6} {'cpu s':>7} {'cpu ms/n':>8} "
        f"{'ops/tx':>7} {'lock wait':>9} {'idle in tx':>10}"
    )
    for procs, r in rows:
        per = 1000 * r["cpu"] / (procs * args.notices)
        print(
            f"{procs:9d} {r['rate']:10.0f} {r['rate'] / base:6.2f} {r['cpu']:7.1f} {per:8.2f} "
            f"{r['ops_per_tx']:7.1f} {r['lock']:9.0%} {r['idle_tx']:10.0%}"
        )
    print(
        "cpu: the bench processes' own CPU time (the server's is not counted); lock wait and "
        "idle in tx: shares of the sampled ledger sessions"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, proc, n, conc = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        send = float(sys.argv[6])
        print(json.dumps(asyncio.run(_child(url, proc, n, conc, send))), flush=True)
    else:
        main()
