"""Fixtures every suite may use: a real PostgreSQL server on loopback.

PostgreSQL is started once per session from Debian's ``postgresql`` binaries (see
``ledger/pg_server.py``); each test that asks for ``pg_url`` gets a fresh database.
Without the binaries those tests skip, naming what is missing, except under ``CI=true``
where they fail.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "ledger"))

from pg_server import PgServer, PgUnavailableError

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
