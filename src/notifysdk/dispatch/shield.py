"""``asyncio.shield`` without a task for the common case: a write that never suspends.

Recording an outcome must not be cut short by a cancellation, so the dispatcher shields
the ledger's writes. ``asyncio.shield`` always wraps the write in a new task and waits
for it through the event loop, which costs two loop turns and a task per write even
when the write completes at once (the memory ledger never suspends; a SQL ledger with
a connection at hand may not either).

:func:`shielded` runs the write's first step inline. A cancellation can only reach a
task while it is suspended, so a write that ends without suspending is as safe as a
shielded one. A write that does suspend is handed, exactly where it stopped, to a task
behind ``asyncio.shield``: from then on it is the same as ``await asyncio.shield(coro)``
(a cancellation of the caller raises in the caller; the write runs to its end).

Meant for the ledgers' writes: a coroutine that enters state bound to its task before it
first suspends (``asyncio.timeout``, a ``TaskGroup``) would go on in another task. The
ledgers' writes do not: the memory ledger never suspends, the SQL ledgers first suspend
on the writer thread's future.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

__all__ = ["shielded"]

T = TypeVar("T")


async def shielded(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` so that cancelling the caller cannot interrupt it (see the module
    docstring); its result or its exception is the caller's."""
    try:
        first = coro.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    task = asyncio.ensure_future(_rest(coro, first))
    rest: T = await asyncio.shield(task)
    return rest


async def _rest(coro: Coroutine[Any, Any, T], first: Any) -> T:
    result: T = await _Resume(coro, first)
    return result


class _Resume:
    """Drives a coroutine already suspended on ``first`` from inside a new task: what
    it yields (a future, or ``None`` for a bare yield) goes to the task unchanged, and
    what the task sends or throws goes back into it."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Coroutine[Any, Any, Any], first: Any) -> None:
        self.coro = coro
        self.first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        yielded = self.first
        while True:
            try:
                sent = yield yielded
            except BaseException as exc:  # thrown in by the task: pass it on
                try:
                    yielded = self.coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = self.coro.send(sent)
                except StopIteration as done:
                    return done.value
