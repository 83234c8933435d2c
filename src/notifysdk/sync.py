"""A synchronous facade for scripts, usable with or without a running event loop.

The async dispatcher runs on a private event loop in a background thread, so calling
:meth:`SyncDispatcher.send` from inside a running loop (a notebook, an async web
handler) does not fail with "this event loop is already running".
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from .dispatcher import Dispatcher
from .models import Notice, Outcome

T = TypeVar("T")


class SyncDispatcher:
    """Blocking wrapper around :class:`Dispatcher`. Close it (or use ``with``) when done."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="notifysdk-sync", daemon=True
        )
        self._thread.start()
        self._closed = False

        async def build() -> Dispatcher:
            return Dispatcher(*args, **kwargs)

        self.dispatcher = self._call(build())

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise RuntimeError("the SyncDispatcher is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def send(self, notice: Notice) -> Outcome:
        """Send one notice and wait for its outcome."""
        return self._call(self.dispatcher.send(notice))

    def send_many(self, notices: Iterable[Notice], *, concurrency: int = 10) -> list[Outcome]:
        """Send many notices and wait for every outcome (input order)."""
        return self._call(self.dispatcher.send_many(notices, concurrency=concurrency))

    def close(self) -> None:
        """Close the dispatcher and stop the private loop."""
        if self._closed:
            return
        try:
            self._call(self.dispatcher.aclose())
        finally:
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def __enter__(self) -> SyncDispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
