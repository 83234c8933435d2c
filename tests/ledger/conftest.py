"""Fixtures for the ledger tests: a real PostgreSQL server, SQLite files, both ledgers.

PostgreSQL is started once per session from Debian's ``postgresql`` binaries (see
``pg_server.py``); each test gets a fresh database. Without the binaries the PostgreSQL
tests skip, naming what is missing, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pg_server import PgServer, PgUnavailableError

from notifysdk.ledger.sql import SqlLedger

_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session (loopback, free port, temp folder)."""
    try:
        with PgServer.start() as server:
            yield server
    except PgUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty database."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_db_names)}")


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
