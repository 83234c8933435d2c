"""A sender's provider limits: a per-second window and a per-day count.

- **per second** (:mod:`.window`): no more than ``per_second`` requests reach the
  provider in any rolling second, across every worker sharing the storage: a slot is
  held from when a send takes it until one second after its request ended. A full
  window is waited out, up to ``max_wait_seconds``, by sleeping until the earliest slot
  frees (never spinning); past that the send raises :class:`RateLimitedError` with the
  instant it frees, which the retry policy waits for.
- **per day**: a count per calendar day of ``day_zone`` on the ``limits`` library's
  fixed-window counter (Redis ``INCR`` with an expiry, or its memory storage), keyed by
  the date on the dispatcher's clock, so the day resets at the provider's midnight (and
  a fake clock moves it). A full day raises :class:`RateLimitedError` until the next
  midnight, which the dispatcher turns into a deferral past the retry budget.

The per-second window is on the storage's clock (the Redis server's, or this process's
monotonic one) and its waits really sleep. Nothing is sent when the storage cannot be
reached: that is a transient error (fail closed: a provider's limit is a contract).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..errors import TransientDeliveryError
from .settings import RateLimitSettings
from .window import MemorySlots, RedisSlots, Slots

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.storage import Storage

log = logging.getLogger("notifysdk.ratelimit")

NAMESPACE = "notifysdk"
_MIN_WAIT = 0.001
"""The shortest sleep between two tries: a slot already free again (another worker
took it first) is tried after this, not at once."""
_IN_FLIGHT_POLL = 0.05
"""How often to look again when every slot is held by a request still in flight."""


class RateLimitedError(TransientDeliveryError):
    """A sender's limit is reached: nothing was sent. ``retry_after`` is the seconds to
    the window's reset (on the dispatcher's clock), ``until`` that instant; the retry
    policy waits for it, or the dispatcher defers the notice to it when it is past the
    retry budget (a daily limit)."""

    def __init__(self, message: str, *, retry_after: float, until: datetime) -> None:
        super().__init__(message, provider_code="rate_limit", retry_after=retry_after)
        self.until = until


@dataclass(frozen=True)
class _Limits:
    per_second: int | None
    day: RateLimitItem | None


class SenderRateLimiter:
    """The per-second and per-day limits of one channel's senders, in one storage."""

    def __init__(self, settings: RateLimitSettings, *, clock: Clock, scope: str) -> None:
        from limits.aio.strategies import FixedWindowRateLimiter

        self.settings = settings
        self.clock = clock
        self.scope = scope
        """Part of every key: senders are counted per medium (one number's SMS and its
        calls are limited apart, as providers do)."""
        self.zone = ZoneInfo(settings.day_zone)
        self.slots, self.storage, self._pool, self._errors = _open(
            settings.storage.get_secret_value(), settings.in_flight_seconds
        )
        self._days = FixedWindowRateLimiter(self.storage)
        self._limits: dict[str, _Limits] = {}
        self._pending: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        """Finish the releases under way, then close the storage's connections."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._pool is not None:
            await self._pool.aclose()

    def _limits_for(self, sender: str) -> _Limits:
        found = self._limits.get(sender)
        if found is None:
            from limits import RateLimitItemPerDay

            limit = self.settings.for_sender(sender)
            found = _Limits(
                limit.per_second,
                RateLimitItemPerDay(limit.per_day, namespace=NAMESPACE) if limit.per_day else None,
            )
            self._limits[sender] = found
        return found

    @asynccontextmanager
    async def slot(self, sender: str) -> AsyncIterator[None]:
        """Hold a slot of ``sender``'s limits while the body sends one request: wait up
        to ``max_wait_seconds`` for a per-second slot, count the message in its day.
        Raises :class:`RateLimitedError` when no slot comes in time or the day is full,
        :class:`TransientDeliveryError` when the storage is unreachable."""
        limits = self._limits_for(sender)
        if limits.per_second is None and limits.day is None:
            yield
            return
        key = f"{NAMESPACE}:{self.scope}:{sender}"
        day = self._day_key() if limits.day is not None else ""
        taken: str | None = None
        try:
            if limits.day is not None and not await self._days.test(
                limits.day, self.scope, sender, day
            ):
                raise self._day_full()
            if limits.per_second is not None:
                taken = await self._take(key, limits.per_second)
            if limits.day is not None and not await self._days.hit(
                limits.day, self.scope, sender, day
            ):
                raise self._day_full()  # another worker took the day's last one
        except self._errors as exc:
            await self._release(key, taken)
            raise TransientDeliveryError(
                f"the rate-limit storage could not be reached ({type(exc).__name__}); "
                "nothing was sent",
                provider_code="rate_limit_storage",
            ) from None
        except BaseException:
            await self._release(key, taken)
            raise
        try:
            yield
        finally:
            await self._release(key, taken)

    async def _take(self, key: str, limit: int) -> str:
        deadline = time.monotonic() + self.settings.max_wait_seconds
        while True:
            got = await self.slots.take(key, limit)
            if isinstance(got, str):
                return got
            wait = _IN_FLIGHT_POLL if got < 0 else max(_MIN_WAIT, got)
            if time.monotonic() + wait > deadline:
                raise RateLimitedError(
                    f"the sender's limit of {limit} per second is reached; nothing was sent",
                    retry_after=wait,
                    until=self.clock.now() + timedelta(seconds=wait),
                )
            await asyncio.sleep(wait)

    async def _release(self, key: str, slot: str | None) -> None:
        if slot is None:
            return
        if isinstance(self.slots, MemorySlots):
            self.slots.stamp(key, slot)
            return
        # In the background: the send's answer need not wait for Redis, and a cancelled
        # send still stamps its slot (a slot stamped a little late is only stricter).
        task = asyncio.get_running_loop().create_task(self._stamp(key, slot))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _stamp(self, key: str, slot: str) -> None:
        try:
            await self.slots.release(key, slot)
        except Exception as exc:  # the slot frees itself after in_flight_seconds
            log.warning("could not release a rate-limit slot: %s", type(exc).__name__)

    def _day_key(self) -> str:
        return self.clock.now().astimezone(self.zone).date().isoformat()

    def _day_full(self) -> RateLimitedError:
        now = self.clock.now()
        local = now.astimezone(self.zone)
        midnight = datetime.combine(
            local.date() + timedelta(days=1), datetime.min.time(), tzinfo=self.zone
        )
        return RateLimitedError(
            f"the sender's daily limit is reached for {local.date().isoformat()} "
            f"({self.settings.day_zone}); nothing was sent",
            retry_after=(midnight - now).total_seconds(),
            until=midnight.astimezone(now.tzinfo),
        )


def _open(
    url: str, in_flight_seconds: float
) -> tuple[Slots, Storage, Any, tuple[type[BaseException], ...]]:
    """The slot store, the ``limits`` storage for the days, the Redis pool to close (or
    ``None``) and the errors that mean the storage is unreachable, for ``url``."""
    from limits.aio.storage import MemoryStorage, RedisStorage
    from limits.errors import StorageError

    if url.startswith("memory://"):
        memory = MemoryStorage(wrap_exceptions=True)
        return MemorySlots(in_flight_seconds=in_flight_seconds), memory, None, (StorageError,)
    import redis.asyncio
    from redis.exceptions import RedisError

    pool = redis.asyncio.ConnectionPool.from_url(url)
    client = redis.asyncio.Redis(connection_pool=pool)
    # limits passes its options on to redis-py (typed float | str | bool there, but a
    # connection_pool is what redis.asyncio.Redis takes): one pool for both stores.
    options: dict[str, Any] = {"connection_pool": pool}
    days = RedisStorage(f"async+{url}", wrap_exceptions=True, implementation="redispy", **options)
    slots = RedisSlots(client, in_flight_seconds=in_flight_seconds)
    return slots, days, pool, (StorageError, RedisError, OSError)
