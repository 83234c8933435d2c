"""Campaign planning over a large synthetic portfolio, streamed: accounts/s and peak RSS.

A portfolio of ``--accounts`` synthetic accounts (default 1,000,000) is generated on the
fly into a temporary CSV, then:

- baseline A: read the CSV with ``csv.reader`` only (no validation);
- baseline B: read and validate every row into an ``Account`` (``read_portfolio``), no
  planning;
- measured, 1 worker: ``notifysdk run --dry-run``'s path: read, validate, plan every
  account's ladder stages, build each due notice with its key and look the keys up in
  the ledger (``CampaignRunner`` dry run inside ``planning_gc``, as the CLI plans;
  ``--ledger sqlite``, the default, as the CLI, or ``memory``);
- measured, N workers: ``notifysdk run --dry-run --workers N``'s path
  (:func:`notifysdk.campaign.parallel.dry_run_in_processes`, ``--workers``, default 2),
  process start-up included; its summary must equal the one-worker run's.

The baselines run over the first ``--baseline-accounts`` rows (default 100,000) to keep
the run short; the rates are per account, so the ratio compares like with like. Peak RSS
is sampled (psutil, every 20 ms) during each phase, the worker processes' RSS added to
the parent's; each dry run must stay under ``--max-rss-mb`` (default 300) or the script
exits 1. ``--accounts`` below 1,000,000 also prints the time 1,000,000 accounts would
take at the measured rates, labelled as an extrapolation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import functools
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
from notifysdk.campaign import CampaignRunner, Summary, default_ladder, read_portfolio
from notifysdk.campaign.gc_tuning import planning_gc
from notifysdk.campaign.parallel import WorkerSpec, dry_run_in_processes
from notifysdk.campaign.synthetic import write_csv
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger


class PeakRSS:
    """Samples the RSS of this process and its children in a thread; ``peak`` in bytes.

    RSS counts the pages processes share (the interpreter, the libraries) once per
    process, so a sum over workers overstates their memory; ``peak_pss`` (every tenth
    sample: it reads each process's smaps) shares them out, and is what they hold."""

    def __init__(self, interval: float = 0.02) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = int(self.proc.memory_info().rss)
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it ended since the listing
                total += int(child.memory_info().rss)
        return total

    def _pss(self) -> int:
        total = 0
        for proc in (self.proc, *self.proc.children(recursive=True)):
            with contextlib.suppress(psutil.Error, AttributeError):  # pss: Linux only
                total += int(proc.memory_full_info().pss)
        return total

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            if tick % 10 == 0:
                self.peak_pss = max(self.peak_pss, self._pss())
            tick += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def timed(fn: Callable[[], int]) -> tuple[int, float, int, int]:
    """Run ``fn`` (returns a count); return (count, seconds, peak RSS and PSS bytes)."""
    with PeakRSS() as rss:
        start = time.perf_counter()
        count = fn()
        seconds = time.perf_counter() - start
    return count, seconds, rss.peak, rss.peak_pss


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


def _settings(ledger_url: str) -> Settings:
    return Settings(
        output_dir=Path(tempfile.gettempdir()) / "nsdk-bench-out",
        ledger_url=ledger_url,
        recover_on_start=False,
    )


def dry_run(path: Path, ledger_url: str = "memory://") -> Summary:
    """Measured: the dry-run campaign (plan and build notices, send nothing) on the
    ledger at ``ledger_url`` (``memory://``, or an SQLite file as the CLI uses)."""

    async def go() -> Summary:
        ledger = MemoryLedger() if ledger_url == "memory://" else None
        clock = FakeClock()
        async with Dispatcher(_settings(ledger_url), clock=clock, ledger=ledger) as d:
            return await CampaignRunner(d, dry_run=True).run(read_portfolio(path))

    with planning_gc():  # as `notifysdk run --dry-run` plans (cli/run.py)
        return asyncio.run(go())


def dry_run_workers(path: Path, ledger_url: str, workers: int) -> Summary:
    """Measured: the same dry run over ``workers`` processes (each worker opens its own
    ledger: with ``memory://`` an empty one, as the one-process run's is)."""
    spec = WorkerSpec(
        settings=_settings(ledger_url), ladder=default_ladder(), now=FakeClock().now()
    )
    return dry_run_in_processes(path, spec, workers=workers)


def _figures(summary: Summary) -> dict[str, Any]:
    return {
        "notices planned": summary.notices,
        "no stage": summary.no_stage,
        "bad rows": summary.bad_row_count,
    }


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print; exit 1 when peak RSS exceeds the limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--baseline-accounts", type=int, default=100_000)
    parser.add_argument("--max-rss-mb", type=float, default=300.0)
    parser.add_argument("--workers", type=int, default=2, help="processes of the N-worker run")
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
            count, secs, peak, _ = timed(functools.partial(fn, path))
            results.append((label, count, secs, peak))
            print(
                f"{label:<34} {count:>10,} accounts  {count / secs:>10,.0f}/s  "
                f"peak RSS {peak / mb:,.0f} MB",
                flush=True,
            )
        url = "memory://" if args.ledger == "memory" else f"sqlite:///{Path(tmp) / 'ledger.db'}"
        summaries: list[Summary] = []
        measured: list[tuple[str, float, int]] = []  # label, accounts/s, peak RSS

        def one_worker() -> Summary:
            return dry_run(big, url)

        def n_workers() -> Summary:
            return dry_run_workers(big, url, args.workers)

        runs: list[tuple[str, Callable[[], Summary]]] = [
            (f"measured: dry-run, 1 worker ({args.ledger})", one_worker),
            (f"measured: dry-run, {args.workers} workers", n_workers),
        ]
        for label, run in runs:

            def counted(run: Callable[[], Summary] = run) -> int:
                summaries.append(run())
                return summaries[-1].rows

            count, secs, peak, pss = timed(counted)
            measured.append((label, count / secs, peak))
            print(
                f"{label:<34} {count:>10,} accounts  {count / secs:>10,.0f}/s  "
                f"peak RSS {peak / mb:,.0f} MB (PSS {pss / mb:,.0f} MB)",
                flush=True,
            )
            print("  " + ", ".join(f"{k}: {v:,}" for k, v in _figures(summaries[-1]).items()))
        one, many = (s.as_dict() for s in summaries)
        same = {k: v for k, v in one.items() if k != "now"} == {
            k: v for k, v in many.items() if k != "now"
        }
        print(f"summary of {args.workers} workers equals 1 worker's: {'OK' if same else 'FAIL'}")
        for label, rate, _ in measured:
            short = label.split(" (")[0].removeprefix("measured: ")
            for base, c, s, _ in results:
                print(f"ratio {short} / {base.split(':')[0]}: {rate / (c / s):.3f}")
        print(f"ratio {args.workers} workers / 1 worker: {measured[1][1] / measured[0][1]:.2f}")
        if args.accounts < 1_000_000:
            for label, rate, _ in measured:
                short = label.split(" (")[0].removeprefix("measured: ")
                print(
                    f"extrapolated, not measured: 1,000,000 accounts by {short}: "
                    f"{1_000_000 / rate:,.0f} s"
                )
        ok = same
        for label, _, peak in measured:
            fits = peak / mb < args.max_rss_mb
            ok = ok and fits
            print(
                f"{label.removeprefix('measured: ')}: peak RSS {peak / mb:,.0f} MB "
                f"{'<' if fits else '>='} limit {args.max_rss_mb:,.0f} MB: "
                f"{'OK' if fits else 'FAIL'}"
            )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
