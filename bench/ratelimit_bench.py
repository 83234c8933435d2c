"""What the per-sender rate limiter costs a send: SMS/s through ``TwilioSmsChannel``
alone and wrapped in the limiter (``memory://`` and a real Redis), in one run.

The limit is set far above what the machine can send (100,000/s), so it never makes a
send wait: what is measured is the limiter's own work per send (a slot taken and
released: nothing for memory beyond a dict, two Lua calls to Redis). Every sender talks
to the same loopback Twilio-shaped server in another process (TCP_NODELAY). Short
blocks of each sender alternate (bare, memory, redis, bare, ...) so that load drifting
on a shared machine hits all alike; each figure is the median block, and the ratio is to
the bare channel measured in the same run.

Run: ``.venv/bin/python bench/ratelimit_bench.py [-n 200] [--rounds 5] [--concurrency 20]``
(Debian's ``redis-server`` must be installed; ``--redis URL`` uses a running one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0bench0token0not0a0secret0000000a"
SENDER = "+14155552345"
BODY = "Example Bank: your loan payment is 10 days overdue. Reply STOP to opt out."
Send = Callable[[int], Awaitable[Any]]


@contextlib.contextmanager
def fake_twilio() -> Iterator[str]:
    """The fake Twilio server in a child process; its base URL."""
    cmd = [sys.executable, "-m", "notifysdk_twilio.testing"]
    cmd += ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the fake Twilio server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def redis(url: str | None) -> Iterator[str]:
    """``url``, or a throwaway redis-server (the test harness's helper)."""
    if url:
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ledger"))
    from redis_server import RedisServer

    with RedisServer.start() as server:
        yield server.url(0)


async def senders(base_url: str, redis_url: str) -> tuple[dict[str, Send], list[Any]]:
    """The bare channel and the channel behind the limiter on each store."""
    from notifysdk.clock import SystemClock
    from notifysdk.models import Medium, Message
    from notifysdk.ratelimit import RateLimitedChannel, RateLimitSettings, SenderRateLimiter
    from notifysdk_twilio import TwilioSettings, TwilioSmsChannel

    section = {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "from": SENDER,
        "base_url": base_url,
    }

    def channel() -> TwilioSmsChannel:
        return TwilioSmsChannel(
            "twilio-sms", TwilioSettings.load(section, environ={}), SystemClock()
        )

    def limited(storage: str) -> RateLimitedChannel:
        settings = RateLimitSettings(per_second=100_000, storage=storage)  # never binds
        limiter = SenderRateLimiter(settings, clock=SystemClock(), scope="sms")
        return RateLimitedChannel(channel(), limiter)

    chans: dict[str, Any] = {
        "bare": channel(),
        "memory": limited("memory://"),
        "redis": limited(redis_url),
    }

    def sender(ch: Any) -> Send:
        async def send(i: int) -> None:
            await ch.send(
                Message(
                    idempotency_key=f"rl{i}",
                    channel="twilio-sms",
                    medium=Medium.SMS,
                    to=f"+1415555{i % 10000:04d}",
                    locale="en",
                    body=BODY,
                )
            )

        return send

    return {k: sender(c) for k, c in chans.items()}, list(chans.values())


async def block(send: Send, n: int, concurrency: int, offset: int) -> float:
    """Sends/s of ``n`` sends with ``concurrency`` in flight."""
    queue = iter(range(offset, offset + n))

    async def worker() -> None:
        for i in queue:
            await send(i)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - t0)


async def run(args: argparse.Namespace, base_url: str, redis_url: str) -> None:
    sends, channels = await senders(base_url, redis_url)
    try:
        for s in sends.values():  # warm: connections, Lua scripts loaded
            await block(s, 20, 1, 0)
        for concurrency in (1, args.concurrency):
            rates: dict[str, list[float]] = {k: [] for k in sends}
            for r in range(args.rounds):
                for k, s in sends.items():
                    rates[k].append(await block(s, args.n, concurrency, r * args.n))
            bare = statistics.median(rates["bare"])
            print(f"concurrency {concurrency}: sends/s (median of {args.rounds} blocks)")
            for k, v in rates.items():
                m = statistics.median(v)
                extra = "" if k == "bare" else f"  (+{(1 / m - 1 / bare) * 1e6:.0f} µs/send)"
                print(f"  {k:8s} {m:8.0f}   ratio {m / bare:.2f}{extra}")
    finally:
        for c in channels:
            await c.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=200, help="sends per block")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--redis", default=None, help="a running Redis URL")
    args = parser.parse_args()
    with fake_twilio() as base_url, redis(args.redis) as redis_url:
        asyncio.run(run(args, base_url, redis_url))


if __name__ == "__main__":
    main()
