"""Worker of the race test: send every notice of the shared workload, in its own order,
through one shared ledger, under the shipped ``us-regf`` rules (the SMS cap: 3 per debt
per local day), on the fixed clock of ``workload.py``.

Usage: race_worker.py LEDGER_URL PEER_URL WORKER_ID DEBTORS PER_DEBTOR
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
from workload import clock, plugin_manager, race_notices

from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger


async def main(url: str, peer_url: str, worker: int, debtors: int, per_debtor: int) -> None:
    fake = clock()  # every worker stands at the same instant: the same local day
    channel = PeerChannel(peer_url, can_reconcile=True, clock=fake)
    settings = Settings(output_dir=Path(tempfile.mkdtemp()), owner=f"race-{worker}")
    pm = plugin_manager()
    ledger = open_ledger(url, pm)
    notices = race_notices(debtors, per_debtor)
    random.Random(worker).shuffle(notices)
    dispatcher = Dispatcher(
        settings, plugins=pm, ledger=ledger, clock=fake, channels={channel.name: channel}
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
