"""Slow clients cannot starve signed callbacks: uvicorn's h11 protocol with a header
deadline, a body deadline and a bound on connections that are not yet (or no longer)
sending a request at full speed.

Uvicorn bounds keep-alive idleness (``timeout_keep_alive``), header size
(``h11_max_incomplete_event_size``) and concurrency (``limit_concurrency``), but has no
deadline for a request's headers: a client trickling one header byte a second holds its
connection, and its place under ``limit_concurrency``, for as long as it likes, so 1,100
such clients keep every real callback at 503. :func:`guarded_h11` adds, per connection:

- a **header deadline**: the request line and headers must arrive within
  ``header_timeout`` of the connection (or of the first byte of the next request on a
  kept-alive one); otherwise 408 and the connection is closed;
- a **body deadline**: the body must follow within ``body_timeout`` of the headers,
  otherwise the connection is closed (the app's own timeout answers 408 sooner);
- a **bound on waiting connections**: a connection still sending its headers or body, or
  idle between requests, is *waiting*; at most ``max_waiting`` are kept, and a new
  connection past the bound closes the oldest waiting one. A real client (Twilio) sends
  a callback in one packet and waits only a millisecond, so the connections evicted are
  the slow ones. A connection whose request is complete (the app is handling it) is
  never evicted.

Waiting connections do not count against the number of requests handled at once: that
bound is :class:`ConcurrencyLimit`, an ASGI middleware counting requests the app is
handling (uvicorn's ``limit_concurrency`` counts every open connection, so slow ones
took the places of real callbacks). ``max_waiting`` bounds what slow clients cost (a
socket and a parser each): by default 2,048, or half the process's file limit if lower.

A small subclass of uvicorn's :class:`~uvicorn.protocols.http.h11_impl.H11Protocol`
rather than another server: uvicorn (and its h11 parser) stays the one serving HTTP,
and the subclass only watches h11's state after each read (``their_state``: ``IDLE``
while headers arrive, ``SEND_BODY`` while the body does).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

import h11
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("notifysdk_twilio.webhooks.guard")

Phase = Literal["head", "body", "busy", "idle"]

_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 24\r\n\r\nthe request was too slow"
)


@dataclass
class GuardStats:
    """What the guard did since the server started."""

    header_timeouts: int = 0
    body_timeouts: int = 0
    evicted: int = 0


@dataclass
class SlowClientGuard:
    """The shared state and limits of one server's connections."""

    header_timeout: float = 5.0
    body_timeout: float = 10.0
    max_waiting: int = 2048
    stats: GuardStats = field(default_factory=GuardStats)
    waiting: OrderedDict[GuardedH11Protocol, None] = field(default_factory=OrderedDict)
    """Connections that may be closed to make room, oldest first."""

    def __post_init__(self) -> None:
        if self.header_timeout <= 0 or self.body_timeout <= 0 or self.max_waiting < 1:
            raise ValueError("the guard's timeouts are positive and max_waiting at least 1")

    def make_room(self) -> None:
        """Close the oldest waiting connections until one more fits."""
        while len(self.waiting) >= self.max_waiting:
            oldest, _ = self.waiting.popitem(last=False)
            self.stats.evicted += 1
            if self.stats.evicted == 1 or self.stats.evicted % 1000 == 0:
                log.warning(
                    "closing slow or idle connections to make room (%d so far)",
                    self.stats.evicted,
                )
            oldest.evict()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol under a :class:`SlowClientGuard` (see the module)."""

    guard: SlowClientGuard  # set on the subclass :func:`guarded_h11` makes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase: Phase | None = None
        self._deadline: asyncio.TimerHandle | None = None

    # -- uvicorn's protocol hooks ----------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Make room if needed, then start the header deadline."""
        self.guard.make_room()
        super().connection_made(transport)
        self._enter("head")

    def data_received(self, data: bytes) -> None:
        """Let h11 parse, then follow the request's progress."""
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        """After a response the connection idles (uvicorn's keep-alive timer runs)."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._follow(idle=True)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection."""
        self._leave()
        super().connection_lost(exc)

    # -- the guard ---------------------------------------------------------------------

    def _follow(self, *, idle: bool = False) -> None:
        if self.transport.is_closing():
            self._leave()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            # Bytes of a next request start its header deadline; none yet: idle.
            self._enter("idle" if idle and not self.conn.trailing_data[0] else "head")
        elif state is h11.SEND_BODY:
            self._enter("body")
        else:
            self._enter("busy")

    def _enter(self, phase: Phase) -> None:
        if phase == self._phase:
            return
        self._phase = phase
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if phase == "busy":
            self.guard.waiting.pop(self, None)
            return
        self.guard.waiting.pop(self, None)
        self.guard.waiting[self] = None  # newest last
        if phase == "head":
            self._deadline = self.loop.call_later(self.guard.header_timeout, self._expired)
        elif phase == "body":
            self._deadline = self.loop.call_later(self.guard.body_timeout, self._expired)

    def _leave(self) -> None:
        self.guard.waiting.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._phase == "head":
            self.guard.stats.header_timeouts += 1
            self.transport.write(_TIMED_OUT)  # no request yet: h11 cannot answer one
        else:
            self.guard.stats.body_timeouts += 1
        self._leave()
        self.transport.close()

    def evict(self) -> None:
        """Close this connection now (the guard needs the room)."""
        self._leave()
        if not self.transport.is_closing():
            self.transport.close()


class ConcurrencyLimit:
    """ASGI middleware: at most ``limit`` HTTP requests handled at once; beyond, 503 with
    ``Retry-After: 1`` (Twilio retries). Only requests whose headers arrived count."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit is at least 1")
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the request, or answer 503 when ``limit`` are in progress."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            log.warning("%d requests in progress: answering 503", self.active)
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [(b"content-type", b"text/plain"), (b"retry-after", b"1")],
                }
            )
            await send({"type": "http.response.body", "body": b"busy"})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def default_max_waiting() -> int:
    """2,048, or half the soft limit on open files when that is lower."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return 2048
    if soft == resource.RLIM_INFINITY:
        return 2048
    return max(16, min(2048, soft // 2))


def guarded_h11(guard: SlowClientGuard) -> type[GuardedH11Protocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` bound to ``guard``."""
    return type("GuardedH11", (GuardedH11Protocol,), {"guard": guard})
