"""Celery is at-least-once: the same task delivered twice meets the idempotency keys
and returns the recorded outcomes — the peer (the provider) gets each message once."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import pytest
import redis
from fleet import FleetFiles, Workers
from peer import RecordingPeer
from workload import NOW, race_notices

from notifysdk.config import Settings
from notifysdk.dispatcher import open_ledger
from notifysdk.keys import load_settings_keys
from notifysdk.ledger.base import NoticeState
from notifysdk.worker.factory import create_app
from notifysdk.worker.jobs import Job, open_report, seal_job
from notifysdk.worker.names import SEND_TASK, reports_key
from notifysdk.worker.settings import load_worker_settings

pytestmark = [pytest.mark.server("redis"), pytest.mark.server("postgresql")]


def _pop_reports(url: str, run_id: str, want: int, workers: Workers) -> list[tuple[str, str]]:
    client = redis.Redis.from_url(url)
    got: list[tuple[str, str]] = []
    deadline = time.monotonic() + 90
    while len(got) < want:
        workers.check_alive()
        item = client.lpop(reports_key(run_id))
        if item is None:
            assert time.monotonic() < deadline, f"only {len(got)} of {want} reports came"
            time.sleep(0.1)
            continue
        job_id, token = json.loads(item)
        got.append((job_id, token))
    return got


@pytest.mark.timeout(180)
async def test_a_task_delivered_twice_sends_nothing_the_second_time(
    files: FleetFiles, workers: Workers, peer: RecordingPeer, redis_url: str
) -> None:
    settings = Settings.load(files.config)
    keys = load_settings_keys(settings)
    notices = race_notices(4, 2)
    jobs = [Job((n,), now=NOW.isoformat()) for n in notices]
    batch = [[j.id, seal_job(keys, j)] for j in jobs]
    # No personal data in the task: the phone number is nowhere in the message.
    sealed = json.dumps(batch)
    assert notices[0].recipient.person.name not in sealed
    assert "1201555" not in sealed  # the workload's phone numbers are +1201555NNNN
    assert "1201555" in notices[0].model_dump_json()

    app = create_app(worker=load_worker_settings(files.config))
    run_id = secrets.token_hex(4)
    workers.start("w1")
    app.send_task(SEND_TASK, args=(run_id, batch), queue="notifysdk")
    first = _pop_reports(redis_url, run_id, len(jobs), workers)
    assert peer.total == len(jobs)
    # The same message again (a re-delivery after a crash before the ack).
    app.send_task(SEND_TASK, args=(run_id, batch), queue="notifysdk")
    second = _pop_reports(redis_url, run_id, len(jobs), workers)
    assert peer.total == len(jobs) and peer.duplicates == 0  # 0 second sends
    assert {j for j, _ in first} == {j for j, _ in second} == {j.id for j in jobs}
    for job_id, token in second:
        steps = open_report(keys, job_id, token).steps
        assert [s.recorded for s in steps] == [True]  # the ledger's outcome, not a new one

    ledger = open_ledger(settings.ledger_url.get_secret_value(), keys=lambda: keys)
    try:
        for job in jobs:
            record = await ledger.get(job.id)
            assert record is not None and record.state is NoticeState.DELIVERED
            assert len(record.attempts) == 1
    finally:
        await ledger.aclose()
    await asyncio.sleep(0)
