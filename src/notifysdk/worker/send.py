"""A worker sends its jobs: the same dispatch path as ``send`` and a campaign's stage.

For each job, notice by notice in medium order: skip a fallback medium already done
under its version-1 key, ask the notice data sources (as a campaign in one process
does, :func:`notifysdk.campaign.runner.source_data`), then
:meth:`Dispatcher.send_safely <notifysdk.dispatch.Dispatcher.send_safely>` — policy,
render, privacy, the claim with its cap reservations, the channel, the outcome and its
audit entry. A task delivered twice meets the idempotency key and gets the recorded
outcome back; nothing is sent again. The next medium is tried only when the ladder's
``fallback_on`` says so.

A job whose notice meets a claim held by someone else (``ledger-claim``: a live
worker sending it, or a crashed one whose lease has not run out) is *busy*: it is not
reported, and the caller retries it later, by when recovery has settled the claim.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from ..campaign.ladder import Ladder
from ..campaign.runner import source_data
from ..campaign.sources import NoticeDataSource, data_sources
from ..clock import Clock, OffsetClock
from ..dispatch.dispatcher import Dispatcher
from ..keys import LedgerKeys
from ..ledger.base import NoticeRecord, NoticeState, get_many
from ..models import Notice, Outcome, OutcomeStatus
from .jobs import Job, Step, open_job
from .payload import PayloadError

__all__ = ["BUSY_RULE", "JOB_CLOCK", "UNOPENED", "FleetClock", "send_jobs"]

log = logging.getLogger("notifysdk.worker")

BUSY_RULE = "ledger-claim"
"""The rule of the (unrecorded) deferral a notice meets when another owner holds it."""
LEGACY_DONE = "already done today (key of an earlier version)"
UNOPENED = "the worker could not open the job (other ledger keys than the planner's?)"

JOB_CLOCK: ContextVar[Clock | None] = ContextVar("notifysdk_job_clock", default=None)
"""The clock of the job running in this asyncio task (``None``: the worker's own)."""


class FleetClock:
    """A worker's clock: the running job's (:data:`JOB_CLOCK`, a planner's ``--now``)
    when it has one, else ``base``."""

    def __init__(self, base: Clock) -> None:
        self.base = base

    def now(self) -> datetime:
        """The job's instant, else the base clock's."""
        clock = JOB_CLOCK.get()
        return (clock or self.base).now()

    async def sleep(self, seconds: float) -> None:
        """Wait on the base clock."""
        await self.base.sleep(seconds)


async def send_jobs(
    dispatcher: Dispatcher,
    keys: LedgerKeys,
    jobs: Sequence[Sequence[str]],
    *,
    concurrency: int,
) -> tuple[dict[str, list[Step]], list[list[str]]]:
    """Send ``jobs`` (``[id, token]`` pairs), at most ``concurrency`` notices at once:
    the settled jobs' steps by id, and the busy jobs' pairs. A fault of the run (the
    ledger unreachable) is raised."""
    sources = data_sources(dispatcher.registry.rules.values(), dispatcher.settings)
    gate = asyncio.Semaphore(concurrency)
    sent: dict[str, list[tuple[Notice, Outcome | str, bool]] | None] = {}
    done: dict[str, list[Step]] = {}

    async def one(job_id: str, token: str) -> None:
        async with gate:
            try:
                job = open_job(keys, job_id, token)
            except PayloadError as exc:
                log.error("job %s: %s", job_id, exc)
                done[job_id] = [Step(job_id, skipped=UNOPENED)]
                return
            if job.now is not None:  # this job's notices see the planner's instant
                JOB_CLOCK.set(OffsetClock(datetime.fromisoformat(job.now)))
            sent[job_id] = await _job(dispatcher, sources, job)

    async with asyncio.TaskGroup() as group:
        for job_id, token in jobs:
            group.create_task(one(job_id, token))
    tried = [item for items in sent.values() if items for item in items]
    records = await get_many(dispatcher.ledger, [n.idempotency_key for n, _, _ in tried])
    for job_id, items in sent.items():
        steps = None if items is None else _steps(items, records)
        if steps is not None:
            done[job_id] = steps
        else:
            sent[job_id] = None
    busy = [[job_id, token] for job_id, token in jobs if job_id in sent and sent[job_id] is None]
    return done, busy


def _steps(
    items: Sequence[tuple[Notice, Outcome | str, bool]], records: Mapping[str, NoticeRecord]
) -> list[Step] | None:
    """A job's steps as the ledger tells them; ``None`` (busy) when a notice's outcome
    was not written because another owner claimed it meanwhile (a re-delivered copy
    of a task racing the recovery of the original's claim).

    A notice is *recorded* when the ledger holds its final outcome (whoever wrote it:
    the ledger is the source of truth) or exactly this outcome (a deferral written
    again); only the outcomes the dispatcher never writes travel in the report."""
    steps = []
    for notice, outcome, explain in items:
        key = notice.idempotency_key
        if isinstance(outcome, str):
            steps.append(Step(key, skipped=outcome))
            continue
        record = records.get(key)
        stored = None if record is None else record.outcome
        if record is not None and record.state is NoticeState.CLAIMED:
            return None
        recorded = (
            record is not None
            and stored is not None
            and (record.done or (stored.status is outcome.status and stored.at == outcome.at))
        )
        steps.append(
            Step(key, recorded=recorded, outcome=None if recorded else outcome, explain=explain)
        )
    return steps


def _with_data(notice: Notice, extra: dict[str, Any]) -> Notice:
    """``notice`` with a data source's additions over its data (the key unchanged)."""
    return notice.model_copy(update={"data": {**notice.data, **extra}})


@functools.lru_cache(maxsize=32)
def _ladder(fallback_on: tuple[str, ...]) -> Ladder:
    """A ladder with only ``fallback_on``: what :meth:`Ladder.falls_back` reads."""
    return Ladder.model_construct(fallback_on=fallback_on, stages=(), profiles={})


async def _job(
    dispatcher: Dispatcher, sources: Sequence[NoticeDataSource], job: Job
) -> list[tuple[Notice, Outcome | str, bool]] | None:
    """One job's notices with their outcomes (a skip as its reason in place of the
    outcome), in order; ``None`` when a claim held elsewhere makes it busy."""
    ladder = _ladder(tuple(job.fallback_on))
    out: list[tuple[Notice, Outcome | str, bool]] = []
    for index, notice in enumerate(job.notices):
        legacy = job.legacy_keys[index] if index < len(job.legacy_keys) else None
        if index and legacy:  # the planner checked the first medium's
            record = await dispatcher.ledger.get(legacy)
            if record is not None and record.done:
                out.append((notice, LEGACY_DONE, False))
                return out
        stopped: Outcome | None = None
        if sources:
            record = await dispatcher.ledger.get(notice.idempotency_key)
            if record is None or not record.done:
                notice, stopped = await source_data(
                    dispatcher, sources, notice, functools.partial(_with_data, notice)
                )
        outcome: Outcome = stopped or await dispatcher.send_safely(notice)
        if outcome.status is OutcomeStatus.DEFERRED and outcome.rule == BUSY_RULE:
            return None
        out.append((notice, outcome, stopped is not None))
        if not ladder.falls_back(outcome):
            break
    return out
