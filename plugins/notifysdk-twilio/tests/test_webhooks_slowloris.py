"""Slow clients cannot starve signed callbacks (``notifysdk serve``'s guard).

1,100 loopback connections (``slowloris.py``, in its own process) trickle their headers
one line every half second, reopening whenever they are closed, for a bounded time;
meanwhile a signed status callback arrives every 0.2 s on a new connection, as Twilio's
do. Every callback is answered 204 within 1 s. (Before the guard, 1,100 such
connections kept 20 of 20 callbacks at 503 for 40 s: uvicorn counts them under
``limit_concurrency`` and never times out their headers.)
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from notifysdk_twilio.webhooks.loopback import signed

from .conftest import ACCOUNT_SID, AUTH_TOKEN
from .test_webhooks import Hooks, make_hooks, sid_of
from .test_webhooks_load import seed

__all__ = ["make_hooks"]

SLOW = 1100
CALLBACKS = 20
ATTACK_SECONDS = 8.0
"""How long the slowloris runs once connected (the callbacks take about 5 s)."""
HERE = Path(__file__).parent
# What ``notifysdk serve`` runs, with a shorter header deadline so the test is brief.
SERVE_LIKE: dict[str, Any] = {"header_timeout": 2.0}
LIMIT = 1000


def _callback(h: Hooks, i: int) -> tuple[bytes, dict[str, str]]:
    form = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid_of(i),
        "MessageStatus": "delivered",
        "To": "+8613800138000",
        "ApiVersion": "2010-04-01",
    }
    return signed(h.public + "/status", form, AUTH_TOKEN)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("max_waiting", [None, 512], ids=["default-bound", "bound-512"])
async def test_signed_callbacks_are_answered_within_1s_during_a_slowloris(
    make_hooks: Callable[..., Any], max_waiting: int | None
) -> None:
    h: Hooks = await make_hooks(
        server_config={**SERVE_LIKE, "max_waiting": max_waiting}, limit_concurrency=LIMIT
    )
    await seed(h.ledger, h.dispatcher.clock, CALLBACKS)
    port = int(h.server.base_url.rsplit(":", 1)[1])
    attack = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "slowloris.py"),
        str(port),
        str(SLOW),
        str(ATTACK_SECONDS),
        stdout=asyncio.subprocess.PIPE,
    )
    assert attack.stdout is not None
    # A new connection per callback, as Twilio's arrive.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
    latencies: list[float] = []
    codes: list[int] = []
    try:
        async with asyncio.timeout(30):
            assert await attack.stdout.readline() == b"ready\n"
        await asyncio.sleep(0.5)  # every slow client is connected and trickling
        for i in range(CALLBACKS):
            body, headers = _callback(h, i)
            started = time.perf_counter()
            async with asyncio.timeout(5):
                async with session.post(
                    h.server.base_url + "/status", data=body, headers=headers
                ) as r:
                    codes.append(r.status)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)
        healthz = await session.get(h.server.base_url + "/healthz")
        readyz = await session.get(h.server.base_url + "/readyz")
        assert (healthz.status, readyz.status) == (200, 200)
        healthz.release()
        readyz.release()
        async with asyncio.timeout(ATTACK_SECONDS + 30):
            tail = (await attack.stdout.read()).decode()
        assert attack.returncode is None or attack.returncode == 0
        opened = int(tail.split()[-1])
    finally:
        if attack.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                attack.kill()
        await attack.wait()
        await session.close()
    guard = h.server.guard
    print(
        f"\n{SLOW} slow clients ({opened} connections); callbacks: max "
        f"{max(latencies) * 1000:.0f} ms, median {sorted(latencies)[CALLBACKS // 2] * 1000:.0f}"
        f" ms; guard: {guard.stats}"
    )
    assert codes == [204] * CALLBACKS
    assert max(latencies) < 1.0, latencies
    # The slow clients were cut off: by the header deadline, or to make room.
    assert guard.stats.evicted + guard.stats.header_timeouts >= SLOW
    if max_waiting is not None:
        assert guard.stats.evicted >= SLOW - max_waiting
    states = await asyncio.gather(*(h.ledger.delivery(sid_of(i)) for i in range(CALLBACKS)))
    assert all(s is not None and s.status == "delivered" for s in states)


async def test_headers_that_never_end_get_408_after_the_header_timeout(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(server_config={"header_timeout": 0.5})
    port = int(h.server.base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /status HTTP/1.1\r\nHost: x\r\n")
    started = time.perf_counter()
    async with asyncio.timeout(5):
        answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert 0.4 < time.perf_counter() - started < 3
    assert h.server.guard.stats.header_timeouts == 1


async def test_a_body_that_stalls_is_refused_by_the_app(make_hooks: Callable[..., Any]) -> None:
    h: Hooks = await make_hooks(request_timeout_seconds=0.5)
    body, headers = _callback(h, 1)
    port = int(h.server.base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(
        f"POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
        + body[:5]
    )
    async with asyncio.timeout(5):
        answer = await reader.readuntil(b"\r\n")
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_past_the_bound_the_oldest_waiting_connection_is_closed(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(server_config={"max_waiting": 3, "header_timeout": 30})
    port = int(h.server.base_url.rsplit(":", 1)[1])
    conns = []
    for _ in range(4):
        conns.append(await asyncio.open_connection("127.0.0.1", port))
        await asyncio.sleep(0.05)
    async with asyncio.timeout(5):
        assert await conns[0][0].read() == b""  # the oldest: closed to make room
    for _, w in conns[1:]:  # the others stay open
        assert not w.is_closing()
    assert h.server.guard.stats.evicted == 1
    # A signed callback still gets through on a fifth connection.
    body, headers = _callback(h, 7)
    r = await h.client.post("/status", content=body, headers=headers)
    assert r.status_code == 204
    for _, w in conns:
        w.close()


async def test_readyz_says_503_when_the_ledger_does_not_answer(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks()
    session = aiohttp.ClientSession()
    try:
        async with session.get(h.server.base_url + "/readyz") as r:
            assert r.status == 200
        await h.ledger.aclose()  # its writer thread is gone: nothing answers
        async with session.get(h.server.base_url + "/readyz") as r:
            assert r.status == 503
        async with session.get(h.server.base_url + "/healthz") as r:
            assert r.status == 200
    finally:
        await session.close()


async def test_past_the_concurrency_limit_requests_get_503_and_slow_ones_do_not_count(
    make_hooks: Callable[..., Any],
) -> None:
    h: Hooks = await make_hooks(limit_concurrency=1, request_timeout_seconds=3)
    port = int(h.server.base_url.rsplit(":", 1)[1])
    # Three connections trickling headers: not requests yet, they take no place.
    slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
    for _, w in slow:
        w.write(b"POST /status HTTP/1.1\r\n")
    body, headers = _callback(h, 3)
    r = await h.client.post("/status", content=body, headers=headers)
    assert r.status_code == 204
    # A request whose body stalls is in the app: the one place is taken.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(
        f"POST /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
    )
    await asyncio.sleep(0.2)
    busy = await h.client.post("/status", content=body, headers=headers)
    assert busy.status_code == 503
    writer.write(body)  # the stalled one completes, and the place is free again
    async with asyncio.timeout(5):
        assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 204 ")
    again = await h.client.post("/status", content=body, headers=headers)
    assert again.status_code == 204
    for _, w in [*slow, (reader, writer)]:
        w.close()
