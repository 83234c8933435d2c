"""A dry run of the campaign runner plans under planning_gc itself, and blocks of it may
nest or overlap: the interpreter's settings come back when the last one ends."""

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


def test_a_dry_run_plans_with_fewer_collections_and_gives_them_back(tmp_path: Path) -> None:
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
    asyncio.run(go(dry_run=True))
    assert seen and set(seen) == {PLANNING_THRESHOLDS}
    assert gc.get_threshold() == before
    seen.clear()
    asyncio.run(go(dry_run=False))  # a live run leaves the collector alone
    assert seen and PLANNING_THRESHOLDS not in seen
