"""Running a campaign: stream a portfolio, plan each account, send through the dispatcher.

::

    async with Dispatcher(settings) as d:
        summary = await CampaignRunner(d, load_ladder("ladder.toml")).run(
            read_portfolio("portfolio.csv"))

Accounts are handled by ``concurrency`` workers fed from a bounded queue, so memory stays
flat however long the portfolio is. Within one stage the media are tried in order: the
next one only when the previous notice ended in one of the ladder's ``fallback_on``
outcomes (a permanent failure, no usable contact point...). A dry run plans and counts,
looks the keys up in the ledger, and sends and records nothing.

Before a notice is sent, the registered rules that are notice data sources
(:mod:`~notifysdk.campaign.sources`) may add to its data (a visit letter gets the
appointment booked by call) or block it (no appointment on record: ``blocked`` by
``visit-appointment``).

**A row is a unit of failure.** Whatever one account raises — the SDK's error or not (an
``InvalidOperation`` from a formatter, a ``RecursionError``, a plugin's ``ValueError``)
— fails that row only: it is counted in :attr:`Summary.failed_rows
<notifysdk.campaign.summary.Summary.failed_rows>` with a reason code and the
exception's type (never its message or a value), a notice it had claimed is ended
``failed`` by ``internal-error`` under the claim (never left claimed), and the run goes
on. Only a fault of the run itself (:func:`notifysdk.faults.run_fault`: the ledger
cannot be reached or written, the disk is full) stops it: no new row is started, the
rows in flight finish (nothing is cancelled, so no write is cut short), and
:meth:`CampaignRunner.run` raises the typed
:class:`~notifysdk.errors.RunFaultError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ..dispatch.dispatcher import Dispatcher
from ..dispatch.stages import resolve_profiles
from ..errors import (
    ConfigurationError,
    InvalidInputError,
    NotifyError,
    RunFaultError,
    UnknownChannelError,
)
from ..faults import run_fault
from ..ledger.base import NoticeRecord, NoticeState, get_many
from ..models import INTERNAL_ERROR_RULE, Medium, Notice, Outcome, OutcomeStatus
from ..policy import Verdict, Vote
from .ladder import Ladder, default_ladder, route
from .planner import PlannedStage, Planner
from .portfolio import BadRow, PortfolioRow, Row
from .sources import NoticeDataSource, data_sources
from .summary import RowFailure, Summary

log = logging.getLogger("notifysdk.campaign")

__all__ = ["CampaignRunner", "StageSink", "run_campaign", "source_data"]

ProgressCallback = Callable[[Row], None]

LOOKUP_CHUNK = 256
"""Accounts a dry run plans before it reads their notices' ledger records in one batch."""

Plan = tuple[list[PlannedStage], list[str]]


class StageSink(Protocol):
    """Where a live run hands its stages instead of sending them itself: the fleet
    planner (:class:`notifysdk.worker.planner.FleetSink`) enqueues them for workers and
    counts their outcomes into the summary as they settle."""

    def running(self, summary: Summary) -> AbstractAsyncContextManager[None]:
        """Around the run: on exit, every submitted stage has settled and is counted."""
        ...

    async def submit(self, item: PlannedStage, summary: Summary, line: int) -> None:
        """Hand over one due stage of the row at ``line`` (waits when too many are
        unsettled)."""
        ...

    def row_submitted(self, row: PortfolioRow, progress: Callable[[], None]) -> None:
        """Every stage of ``row`` is submitted: call ``progress`` once they settle."""
        ...


