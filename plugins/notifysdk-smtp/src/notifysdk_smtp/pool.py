"""A small pool of connected aiosmtplib clients (aiosmtplib has none).

``size`` slots; each holds a connected :class:`aiosmtplib.SMTP` or nothing. A lease
takes a slot (waiting when all are busy), connects it if it is empty or its connection
dropped, and gives it back afterwards: one message per connection at a time. A lease
that ends with anything but a clean refusal of the server (a timeout, a disconnect, a
cancellation, a 421) closes the client, and the next lease reconnects. Slots are reused
last-in first-out, so the warm connections are the ones used.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiosmtplib


@dataclass
class PoolStats:
    """Counters for tests and operators."""

    connects: int = 0
    """Connections opened (the first of each slot and every reconnect)."""
    discarded: int = 0
    """Connections closed because they failed or dropped."""
    leases: int = 0


class Lease:
    """One borrowed connection; call :meth:`discard` when it must not be reused."""

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.reusable = True

    def discard(self) -> None:
        """Close the connection instead of returning it to the pool."""
        self.reusable = False


class SMTPPool:
    """Keeps up to ``size`` connected clients made by ``connect``."""

    def __init__(self, connect: Callable[[], Awaitable[aiosmtplib.SMTP]], size: int) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self._connect = connect
        self.size = size
        self.stats = PoolStats()
        self._slots: asyncio.LifoQueue[aiosmtplib.SMTP | None] | None = None
        self._held: set[aiosmtplib.SMTP] = set()
        self._closed = False

    def _queue(self) -> asyncio.LifoQueue[aiosmtplib.SMTP | None]:
        if self._slots is None:
            self._slots = asyncio.LifoQueue()
            for _ in range(self.size):
                self._slots.put_nowait(None)
        return self._slots

    def open_connections(self) -> int:
        """How many of the clients the pool holds still look connected (a server's EOF
        shows here once the event loop has read it)."""
        return sum(1 for c in self._held if c.is_connected)

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[Lease]:
        """Borrow a connected client for one message.

        Connection errors propagate (the slot stays free for the next try). Any
        exception leaving the block discards the connection unless it is still
        connected and the caller did not :meth:`Lease.discard` it.
        """
        if self._closed:
            raise RuntimeError("the SMTP pool is closed")
        slots = self._queue()
        client = await slots.get()
        try:
            if client is None or not client.is_connected:
                if client is not None:
                    self.stats.discarded += 1
                    self._held.discard(client)
                    client.close()
                client = None
                client = await self._connect()
                self.stats.connects += 1
                self._held.add(client)
        except BaseException:
            slots.put_nowait(None)
            raise
        lease = Lease(client)
        self.stats.leases += 1
        try:
            yield lease
        except BaseException as exc:
            # Only a clean refusal (the server replied, the envelope was reset) leaves
            # the connection in a known state; anything else, cancellation included,
            # may have left a transaction half done.
            clean = isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code != 421
            if not clean:
                lease.discard()
            raise
        finally:
            if lease.reusable and client.is_connected and not self._closed:
                slots.put_nowait(client)
            else:
                if client.is_connected:
                    client.close()
                self._held.discard(client)
                self.stats.discarded += 1
                slots.put_nowait(None)

    async def aclose(self, timeout: float = 2.0) -> None:
        """Say QUIT on every idle connection (bounded by ``timeout``) and close them."""
        self._closed = True
        if self._slots is None:
            return
        clients: list[aiosmtplib.SMTP] = []
        while not self._slots.empty():
            client = self._slots.get_nowait()
            if client is not None:
                clients.append(client)

        async def quit_one(client: aiosmtplib.SMTP) -> None:
            try:
                if client.is_connected:
                    await asyncio.wait_for(client.quit(), timeout)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                pass
            finally:
                client.close()
                self._held.discard(client)

        await asyncio.gather(*(quit_one(c) for c in clients))
