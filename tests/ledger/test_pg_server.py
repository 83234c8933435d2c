"""The PostgreSQL peer the ledger tests start: it survives a port clash, and under
``CI=true`` a missing server is a failure, never a silent skip."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from pg_server import PgServer, find_bindir

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent


def test_a_port_taken_before_the_server_binds_it_is_retried_on_a_new_one() -> None:
    try:
        find_bindir()
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    import psycopg

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with PgServer.start(port=port) as server:
            assert server.port != port
            with psycopg.connect(server.url(), connect_timeout=5) as conn:
                row = conn.execute("SHOW data_directory").fetchone()
            assert row is not None and Path(row[0]).resolve() == server.datadir.resolve()


_USES_PG = """
import importlib.util, sys
sys.path.insert(0, {here!r})
spec = importlib.util.spec_from_file_location("ledger_conftest", {conftest!r})
ledger_conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ledger_conftest)
pg_server = ledger_conftest.pg_server


def test_needs_postgres(pg_server):
    pass
"""


@pytest.mark.parametrize(
    "ci, outcome, says",
    [
        ("true", {"errors": 1}, "PostgreSQL is required under CI"),
        ("", {"skipped": 1}, "PostgreSQL not available"),
    ],
)
def test_without_the_server_binaries_ci_fails_and_a_developer_skips(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    ci: str,
    outcome: dict[str, int],
    says: str,
) -> None:
    empty = pytester.mkdir("no-postgres")
    monkeypatch.setenv("NOTIFYSDK_PG_BINDIR", str(empty))
    monkeypatch.setenv("PATH", str(empty))  # no initdb to be found on PATH either
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(
        test_uses_pg=_USES_PG.format(here=str(HERE), conftest=str(HERE.parent / "conftest.py"))
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(**outcome)
    assert says in result.stdout.str()
