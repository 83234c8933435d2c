"""Child of the kill test: send the kill workload to the peer, one notice at a time, and
SIGKILL itself at a chosen step of the K-th notice.

Usage: kill_child.py LEDGER_URL PEER_URL (reconcile|blind) DEBTORS POINT K

``POINT`` is where the process dies (the test kills it itself for ``accepted``: the peer
does, when the K-th message arrives):

- ``none``: do not die (the restarted run);
- ``claimed``: at the start of the channel's K-th ``send``: the claim transaction
  committed (attempt 1 in flight, the cap slot reserved), the provider not called;
- ``before_finish``: in the ``notifysdk_on_attempt`` hook after the K-th send returned a
  receipt: the process holds the receipt, the outcome's one transaction not begun;
- ``in_finish`` (SQLite): inside that transaction, at its ``INSERT INTO audit``: the
  notice row already says ``delivered`` and the attempt ``ok``, nothing committed. (On
  PostgreSQL the test holds the transaction open with a trigger and kills from outside.)

The run first recovers (``async with``: stale claims of this owner are reconciled through
the channel, or resent by the ``resend`` policy), then sends every notice; those already
delivered come back as duplicates without a send. Prints one JSON line of outcome counts.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from peer import PeerChannel
from workload import clock, kill_notices, plugin_manager

from notifysdk.channels import Attempt
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Message, Notice, Receipt


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingChannel(PeerChannel):
    """The peer channel; dies at the start of the K-th send when told to."""

    def __init__(self, *args: Any, kill_at: int | None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.kill_at = kill_at
        self.sends = 0

    async def send(self, message: Message) -> Receipt:
        self.sends += 1
        if self.sends == self.kill_at:
            _die()
        return await super().send(message)


class DieAfterReceipt:
    """A plugin: dies in ``notifysdk_on_attempt`` after the K-th receipted attempt."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.ok = 0

    @hookimpl
    def notifysdk_on_attempt(
        self, notice: Notice, attempt: Attempt, error: BaseException | None
    ) -> None:
        if error is None:
            self.ok += 1
            if self.ok == self.kill_at:
                _die()


def die_in_kth_audit_insert(kill_at: int) -> None:
    """Make every SQLite connection opened from now on die at its K-th audit insert."""
    real_connect = sqlite3.connect
    seen = 0

    def trace(sql: str) -> None:
        nonlocal seen
        if sql.lstrip().upper().startswith("INSERT INTO AUDIT"):
            seen += 1
            if seen == kill_at:
                _die()

    def connect(*args: Any, **kw: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kw)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]


async def main(url: str, peer_url: str, mode: str, debtors: int, point: str, k: int) -> None:
    if point == "in_finish" and url.startswith("sqlite"):
        die_in_kth_audit_insert(k)
    fake = clock()
    channel = KillingChannel(
        peer_url,
        can_reconcile=mode == "reconcile",
        clock=fake,
        kill_at=k if point == "claimed" else None,
    )
    extra = [DieAfterReceipt(k)] if point == "before_finish" else []
    settings = Settings(
        output_dir=Path.cwd() / "out", owner="kill-worker", on_unknown_delivery="resend"
    )
    pm = plugin_manager(*extra)
    ledger = open_ledger(url, pm)
    dispatcher = Dispatcher(
        settings, plugins=pm, ledger=ledger, clock=fake, channels={channel.name: channel}
    )
    async with dispatcher:
        report = await dispatcher.recover()  # a second pass finds nothing left
        outcomes = await dispatcher.send_many(kill_notices(debtors), concurrency=1)
    await ledger.aclose()
    counts = Counter(
        f"{o.status.value}{':' + o.rule if o.rule else ''}{':dup' if o.duplicate else ''}"
        for o in outcomes
    )
    counts["second_recovery_examined"] = report.examined
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    url, peer_url, mode, debtors, point, k = sys.argv[1:7]
    asyncio.run(main(url, peer_url, mode, int(debtors), point, int(k)))
