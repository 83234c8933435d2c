"""The per-second window, counted where the provider counts: from when a request ends.

A provider meters requests as they *arrive*. A limiter that stamps a slot when it is
taken (``limits``' moving window does) lets through more than the limit at the
provider whenever one request takes longer to get there than the next: a first request
on a new connection, ten sends queued on one worker's event loop. Measured with 20/s,
four workers and the loopback Twilio server: 30 in one second at the server. So a slot
here is held from when it is taken until the request *ended* (its answer came, or it
failed) and for one window after: the provider saw it at some instant in between, so a
request that starts once the slot is free arrives at least one window after it. Slots
of requests in flight count too; a slot whose worker died frees itself after
``in_flight_seconds``.

Two stores with the same behaviour: :class:`RedisSlots` (one Lua script per take and
per release, timed by the Redis server's clock, so workers on hosts whose clocks differ
still agree) and :class:`MemorySlots` (one process).
"""

from __future__ import annotations

import heapq
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

WINDOW_SECONDS = 1.0

# KEYS[1] the sender's slots (a sorted set: slot id → the instant it frees from, that is
# its end, or start + in_flight_seconds while in flight); ARGV: window, limit,
# in_flight_seconds, slot id. Returns {1, 0} when taken, else {0, seconds to wait}
# (-1: every slot is in flight, wait a poll interval).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(ARGV[3]) + window) * 1000))
  return {1, '0'}
end
local first = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
if first > now then return {0, '-1'} end
return {0, tostring(first + window - now)}
"""

# KEYS[1] the sender's slots; ARGV[1] the slot id: it ended now (if still held).
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
"""


class Slots(Protocol):
    """Where the per-second slots of every sender live."""

    async def take(self, key: str, limit: int) -> str | float:
        """A slot id when one of ``limit`` is free for ``key``, else the seconds until
        one frees (``-1``: all are in flight, poll again soon)."""
        ...

    async def release(self, key: str, slot: str) -> None:
        """The request of ``slot`` ended now: it frees one window from now."""
        ...

    async def aclose(self) -> None:
        """Close connections."""
        ...


class RedisSlots:
    """Slots in Redis (a redis-py asyncio client), shared by every worker that uses the
    same server."""

    def __init__(self, client: Any, *, in_flight_seconds: float) -> None:
        self.client = client
        self.in_flight = in_flight_seconds
        self._take: Callable[..., Awaitable[Any]] = self.client.register_script(_TAKE)
        self._release: Callable[..., Awaitable[Any]] = self.client.register_script(_RELEASE)

    async def take(self, key: str, limit: int) -> str | float:
        """One Lua call: free the slots older than a window, take one if any is left."""
        slot = secrets.token_hex(8)
        taken, wait = await self._take(
            keys=[key], args=[WINDOW_SECONDS, limit, self.in_flight, slot]
        )
        return slot if int(taken) else float(wait)

    async def release(self, key: str, slot: str) -> None:
        """Stamp the slot with the Redis server's now."""
        await self._release(keys=[key], args=[slot])

    async def aclose(self) -> None:
        """Nothing of its own: the client's pool is closed by its owner."""


class MemorySlots:
    """Slots in this process (``memory://``), on the monotonic clock: per key a dict of
    live slots (id → the instant it frees from) and a heap of those instants, where an
    entry a release replaced is skipped when it surfaces (O(log n) a take)."""

    def __init__(self, *, in_flight_seconds: float) -> None:
        self.in_flight = in_flight_seconds
        self._live: dict[str, dict[str, float]] = {}
        self._heaps: dict[str, list[tuple[float, str]]] = {}

    def _earliest(self, key: str, now: float) -> float | None:
        """Drop the slots freed a window ago; the earliest instant left, if any."""
        live = self._live.setdefault(key, {})
        heap = self._heaps.setdefault(key, [])
        while heap:
            frees, slot = heap[0]
            if live.get(slot) != frees:  # replaced by its release, or already dropped
                heapq.heappop(heap)
            elif frees <= now - WINDOW_SECONDS:
                heapq.heappop(heap)
                del live[slot]
            else:
                return frees
        return None

    async def take(self, key: str, limit: int) -> str | float:
        """Free the slots older than a window, take one if any is left."""
        now = time.monotonic()
        first = self._earliest(key, now)
        live = self._live[key]
        if len(live) < limit:
            slot = secrets.token_hex(8)
            live[slot] = now + self.in_flight
            heapq.heappush(self._heaps[key], (live[slot], slot))
            return slot
        assert first is not None
        return -1.0 if first > now else first + WINDOW_SECONDS - now

    async def release(self, key: str, slot: str) -> None:
        """Stamp the slot with now."""
        self.stamp(key, slot)

    def stamp(self, key: str, slot: str) -> None:
        """:meth:`release`, synchronously (nothing to wait for in this process)."""
        live = self._live.get(key)
        if live is not None and slot in live:
            live[slot] = now = time.monotonic()
            heapq.heappush(self._heaps[key], (now, slot))

    async def aclose(self) -> None:
        """Nothing to close."""
