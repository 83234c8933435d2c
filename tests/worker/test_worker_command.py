"""``notifysdk worker``: the command runs the fleet's Celery worker with its options
(--config, --now, --plugin, --name) and serves its Prometheus metrics (--metrics-port)."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fleet import FleetFiles
from peer import RecordingPeer
from pg_server import free_port
from workload import NOW, race_notices

from notifysdk.config import Settings
from notifysdk.keys import load_settings_keys
from notifysdk.worker.factory import create_app
from notifysdk.worker.jobs import Job, seal_job
from notifysdk.worker.names import SEND_TASK
from notifysdk.worker.settings import load_worker_settings

pytestmark = [pytest.mark.server("redis"), pytest.mark.server("postgresql")]


def _metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode())


@pytest.mark.timeout(180)
async def test_the_worker_command_sends_and_serves_its_metrics(
    files: FleetFiles, peer: RecordingPeer, tmp_path: Path
) -> None:
    settings = Settings.load(files.config)
    keys = load_settings_keys(settings)
    port = free_port()
    env = files.env()
    env.pop("NOTIFYSDK_CONFIG")
    env.pop("NOTIFYSDK_WORKER_PLUGINS")
    cmd = [
        sys.executable, "-m", "notifysdk", "worker",
        "--config", str(files.config), "--now", NOW.isoformat(), "--plugin", "peer_plugin",
        "--name", "cli@%h", "--metrics-port", str(port), "--loglevel", "WARNING",
    ]  # fmt: skip
    log = (tmp_path / "cli-worker.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "cli-worker.log").read_text()
            try:
                text = _metrics(port)
                break
            except OSError:
                assert time.monotonic() < deadline, "no /metrics"
                await asyncio.sleep(0.2)
        jobs = [Job((n,), now=NOW.isoformat()) for n in race_notices(2, 2)]
        app = create_app(worker=load_worker_settings(files.config))
        app.send_task(
            SEND_TASK,
            args=(secrets.token_hex(4), [[j.id, seal_job(keys, j)] for j in jobs]),
            queue="notifysdk",
        )
        while peer.total < len(jobs):
            assert proc.poll() is None, (tmp_path / "cli-worker.log").read_text()
            assert time.monotonic() < deadline + 60, "the worker sent nothing"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        text = _metrics(port)
        assert 'notifysdk_outcomes_total{channel="peer-sms"' in text
        assert 'status="delivered"' in text
        assert 'notifysdk_queue_depth{queue="notifysdk"} 0.0' in text
        assert "1201555" not in text  # no destination in any label
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
