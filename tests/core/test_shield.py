"""``shielded``: a ledger write that cannot be cut short by a cancellation, with no task
when the write never suspends."""

from __future__ import annotations

import asyncio

import pytest

from notifysdk.dispatch.shield import shielded


async def test_a_write_that_never_suspends_runs_inline_without_a_task() -> None:
    tasks_seen: list[asyncio.Task[object] | None] = []
    caller = asyncio.current_task()

    async def write() -> str:
        tasks_seen.append(asyncio.current_task())
        return "done"

    before = len(asyncio.all_tasks())
    assert await shielded(write()) == "done"
    assert tasks_seen == [caller]
    assert len(asyncio.all_tasks()) == before


async def test_a_write_that_suspends_gets_every_value_it_awaits() -> None:
    loop = asyncio.get_running_loop()

    async def write() -> list[object]:
        got: list[object] = []
        await asyncio.sleep(0)  # a bare yield
        fut: asyncio.Future[int] = loop.create_future()
        loop.call_soon(fut.set_result, 7)
        got.append(await fut)
        got.append(await asyncio.sleep(0.001, result="slept"))
        return got

    assert await shielded(write()) == [7, "slept"]


@pytest.mark.parametrize("suspends", [False, True])
async def test_the_writes_exception_is_the_callers(suspends: bool) -> None:
    async def write() -> None:
        if suspends:
            await asyncio.sleep(0)
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        await shielded(write())


async def test_cancelling_the_caller_lets_a_suspended_write_finish() -> None:
    gate = asyncio.Event()
    finished: list[str] = []

    async def write() -> str:
        await gate.wait()
        await asyncio.sleep(0)
        finished.append("written")
        return "ok"

    async def caller() -> str:
        return await shielded(write())

    task = asyncio.create_task(caller())
    await asyncio.sleep(0.01)  # the write is suspended on the gate
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished == []
    gate.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert finished == ["written"]


async def test_a_write_cancelled_itself_is_cancelled_for_the_caller() -> None:
    """Only the caller's cancellation is kept out; the write's own task being cancelled
    (e.g. at loop shutdown) reaches the write and then the caller."""
    inner: list[asyncio.Task[object]] = []
    seen: list[str] = []

    async def write() -> None:
        await asyncio.sleep(0)
        task = asyncio.current_task()
        assert task is not None
        inner.append(task)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    caller = asyncio.create_task(shielded(write()))
    while not inner:
        await asyncio.sleep(0)
    inner[0].cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert seen == ["cancelled inside"]
