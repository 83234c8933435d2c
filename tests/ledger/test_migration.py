"""A database created by schema version 1 (the committed fixture) is upgraded in place
and keeps its rows; a database newer than the SDK is refused."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rawdb import transitions

from notifysdk.errors import LedgerError
from notifysdk.ledger.base import ClaimStatus, NoticeState
from notifysdk.ledger.schema import LATEST
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.testing import sample_notice

FIXTURE = Path(__file__).parent / "fixtures" / "ledger_v1.sql"


def _load_fixture(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()


async def test_schema_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _load_fixture(db)
    before = sqlite3.connect(db)
    assert before.execute(
        "SELECT value FROM ledger_meta WHERE name = 'schema_version'"
    ).fetchone() == ("1",)
    before.close()

    ledger = SqliteLedger(f"sqlite:///{db}")
    try:
        delivered = await ledger.get("nk_v1_delivered")
        assert delivered is not None and delivered.state is NoticeState.DELIVERED
        assert delivered.outcome is not None and delivered.outcome.receipt is not None
        assert len(delivered.attempts) == 1
        deferred = await ledger.get("nk_v1_deferred")
        assert deferred is not None and deferred.state is NoticeState.DEFERRED
        (t,) = await ledger.transitions("nk_v1_dead")
        assert t.to_state is NoticeState.DEAD_LETTERED and t.reason == "migrated from schema 1"
        day = (datetime(2025, 6, 2, tzinfo=UTC), datetime(2025, 6, 3, tzinfo=UTC))
        assert await ledger.count("debtor:P000001", *day) == 1
        # rows written before schema 4 name audit entry 0: not reported as unaudited
        url = f"sqlite:///{db}"
        assert transitions(url, "nk_v1_dead") == [(None, "dead_lettered", 0)]
        report = await ledger.verify_audit()
        assert report.ok and report.entries == 3
        # the chain continues from the migrated head
        await ledger.audit("after", None, {}, now=day[1])
        assert (await ledger.verify_audit()).entries == 4
        # the deferred row's due time was backfilled from its stored outcome
        raw = sqlite3.connect(db)
        (due,) = raw.execute("SELECT due_at FROM notices WHERE key = 'nk_v1_deferred'").fetchone()
        raw.close()
        assert due
        # the migrated rows keep the contract: done is done, a deferred key is claimed
        # afresh under the first fencing token
        dup = await ledger.claim(
            sample_notice(idempotency_key="nk_v1_delivered"),
            owner="w",
            now=day[1],
            lease_seconds=60,
        )
        assert dup.status is ClaimStatus.DUPLICATE and dup.outcome == delivered.outcome
        again = await ledger.claim(
            sample_notice(idempotency_key="nk_v1_deferred"),
            owner="w",
            now=day[1],
            lease_seconds=60,
        )
        assert again.status is ClaimStatus.CLAIMED and again.fence == 1
    finally:
        await ledger.aclose()
    conn = sqlite3.connect(db)
    assert conn.execute(
        "SELECT value FROM ledger_meta WHERE name = 'schema_version'"
    ).fetchone() == (str(LATEST),)
    conn.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    SqliteLedger(f"sqlite:///{db}").runner.close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE ledger_meta SET value = '99' WHERE name = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        SqliteLedger(f"sqlite:///{db}")


async def test_schema_1_postgresql_database_is_migrated_in_place(pg_url: str) -> None:
    import psycopg

    from notifysdk.ledger.postgres import PostgresLedger, _PgDb
    from notifysdk.ledger.schema import MIGRATIONS, apply

    with psycopg.connect(pg_url, autocommit=True) as conn:
        db = _PgDb(conn)
        apply(db, MIGRATIONS[0])
        db.x(
            "INSERT INTO notices (key, channel, state, updated_at) "
            "VALUES ('nk_old', 'capture-sms', 'blocked', 1)"
        )
    ledger = PostgresLedger(pg_url)
    try:
        record = await ledger.get("nk_old")
        assert record is not None and record.state is NoticeState.BLOCKED
        assert [t.reason for t in await ledger.transitions("nk_old")] == ["migrated from schema 1"]
        assert transitions(pg_url, "nk_old") == [(None, "blocked", 0)]
        assert (await ledger.verify_audit()).ok
    finally:
        await ledger.aclose()
