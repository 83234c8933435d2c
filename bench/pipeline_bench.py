"""Pipeline CPU per notice, excluding the channel, against a bare channel loop.

Baseline: a bare loop calling the capture SMS channel directly with ready-made messages
(what it costs to write the files). Measured: the full dispatcher (profiles, policy,
render, privacy, content rules, ledger claim, send, record, events), all in one run:

- **pipeline CPU per notice excluding the channel** (issue 13's first row, target
  <= 400 us): the process CPU time (``time.process_time``) per notice of
  ``Dispatcher.send`` on the memory ledger through a *null* SMS channel (it returns a
  receipt at once, as a provider's client would after its request), sequential and
  ``send_many`` at concurrency 20; with its ratio to the bare capture loop's CPU;
- the same pipeline through the capture SMS channel itself, on the memory ledger and on
  the default SQLite ledger, sequential and at concurrency 20: CPU and wall time per
  notice against the bare loop's. Its "minus the bare loop" figure overstates the
  pipeline: the capture channel's thread hop costs about twice as much CPU when other
  work runs between two sends as in a tight loop of sends (measured: ~330 us in the
  bare loop, ~700 us with any work in between), which is why the headline figure uses
  the null channel.

The bare loop and each run alternate for ``--rounds`` rounds and the median of each is
kept, so that load drifting on a shared machine hits all alike. ``--profile`` prints a
cProfile of one sequential null-channel run instead (cumulative, top 40); ``--stages``
the CPU per notice of each stage and each rule. Every sample debtor has the same phone
number unless ``--distinct-phones`` gives each notice its own valid mainland mobile
number, as in a real campaign (what is memoised by number is then paid per notice).

Run: ``.venv/bin/python bench/pipeline_bench.py [-n 2000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk import Settings
from notifysdk.builtin.capture import CaptureChannel
from notifysdk.channels import BaseChannel, Disclosure
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message, Notice, OutcomeStatus, Receipt
from notifysdk.testing import sample_account
from notifysdk.testing import sample_notice as _sample_notice

TARGET_US = 400.0
"""Issue 13: pipeline CPU per notice excluding the channel (memory ledger, SMS)."""

DISTINCT_PHONES = False
"""``--distinct-phones``: each sample notice's debtor gets its own mobile number."""
_PHONES = itertools.count()


def sample_notice(n: int, *, channel: str) -> Notice:
    """The testing module's sample notice ``n``; with ``--distinct-phones`` its debtor's
    number is one no notice of the process had before (``+86139`` and eight digits, a
    valid mainland mobile number), so that no round finds it in a cache."""
    if not DISTINCT_PHONES:
        return _sample_notice(n, channel=channel)
    phone = f"+86139{next(_PHONES):08d}"
    return _sample_notice(n, channel=channel, account=sample_account(n, phone=phone))


@dataclass(frozen=True)
class Run:
    """One timed run: per-notice CPU and wall time, in microseconds."""

    cpu_us: float
    wall_us: float
    gc_us: float = 0.0
    """Of the run's time per notice, what the interpreter's garbage collections took
    (their wall time, from ``gc.callbacks``): part of the CPU figure, shown apart
    because a full collection walks every object the process holds."""


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


class NullSmsChannel(BaseChannel):
    """An SMS channel that accepts every message at once (no I/O): what is left of a
    send is the pipeline's own work."""

    def __init__(self, name: str, clock: FakeClock) -> None:
        self.name = name
        self.medium = Medium.SMS
        self.disclosure = Disclosure.LIMITED
        self.contact_kind = "phone"
        self.clock = clock
        self.sent = 0

    async def send(self, message: Message) -> Receipt:
        """A receipt for ``message``."""
        self.sent += 1
        return Receipt(
            channel=self.name,
            provider_id=f"null-{self.sent}",
            status="accepted",
            accepted_at=self.clock.now(),
        )


