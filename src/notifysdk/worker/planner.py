"""``notifysdk run --workers celery``: the campaign planner hands its stages to the fleet.

The :class:`~notifysdk.campaign.runner.CampaignRunner` streams and plans the portfolio
exactly as a run in one process does (bounded memory, the same skips); each due stage
becomes a :class:`~notifysdk.worker.jobs.Job` enqueued through a
:class:`~notifysdk.worker.fleet.Fleet` (back-pressure past ``max_in_flight``). As jobs
settle, their outcomes are read **from the ledger** in batches and counted into the
summary as the run in one process counts them (a notice already done before the run is
a duplicate; the outcomes the dispatcher does not record come in the job's report); a
row's progress advances when all its stages have settled.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import cast

from ..campaign.ladder import Ladder
from ..campaign.planner import PlannedStage
from ..campaign.portfolio import PortfolioRow
from ..campaign.summary import Summary
from ..clock import SystemClock
from ..dispatch.dispatcher import Dispatcher
from ..keys import LedgerKeys
from ..ledger.base import NoticeRecord, get_many
from ..models import Notice
from .fleet import Fleet
from .jobs import Job, Report
from .settings import WorkerSettings

__all__ = ["FleetSink"]


@dataclass(frozen=True, slots=True)
class _Meta:
    """What the planner keeps of an unsettled job: no personal data."""

    line: int
    keys: tuple[str, ...]
    channels: tuple[str, ...]
    stage: str | None
    done_before: frozenset[str]


class FleetSink:
    """The :class:`~notifysdk.campaign.runner.StageSink` of a fleet run."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        worker: WorkerSettings,
        ladder: Ladder,
        keys: LedgerKeys,
        *,
        run_id: str | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.ladder = ladder
        self.routes = dict(dispatcher.settings.routes)
        self.fleet = Fleet(
            dispatcher.settings, worker, keys, on_reports=self._settle, run_id=run_id
        )
        self._jobs: dict[str, _Meta] = {}
        self._rows: dict[int, int] = {}
        """Line → its stages not settled yet."""
        self._progress: dict[int, Callable[[], None]] = {}
        self._summary: Summary | None = None
        self._at_chosen_instant = not isinstance(dispatcher.clock, SystemClock)

    @contextlib.asynccontextmanager
    async def running(self, summary: Summary) -> AsyncIterator[None]:
        """Open the fleet; on a normal exit wait until every job has settled."""
        self._summary = summary
        async with self.fleet:
            yield
            await self.fleet.drain()

    async def submit(self, item: PlannedStage, summary: Summary, line: int) -> None:
        """Enqueue the stage (its media in order) unless its first notice is done and
        would not fall back: that is counted at once as a duplicate."""
        notices = [item.notice(m, self.routes) for m in item.stage.media]
        keys = [n.idempotency_key for n in notices]
        found = await get_many(self.dispatcher.ledger, keys)
        done = frozenset(k for k, r in found.items() if r.done)
        first = found.get(keys[0])
        if first is not None and first.done and first.outcome is not None:
            outcome = first.outcome.model_copy(update={"duplicate": True})
            if not self.ladder.falls_back(outcome):
                summary.record(notices[0], outcome, line=line)
                return
        job = Job(
            tuple(notices),
            tuple(item.legacy_key(m) for m in item.stage.media),
            tuple(self.ladder.fallback_on),
            self.dispatcher.clock.now().isoformat() if self._at_chosen_instant else None,
        )
        if job.id in self._jobs:
            return
        self._jobs[job.id] = _Meta(
            line, tuple(keys), tuple(n.channel for n in notices), notices[0].stage, done
        )
        self._rows[line] = self._rows.get(line, 0) + 1
        await self.fleet.submit(job)

    def row_submitted(self, row: PortfolioRow, progress: Callable[[], None]) -> None:
        """Advance the progress now when the row has nothing unsettled, else later."""
        if self._rows.get(row.line):
            self._progress[row.line] = progress
        else:
            self._rows.pop(row.line, None)
            progress()

    async def _settle(self, reports: Sequence[Report]) -> None:
        """Count settled jobs: recorded outcomes from the ledger (one batch read)."""
        summary = self._summary
        assert summary is not None
        wanted = [s.key for r in reports for s in r.steps if s.recorded]
        records: dict[str, NoticeRecord] = (
            await get_many(self.dispatcher.ledger, wanted) if wanted else {}
        )
        for report in reports:
            meta = self._jobs.pop(report.job_id, None)
            if meta is None:
                continue
            for index, step in enumerate(report.steps):
                if step.skipped:
                    summary.skipped[step.skipped] += 1
                    break
                outcome = step.outcome
                if step.recorded:
                    record = records.get(step.key)
                    outcome = None if record is None else record.outcome
                if outcome is None:  # cannot happen: a recorded step has its outcome
                    summary.skipped["settled without an outcome in the ledger"] += 1
                    break
                if step.key in meta.done_before:
                    outcome = outcome.model_copy(update={"duplicate": True})
                # Summary.record reads a notice's channel and stage only: those two are
                # all the planner keeps of an unsettled job (no personal data).
                shape = cast(Notice, _Shape(meta.channels[index], meta.stage))
                summary.record(
                    shape,
                    outcome,
                    fallback=index > 0,
                    explain=step.explain,
                    line=meta.line,
                )
            left = self._rows.get(meta.line, 1) - 1
            if left > 0:
                self._rows[meta.line] = left
                continue
            self._rows.pop(meta.line, None)
            progress = self._progress.pop(meta.line, None)
            if progress is not None:
                progress()


@dataclass(frozen=True, slots=True)
class _Shape:
    """The two fields of a notice a summary counts by."""

    channel: str
    stage: str | None
