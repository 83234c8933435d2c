"""Run the campaign over the sample portfolio from Python, and print the summary.

    python examples/run_campaign.py [--now 2026-01-05T02:00:00+00:00]

The same job as ``notifysdk run examples/portfolio.csv --config examples/notifysdk.toml``:
settings and routes from examples/notifysdk.toml, the ladder from examples/ladder.toml,
the portfolio streamed row by row (a bad row is reported and skipped). Run it twice on the
same day and the second run delivers nothing new: the idempotency keys (account, stage,
local date) are already in the ledger.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from _common import clock_from_args

from notifysdk import Clock, Dispatcher, Settings
from notifysdk.campaign import load_ladder, read_portfolio, run_campaign

HERE = Path(__file__).resolve().parent


async def campaign(clock: Clock) -> int:
    """Run the ladder over the portfolio; print the counts."""
    settings = Settings.load(HERE / "notifysdk.toml")
    ladder = load_ladder(HERE / "ladder.toml")
    async with Dispatcher(settings, clock=clock) as dispatcher:
        summary = await run_campaign(
            dispatcher, read_portfolio(HERE / "portfolio.csv"), ladder, concurrency=20
        )
    print(
        f"accounts: {summary.accounts}, bad rows: {summary.bad_row_count}, "
        f"stages due: {summary.stages_due}, notices: {summary.notices}"
    )
    print(f"delivered now: {summary.new_deliveries}, already done: {summary.duplicates}")
    print("by outcome:", dict(summary.by_outcome))
    print("by rule:", dict(summary.by_rule))
    for folder, count in sorted(summary.written.items()):
        print(f"written: {folder} ({count} files)")
    for bad in summary.bad_rows:
        print(f"bad row: {bad}")
    return 1 if summary.failures else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    return asyncio.run(campaign(clock_from_args(__doc__.splitlines()[0], argv)))


if __name__ == "__main__":
    sys.exit(main())
