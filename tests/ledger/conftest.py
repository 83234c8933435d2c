"""Fixtures for the ledger tests: a real PostgreSQL server, SQLite files, both ledgers.

PostgreSQL is started once per session from Debian's ``postgresql`` binaries (see
``pg_server.py``); each test gets a fresh database. Without the binaries the PostgreSQL
tests skip, naming what is missing, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from notifysdk.ledger.sql import SqlLedger

# ``pg_server`` and ``pg_url`` come from tests/conftest.py (the compliance and privacy
# suites run on PostgreSQL too).


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a new SQLite ledger file."""
    return f"sqlite:///{tmp_path}/ledger.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each durable back-end in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def ledger(ledger_url: str) -> AsyncIterator[SqlLedger]:
    """An open durable ledger on each back-end, closed after the test."""
    from notifysdk.dispatcher import open_ledger

    opened = open_ledger(ledger_url)
    assert isinstance(opened, SqlLedger)
    yield opened
    await opened.aclose()


@pytest.fixture
def shared_key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One key folder for the test and every worker process it starts (through
    ``NOTIFYSDK_KEY_DIR``): processes sharing a ledger share its keys, as they would
    in production; a worker started elsewhere would otherwise find other keys and be
    refused with LedgerKeyError."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("NOTIFYSDK_KEY_DIR", str(folder))
    return folder
