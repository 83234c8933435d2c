"""Dry-run memory as the portfolio grows: traced peak at 10,000 rows (the baseline) and
at 40,000 rows, the same campaign path as ``notifysdk run --dry-run``.

The dry run streams the portfolio and keeps counters only, so ten times the rows must
not mean ten times the memory: the script prints both peaks and their ratio, and exits 1
when the larger peak exceeds ``2 × baseline + 256 KiB`` (the bound the campaign tests
held before it moved here, where a timing- and allocator-dependent figure belongs).

The validation and key caches are bounded (a few thousand entries each) but fill as
rows come: a warm-up run over another 20,000 accounts fills them first, and both sizes
are above the caches' bound (8,192 entries), so what is measured is what grows with the
rows, not a cache filling or replacing its entries (with 1,000 rows as the baseline, a
smaller baseline peak pulled the bound under the churn of the caches at 10,000).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk import FakeClock, Settings
from notifysdk.campaign import read_portfolio, run_campaign
from notifysdk.campaign.synthetic import write_csv
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
SMALL, LARGE = 10_000, 40_000
WARM = 20_000
SLACK = 256 * 1024


async def peaks(folder: Path) -> list[int]:
    paths = []
    for n in (SMALL, LARGE):
        path = folder / f"portfolio-{n}.csv"
        write_csv(path, n)
        paths.append(path)
    warm = folder / "warm.csv"
    write_csv(warm, WARM, seed=1)  # other accounts: other phones, addresses and keys
    settings = Settings(output_dir=folder / "out", ledger_url="memory://", recover_on_start=False)
    out: list[int] = []
    async with Dispatcher(settings, ledger=MemoryLedger(), clock=FakeClock(NOW)) as d:
        await run_campaign(d, read_portfolio(warm), dry_run=True)  # fill the caches
        for path in paths:
            tracemalloc.start()
            await run_campaign(d, read_portfolio(path), dry_run=True)
            out.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="notifysdk-bench-") as tmp:
        small, large = asyncio.run(peaks(Path(tmp)))
    bound = 2 * small + SLACK
    print(f"dry-run traced peak, {SMALL:>5} rows (baseline): {small / 1024:10.1f} KiB")
    print(f"dry-run traced peak, {LARGE:>5} rows:            {large / 1024:10.1f} KiB")
    print(
        f"ratio {large / small:.2f}x for {LARGE // SMALL}x the rows; bound {bound / 1024:.1f} KiB"
    )
    if large >= bound:
        print("FAIL: memory grows with the portfolio (the dry run should stream)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
