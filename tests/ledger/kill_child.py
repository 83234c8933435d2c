"""Child of the kill test: dispatch N notices to the peer through a SQLite ledger.

Usage: kill_child.py DB_PATH PEER_URL (reconcile|blind) N CONCURRENCY
Recovers first (``async with``), then sends every notice; already-delivered ones come
back as duplicates without a send. Prints one JSON line of outcome counts at the end.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from peer import PeerChannel
from workload import kill_notices, plugin_manager

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.retry import RetryPolicy


async def main(db: str, peer_url: str, mode: str, n: int, concurrency: int) -> None:
    clock = FakeClock()
    channel = PeerChannel(peer_url, can_reconcile=mode == "reconcile", clock=clock)
    settings = Settings(
        output_dir=Path(db).parent / "out", owner="kill-worker", on_unknown_delivery="resend"
    )
    ledger = SqliteLedger(f"sqlite:///{db}?synchronous=normal")
    dispatcher = Dispatcher(
        settings,
        plugins=plugin_manager(),
        ledger=ledger,
        clock=clock,
        channels={channel.name: channel},
        retry=RetryPolicy(max_attempts=8, base_seconds=0.01),
    )
    async with dispatcher:
        outcomes = await dispatcher.send_many(kill_notices(n), concurrency=concurrency)
    await ledger.aclose()
    counts = Counter(f"{o.status.value}{'-dup' if o.duplicate else ''}" for o in outcomes)
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    db, url, mode, n, conc = sys.argv[1:6]
    asyncio.run(main(db, url, mode, int(n), int(conc)))
