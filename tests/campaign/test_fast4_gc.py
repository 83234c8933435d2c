"""Blocks of planning_gc may nest or overlap: the interpreter's settings come back when
the last one ends. The campaign runner, a library class, leaves the embedding program's
collector alone (the CLI and the worker processes, which notifysdk owns, tune it)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from notifysdk import Dispatcher, FakeClock, Settings
from notifysdk.campaign import CampaignRunner, Row, read_portfolio
from notifysdk.campaign.gc_tuning import PLANNING_THRESHOLDS, planning_gc
from notifysdk.campaign.synthetic import write_csv
from notifysdk.ledger.memory import MemoryLedger


def test_overlapping_blocks_give_the_settings_back_when_the_last_one_ends() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    first, second = planning_gc(), planning_gc()
    first.__enter__()
    inner_frozen = gc.get_freeze_count()
    second.__enter__()
    assert gc.get_freeze_count() == inner_frozen  # an inner block freezes nothing more
    first.__exit__(None, None, None)  # not the last: still planning
    assert gc.get_threshold() == PLANNING_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_nested_blocks_and_an_error_inside() -> None:
    before = gc.get_threshold()
    try:
        with planning_gc(), planning_gc():
            raise RuntimeError("stopped")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_the_runner_leaves_the_collector_alone_dry_or_live(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.csv"
    write_csv(portfolio, 30)
    seen: list[tuple[int, int, int]] = []

    def on_row(row: Row) -> None:
        seen.append(gc.get_threshold())

    async def go(dry_run: bool) -> None:
        settings = Settings(output_dir=tmp_path / "out", recover_on_start=False)
        async with Dispatcher(settings, clock=FakeClock(), ledger=MemoryLedger()) as d:
            await CampaignRunner(d, dry_run=dry_run, on_row=on_row).run(read_portfolio(portfolio))

    before = gc.get_threshold()
    for dry_run in (True, False):
        seen.clear()
        asyncio.run(go(dry_run=dry_run))
        assert seen and set(seen) == {before}
    assert gc.get_threshold() == before
