"""The worker pool behind ``send_many`` and ``stream``: bounded, complete, an unexpected
error raised only once the other workers have stopped, and no task left behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from notifysdk.dispatch.pool import run_pool
from notifysdk.errors import InvalidInputError
from notifysdk.models import Notice, Outcome, OutcomeStatus
from notifysdk.testing import sample_notice


def _outcome(notice: Notice) -> Outcome:
    return Outcome(
        idempotency_key=notice.idempotency_key,
        status=OutcomeStatus.DELIVERED,
        channel=notice.channel,
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )


NOTICES = [(i, sample_notice(i)) for i in range(40)]


async def test_every_notice_once_with_at_most_concurrency_in_flight() -> None:
    """... and no task besides the workers (none per result)."""
    in_flight = peak = tasks = 0
    before = len(asyncio.all_tasks())

    async def send(notice: Notice) -> Outcome:
        nonlocal in_flight, peak, tasks
        in_flight += 1
        peak = max(peak, in_flight)
        tasks = max(tasks, len(asyncio.all_tasks()) - before)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return _outcome(notice)

    got = [index async for index, _n, _o in run_pool(NOTICES, 6, send)]
    assert sorted(got) == list(range(40))
    assert peak == 6
    assert tasks == 6


async def test_an_async_source_is_read_by_every_worker() -> None:
    async def source() -> AsyncIterator[tuple[int, Notice]]:
        for item in NOTICES:
            await asyncio.sleep(0)
            yield item

    async def send(notice: Notice) -> Outcome:
        return _outcome(notice)

    got = [index async for index, _n, _o in run_pool(source(), 4, send)]
    assert sorted(got) == list(range(40))


async def test_an_unexpected_error_is_raised_after_the_others_finished() -> None:
    sent: list[int] = []

    async def send(notice: Notice) -> Outcome:
        await asyncio.sleep(0)
        if notice.idempotency_key == NOTICES[3][1].idempotency_key:
            raise RuntimeError("a bug")
        sent.append(1)
        return _outcome(notice)

    yielded: list[int] = []
    with pytest.raises(RuntimeError, match="a bug"):
        async for index, _n, _o in run_pool(NOTICES, 4, send):
            yielded.append(index)
    # The failing worker stopped; the other three went on through the whole source.
    assert len(sent) == len(yielded) == 39


async def test_results_wait_for_a_slow_consumer_within_the_bound() -> None:
    started = 0

    async def send(notice: Notice) -> Outcome:
        nonlocal started
        started += 1
        return _outcome(notice)

    pool = run_pool(NOTICES, 3, send)
    first = await anext(pool)
    for _ in range(20):
        await asyncio.sleep(0)
    # 2 x 3 results may wait for the consumer, plus one per worker holding its result.
    assert started <= 1 + 2 * 3 + 3
    assert first[0] in range(40)
    await pool.aclose()


async def test_closing_early_cancels_every_worker() -> None:
    gate = asyncio.Event()

    async def send(notice: Notice) -> Outcome:
        if notice.idempotency_key != NOTICES[0][1].idempotency_key:
            await gate.wait()
        return _outcome(notice)

    before = len(asyncio.all_tasks())
    pool = run_pool(NOTICES, 5, send)
    await anext(pool)
    await pool.aclose()
    assert len(asyncio.all_tasks()) == before


async def test_concurrency_must_be_positive() -> None:
    async def send(notice: Notice) -> Outcome:
        return _outcome(notice)

    with pytest.raises(InvalidInputError):
        await anext(run_pool(NOTICES, 0, send))
