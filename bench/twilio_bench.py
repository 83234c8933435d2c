"""SMS/s through notifysdk-twilio vs. a bare twilio-client loop and Apprise's Twilio plugin.

Every sender talks to the same loopback Twilio-shaped server, run in a separate process
(``python -m notifysdk_twilio.testing``; TCP_NODELAY) so that the client's cost is what is
measured. Senders, all in this one run:

- ``bare``: the official client on ``AsyncTwilioHttpClient`` (pooled session), a plain
  ``await client.messages.create_async(...)`` loop: the ceiling;
- ``channel``: ``TwilioSmsChannel.send`` alone (E.164 check, segment count, receipt);
- ``dispatcher``: ``Dispatcher.send`` with the memory ledger (policy, templates, privacy,
  ledger, retry wrapper, then the channel);
- ``dispatcher-sqlite``: the same on the durable default, a SQLite ledger in WAL mode
  with ``synchronous=full`` (claim with attempt 1 in one commit; end, outcome and audit
  in another); its concurrent figure is ``send_many(concurrency=N)`` itself;
- ``apprise``: Apprise's ``NotifyTwilio`` (requests, synchronous), its notify URL pointed
  at the loopback server (bench only), throttle off (``request_rate_per_sec = 0``) and
  on (its default, 0.2 s between requests).

Sequential figures interleave the senders request by request (bare, channel,
dispatcher, apprise, bare, ...) so that load drifting on a shared machine hits all alike;
SMS/s is 1 / mean latency. Concurrent figures (``--concurrency`` in flight) alternate
short blocks of each sender and keep the median. Targets: channel and dispatcher within
1.5x of bare; at least 3x Apprise with its throttle off; and (issue 12) the full pipeline
on SQLite: ``send_many(concurrency=20)`` at least 0.5x bare at 20 in flight, sequential
``send`` at least 1.5x Apprise with its throttle off.

Run: ``.venv/bin/python bench/twilio_bench.py [-n 600] [--concurrency 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0bench0token0not0a0secret0000000a"  # Apprise wants [a-z0-9]
SENDER = "+14155552345"
BODY = (
    "Example Bank: your loan payment is 10 days overdue; CNY 1,246.80 is due. "
    "Please pay or call us to agree a repayment plan. Reply STOP to opt out."
)
Send = Callable[[int], Awaitable[Any]]
Many = Callable[[range, int], Awaitable[None]]


def to_number(i: int) -> str:
    """A distinct valid US number per index (+1 415 555 0000..9999)."""
    return f"+1415555{i % 10000:04d}"


class ServerProcess:
    """The fake Twilio server in a child process."""

    def __init__(self, check: bool) -> None:
        cmd = [
            sys.executable,
            "-m",
            "notifysdk_twilio.testing",
            "--account-sid",
            ACCOUNT_SID,
            "--auth-token",
            AUTH_TOKEN,
        ]
        if check:
            cmd.append("--check")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the fake Twilio server did not start")

    def stats(self) -> dict[str, Any]:
        """Counts kept by the server (messages, requests, connections, violations)."""
        with urllib.request.urlopen(self.base_url + "/_fake/stats") as resp:
            data: dict[str, Any] = json.load(resp)
        return data

    def stop(self) -> None:
        """Terminate the child (this process started it)."""
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Senders:
    """One sender per mode, each sending message ``i`` to ``to_number(i)``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def bare(self) -> Send:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        http = AsyncTwilioHttpClient(pool_connections=True)
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
        client.api.base_url = self.base_url
        messages = client.messages
        self.closers.append(http.close)

        async def send(i: int) -> None:
            await messages.create_async(to=to_number(i), from_=SENDER, body=BODY)

        return send

    async def channel(self) -> Send:
        from notifysdk.clock import SystemClock
        from notifysdk.models import Medium, Message
        from notifysdk_twilio import TwilioSettings, TwilioSmsChannel

        section = {
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "from": SENDER,
            "base_url": self.base_url,
        }
        channel = TwilioSmsChannel(
            "twilio-sms", TwilioSettings.load(section, environ={}), SystemClock()
        )
        self.closers.append(channel.aclose)

        async def send(i: int) -> None:
            await channel.send(
                Message(
                    idempotency_key=f"ch{i}",
                    channel="twilio-sms",
                    medium=Medium.SMS,
                    to=to_number(i),
                    locale="en",
                    body=BODY,
                )
            )

        return send

    async def dispatcher(self, ledger_url: str | None = None) -> tuple[Send, Many]:
        from notifysdk.clock import FakeClock
        from notifysdk.config import Settings
        from notifysdk.dispatcher import Dispatcher
        from notifysdk.ledger.memory import MemoryLedger
        from notifysdk.models import Notice, OutcomeStatus
        from notifysdk.plugins import PluginManager
        from notifysdk.testing import sample_account, sample_notice

        section = {
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "from": SENDER,
            "base_url": self.base_url,
        }
        settings = Settings(
            channels={"twilio-sms": section},
            ledger_url=ledger_url or "memory://",
            recover_on_start=False,
        )
        d = Dispatcher(
            settings,
            plugins=PluginManager(),
            clock=FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC)),  # 10:00 in Shanghai
            ledger=None if ledger_url else MemoryLedger(),
        )
        self.closers.append(d.aclose)

        def notice(i: int) -> Notice:
            account = sample_account(i + 1, locale="en", phone=to_number(i))
            return sample_notice(channel="twilio-sms", locale="en", account=account)

        async def send(i: int) -> None:
            outcome = await d.send(notice(i))
            if outcome.status is not OutcomeStatus.DELIVERED:
                raise RuntimeError(f"not delivered: {outcome.rule}: {outcome.reason}")

        async def many(indices: range, concurrency: int) -> None:
            outcomes = await d.send_many([notice(i) for i in indices], concurrency=concurrency)
            bad = [o for o in outcomes if o.status is not OutcomeStatus.DELIVERED]
            if bad:
                raise RuntimeError(f"not delivered: {bad[0].rule}: {bad[0].reason}")

        return send, many

    def apprise(self, throttle: bool) -> Callable[[int], None]:
        import apprise
        from apprise.plugins.twilio import NotifyTwilio

        # Point Apprise at the loopback server (bench only) and set its throttle.
        NotifyTwilio.notify_sms_url = self.base_url + "/2010-04-01/Accounts/{sid}/Messages.json"
        url = f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@{SENDER.lstrip('+')}/{to_number(0).lstrip('+')}"
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise RuntimeError("Apprise refused the twilio:// URL")
        plugin.request_rate_per_sec = 0.2 if throttle else 0.0
        mode = plugin.targets[0][0]
        ap = apprise.Apprise()
        ap.add(plugin)

        # One instance re-targeted per message (one notify() per SMS): Apprise keeps its
        # throttle state on the instance, as an application sending notices would.
        def send(i: int) -> None:
            plugin.targets = [(mode, to_number(i))]
            if not ap.notify(body=BODY):
                raise RuntimeError("Apprise reported a failed notification")

        return send

    async def aclose(self) -> None:
        """Close every client opened."""
        for close in self.closers:
            await close()


