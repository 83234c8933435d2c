"""Campaign planning over a large synthetic portfolio, streamed: accounts/s and peak RSS.

A portfolio of ``--accounts`` synthetic accounts (default 1,000,000) is generated on the
fly into a temporary CSV, then:

- baseline A: read the CSV with ``csv.reader`` only (no validation);
- baseline B: read and validate every row into an ``Account`` (``read_portfolio``), no
  planning;
- measured: ``notifysdk run --dry-run``'s path: read, validate, plan every account's
  ladder stages, build each due notice with its key and look the keys up in the ledger
  (``CampaignRunner`` dry run; ``--ledger sqlite``, the default, as the CLI, or
  ``memory``).

The baselines run over the first ``--baseline-accounts`` rows (default 100,000) to keep
the run short; the rates are per account, so the ratio compares like with like. Peak RSS
is sampled (psutil, every 20 ms) during each phase; the dry run must stay under
``--max-rss-mb`` (default 300) or the script exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk import FakeClock, Settings
from notifysdk.campaign import CampaignRunner, read_portfolio
from notifysdk.campaign.synthetic import write_csv
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger


class PeakRSS:
    """Samples this process's RSS in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.02) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self.proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def timed(fn: Callable[[], int]) -> tuple[int, float, int]:
    """Run ``fn`` (returns a count); return (count, seconds, peak RSS bytes)."""
    with PeakRSS() as rss:
        start = time.perf_counter()
        count = fn()
        seconds = time.perf_counter() - start
    return count, seconds, rss.peak


def head(path: Path, n: int, out: Path) -> None:
    """Copy the header and the first ``n`` records of a CSV."""
    with path.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, n + 1))


def csv_only(path: Path) -> int:
    """Baseline A: parse the CSV, nothing else."""
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def validate_only(path: Path) -> int:
    """Baseline B: read and validate every row into an Account."""
    return sum(1 for _ in read_portfolio(path))


def dry_run(path: Path, ledger_url: str = "memory://") -> tuple[int, dict[str, Any]]:
    """Measured: the dry-run campaign (plan and build notices, send nothing) on the
    ledger at ``ledger_url`` (``memory://``, or an SQLite file as the CLI uses)."""

    async def go() -> tuple[int, dict[str, Any]]:
        settings = Settings(
            output_dir=Path(tempfile.gettempdir()) / "nsdk-bench-out",
            ledger_url=ledger_url,
            recover_on_start=False,
        )
        ledger = MemoryLedger() if ledger_url == "memory://" else None
        async with Dispatcher(settings, clock=FakeClock(), ledger=ledger) as d:
            summary = await CampaignRunner(d, dry_run=True).run(read_portfolio(path))
        return summary.accounts + summary.bad_row_count, {
            "notices planned": summary.notices,
            "no stage": summary.no_stage,
            "bad rows": summary.bad_row_count,
        }

    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print; exit 1 when peak RSS exceeds the limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--baseline-accounts", type=int, default=100_000)
    parser.add_argument("--max-rss-mb", type=float, default=300.0)
    parser.add_argument(
        "--ledger",
        choices=("memory", "sqlite"),
        default="sqlite",
        help="the dry run's ledger: an SQLite file (what `notifysdk run` uses) or memory",
    )
    args = parser.parse_args(argv)
    mb = 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="nsdk-campaign-bench-") as tmp:
        big = Path(tmp) / "portfolio.csv"
        start = time.perf_counter()
        write_csv(big, args.accounts)
        print(
            f"generated {args.accounts:,} accounts ({big.stat().st_size / mb:,.0f} MB CSV) "
            f"in {time.perf_counter() - start:,.1f} s",
            flush=True,
        )
        small = Path(tmp) / "baseline.csv"
        nb = min(args.baseline_accounts, args.accounts)
        head(big, nb, small)

        results: list[tuple[str, int, float, int]] = []
        for label, fn, path in (
            ("baseline A: csv.reader only", csv_only, small),
            ("baseline B: read + validate", validate_only, small),
        ):
            count, secs, peak = timed(lambda fn=fn, path=path: fn(path))
            results.append((label, count, secs, peak))
            print(
                f"{label:<34} {count:>10,} accounts  {count / secs:>10,.0f}/s  "
                f"peak RSS {peak / mb:,.0f} MB",
                flush=True,
            )
        extra: dict[str, Any] = {}

        url = "memory://" if args.ledger == "memory" else f"sqlite:///{Path(tmp) / 'ledger.db'}"

        def measured() -> int:
            count, info = dry_run(big, url)
            extra.update(info)
            return count

        count, secs, peak = timed(measured)
        rate = count / secs
        print(
            f"{f'measured: dry-run ({args.ledger})':<34} {count:>10,} accounts  "
            f"{rate:>10,.0f}/s  "
            f"peak RSS {peak / mb:,.0f} MB",
            flush=True,
        )
        print("  " + ", ".join(f"{k}: {v:,}" for k, v in extra.items()))
        for label, c, s, _ in results:
            print(f"ratio measured / {label.split(':')[0]}: {rate / (c / s):.3f}")
        ok = peak / mb < args.max_rss_mb
        print(
            f"peak RSS {peak / mb:,.0f} MB {'<' if ok else '>='} limit {args.max_rss_mb:,.0f} MB: "
            f"{'OK' if ok else 'FAIL'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
