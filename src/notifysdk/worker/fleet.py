"""The planner's side of the fleet: enqueue jobs in batches, collect their reports.

::

    async with Fleet(settings, worker_settings, keys, on_reports=count) as fleet:
        for job in jobs:
            await fleet.submit(job)      # waits while max_in_flight jobs are unsettled
        await fleet.drain()              # every job settled (count was told of each)

Jobs are published ``[worker] batch`` at a time as one ``notifysdk.send`` task, on the
``[worker] queue`` (a batch still filling is published at the next poll, so a slow
portfolio never waits on a full batch). Workers push one report per settled job onto
the run's Redis list; the fleet pops them, opens them and hands them to
``on_reports``. A job reported twice (a task re-delivered after it reported) is
counted once. No Celery result backend is used: outcomes are read from the ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..config import Settings
from ..errors import RunFaultError
from ..keys import LedgerKeys
from .jobs import Job, Report, open_report, seal_job
from .names import SEND_TASK, reports_key
from .settings import WorkerSettings, check_fleet

__all__ = ["Fleet"]

log = logging.getLogger("notifysdk.worker")

_POP = 500
"""Reports popped per round trip."""


class Fleet:
    """Publishes jobs to the workers and collects their reports (see the module)."""

    def __init__(
        self,
        settings: Settings,
        worker: WorkerSettings,
        keys: LedgerKeys,
        *,
        on_reports: Callable[[Sequence[Report]], Awaitable[None]],
        run_id: str | None = None,
        app: Any = None,
    ) -> None:
        check_fleet(settings, worker)
        self.settings = settings
        self.worker = worker
        self.keys = keys
        self.on_reports = on_reports
        self.run_id = run_id or secrets.token_hex(8)
        self._app = app
        self._redis: Any = None
        """A ``redis.asyncio.Redis`` client (untyped: its stubs type every call as
        sync-or-async)."""
        self._buffer: list[list[str]] = []
        self._pending: set[str] = set()
        self._settled = asyncio.Event()
        self._collector: asyncio.Task[None] | None = None
        self._fault: BaseException | None = None
        self.published = 0
        """Jobs published so far."""
        self.settled = 0
        """Jobs whose report was counted."""

    @property
    def unsettled(self) -> int:
        """Jobs submitted whose report has not come yet."""
        return len(self._pending)

    async def __aenter__(self) -> Fleet:
        from redis.asyncio import Redis

        from .factory import create_app

        if self._app is None:
            self._app = create_app(worker=self.worker)
        self._redis = Redis.from_url(self.worker.broker())
        try:
            await self._redis.ping()
        except Exception as exc:
            await self._redis.aclose()
            raise RunFaultError(f"the broker is unreachable: {type(exc).__name__}") from None
        self._collector = asyncio.create_task(self._collect_loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._collector is not None:
            self._collector.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._collector
        if self._redis is not None:
            await self._redis.aclose()

    async def submit(self, job: Job) -> None:
        """Queue ``job`` (published with its batch); waits while ``max_in_flight`` jobs
        are unsettled. A job whose id is already unsettled is not queued twice."""
        self._check()
        if job.id in self._pending:
            return
        while len(self._pending) >= self.worker.max_in_flight:
            self._settled.clear()
            self._flush()
            await self._settled.wait()
            self._check()
        self._pending.add(job.id)
        self._buffer.append([job.id, seal_job(self.keys, job)])
        if len(self._buffer) >= self.worker.batch:
            self._flush()

    async def drain(self) -> None:
        """Publish what is buffered and wait until every submitted job has settled."""
        self._flush()
        while self._pending:
            self._settled.clear()
            await self._settled.wait()
            self._check()

    def _check(self) -> None:
        if self._fault is not None:
            raise self._fault

    def _flush(self) -> None:
        if not self._buffer:
            return
        assert self._app is not None
        batch, self._buffer = self._buffer, []
        try:
            self._app.send_task(
                SEND_TASK, args=(self.run_id, batch), queue=self.worker.queue, retry=True
            )
        except Exception as exc:
            raise RunFaultError(f"cannot publish to the broker: {type(exc).__name__}") from None
        self.published += len(batch)

    async def _collect_loop(self) -> None:
        try:
            while True:
                got = await self.collect()
                if not got:
                    self._flush()  # a batch still filling goes out while nothing settles
                    await asyncio.sleep(self.worker.poll_seconds)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._fault = exc if isinstance(exc, RunFaultError) else _fault(exc)
            self._settled.set()

    async def collect(self) -> int:
        """Pop the reports waiting, count those of unsettled jobs; how many were popped."""
        assert self._redis is not None
        raw: list[bytes] | None = await self._redis.lpop(reports_key(self.run_id), _POP)
        if not raw:
            return 0
        reports: list[Report] = []
        for item in raw:
            job_id, token = json.loads(item)
            if job_id not in self._pending:
                continue  # reported twice (a re-delivered task): counted once
            self._pending.discard(job_id)
            reports.append(open_report(self.keys, job_id, token))
        if reports:
            await self.on_reports(reports)
            self.settled += len(reports)
            self._settled.set()
        return len(raw)


def _fault(exc: BaseException) -> RunFaultError:
    from ..faults import run_fault

    found = run_fault(exc) if isinstance(exc, Exception) else None
    return found or RunFaultError(f"collecting the workers' reports failed: {type(exc).__name__}")
