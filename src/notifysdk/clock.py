"""Injectable clocks: the system clock, and a fake one that never sleeps.

Every component that needs the time or needs to wait takes a :class:`Clock`, so tests and
the CLI's ``--now`` never depend on the wall clock and never really sleep.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from .errors import NaiveDatetimeError


@runtime_checkable
class Clock(Protocol):
    """Tells the time and waits."""

    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        """Really wait."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to; ``sleep`` advances it instantly.

    ``sleeps`` records every requested wait, so retry tests can assert the backoff.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise NaiveDatetimeError("start", "clock start must carry a time zone")
        self._now = start
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        """The fake current instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (aware)."""
        if instant.tzinfo is None:
            raise NaiveDatetimeError("instant", "clock time must carry a time zone")
        self._now = instant

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` (or a timedelta's keywords) and return the new time."""
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Record the wait, advance the clock and yield to the loop once."""
        self.sleeps.append(seconds)
        self._now += timedelta(seconds=max(0.0, seconds))
        await asyncio.sleep(0)


class OffsetClock:
    """The real clock shifted so that it read ``start`` when created (for ``--now``).

    Time moves and sleeps really wait, so retries against real providers behave, but
    every rule sees the operator's chosen instant as "now".
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise NaiveDatetimeError("now", "--now must carry a time zone (e.g. +08:00 or Z)")
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        """``start`` plus the real time elapsed since creation."""
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    async def sleep(self, seconds: float) -> None:
        """Really wait."""
        await asyncio.sleep(max(0.0, seconds))
