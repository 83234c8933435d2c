"""Pipeline overhead per notice through the capture channel.

Baseline: a bare loop calling the same capture channel directly with ready-made
messages (what it costs to write the files). Measured: the full dispatcher (policy,
render, privacy, content rules, ledger claim, send, record, events) on the in-memory
ledger and on the default SQLite ledger when it is available, sequential and at
concurrency 20. Prints notices/s and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk import Settings
from notifysdk.builtin.capture import CaptureChannel
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message
from notifysdk.testing import sample_notice


async def bare_loop(n: int, out: Path) -> float:
    ch = CaptureChannel("capture-sms", Medium.SMS, out, FakeClock())
    messages = [
        Message(
            idempotency_key=f"k{i}",
            channel="capture-sms",
            medium=Medium.SMS,
            to="+8613800138000",
            locale="zh-CN",
            body="【Example Bank】张*您好，您的借款已逾期10天。",
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    for m in messages:
        await ch.send(m)
    return n / (time.perf_counter() - start)


async def pipeline(n: int, out: Path, ledger_url: str | None, concurrency: int) -> float:
    settings = Settings(output_dir=out)
    ledger = MemoryLedger() if ledger_url is None else open_ledger(ledger_url)
    notices = [sample_notice(i, channel="capture-sms") for i in range(n)]
    async with Dispatcher(settings, clock=FakeClock(), ledger=ledger) as d:
        start = time.perf_counter()
        if concurrency == 1:
            for notice in notices:
                await d.send(notice)
        else:
            await d.send_many(notices, concurrency=concurrency)
        elapsed = time.perf_counter() - start
    await ledger.aclose()
    return n / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = await bare_loop(args.n, root / "bare")
        print(f"baseline  bare capture-channel loop      {base:9.0f} notices/s")
        runs: list[tuple[str, str | None, int]] = [
            ("memory ledger, sequential", None, 1),
            ("memory ledger, concurrency 20", None, 20),
        ]
        try:
            open_ledger(f"sqlite:///{root}/probe.db")
            runs += [
                ("sqlite ledger, sequential", f"sqlite:///{root}/l1.db", 1),
                ("sqlite ledger, concurrency 20", f"sqlite:///{root}/l2.db", 20),
            ]
        except Exception as exc:  # the durable ledger is optional for this bench
            print(f"(sqlite ledger not available: {exc})")
        for i, (label, url, conc) in enumerate(runs):
            rate = await pipeline(args.n, root / f"run{i}", url, conc)
            print(
                f"pipeline  {label:<30} {rate:9.0f} notices/s  "
                f"= {base / rate:5.1f}x the bare loop's time per notice "
                f"({1e6 / rate - 1e6 / base:7.0f} us overhead per notice)"
            )


if __name__ == "__main__":
    asyncio.run(main())
