"""Injectable clocks: the system clock, and a fake one that never sleeps.

Every component that needs the time or needs to wait takes a :class:`Clock`, so tests and
the CLI's ``--now`` never depend on the wall clock and never really sleep.
"""

from __future__ import annotations

import asyncio
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


def fixed_clock(instant: datetime) -> FakeClock:
    """A fake clock standing at ``instant`` (for ``--now``)."""
    return FakeClock(instant)
