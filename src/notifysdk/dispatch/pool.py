"""A bounded pool of workers over a (sync or async) source of numbered notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from ..errors import InvalidInputError
from ..models import Notice, Outcome


async def run_pool(
    source: Iterable[tuple[int, Notice]] | AsyncIterator[tuple[int, Notice]],
    concurrency: int,
    send: Callable[[Notice], Awaitable[Outcome]],
) -> AsyncIterator[tuple[int, Notice, Outcome]]:
    """Run ``send`` over ``source`` with at most ``concurrency`` in flight, yielding each
    ``(index, notice, outcome)`` as it ends. A worker's unexpected error is raised once
    the others have stopped; memory stays bounded by ``concurrency``."""
    if concurrency < 1:
        raise InvalidInputError("concurrency", "must be at least 1")
    queue: asyncio.Queue[tuple[int, Notice, Outcome]] = asyncio.Queue(maxsize=concurrency * 2)
    it: AsyncIterator[tuple[int, Notice]] | None = (
        source if isinstance(source, AsyncIterator) else None
    )
    sync_it = None if it is not None else iter(source)  # type: ignore[arg-type]
    source_lock = asyncio.Lock()
    done = object()

    async def next_item() -> Any:
        async with source_lock:
            if it is not None:
                try:
                    return await it.__anext__()
                except StopAsyncIteration:
                    return done
            assert sync_it is not None
            return next(sync_it, done)

    async def worker() -> None:
        while True:
            item = await next_item()
            if item is done:
                return
            index, notice = item
            await queue.put((index, notice, await send(notice)))

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    finished = asyncio.create_task(asyncio.wait(workers))
    try:
        while True:
            getter = asyncio.create_task(queue.get())
            await asyncio.wait({getter, finished}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield getter.result()
                continue
            getter.cancel()
            while not queue.empty():
                yield queue.get_nowait()
            for w in workers:
                if w.exception() is not None:
                    raise w.exception()  # type: ignore[misc]
            return
    finally:
        for w in workers:
            w.cancel()
        finished.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
