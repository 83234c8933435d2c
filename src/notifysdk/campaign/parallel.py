"""A dry run over several processes (``notifysdk run --dry-run --workers N``).

Validating a portfolio row costs far more than reading it, so the parent process only
reads: it splits the portfolio into chunks of :data:`CHUNK_ROWS` consecutive records
(read, not validated) and hands them to ``N`` worker processes (started with
``spawn``). Each worker validates its chunk's records, plans their accounts and reads
their keys from the ledger exactly as a dry run in one process does, and returns the
chunk's :class:`~notifysdk.campaign.summary.Summary`.

**Order.** Chunks are merged in portfolio order, whatever ``N`` and whichever worker
finishes first (a chunk that is done early waits for the ones before it), so the
summary — its counters and its lists of bad and failed rows, each row once, by line
number — is the one a run in one process gives. Progress is reported per merged chunk.

**Memory.** At most ``2 × N`` chunks are read ahead of the merge, so the parent holds a
few thousand records whatever the portfolio's size; each worker holds one chunk.

**The instant.** Every worker plans at the instant the run started (``now``): the local
dates, and so the keys, are the same in every process.

Only a dry run is split: it writes nothing, so the processes cannot race on the ledger.
A live run's rules (frequency caps, a debtor's accounts in two chunks) read and write
the ledger as they go and stay in one process.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import queue
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..clock import OffsetClock
from ..config import Settings
from ..errors import NotifyError, RunFaultError
from .ladder import Ladder
from .portfolio import (
    BadRow,
    CsvRecord,
    JsonlRecord,
    RawRecord,
    Row,
    read_records,
    validate_record,
)
from .summary import Summary

__all__ = ["CHUNK_ROWS", "WorkerSpec", "dry_run_in_processes"]

CHUNK_ROWS = 2000
"""Records a worker validates and plans per chunk."""

_POLL_SECONDS = 0.5
"""How often the parent checks that its workers are alive while it waits."""

Packed = tuple[tuple[str, ...], list[int | tuple[int, str] | BadRow], str, "array[int]"]
"""A chunk as sent to a worker: the CSV header once; each record as its line (a CSV
record: its cells are the next ``len(header)`` pieces of the text), its line and JSONL
text, or its bad row; then every CSV cell of the chunk in one text, and the length of
each. One text and an array pickle far faster, and hold far less memory while queued,
than a list of cells per record (the parent's pickling is its main cost)."""


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """What a worker needs to plan a chunk as the parent's run would: the settings,
    the ladder and the instant the run started."""

    settings: Settings
    ladder: Ladder
    now: datetime


def dry_run_in_processes(
    portfolio: Path | str,
    spec: WorkerSpec,
    *,
    workers: int,
    chunk_rows: int = CHUNK_ROWS,
    on_rows: Callable[[int], None] | None = None,
) -> Summary:
    """The dry-run summary of ``portfolio`` planned by ``workers`` processes (see the
    module docstring), equal to a one-process dry run's. ``on_rows`` is told how many
    records each merged chunk held.

    A portfolio that cannot be read (no file, a bad header) raises
    :class:`~notifysdk.errors.InvalidInputError` before any worker starts; a fault of
    the run in a worker (the ledger cannot be read) stops the run and raises
    :class:`~notifysdk.errors.RunFaultError`, as does a worker that dies."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    records = read_records(portfolio)
    chunks = _packed_chunks(records, chunk_rows)
    first = next(chunks, None)  # a bad header raises here
    chunks = itertools.chain([first] if first else [], chunks)
    summary = Summary(dry_run=True, now=spec.now)
    context = multiprocessing.get_context("spawn")
    tasks: multiprocessing.Queue[tuple[int, Packed] | None] = context.Queue()
    results: multiprocessing.Queue[tuple[int, Summary | str]] = context.Queue()
    procs = [
        context.Process(target=_worker, args=(spec, tasks, results), daemon=True)
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        _feed_and_merge(chunks, tasks, results, procs, summary, on_rows)
    except BaseException:
        # The run stopped: the chunks still queued are of no use.
        for proc in procs:
            proc.terminate()
        raise
    else:
        for _ in procs:
            tasks.put(None)
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
        tasks.close()
        results.close()
    return summary


def _packed_chunks(
    records: Iterator[RawRecord | BadRow], size: int
) -> Iterator[tuple[int, Packed]]:
    """The records in chunks of ``size``, each packed as it is read (with its count)."""
    while True:
        count, packed = _pack(itertools.islice(records, size))
        if not count:
            return
        yield count, packed


def _pack(chunk: Iterable[RawRecord | BadRow]) -> tuple[int, Packed]:
    """The number of records of ``chunk`` and the chunk packed; each record's cells are
    joined as it is read, so the chunk's cells are never all held at once."""
    header: tuple[str, ...] = ()
    items: list[int | tuple[int, str] | BadRow] = []
    texts: list[str] = []
    lengths = array("L")
    for record in chunk:
        if isinstance(record, CsvRecord):
            header = record.header
            items.append(record.line)
            texts.append("".join(record.cells))
            lengths.extend(map(len, record.cells))
        elif isinstance(record, JsonlRecord):
            items.append((record.line, record.text))
        else:
            items.append(record)
    return len(items), (header, items, "".join(texts), lengths)


def _unpack(packed: Packed) -> Iterator[Row]:
    """The rows of a packed chunk, validated one by one as the runner asks for them."""
    header, items, text, lengths = packed
    width = len(header)
    ends = itertools.accumulate(lengths)
    start = 0
    for item in items:
        if isinstance(item, BadRow):
            yield item
        elif isinstance(item, int):
            cells = []
            for end in itertools.islice(ends, width):
                cells.append(text[start:end])
                start = end
            yield validate_record(CsvRecord(item, header, cells))
        else:
            line, content = item
            yield validate_record(JsonlRecord(line, content))


def _feed_and_merge(
    chunks: Iterator[tuple[int, Packed]],
    tasks: multiprocessing.Queue[tuple[int, Packed] | None],
    results: multiprocessing.Queue[tuple[int, Summary | str]],
    procs: Sequence[BaseProcess],
    summary: Summary,
    on_rows: Callable[[int], None] | None,
) -> None:
    """Keep ``2 × workers`` chunks in flight; merge the results in chunk order."""
    ahead = 2 * len(procs)
    sizes: dict[int, int] = {}
    done: dict[int, Summary] = {}
    sent = merged = 0
    exhausted = False
    while True:
        while not exhausted and sent - merged < ahead:
            chunk = next(chunks, None)
            if chunk is None:
                exhausted = True
                break
            sizes[sent], packed = chunk
            tasks.put((sent, packed))
            sent += 1
        if exhausted and merged == sent:
            return
        index, result = _next_result(results, procs)
        if isinstance(result, str):
            raise RunFaultError(result)
        done[index] = result
        while merged in done:
            summary.merge(done.pop(merged))
            if on_rows is not None:
                on_rows(sizes.pop(merged))
            merged += 1


def _next_result(
    results: multiprocessing.Queue[tuple[int, Summary | str]], procs: Sequence[BaseProcess]
) -> tuple[int, Summary | str]:
    while True:
        try:
            return results.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            dead = [p for p in procs if not p.is_alive()]
            if dead:
                raise RunFaultError(
                    f"a worker process stopped (exit code {dead[0].exitcode})"
                ) from None


def _worker(
    spec: WorkerSpec,
    tasks: multiprocessing.Queue[tuple[int, Packed] | None],
    results: multiprocessing.Queue[tuple[int, Summary | str]],
) -> None:
    """A worker process: plan each chunk it is given until told to stop. Whatever stops
    it (the ledger cannot be opened or read) is sent to the parent as one line, which
    the parent raises as a :class:`~notifysdk.errors.RunFaultError`."""
    from .gc_tuning import planning_gc

    try:
        with planning_gc():  # the process only plans: a dry run's objects die young
            asyncio.run(_serve(spec, tasks, results))
    except Exception as exc:
        results.put((-1, _reason(exc)))


async def _serve(
    spec: WorkerSpec,
    tasks: multiprocessing.Queue[tuple[int, Packed] | None],
    results: multiprocessing.Queue[tuple[int, Summary | str]],
) -> None:
    from ..dispatcher import Dispatcher
    from .runner import CampaignRunner

    # The parent's dispatcher recovered the ledger (when the settings say so): not again.
    settings = spec.settings.model_copy(update={"recover_on_start": False})
    loop = asyncio.get_running_loop()
    async with Dispatcher(settings, clock=OffsetClock(spec.now)) as dispatcher:
        runner = CampaignRunner(dispatcher, spec.ladder, dry_run=True)
        while (task := await loop.run_in_executor(None, tasks.get)) is not None:
            index, packed = task
            rows = _unpack(packed)
            answer: Summary | str
            try:
                answer = await runner.run(rows)
            except Exception as exc:
                answer = _reason(exc)
            results.put((index, answer))


def _reason(exc: Exception) -> str:
    """What stopped a worker, in one line: the SDK's error (which names no value), the
    fault it is (:func:`~notifysdk.faults.run_fault`), else only the exception's type
    (its message may quote a row)."""
    from ..faults import run_fault

    if not isinstance(exc, NotifyError):
        exc = run_fault(exc) or RunFaultError(f"the run stopped: unexpected {type(exc).__name__}")
    return (str(exc) or type(exc).__name__).splitlines()[0]