async def interleaved(
    n: int, senders: dict[str, Send], sync: dict[str, Callable[[int], None]], base: int
) -> dict[str, list[float]]:
    """Per-request latencies, the senders taking turns request by request."""
    lat: dict[str, list[float]] = {k: [] for k in (*senders, *sync)}
    for i in range(n):
        for k, send in senders.items():
            t = time.perf_counter()
            await send(base + i)
            lat[k].append(time.perf_counter() - t)
        for k, ssend in sync.items():
            t = time.perf_counter()
            ssend(base + i)
            lat[k].append(time.perf_counter() - t)
    return lat


async def blocks(
    n: int,
    concurrency: int,
    senders: dict[str, Send],
    rounds: int,
    base: int,
    many: dict[str, Many] | None = None,
) -> dict[str, list[float]]:
    """SMS/s of blocks of ``n`` with ``concurrency`` in flight, senders alternating (a
    sender in ``many`` runs its own batch call, e.g. ``send_many``)."""
    many = many or {}
    rates: dict[str, list[float]] = {k: [] for k in senders}
    sem = asyncio.Semaphore(concurrency)
    for r in range(rounds):
        for k, send in senders.items():

            async def guarded(i: int, send: Send = send) -> None:
                async with sem:
                    await send(i)

            start = time.perf_counter()
            offset = base + r * n
            if k in many:
                await many[k](range(offset, offset + n), concurrency)
            else:
                await asyncio.gather(*(guarded(offset + i) for i in range(n)))
            rates[k].append(n / (time.perf_counter() - start))
    return rates


