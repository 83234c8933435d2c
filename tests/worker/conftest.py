"""Fixtures of the fleet tests: a real redis-server and PostgreSQL (tests/conftest.py),
the loopback peer, the fleet's settings file, and its worker processes.

Without redis-server or PostgreSQL these tests skip, naming the missing server; under
``CI=true`` they fail (the fixtures of tests/conftest.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "ledger"))

from fleet import FleetFiles, Workers  # noqa: E402
from peer import RecordingPeer  # noqa: E402


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One key folder for the test (the planner) and every worker it starts."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("NOTIFYSDK_KEY_DIR", str(folder))
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR", "NOTIFYSDK_BROKER_URL"):
        monkeypatch.delenv(var, raising=False)
    return folder


@pytest.fixture
def peer() -> Iterator[RecordingPeer]:
    """The loopback provider, counting every message by key."""
    server = RecordingPeer().start()
    yield server
    server.stop()


@pytest.fixture
def files(
    tmp_path: Path, key_dir: Path, pg_url: str, redis_url: str, peer: RecordingPeer
) -> FleetFiles:
    """The fleet's settings file (PostgreSQL ledger, Redis broker, the peer)."""
    fleet = FleetFiles(tmp_path, pg_url, redis_url, peer.url)
    fleet.write()
    return fleet


@pytest.fixture
def workers(files: FleetFiles) -> Iterator[Workers]:
    """Worker processes, stopped after the test."""
    fleet = Workers(files)
    yield fleet
    fleet.stop()
