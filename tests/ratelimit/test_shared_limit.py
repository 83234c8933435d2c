"""Acceptance (issue 18): four worker processes, one Twilio number limited to 20/s in a
shared Redis: the loopback server never sees more than 20 messages in any one-second
window (measured where they arrive), and every notice is delivered."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from notifysdk_twilio.testing import FakeTwilioServer

WORKER = Path(__file__).with_name("worker.py")
WORKERS = 4
NOTICES = 200
PER_SECOND = 20


def max_in_window(instants: list[float], width: float = 1.0) -> int:
    """The most instants inside any half-open window ``[t, t + width)``: every window
    is checked, as the maximum is reached by one starting at an instant."""
    xs = sorted(instants)
    best = lo = 0
    for hi, x in enumerate(xs):
        while xs[lo] <= x - width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_max_in_window_sees_a_burst_across_a_second_boundary() -> None:
    # A fixed window per clock second would count 2 and 2; the sliding one sees 4.
    assert max_in_window([0.6, 0.9, 1.1, 1.4, 2.7]) == 4
    assert max_in_window([0.0, 1.0, 2.0]) == 1


async def run_workers(base_url: str, storage: str, count: int, per_second: int) -> list[dict]:
    """Start the workers, let them all go at once, and collect their reports."""
    share = count // WORKERS
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            base_url,
            storage,
            str(w * share),
            str(share),
            str(per_second),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for w in range(WORKERS)
    ]
    for p in procs:
        assert p.stdout is not None
        line = await p.stdout.readline()
        assert line.strip() == b"ready", line
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(b"go\n")
        await p.stdin.drain()
    results = []
    for p in procs:
        out, err = await p.communicate()
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


@pytest.mark.server("redis")
@pytest.mark.timeout(180)
async def test_four_workers_share_one_numbers_limit(redis_url: str, worker: ModuleType) -> None:
    server = FakeTwilioServer(account_sid=worker.ACCOUNT_SID, auth_token=worker.AUTH_TOKEN)
    async with server:
        results = await run_workers(server.base_url, redis_url, NOTICES, PER_SECOND)
        arrivals = [r.arrived for r in server.requests if r.method == "POST"]
    delivered = sum(r["statuses"].get("delivered", 0) for r in results)
    peak = max_in_window(arrivals)
    span = max(arrivals) - min(arrivals)
    print(
        f"\nrate limit {PER_SECOND}/s, {WORKERS} workers: peak {peak} in a 1 s window, "
        f"{delivered}/{NOTICES} delivered, {len(arrivals)} posts over {span:.2f} s "
        f"(longest worker {max(r['seconds'] for r in results):.2f} s), "
        f"attempts {sum(r['attempts'] for r in results)}"
    )
    assert delivered == NOTICES, [r["reasons"] for r in results]
    assert len(server.messages) == NOTICES  # none dropped, none twice
    assert peak <= PER_SECOND
    # The limit is met, not undershot by a wide margin: 200 at 20/s need at least 9 s.
    assert span >= (NOTICES - PER_SECOND) / PER_SECOND - 0.05
