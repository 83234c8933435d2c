"""Acceptance of the fleet (issue 18): 3 real worker processes, 10,000 notices over
2,000 debtors under the shipped 3-SMS-a-day cap (``us-regf``), one worker SIGKILLed
mid-run and restarted: 0 lost, 0 keys delivered twice, 0 cap violations, every outcome
audited, and the outcomes the planner collected match the ledger.

Each debtor gets 5 notices, so the cap lets exactly 3 go and defers 2: a reservation
leaked by the crash would defer a third (lost for the day), a reservation not taken
would deliver a fourth (a violation). The notices are shuffled, so a debtor's notices
race on different workers. The channel is the loopback peer (``tests/ledger/peer.py``),
which counts every message by key; it can be asked what it holds, so recovery
reconciles an attempt the kill interrupted instead of resending it.

The same run then times ``send_many`` in one process (what ``run --workers 1`` does)
over a fresh database, for the throughput ratio printed at the end.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from fleet import FleetFiles, Workers
from peer import PeerChannel, RecordingPeer
from workload import CAP, NOW, clock, debt_scope, plugin_manager, race_notices

from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.keys import load_settings_keys
from notifysdk.ledger.base import NoticeState, get_many
from notifysdk.ledger.durable import DurableLedger
from notifysdk.worker.fleet import Fleet
from notifysdk.worker.jobs import Job, Report
from notifysdk.worker.settings import load_worker_settings

pytestmark = [pytest.mark.server("redis"), pytest.mark.server("postgresql")]

DEBTORS = 2000
PER_DEBTOR = 5
WORKERS = ("w1", "w2", "w3")
VICTIM = "w2"
KILL_AT = 2500
"""Messages at the peer when the victim is killed (of 6,000 to deliver)."""
BASELINE_DEBTORS = 200


@pytest.mark.timeout(600)
async def test_three_workers_one_killed_lose_nothing_duplicate_nothing_break_no_cap(
    files: FleetFiles, workers: Workers, peer: RecordingPeer, pg_server: object, tmp_path: Path
) -> None:
    settings = Settings.load(files.config)
    keys = load_settings_keys(settings)
    notices = race_notices(DEBTORS, PER_DEBTOR)
    random.Random(18).shuffle(notices)
    debtor_of = {n.idempotency_key: n.account.account_id for n in notices}
    reports: dict[str, Report] = {}

    async def collect(batch: list[Report]) -> None:
        for report in batch:
            reports[report.job_id] = report

    ledger = open_ledger(settings.ledger_url.get_secret_value(), keys=lambda: keys)
    assert isinstance(ledger, DurableLedger)
    await ledger.get("warm-up")  # schema and keys in place before the workers start
    for name in WORKERS:
        # the workers' own clock (recovery at start, the busy path) at the jobs' instant
        workers.start(name, env={"NOTIFYSDK_WORKER_NOW": NOW.isoformat()})

    killed_at: float | None = None

    async def kill_then_restart() -> None:
        nonlocal killed_at
        while peer.total < KILL_AT:
            workers.check_alive()
            await asyncio.sleep(0.02)
        workers.kill(VICTIM)
        killed_at = time.monotonic()
        await asyncio.sleep(1.0)
        workers.restart(VICTIM)

    started = time.monotonic()
    fleet = Fleet(settings, load_worker_settings(files.config), keys, on_reports=collect)
    async with fleet:
        killer = asyncio.create_task(kill_then_restart())
        for notice in notices:
            await fleet.submit(Job((notice,), now=NOW.isoformat()))
        await fleet.drain()
        await killer
    wall = time.monotonic() - started
    workers.check_alive()
    assert killed_at is not None

    try:
        records = await get_many(ledger, [n.idempotency_key for n in notices])
        states = Counter(r.state.value for r in records.values())
        # 0 lost: every notice has its outcome (3 delivered and 2 deferred per debtor)
        assert len(records) == len(notices)
        assert states == Counter(
            {"delivered": DEBTORS * CAP, "deferred": DEBTORS * (PER_DEBTOR - CAP)}
        ), states
        # 0 keys delivered twice, counted at the provider
        assert peer.duplicates == 0
        assert set(peer.counts) == {k for k, r in records.items() if r.state.value == "delivered"}
        # 0 cap violations: exactly CAP per debtor, at the provider and in the ledger
        per_debtor = Counter(debtor_of[k] for k in peer.counts)
        assert set(per_debtor.values()) == {CAP} and len(per_debtor) == DEBTORS
        deferred = [r for r in records.values() if r.state is NoticeState.DEFERRED]
        assert {r.outcome.rule for r in deferred if r.outcome} == {"frequency-cap"}
        day = NOW.replace(hour=5)  # the New York day (05:00 UTC)
        for notice in notices[:50]:
            assert await ledger.count(debt_scope(notice), day, day + timedelta(days=1)) == CAP
        # every outcome audited, the chain intact
        report = await ledger.verify_audit()
        assert report.ok and report.unaudited == 0, report
        entries = [e for e in await ledger.audit_entries() if e.event == "outcome"]
        audited = len(entries)
        # one delivered entry per delivered key, one deferred entry at least per deferred
        # key (a re-delivered task re-evaluates a deferred notice: audited again, sent not)
        by_key = Counter((e.key, e.detail.get("status")) for e in entries)
        for key, record in records.items():
            assert by_key[(key, record.state.value)] >= 1, key
        assert all(by_key[(k, "delivered")] == 1 for k in peer.counts)
        assert sum(n for (_, status), n in by_key.items() if status == "delivered") == len(
            peer.counts
        )
        # the planner's view (reports, outcomes read from the ledger) matches the ledger
        assert set(reports) == set(records)
        collected = Counter()
        for job_id, rep in reports.items():
            assert [s.recorded for s in rep.steps] == [True], [
                (s.outcome.status.value, s.outcome.rule) for s in rep.steps if s.outcome
            ]
            collected[records[job_id].state.value] += 1
        assert collected == states
        recovered = [e for e in await ledger.audit_entries() if e.event == "recovery"]
    finally:
        await ledger.aclose()

    # -- the baseline: one process, the same path, a fresh database ------------------
    base_url = pg_server.create_database(f"baseline_{id(tmp_path)}")  # type: ignore[attr-defined]
    base_peer = RecordingPeer().start()
    try:
        fake = clock()
        channel = PeerChannel(base_peer.url, can_reconcile=True, clock=fake)
        base_settings = Settings(output_dir=tmp_path / "base-out", owner="baseline")
        base_notices = race_notices(BASELINE_DEBTORS, PER_DEBTOR)
        pm = plugin_manager()
        base_ledger = open_ledger(base_url, pm)
        await base_ledger.get("warm-up")
        d = Dispatcher(
            base_settings,
            plugins=pm,
            ledger=base_ledger,
            clock=fake,
            channels={channel.name: channel},
        )
        t0 = time.monotonic()
        async with d:
            outcomes = await d.send_many(base_notices, concurrency=16)
        base_wall = time.monotonic() - t0
        await base_ledger.aclose()
        assert Counter(o.status.value for o in outcomes)["delivered"] == BASELINE_DEBTORS * CAP
    finally:
        base_peer.stop()
    fleet_rate = len(notices) / wall
    base_rate = len(base_notices) / base_wall
    print(
        f"\nfleet acceptance: {len(notices)} notices, {DEBTORS} debtors, 3 workers, "
        f"{VICTIM} SIGKILLed at {KILL_AT} messages and restarted: lost 0, duplicates "
        f"{peer.duplicates}, cap violations 0, outcomes audited {audited} "
        f"(unaudited {report.unaudited}), recovery decisions {len(recovered)}, "
        f"wall {wall:.1f} s, {fleet_rate:.0f} notices/s; one process (send_many, "
        f"concurrency 16): {len(base_notices)} notices in {base_wall:.1f} s, "
        f"{base_rate:.0f} notices/s; ratio {fleet_rate / base_rate:.2f}"
    )