async def run(args: argparse.Namespace, base_url: str) -> tuple[dict[str, float], int]:
    s = Senders(base_url)
    folder = tempfile.mkdtemp(prefix="twilio-bench-")
    memory_send, _ = await s.dispatcher()
    sqlite_send, sqlite_many = await s.dispatcher(f"sqlite:///{folder}/ledger.db?synchronous=full")
    senders = {
        "bare": await s.bare(),
        "channel": await s.channel(),
        "dispatcher": memory_send,
        "dispatcher-sqlite": sqlite_send,
    }
    sync_off = {"apprise-throttle-off": s.apprise(False)}
    sent = 0
    # Warm-up: imports, connections, template caches.
    await interleaved(20, senders, sync_off, 100_000)
    sent += 20 * (len(senders) + len(sync_off))
    lat = await interleaved(args.n, senders, sync_off, 0)
    sent += args.n * (len(senders) + len(sync_off))
    results = {f"{k}/seq": 1 / statistics.mean(v) for k, v in lat.items()}
    rates = await blocks(
        args.block,
        args.concurrency,
        senders,
        args.rounds,
        200_000,
        many={"dispatcher-sqlite": sqlite_many},
    )
    sent += args.block * args.rounds * len(senders)
    tag = f"c{args.concurrency}"
    results.update({f"{k}/{tag}": statistics.median(v) for k, v in rates.items()})
    throttled = s.apprise(True)
    start = time.perf_counter()
    for i in range(args.throttled):
        throttled(300_000 + i)
    results["apprise-throttle-on/seq"] = args.throttled / (time.perf_counter() - start)
    sent += args.throttled
    await s.aclose()
    return results, sent


def main() -> None:
    """Run every sender against one server process and print every figure."""
    os.environ["NOTIFYSDK_LOAD_PLUGINS"] = "twilio"  # only the plugin under test
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=600, help="sequential messages per sender")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--block", type=int, default=200, help="messages per concurrent block")
    parser.add_argument("--rounds", type=int, default=5, help="concurrent blocks per sender")
    parser.add_argument("--throttled", type=int, default=10, help="messages, Apprise throttled")
    parser.add_argument("--check", action="store_true", help="server validates the OpenAPI shape")
    args = parser.parse_args()

    server = ServerProcess(args.check)
    try:
        results, expected = asyncio.run(run(args, server.base_url))
        stats = server.stats()
    finally:
        server.stop()

    tag = f"c{args.concurrency}"
    print(
        f"loopback Twilio-shaped server in a child process (OpenAPI check: {args.check}); "
        f"{args.n} interleaved sequential SMS per sender; {args.rounds} blocks of "
        f"{args.block} at concurrency {args.concurrency}; cpus={os.cpu_count()}, "
        f"load avg {os.getloadavg()[0]:.1f}"
    )
    print(f"{'sender/mode':30s} {'SMS/s':>9s} {'ms/SMS':>8s}")
    for name, rate in results.items():
        print(f"{name:30s} {rate:9.1f} {1000 / rate:8.3f}")
    print("ratios:")
    for mode in ("seq", tag):
        bare = results[f"bare/{mode}"]
        for name in ("channel", "dispatcher", "dispatcher-sqlite"):
            slower = bare / results[f"{name}/{mode}"]
            verdict = "ok" if slower <= 1.5 else "MISSED (target: within 1.5x)"
            print(f"  bare / {name:17s} [{mode:>4s}] = {slower:5.2f}x  {verdict}")
    full = results[f"dispatcher-sqlite/{tag}"] / results[f"bare/{tag}"]
    seq = results["dispatcher-sqlite/seq"] / results["apprise-throttle-off/seq"]
    print("issue 12 targets, full pipeline on SQLite (synchronous=full):")
    print(
        f"  send_many({tag}) / bare {tag} = {full:5.2f}x  "
        f"{'ok' if full >= 0.5 else 'MISSED (target: >=0.5x)'}"
    )
    print(
        f"  send (seq) / apprise throttle off = {seq:5.2f}x  "
        f"{'ok' if seq >= 1.5 else 'MISSED (target: >=1.5x)'}"
    )
    off, on = results["apprise-throttle-off/seq"], results["apprise-throttle-on/seq"]
    for name in (
        "channel/seq",
        "dispatcher/seq",
        "dispatcher-sqlite/seq",
        f"channel/{tag}",
        f"dispatcher/{tag}",
        f"dispatcher-sqlite/{tag}",
    ):
        r = results[name]
        verdict = "ok" if r / off >= 3 else "MISSED (target: >=3x)"
        print(
            f"  {name:15s} / apprise throttle off = {r / off:6.2f}x  {verdict};"
            f"  / throttle on = {r / on:6.1f}x"
        )
    print(
        f"server: {stats['messages']} messages recorded (expected {expected}), "
        f"{stats['requests']} requests, {stats['connections']} client connections, "
        f"{len(stats['violations'])} OpenAPI violations"
    )
    if stats["messages"] != expected:
        raise SystemExit("message count mismatch")


if __name__ == "__main__":
    main()