async def pipeline(
    n: int, out: Path, ledger_url: str | None, concurrency: int, null: bool = False
) -> Run:
    """``n`` notices through ``Dispatcher.send`` (or ``send_many``), all delivered,
    through the capture SMS channel (or the null one)."""
    settings = Settings(output_dir=out, recover_on_start=False)
    ledger = MemoryLedger() if ledger_url is None else open_ledger(ledger_url)
    warm = [sample_notice(1_000_000 + i, channel="capture-sms") for i in range(20)]
    notices = [sample_notice(i, channel="capture-sms") for i in range(n)]
    clock = FakeClock()
    channels = {"capture-sms": NullSmsChannel("capture-sms", clock)} if null else None
    async with Dispatcher(settings, clock=clock, ledger=ledger, channels=channels) as d:
        for notice in warm:  # imports, template and locale caches, the ledger's tables
            await d.send(notice)
        collecting = _GcTimer()
        gc.callbacks.append(collecting)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            if concurrency == 1:
                outcomes = [await d.send(notice) for notice in notices]
            else:
                outcomes = await d.send_many(notices, concurrency=concurrency)
        finally:
            gc.callbacks.remove(collecting)
        run = Run(
            (time.process_time() - cpu) / n * 1e6,
            (time.perf_counter() - wall) / n * 1e6,
            collecting.seconds / n * 1e6,
        )
    await ledger.aclose()
    bad = [o for o in outcomes if o.status is not OutcomeStatus.DELIVERED]
    if bad:
        raise SystemExit(f"{len(bad)} notices not delivered: {bad[0].rule}: {bad[0].reason}")
    return run


class _GcTimer:
    """A ``gc.callbacks`` entry summing the time of every collection."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.cpu_us for r in runs),
        statistics.median(r.wall_us for r in runs),
        statistics.median(r.gc_us for r in runs),
    )


async def main(args: argparse.Namespace) -> None:
    """Alternate the bare loop and each pipeline run; print the medians."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # (label, ledger: None memory / "sqlite", concurrency, null channel)
        runs: list[tuple[str, str | None, int, bool]] = [
            ("null channel, memory ledger, sequential", None, 1, True),
            ("null channel, memory ledger, concurrency 20", None, 20, True),
            ("capture-sms, memory ledger, sequential", None, 1, False),
            ("capture-sms, memory ledger, concurrency 20", None, 20, False),
        ]
        try:
            open_ledger(f"sqlite:///{root}/probe.db")
            runs += [
                ("capture-sms, sqlite ledger, sequential", "sqlite", 1, False),
                ("capture-sms, sqlite ledger, concurrency 20", "sqlite", 20, False),
            ]
        except Exception as exc:  # the durable ledger is optional for this bench
            print(f"(sqlite ledger not available: {exc})")
        bare: list[Run] = []
        measured: dict[str, list[Run]] = {label: [] for label, _, _, _ in runs}
        for r in range(args.rounds):
            bare.append(await bare_loop(args.n, root / f"bare{r}"))
            for i, (label, kind, conc, null) in enumerate(runs):
                url = None if kind is None else f"sqlite:///{root}/l{r}-{i}.db"
                measured[label].append(
                    await pipeline(args.n, root / f"run{r}-{i}", url, conc, null)
                )
        base = _median(bare)
        print(
            f"{args.n} notices per run, median of {args.rounds} rounds; cpus={os.cpu_count()}, "
            f"load avg {os.getloadavg()[0]:.1f}"
            + ("; a distinct phone number per notice" if DISTINCT_PHONES else "")
        )
        print(
            f"baseline  bare capture-sms loop                      CPU {base.cpu_us:6.0f} us/notice"
            f"  wall {1e6 / base.wall_us:6.0f} notices/s"
        )
        print("pipeline CPU per notice excluding the channel (issue 13, target <= 400 us):")
        for label, _, _, null in runs:
            if not null:
                continue
            m = _median(measured[label])
            verdict = "ok" if m.cpu_us <= TARGET_US else f"MISSED (target <= {TARGET_US:.0f} us)"
            print(
                f"  {label:<46} CPU {m.cpu_us:6.0f} us/notice = {m.cpu_us / base.cpu_us:4.1f}x "
                f"the bare loop's CPU  {verdict}; of which garbage collection {m.gc_us:4.0f} us"
            )
        print("full pipeline through the capture channel:")
        for label, _, _, null in runs:
            if null:
                continue
            m = _median(measured[label])
            print(
                f"  {label:<46} CPU {m.cpu_us:6.0f} us/notice = {m.cpu_us / base.cpu_us:4.1f}x bare"
                f" (minus bare: {m.cpu_us - base.cpu_us:5.0f} us); wall {1e6 / m.wall_us:5.0f}"
                f" notices/s = {m.wall_us / base.wall_us:4.1f}x bare's time per notice"
            )


