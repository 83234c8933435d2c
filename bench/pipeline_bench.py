"""Pipeline CPU per notice, excluding the channel, against a bare channel loop.

Baseline: a bare loop calling the capture SMS channel directly with ready-made messages
(what it costs to write the files). Measured: the full dispatcher (profiles, policy,
render, privacy, content rules, ledger claim, send, record, events) through the same
channel, on the in-memory ledger and on the default SQLite ledger when it is available,
sequential and at concurrency 20.

Figures, per notice:

- **pipeline CPU excluding the channel** (issue 13's first row, target <= 400 us): the
  process CPU time (``time.process_time``: every thread, user and system) of a
  pipeline run minus that of the bare loop over as many messages, so the channel's own
  cost (the file write, its worker thread) is not counted;
- the ratio of the pipeline's CPU to the bare loop's, and wall-clock notices/s.

The bare loop and each pipeline run alternate for ``--rounds`` rounds and the median of
each is kept, so that load drifting on a shared machine hits both alike. ``--profile``
prints a cProfile of one sequential memory-ledger run instead (cumulative, top 40).

Run: ``.venv/bin/python bench/pipeline_bench.py [-n 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk import Settings
from notifysdk.builtin.capture import CaptureChannel
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message, OutcomeStatus
from notifysdk.testing import sample_notice

TARGET_US = 400.0
"""Issue 13: pipeline CPU per notice excluding the channel (memory ledger, SMS)."""


@dataclass(frozen=True)
class Run:
    """One timed run: per-notice CPU and wall time, in microseconds."""

    cpu_us: float
    wall_us: float


async def bare_loop(n: int, out: Path) -> Run:
    """The capture SMS channel called directly, ``n`` ready-made messages."""
    ch = CaptureChannel("capture-sms", Medium.SMS, out, FakeClock())
    messages = [
        Message(
            idempotency_key=f"k{i}",
            channel="capture-sms",
            medium=Medium.SMS,
            to="+8613800138000",
            locale="zh-CN",
            body="【Example Bank】张*您好，您的借款已逾期10天，应还¥1,246.80。回复TD退订",
        )
        for i in range(n)
    ]
    await ch.send(messages[0].model_copy(update={"idempotency_key": "warm"}))
    cpu, wall = time.process_time(), time.perf_counter()
    for m in messages:
        await ch.send(m)
    return Run((time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6)


async def pipeline(n: int, out: Path, ledger_url: str | None, concurrency: int) -> Run:
    """``n`` notices through ``Dispatcher.send`` (or ``send_many``), all delivered."""
    settings = Settings(output_dir=out, recover_on_start=False)
    ledger = MemoryLedger() if ledger_url is None else open_ledger(ledger_url)
    warm = [sample_notice(1_000_000 + i, channel="capture-sms") for i in range(20)]
    notices = [sample_notice(i, channel="capture-sms") for i in range(n)]
    async with Dispatcher(settings, clock=FakeClock(), ledger=ledger) as d:
        for notice in warm:  # imports, template and locale caches, the ledger's tables
            await d.send(notice)
        cpu, wall = time.process_time(), time.perf_counter()
        if concurrency == 1:
            outcomes = [await d.send(notice) for notice in notices]
        else:
            outcomes = await d.send_many(notices, concurrency=concurrency)
        run = Run((time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6)
    await ledger.aclose()
    bad = [o for o in outcomes if o.status is not OutcomeStatus.DELIVERED]
    if bad:
        raise SystemExit(f"{len(bad)} notices not delivered: {bad[0].rule}: {bad[0].reason}")
    return run


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.cpu_us for r in runs), statistics.median(r.wall_us for r in runs)
    )


async def main(args: argparse.Namespace) -> None:
    """Alternate the bare loop and each pipeline run; print the medians."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runs: list[tuple[str, str | None, int]] = [
            ("memory ledger, sequential", None, 1),
            ("memory ledger, concurrency 20", None, 20),
        ]
        try:
            open_ledger(f"sqlite:///{root}/probe.db")
            runs += [
                ("sqlite ledger, sequential", "sqlite", 1),
                ("sqlite ledger, concurrency 20", "sqlite", 20),
            ]
        except Exception as exc:  # the durable ledger is optional for this bench
            print(f"(sqlite ledger not available: {exc})")
        bare: list[Run] = []
        measured: dict[str, list[Run]] = {label: [] for label, _, _ in runs}
        for r in range(args.rounds):
            bare.append(await bare_loop(args.n, root / f"bare{r}"))
            for i, (label, kind, conc) in enumerate(runs):
                url = None if kind is None else f"sqlite:///{root}/l{r}-{i}.db"
                measured[label].append(await pipeline(args.n, root / f"run{r}-{i}", url, conc))
        base = _median(bare)
        print(
            f"{args.n} notices per run, median of {args.rounds} rounds; cpus={os.cpu_count()}, "
            f"load avg {os.getloadavg()[0]:.1f}"
        )
        print(
            f"baseline  bare capture-sms loop              CPU {base.cpu_us:7.0f} us/notice  "
            f"wall {1e6 / base.wall_us:7.0f} notices/s"
        )
        for label, _, _ in runs:
            m = _median(measured[label])
            extra = m.cpu_us - base.cpu_us
            verdict = ""
            if label.startswith("memory"):
                verdict = "ok" if extra <= TARGET_US else f"MISSED (target <= {TARGET_US:.0f} us)"
            print(
                f"pipeline  {label:<34} CPU {m.cpu_us:7.0f} us/notice "
                f"= {m.cpu_us / base.cpu_us:5.1f}x bare; excluding the channel "
                f"{extra:6.0f} us {verdict}"
            )
            print(
                f"{'':10}{'':34} wall {1e6 / m.wall_us:6.0f} notices/s "
                f"= {m.wall_us / base.wall_us:5.1f}x bare's time per notice"
            )


def profile(args: argparse.Namespace) -> None:
    """cProfile one sequential memory-ledger run (cumulative time, top 40)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()

    async def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(output_dir=Path(tmp), recover_on_start=False)
            notices = [sample_notice(i, channel="capture-sms") for i in range(args.n)]
            async with Dispatcher(settings, clock=FakeClock(), ledger=MemoryLedger()) as d:
                await d.send(sample_notice(1_000_000, channel="capture-sms"))
                prof.enable()
                for notice in notices:
                    await d.send(notice)
                prof.disable()

    asyncio.run(run())
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=2000, help="notices per run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile instead")
    parsed = parser.parse_args()
    if parsed.profile:
        profile(parsed)
    else:
        asyncio.run(main(parsed))
