"""What every suite shares: the test-fixture plugins, and a real PostgreSQL server.

The test-fixture plugins (``tests/plugins/*``: an example third-party plugin and a broken
one) are installed for the test session only, into ``.test-plugins/`` and onto
``sys.path``, never into the project's environment: a user's ``notifysdk`` (and
``make run``) never sees them.

PostgreSQL is started once per session from Debian's ``postgresql`` binaries (see
``ledger/pg_server.py``); each test that asks for ``pg_url`` gets a fresh database. Redis
likewise (``ledger/redis_server.py``, ``redis_url`` a fresh database) for scale-out.
Without the binaries those tests skip, naming what is missing, except under ``CI=true``
where they fail.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "ledger"))

from pg_server import PgServer, PgUnavailableError
from redis_server import RedisServer, RedisUnavailableError

_db_names = itertools.count(1)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_PLUGINS = sorted((ROOT / "tests" / "plugins").glob("notifysdk-*-plugin"))
FIXTURE_TARGET = ROOT / ".test-plugins"
UV = ROOT / ".tools" / "bin" / "uv"


def _fixture_plugins_stale() -> bool:
    stamp = FIXTURE_TARGET / ".installed"
    if not stamp.exists():
        return True
    built = stamp.stat().st_mtime
    return any(f.stat().st_mtime > built for p in FIXTURE_PLUGINS for f in p.rglob("*.*"))


def pytest_configure(config: pytest.Config) -> None:
    """Install the test-fixture plugins into ``.test-plugins/`` (once, again when their
    sources change) and put that folder on ``sys.path`` (and ``PYTHONPATH``, for the
    subprocesses tests start) so their entry points are found."""
    if _fixture_plugins_stale():
        if not UV.exists():
            raise pytest.UsageError(
                "the test-fixture plugins are installed with uv: run `make test` "
                "(it installs uv into .tools/)"
            )
        shutil.rmtree(FIXTURE_TARGET, ignore_errors=True)
        subprocess.run(
            [
                str(UV),
                "pip",
                "install",
                "--no-deps",
                "--quiet",
                "--target",
                str(FIXTURE_TARGET),
                "--python",
                sys.executable,
                *map(str, FIXTURE_PLUGINS),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
            timeout=300,
        )
        (FIXTURE_TARGET / ".installed").touch()
    if str(FIXTURE_TARGET) not in sys.path:
        sys.path.append(str(FIXTURE_TARGET))
    # Python subprocesses the tests start (the CLI, examples) see them too.
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(FIXTURE_TARGET) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([*paths, str(FIXTURE_TARGET)])


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


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis server for the session (loopback, free port, no persistence)."""
    try:
        with RedisServer.start() as server:
            yield server
    except RedisUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI: {exc}")
        pytest.skip(f"Redis not available: {exc}")


_redis_dbs = itertools.count(1)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of a Redis database no other test in this session used (1..63)."""
    db = next(_redis_dbs) % 64 or next(_redis_dbs)
    subprocess.run(
        ["redis-cli", "-p", str(redis_server.port), "-n", str(db), "FLUSHDB"],
        check=True,
        capture_output=True,
        timeout=10,
    )
    return redis_server.url(db)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a fresh, empty database."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_db_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def durable_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each durable ledger in turn: a SQLite file in ``tmp_path``, a fresh PostgreSQL
    database."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return f"sqlite:///{tmp_path}/ledger.db"
