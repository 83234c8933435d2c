"""Worker of the race test: send every notice of the shared workload, in its own order,
through the PostgreSQL ledger, under a cap of 3 contacts per debtor per day.

Usage: race_worker.py PG_URL PEER_URL WORKER_ID DEBTORS PER_DEBTOR
Prints one JSON line of outcome counts.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

from peer import PeerChannel
from workload import CapPlugin, plugin_manager, race_notices

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.postgres import PostgresLedger


async def main(url: str, peer_url: str, worker: int, debtors: int, per_debtor: int) -> None:
    clock = FakeClock()  # every worker stands at the same instant: the same "day"
    channel = PeerChannel(peer_url, can_reconcile=True, clock=clock)
    settings = Settings(output_dir=Path(tempfile.mkdtemp()), owner=f"race-{worker}")
    ledger = PostgresLedger(url)
    notices = race_notices(debtors, per_debtor)
    random.Random(worker).shuffle(notices)
    dispatcher = Dispatcher(
        settings,
        plugins=plugin_manager(CapPlugin(3)),
        ledger=ledger,
        clock=clock,
        channels={channel.name: channel},
    )
    async with dispatcher:
        outcomes = await dispatcher.send_many(notices, concurrency=8)
    await ledger.aclose()
    counts = Counter(
        f"{o.status.value}:{o.rule or '-'}{':dup' if o.duplicate else ''}" for o in outcomes
    )
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    url, peer_url, worker, debtors, per_debtor = sys.argv[1:6]
    asyncio.run(main(url, peer_url, int(worker), int(debtors), int(per_debtor)))
