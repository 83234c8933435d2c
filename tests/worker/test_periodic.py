"""Periodic work on the fleet: ``run-due`` as a beat task. Two beats firing the same
run (two ``notifysdk.run_due`` messages at once) make one run, audited once; and the
beat embedded in a worker (``worker -B``, what ``notifysdk worker --beat`` runs) sends
the deferred notices when they fall due."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from fleet import FleetFiles, Workers
from peer import PeerChannel, RecordingPeer
from workload import NIGHT, clock, plugin_manager, race_notices

from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.keys import load_settings_keys
from notifysdk.ledger.durable import DurableLedger
from notifysdk.worker.factory import PERIODIC_TASKS, create_app
from notifysdk.worker.settings import load_worker_settings

pytestmark = [pytest.mark.server("redis"), pytest.mark.server("postgresql")]

DUE_AT = "2026-01-06T14:30:00+00:00"
"""09:30 in New York the morning after NIGHT: the deferred notices may go."""


async def _defer_at_night(files: FleetFiles, peer: RecordingPeer) -> tuple[DurableLedger, int]:
    """Send notices at 22:00 New York time: every one is deferred to the morning."""
    settings = Settings.load(files.config, owner="night")
    keys = load_settings_keys(settings)
    fake = clock(NIGHT)
    channel = PeerChannel(peer.url, can_reconcile=True, clock=fake)
    pm = plugin_manager()
    ledger = open_ledger(settings.ledger_url.get_secret_value(), pm, keys=lambda: keys)
    notices = race_notices(3, 2)
    async with Dispatcher(
        settings, plugins=pm, ledger=ledger, clock=fake, channels={channel.name: channel}
    ) as d:
        outcomes = await d.send_many(notices)
    assert {o.status.value for o in outcomes} == {"deferred"} and peer.total == 0
    assert isinstance(ledger, DurableLedger)
    return ledger, len(notices)


async def _until(what: str, ok: Callable[[], bool], workers: Workers, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ok():
        workers.check_alive()
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _runs(ledger: DurableLedger) -> list[dict[str, object]]:
    return [
        dict(e.detail)
        for e in await ledger.audit_entries()
        if e.event == "periodic" and e.detail.get("task") == "run_due"
    ]


@pytest.mark.timeout(180)
async def test_two_beats_firing_make_one_run(
    files: FleetFiles, workers: Workers, peer: RecordingPeer, redis_url: str
) -> None:
    ledger, due = await _defer_at_night(files, peer)
    try:
        workers.start("w1", env={"NOTIFYSDK_WORKER_NOW": DUE_AT})
        app = create_app(worker=load_worker_settings(files.config))
        for _ in range(2):  # the same tick of two beats
            app.send_task(PERIODIC_TASKS["run_due"], kwargs={"every": 60}, queue="notifysdk")
        await _until("the due notices", lambda: peer.total >= due, workers)
        broker = redis.Redis.from_url(redis_url)
        await _until(
            "both firings handled",
            lambda: broker.llen("notifysdk") == 0 and broker.hlen("unacked") == 0,
            workers,
        )
        await asyncio.sleep(0.5)
        runs = await _runs(ledger)
        assert len(runs) == 1, runs  # one run, audited once
        assert runs[0]["outcomes"] == due and runs[0]["delivered"] == due
        assert peer.total == due and peer.duplicates == 0
    finally:
        await ledger.aclose()


@pytest.mark.timeout(180)
async def test_the_beat_in_a_worker_sends_what_falls_due(
    files: FleetFiles, workers: Workers, peer: RecordingPeer, tmp_path: Path
) -> None:
    files.worker_extra = "run_due_every = 1\nrecover_every = 1\n"
    files.write()
    ledger, due = await _defer_at_night(files, peer)
    try:
        workers.start(
            "w1",
            "--beat",
            "--schedule",
            str(tmp_path / "beat"),
            env={"NOTIFYSDK_WORKER_NOW": DUE_AT},
        )
        await _until("the due notices", lambda: peer.total >= due, workers)
        deadline = time.monotonic() + 30
        while sum(int(str(r["outcomes"])) for r in await _runs(ledger)) < due:
            assert time.monotonic() < deadline, "no audited run sent them"  # after the sends
            await asyncio.sleep(0.2)
        assert peer.total == due and peer.duplicates == 0
    finally:
        await ledger.aclose()