class CampaignRunner:
    """Plans and sends one campaign run over a stream of portfolio rows."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        ladder: Ladder | None = None,
        *,
        dry_run: bool = False,
        concurrency: int = 10,
        on_row: ProgressCallback | None = None,
        sink: StageSink | None = None,
    ) -> None:
        if concurrency < 1:
            raise InvalidInputError("concurrency", "must be at least 1")
        self.dispatcher = dispatcher
        self.ladder = ladder or default_ladder()
        self.planner = Planner(self.ladder)
        self.routes = dict(dispatcher.settings.routes)
        self.dry_run = dry_run
        self.concurrency = concurrency
        self.on_row = on_row
        self.sink = None if dry_run else sink
        """Live stages go here instead of being sent in this process (see
        :class:`StageSink`)."""
        self.sources = data_sources(dispatcher.registry.rules.values(), dispatcher.settings)
        self._fault: NotifyError | None = None
        """What stopped the run: a fault of the run, or a portfolio it cannot read."""
        self._known: dict[str, NoticeRecord | None] = {}
        """Ledger records read ahead for the rows of a dry-run chunk (a dry run writes
        nothing, so they cannot go stale); a key not in it is read from the ledger."""

    def check_routes(self) -> None:
        """Raise :class:`ConfigurationError` when a stage routes to an unregistered channel."""
        known = self.dispatcher.registry.channels

        def check(name: str, where: str) -> None:
            if name in known:
                return
            try:  # a channel handed to the dispatcher directly (tests, embedding)
                self.dispatcher.channel(name)
            except UnknownChannelError:
                raise ConfigurationError(
                    f"{where} to channel {name!r}, which no plugin registered "
                    f"(known: {', '.join(sorted(known))})"
                ) from None

        for stage in self.ladder.all_stages():
            for medium in stage.media:
                check(
                    route(stage, medium, self.routes),
                    f"stage {stage.name!r} routes medium {medium.value!r}",
                )
        # a locale's route (sms.zh-CN) is used only when a row in that locale comes: a
        # misspelt channel there fails now, not on every such row
        for key, name in self.routes.items():
            if "." in key:
                check(name, f"routes.{key} routes")

    def _checked(self, row: Row) -> Row:
        """``row``, or a :class:`BadRow` when its account names a profile no plugin
        registered (or none, with no ``default_profiles``): the dispatcher would refuse
        every notice of it, so it is refused once, by line number."""
        if isinstance(row, BadRow):
            return row
        try:
            resolve_profiles(row.account.profiles, self.dispatcher.pipeline)
        except InvalidInputError as exc:
            return BadRow(row.line, exc.field, exc.reason)
        return row

    async def run(self, rows: Iterable[Row]) -> Summary:
        """Process every row; returns the summary. Bad rows are counted and skipped,
        failed rows counted; raises :class:`~notifysdk.errors.RunFaultError` when a
        fault of the run stopped it (see the module docstring)."""
        self.check_routes()
        self._fault = None
        summary = Summary(dry_run=self.dry_run, now=self.dispatcher.clock.now())
        rows = (self._checked(row) for row in rows)
        if self.dry_run:
            await self._dry_run(rows, summary)
            return self._finished(summary)

        queue: asyncio.Queue[PortfolioRow | None] = asyncio.Queue(maxsize=self.concurrency * 2)

        sink = self.sink

        async def worker() -> None:
            while (row := await queue.get()) is not None:
                if self._fault is None:  # after a fault, the queued rows are not started
                    await self._row(row, summary)
                    if sink is None:
                        self._progress(row)
                    else:
                        sink.row_submitted(row, functools.partial(self._progress, row))

        async def produce() -> None:
            try:
                for row in rows:
                    if self._fault is not None:
                        break
                    if isinstance(row, BadRow):
                        summary.bad(row)
                        self._progress(row)
                        continue
                    await queue.put(row)
            except NotifyError as exc:  # a bad header: the file cannot be read at all
                self._stop(exc)
            except Exception as exc:  # the reader itself broke: it cannot go on
                self._stop(
                    run_fault(exc)
                    or RunFaultError(f"reading the portfolio failed: {type(exc).__name__}")
                )
            finally:
                for _ in range(self.concurrency):
                    await queue.put(None)

        # Neither task raises (each row's exceptions end in _row), so nothing is ever
        # cancelled midway: a write in flight finishes, and no task's error is lost.
        async with contextlib.AsyncExitStack() as stack:
            if sink is not None:
                await stack.enter_async_context(sink.running(summary))
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for _ in range(self.concurrency):
                    group.create_task(worker())
        return self._finished(summary)

    async def _dry_run(self, rows: Iterator[Row], summary: Summary) -> None:
        """Rows in order, in chunks of :data:`LOOKUP_CHUNK`: each chunk's accounts are
        planned, every ledger record their notices need is read in one batch, then the
        rows are counted one by one exactly as without the read-ahead. When reading the
        portfolio raises, the rows read before it are counted first, then it is raised."""
        broke: BaseException | None = None
        while broke is None:
            chunk: list[Row] = []
            try:
                chunk.extend(itertools.islice(rows, LOOKUP_CHUNK))
            except Exception as exc:  # a bad header, a broken reader: after the rows before
                broke = exc
            if not chunk:
                break
            plans = await self._read_ahead(chunk)
            try:
                for row, plan in zip(chunk, plans, strict=True):
                    if isinstance(row, BadRow):
                        summary.bad(row)
                    else:
                        await self._row(row, summary, plan)
                    self._progress(row)
                    if self._fault is not None:
                        return
            finally:
                self._known = {}
        if broke is not None:
            raise broke

    async def _read_ahead(self, chunk: list[Row]) -> list[Plan | None]:
        """Plan the chunk's accounts and read their keys' records into ``_known``; the
        plans, in the chunk's order. Whatever fails here is left to its row: a row whose
        plan raised is planned again (and fails) on its own, and when the batch read
        fails every row reads its own keys (a fault then stops the run at that row)."""
        plans: list[Plan | None] = []
        keys: list[str] = []
        for row in chunk:
            plans.append(None)
            if isinstance(row, BadRow):
                continue
            try:
                plan = self.planner.plan(row.account, self.dispatcher.clock.now())
            except Exception:  # the row's own processing plans again and reports it
                continue
            plans[-1] = plan
            for item in plan[0]:
                keys.extend(_lookup_keys(item))
        try:
            found = await get_many(self.dispatcher.ledger, keys)
        except Exception:  # each row reads (and reports) on its own
            return plans
        self._known = {key: found.get(key) for key in keys}
        return plans

    async def _record(
        self, key: str, known: Mapping[str, NoticeRecord | None] | None = None
    ) -> NoticeRecord | None:
        for read in (known or {}, self._known):
            if key in read:
                return read[key]
        return await self.dispatcher.ledger.get(key)

    def _finished(self, summary: Summary) -> Summary:
        if self._fault is not None:
            raise self._fault
        return summary

    def _stop(self, fault: NotifyError) -> None:
        if self._fault is None:
            log.error("campaign stopped: %s", fault)
            self._fault = fault

    async def _row(self, row: PortfolioRow, summary: Summary, plan: Plan | None = None) -> None:
        """One account, as a unit of failure: whatever it raises fails this row only,
        unless it is a fault of the run (which stops the run)."""
        try:
            await self._account(row, summary, plan)
        except Exception as exc:
            fault = run_fault(exc)
            if fault is not None:
                self._stop(fault)
                return
            if isinstance(exc, InvalidInputError):  # field and reason, never a value
                code, reason = exc.code, str(exc)
            else:
                code, reason = INTERNAL_ERROR_RULE, f"unexpected {type(exc).__name__}"
            log.error("row %d failed: %s (%s)", row.line, code, type(exc).__name__)
            summary.row_failed(RowFailure(row.line, code, reason[:300]))

    def _progress(self, row: Row) -> None:
        if self.on_row is not None:
            self.on_row(row)

    async def _account(self, row: PortfolioRow, summary: Summary, plan: Plan | None) -> None:
        account = row.account
        summary.rows += 1
        summary.accounts += 1
        if plan is None:
            plan = self.planner.plan(account, self.dispatcher.clock.now())
        planned, skipped = plan
        for reason in skipped:
            summary.skipped[reason] += 1
        if not planned and not skipped:
            summary.no_stage += 1
        known = await self._unchanging(planned)
        for item in planned:
            summary.stages_due += 1
            if await self._sent_earlier(item, known):
                summary.skipped["delivered earlier in the grace window"] += 1
                continue
            await self._stage(item, summary, row.line, known)

    async def _unchanging(
        self, planned: Sequence[PlannedStage]
    ) -> Mapping[str, NoticeRecord | None]:
        """A live run's records of the account's keys that the run cannot write (earlier
        days, and today's under the version-1 key), in one batch; a dry run has read
        them already (see :meth:`_read_ahead`)."""
        if self.dry_run:
            return {}
        keys = [
            key
            for item in planned
            for key in (*_earlier_keys(item), *(item.legacy_key(m) for m in item.stage.media))
        ]
        if not keys:
            return {}
        found = await get_many(self.dispatcher.ledger, keys)
        return {key: found.get(key) for key in keys}

    async def _sent_earlier(
        self, item: PlannedStage, known: Mapping[str, NoticeRecord | None]
    ) -> bool:
        """True when a notice of this stage was delivered on an earlier day of its grace
        window, under either key version (read in one batch: a run writes only
        today's keys, so none of these changes while it goes on)."""
        keys = _earlier_keys(item)
        if not keys:
            return False
        ready = next((read for read in (known, self._known) if all(k in read for k in keys)), None)
        if ready is not None:
            records = [ready[key] for key in keys]
        else:
            found = await get_many(self.dispatcher.ledger, keys)
            records = [found.get(key) for key in keys]
        return any(r is not None and r.state is NoticeState.DELIVERED for r in records)

    async def _done_before_upgrade(
        self,
        item: PlannedStage,
        medium: Medium,
        known: Mapping[str, NoticeRecord | None] | None = None,
    ) -> bool:
        """True when the ledger holds this notice as done under its version-1 key
        (sent before an upgrade, the same day): it is not sent again."""
        record = await self._record(item.legacy_key(medium), known)
        return record is not None and record.done

    async def _stage(
        self,
        item: PlannedStage,
        summary: Summary,
        line: int,
        known: Mapping[str, NoticeRecord | None] | None = None,
    ) -> None:
        for index, medium in enumerate(item.stage.media):
            notice = item.notice(medium, self.routes)
            if self.dry_run:
                if await self._done(notice) or await self._done_before_upgrade(item, medium):
                    summary.skipped["already done today"] += 1
                else:
                    summary.planned(notice)
                return
            if await self._done_before_upgrade(item, medium, known):
                summary.skipped["already done today (key of an earlier version)"] += 1
                return
            if self.sink is not None:  # the fleet sends the stage, fallbacks and all
                await self.sink.submit(item, summary, line)
                return
            notice, stopped = await self._prepare(item, medium, notice)
            outcome = stopped or await self._send(notice)
            summary.record(
                notice, outcome, fallback=index > 0, explain=stopped is not None, line=line
            )
            if not self.ladder.falls_back(outcome):
                return

    async def _done(self, notice: Notice) -> bool:
        record = await self._record(notice.idempotency_key)
        return record is not None and record.done

    async def _prepare(
        self, item: PlannedStage, medium: Medium, notice: Notice
    ) -> tuple[Notice, Outcome | None]:
        """Ask the data sources: the notice with their additions, or a source's deny as a
        ``blocked`` outcome. A notice already done is left alone (the send is a duplicate)."""
        if not self.sources or await self._done(notice):
            return notice, None

        def rebuild(extra: dict[str, Any]) -> Notice:
            return item.notice(medium, self.routes, extra)

        return await source_data(self.dispatcher, self.sources, notice, rebuild)

    async def _send(self, notice: Notice) -> Outcome:
        # Bad input for this one notice (a missing template, a bad destination) is
        # blocked by rule ``input`` and named; an unexpected error ends it failed by
        # ``internal-error``; the run goes on. A fault of the run is raised.
        return await self.dispatcher.send_safely(notice)


async def source_data(
    dispatcher: Dispatcher,
    sources: Sequence[NoticeDataSource],
    notice: Notice,
    rebuild: Callable[[dict[str, Any]], Notice],
) -> tuple[Notice, Outcome | None]:
    """Ask each notice data source about ``notice``: the notice with their additions
    (``rebuild(extra)``), or a source's deny as a ``blocked`` outcome (not recorded:
    booking an appointment later lets the same notice go; masked and told to the event
    hooks like every outcome). A campaign in one process and a fleet worker
    (:mod:`notifysdk.worker`) both ask through this."""
    now = dispatcher.clock.now()
    extra: dict[str, Any] = {}
    for source in sources:
        answer: Mapping[str, Any] | Vote | None = await source.campaign_data(
            notice, dispatcher.ledger, now
        )
        if isinstance(answer, Vote):
            if answer.verdict is Verdict.DENY:
                blocked = dispatcher.outcome(
                    notice,
                    OutcomeStatus.BLOCKED,
                    rule=answer.rule,
                    profile=answer.profile,
                    reason=answer.reason,
                )
                return notice, await dispatcher.emit(notice, blocked)
        elif answer:
            extra.update(answer)
    return (rebuild(extra) if extra else notice), None


def _earlier_keys(item: PlannedStage) -> list[str]:
    """Both versions of the keys of ``item``'s notices on the earlier days of its grace
    window."""
    return [
        key
        for day in item.earlier_days()
        for medium in item.stage.media
        for key in (item.key(medium, day), item.legacy_key(medium, day))
    ]


def _lookup_keys(item: PlannedStage) -> list[str]:
    """Every key a dry run reads for ``item``: the earlier days' keys, and today's keys
    (both versions) of its first medium, the only one a dry run plans."""
    keys = _earlier_keys(item)
    if item.stage.media:
        first = item.stage.media[0]
        keys += (item.key(first), item.legacy_key(first))
    return keys


async def run_campaign(
    dispatcher: Dispatcher,
    rows: Iterable[Row],
    ladder: Ladder | None = None,
    *,
    dry_run: bool = False,
    concurrency: int = 10,
    on_row: ProgressCallback | None = None,
    sink: StageSink | None = None,
) -> Summary:
    """Run one campaign over ``rows`` (see :class:`CampaignRunner`); with ``sink``, a
    live run's stages are sent by a fleet of workers (:mod:`notifysdk.worker`)."""
    runner = CampaignRunner(
        dispatcher, ladder, dry_run=dry_run, concurrency=concurrency, on_row=on_row, sink=sink
    )
    return await runner.run(rows)
