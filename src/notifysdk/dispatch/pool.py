"""A bounded pool of workers over a (sync or async) source of numbered notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from ..errors import InvalidInputError
from ..models import Notice, Outcome

_DONE = object()


async def run_pool(
    source: Iterable[tuple[int, Notice]] | AsyncIterator[tuple[int, Notice]],
    concurrency: int,
    send: Callable[[Notice], Awaitable[Outcome]],
) -> AsyncIterator[tuple[int, Notice, Outcome]]:
    """Run ``send`` over ``source`` with at most ``concurrency`` in flight, yielding each
    ``(index, notice, outcome)`` as it ends. A worker's unexpected error is raised once
    the others have stopped; memory stays bounded by ``concurrency``.

    Results go through one queue (no task per result): a worker takes one of
    ``2 * concurrency`` slots before it queues a result and the consumer gives it back
    when it takes the result, so at most that many wait; the last worker to stop queues
    the end marker."""
    if concurrency < 1:
        raise InvalidInputError("concurrency", "must be at least 1")
    results: asyncio.Queue[Any] = asyncio.Queue()
    slots = asyncio.Semaphore(concurrency * 2)
    next_item = _reader(source)
    running = concurrency

    async def worker() -> None:
        nonlocal running
        try:
            while True:
                item = await next_item()
                if item is _DONE:
                    return
                index, notice = item
                outcome = await send(notice)
                await slots.acquire()
                results.put_nowait((index, notice, outcome))
        finally:
            running -= 1
            if running == 0:
                results.put_nowait(_DONE)

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        while True:
            got = await results.get()
            if got is _DONE:
                break
            slots.release()
            yield got
        await asyncio.gather(*workers, return_exceptions=True)
        for w in workers:
            if w.exception() is not None:
                raise w.exception()  # type: ignore[misc]
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def _reader(
    source: Iterable[tuple[int, Notice]] | AsyncIterator[tuple[int, Notice]],
) -> Callable[[], Awaitable[Any]]:
    """The next numbered notice, or ``_DONE``, for any worker. An async source is read
    under a lock (its ``__anext__`` may suspend); a sync one needs none."""
    if isinstance(source, AsyncIterator):
        it = source
        lock = asyncio.Lock()

        async def next_async() -> Any:
            async with lock:
                try:
                    return await it.__anext__()
                except StopAsyncIteration:
                    return _DONE

        return next_async
    sync_it = iter(source)

    async def next_sync() -> Any:
        return next(sync_it, _DONE)

    return next_sync
