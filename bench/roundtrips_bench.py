"""Write transactions and fsyncs per delivered notice on the SQLite ledger.

Sends ``-n`` notices one at a time (and then ``-n`` with ``send_many(concurrency=20)``)
through the full dispatcher — every built-in rule and detector, the cn profile at 10:00
in Shanghai, a capture-free ``MockChannel`` — on a SQLite ledger with
``synchronous=full``. Counts, in the same run:

- commits: the ledger writer's committed transactions (``TxRunner.batches``);
- fsyncs: ``fsync``/``fdatasync`` calls of this process, counted by ``strace -f -c``
  when strace is installed (the script re-runs itself under it);
- the baseline: one bare ``INSERT`` per notice in its own transaction on the same
  database settings (1 commit, and what one commit costs in fsyncs here).

Target (issue 12): at most 3 commits and 2 fsyncs per delivered notice sent one at a
time, fewer per notice with concurrency (group commit).

Run: ``.venv/bin/python bench/roundtrips_bench.py [-n 300]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path


async def dispatch(n: int, folder: Path, concurrency: int) -> tuple[int, int]:
    from notifysdk.clock import FakeClock
    from notifysdk.config import Settings
    from notifysdk.dispatcher import Dispatcher
    from notifysdk.ledger.sql import SqlLedger
    from notifysdk.models import OutcomeStatus
    from notifysdk.testing import MockChannel, sample_account, sample_notice

    url = f"sqlite:///{folder}/ledger-{concurrency}.db?synchronous=full"
    ch = MockChannel()
    settings = Settings(output_dir=folder / "out", ledger_url=url, recover_on_start=False)
    notices = [
        sample_notice(account=sample_account(i + 1, phone=f"+86139{i:08d}"), channel="mock")
        for i in range(n)
    ]
    async with Dispatcher(
        settings, clock=FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC)), channels={"mock": ch}
    ) as d:
        ledger = d.ledger
        assert isinstance(ledger, SqlLedger)
        await d.send(sample_notice(account=sample_account(999_999), channel="mock"))  # warm-up
        before = ledger.runner.batches
        if concurrency == 1:
            outcomes = [await d.send(x) for x in notices]
        else:
            outcomes = await d.send_many(notices, concurrency=concurrency)
        commits = ledger.runner.batches - before
    delivered = sum(o.status is OutcomeStatus.DELIVERED for o in outcomes)
    return commits, delivered


def bare(n: int, folder: Path) -> None:
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (f"k{i}", "x" * 200))
        conn.execute("COMMIT")
    conn.close()


def child(mode: str, n: int, folder: Path) -> None:
    """One measured part, run on its own so strace counts only it."""
    if mode == "bare":
        bare(n, folder)
        print(f"RESULT {n} {n}")
        return
    concurrency = 1 if mode == "seq" else int(mode[1:])
    commits, delivered = asyncio.run(dispatch(n, folder, concurrency))
    print(f"RESULT {commits} {delivered}")


def measure(mode: str, n: int, folder: Path) -> tuple[int, int, int | None]:
    cmd = [sys.executable, __file__, "--child", mode, "-n", str(n), "--dir", str(folder)]
    strace = shutil.which("strace")
    trace = folder / f"strace-{mode}.txt"
    if strace:
        cmd = [strace, "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(trace), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    commits, delivered = (int(x) for x in re.findall(r"RESULT (\d+) (\d+)", out)[0])
    fsyncs = None
    if strace:
        fsyncs = sum(
            int(m.group(1))
            for m in re.finditer(
                r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$",
                trace.read_text(),
                re.M,
            )
        )
    return commits, delivered, fsyncs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--child")
    parser.add_argument("--dir")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, Path(args.dir))
        return
    os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")
    small = max(1, args.n // 3)
    rows: dict[str, tuple[float, int, float | None]] = {}
    for mode in ("bare", "seq", "c20"):
        # Two sizes, each in a fresh folder: the difference is what the extra notices cost,
        # without the fixed set-up (schema, pragmas, warm-up, checkpoints at close).
        with tempfile.TemporaryDirectory() as tmp_big, tempfile.TemporaryDirectory() as tmp_small:
            big = measure(mode, args.n, Path(tmp_big))
            little = measure(mode, small, Path(tmp_small))
        extra = args.n - small
        fsyncs = None if big[2] is None or little[2] is None else (big[2] - little[2]) / extra
        rows[mode] = ((big[0] - little[0]) / extra, big[1], fsyncs)
    print(
        f"SQLite synchronous=full, WAL; marginal cost per notice between {small} and "
        f"{args.n} notices; cpus={os.cpu_count()}"
    )
    print(f"{'mode':28s} {'delivered':>9s} {'commits/notice':>15s} {'fsyncs/notice':>14s}")
    labels = (
        ("bare", "bare INSERT per tx"),
        ("seq", "send, one at a time"),
        ("c20", "send_many(concurrency=20)"),
    )
    for mode, label in labels:
        commits, delivered, fsyncs = rows[mode]
        shown = "n/a (no strace)" if fsyncs is None else f"{fsyncs:.2f}"
        print(f"{label:28s} {delivered:9d} {commits:15.2f} {shown:>14s}")
    b_commits, _, b_fsyncs = rows["bare"]
    seq_c, _, seq_f = rows["seq"]
    many_c, _, many_f = rows["c20"]
    print("ratios against the bare INSERT (1 commit per notice):")
    print(f"  commits: send {seq_c / b_commits:.2f}x  send_many {many_c / b_commits:.2f}x")
    if seq_f is not None and many_f is not None and b_fsyncs:
        print(f"  fsyncs:  send {seq_f / b_fsyncs:.2f}x  send_many {many_f / b_fsyncs:.2f}x")
    ok_c = seq_c <= 3
    ok_f = seq_f is None or seq_f <= 2.0 + 1e-9
    print(
        "target (sequential: <=3 commits and <=2 fsyncs per delivered notice): "
        f"{'met' if ok_c and ok_f else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