def stages(args: argparse.Namespace) -> None:
    """CPU per notice of each stage, each rule and the main services inside them, on one
    sequential null-channel memory-ledger run (process time around each call; a timer
    costs about 1 us, so the parts add up to a little more than the whole)."""
    import collections
    import inspect

    from notifysdk.dispatch import stages as st
    from notifysdk.privacy import KnownValues

    spent: dict[tuple[str, str], float] = collections.defaultdict(float)

    def timed(group: str, label: str, fn: Any) -> Any:
        key = (group, label)
        if inspect.iscoroutinefunction(fn):

            async def run_async(*a: Any, **kw: Any) -> Any:
                t = time.process_time()
                try:
                    return await fn(*a, **kw)
                finally:
                    spent[key] += time.process_time() - t

            return run_async

        def run_sync(*a: Any, **kw: Any) -> Any:
            t = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] += time.process_time() - t

        return run_sync

    async def run() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(output_dir=Path(tmp), recover_on_start=False)
            notices = [sample_notice(i, channel="capture-sms") for i in range(args.n)]
            clock = FakeClock()
            channels = {"capture-sms": NullSmsChannel("capture-sms", clock)}
            ledger = MemoryLedger()
            async with Dispatcher(settings, clock=clock, ledger=ledger, channels=channels) as d:
                for i in range(20):
                    await d.send(sample_notice(1_000_000 + i, channel="capture-sms"))
                saved_stages, saved_from_notice = st.STAGES, KnownValues.__dict__["from_notice"]
                st.STAGES = tuple(timed(s.__name__, "", s) for s in saved_stages)
                for rule in d.registry.rules.values():
                    group = f"{rule.stage}_stage"
                    rule.evaluate = timed(group, f"rule {rule.name}", rule.evaluate)  # type: ignore[method-assign]
                d.redactor.mask = timed("render_stage", "redactor.mask", d.redactor.mask)  # type: ignore[method-assign]
                d.renderer.render = timed("render_stage", "renderer.render", d.renderer.render)  # type: ignore[method-assign]
                send = timed("claim, send, record", "", d.delivery.claim_and_send)
                d.delivery.claim_and_send = send  # type: ignore[method-assign]
                for name in ("claim", "finish"):
                    setattr(
                        ledger,
                        name,
                        timed("claim, send, record", f"ledger.{name}", getattr(ledger, name)),
                    )
                ledger.get = timed("duplicate check (ledger.get)", "", ledger.get)  # type: ignore[method-assign]
                KnownValues.from_notice = classmethod(  # type: ignore[method-assign,assignment]
                    timed("log binding (KnownValues.from_notice)", "", saved_from_notice.__func__)
                )
                try:
                    t = time.process_time()
                    for notice in notices:
                        await d.send(notice)
                    total = time.process_time() - t
                finally:
                    st.STAGES = saved_stages
                    KnownValues.from_notice = saved_from_notice  # type: ignore[method-assign]
            return total

    total = asyncio.run(run())
    n = args.n
    print(
        f"{n} notices, null channel, memory ledger, sequential: CPU {total / n * 1e6:.0f} us/notice"
    )
    groups = [(g, v) for (g, label), v in spent.items() if not label]
    for group, seconds in sorted(groups, key=lambda gv: -gv[1]):
        print(f"  {group:<48} {seconds / n * 1e6:7.1f} us")
        inner = [(label, v) for (g, label), v in spent.items() if g == group and label]
        for label, part in sorted(inner, key=lambda lv: -lv[1]):
            print(f"      {label:<44} {part / n * 1e6:7.1f} us")


def profile(args: argparse.Namespace) -> None:
    """cProfile one sequential memory-ledger run (cumulative time, top 40)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()

    async def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(output_dir=Path(tmp), recover_on_start=False)
            notices = [sample_notice(i, channel="capture-sms") for i in range(args.n)]
            clock = FakeClock()
            channels = {"capture-sms": NullSmsChannel("capture-sms", clock)}
            async with Dispatcher(
                settings, clock=clock, ledger=MemoryLedger(), channels=channels
            ) as d:
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
    parser.add_argument(
        "--stages", action="store_true", help="print CPU per stage and per rule instead"
    )
    parser.add_argument(
        "--distinct-phones",
        action="store_true",
        help="give each sample notice's debtor its own mainland mobile number",
    )
    parsed = parser.parse_args()
    DISTINCT_PHONES = parsed.distinct_phones
    if parsed.stages:
        stages(parsed)
    elif parsed.profile:
        profile(parsed)
    else:
        asyncio.run(main(parsed))
