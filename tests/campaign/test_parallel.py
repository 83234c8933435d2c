"""A dry run over several processes: the summary of one process, merged in row order."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import CampaignRunner, Summary, default_ladder, read_portfolio
from notifysdk.campaign.parallel import WorkerSpec, dry_run_in_processes
from notifysdk.campaign.portfolio import CSV_COLUMNS
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.errors import InvalidInputError, RunFaultError

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
ROWS = 300


def _portfolio(path: Path) -> list[int]:
    """A CSV of :data:`ROWS` accounts where every 13th has a bad phone number and every
    40th a cell missing; the file lines of the bad rows, in order."""
    bad: list[int] = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for number, row in enumerate(synthetic_rows(ROWS), start=1):
            cells = [row[c] for c in CSV_COLUMNS]
            if number % 13 == 0:
                cells[CSV_COLUMNS.index("phone")] = "+86 123"
            if number % 40 == 0:
                cells.pop()
            if number % 13 == 0 or number % 40 == 0:
                bad.append(number + 1)
            writer.writerow(cells)
    return bad


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        output_dir=tmp_path / "out",
        ledger_url=f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}",
        recover_on_start=False,
    )


async def _one_process(path: Path, settings: Settings) -> Summary:
    async with Dispatcher(settings, clock=FakeClock(NOW)) as d:
        return await CampaignRunner(d, default_ladder(), dry_run=True).run(read_portfolio(path))


def _without_now(summary: Summary) -> dict[str, object]:
    doc = summary.as_dict()
    assert doc.pop("now") is not None
    return doc


async def test_small_chunks_over_three_workers_merge_into_the_one_process_summary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.csv"
    bad = _portfolio(path)
    settings = _settings(tmp_path)
    alone = await _one_process(path, settings)
    told: list[int] = []
    spec = WorkerSpec(settings=settings, ladder=default_ladder(), now=NOW)
    merged = dry_run_in_processes(path, spec, workers=3, chunk_rows=7, on_rows=told.append)
    assert _without_now(merged) == _without_now(alone)
    assert [b.line for b in merged.bad_rows] == bad  # each once, in file order
    assert merged.rows == ROWS and merged.accounts == ROWS - len(bad)
    assert merged.notices > 0 and merged.now == NOW
    assert sum(told) == ROWS and len(told) == -(-ROWS // 7)  # one call per chunk


def test_a_bad_header_is_raised_before_any_worker_starts(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_id,what\nACC1,x\n", encoding="utf-8")
    spec = WorkerSpec(settings=_settings(tmp_path), ladder=default_ladder(), now=NOW)
    with pytest.raises(InvalidInputError) as caught:
        dry_run_in_processes(path, spec, workers=2)
    assert caught.value.field == "portfolio.header"


def test_a_ledger_a_worker_cannot_read_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    _portfolio(path)
    (tmp_path / "ledger.db").write_bytes(b"not a database, " * 512)
    spec = WorkerSpec(settings=_settings(tmp_path), ladder=default_ladder(), now=NOW)
    with pytest.raises(RunFaultError, match="ledger"):
        dry_run_in_processes(path, spec, workers=2, chunk_rows=50)


async def test_a_jsonl_portfolio_over_two_workers_gives_the_one_process_summary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.jsonl"
    lines = [json.dumps(row, ensure_ascii=False) for row in synthetic_rows(120)]
    lines[30] = '{"account_id": '  # cut short
    lines[70] = ""  # a blank line is skipped, not a row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = _settings(tmp_path)
    alone = await _one_process(path, settings)
    spec = WorkerSpec(settings=settings, ladder=default_ladder(), now=NOW)
    merged = dry_run_in_processes(path, spec, workers=2, chunk_rows=9)
    assert _without_now(merged) == _without_now(alone)
    assert [b.line for b in merged.bad_rows] == [31] and merged.rows == 119
