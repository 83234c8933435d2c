"""Schema 5 (issue 15): a ledger written in clear by schema 4 is encrypted in place the
first time a process with the keys opens it, and its contact scopes are re-keyed so the
frequency counters count the same contacts before and after."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notifysdk.channels import BODY_DIGEST, body_digest
from notifysdk.compliance import scopes as sc
from notifysdk.keys import ephemeral_keys
from notifysdk.ledger.schema import get_meta
from notifysdk.ledger.sql import SqlLedger
from notifysdk.ledger.sqlite import SqliteLedger, _SqliteDb
from notifysdk.testing import sample_notice

DAY = datetime(2026, 1, 5, tzinfo=UTC)
PHONE = "+8613800138001"
DIGEST = body_digest("您好，张三，您的账单 1200.00 元已逾期。")


def _schema_4_ledger(path: Path) -> tuple[list[str], dict[str, int]]:
    """A schema-4 database with a delivered notice, its attempt and contacts, all in
    clear, as the SDK before encryption wrote them. Returns the scopes and counts."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = _SqliteDb(conn)
    db.x("BEGIN")
    SqlLedger.migrate(db, target=4)
    db.x("COMMIT")
    n = sample_notice(1, channel="capture-sms")
    at = int(DAY.timestamp() * 1_000_000) + 3_600_000_000
    conn.execute(
        "INSERT INTO notices (key, channel, state, notice_json, outcome_json, profiles, "
        "updated_at, created_at) VALUES (?, 'capture-sms', 'delivered', ?, NULL, 'cn', ?, ?)",
        (n.idempotency_key, n.model_dump_json(), at, at),
    )
    conn.execute(
        "INSERT INTO attempts (key, number, channel, dest, started_at, status, detail_json, "
        "body_sha256) VALUES (?, 1, 'capture-sms', ?, ?, 'ok', '{\"receipt\": null}', ?)",
        (n.idempotency_key, PHONE, at, DIGEST),
    )
    counted = {
        sc.number_scope(sc.Counter.CALL_UNANSWERED, PHONE): 3,
        sc.debt_scope(sc.Counter.CALL, n.account): 2,
        sc.optout_scope("sms", PHONE): 1,
    }
    for scope, times in counted.items():
        for i in range(times):
            conn.execute(
                "INSERT INTO contacts (scope, at, key, kind) VALUES (?, ?, ?, 'sent')",
                (scope, at + i, n.idempotency_key),
            )
    conn.close()
    return [n.idempotency_key], counted


async def test_a_schema_4_ledger_is_encrypted_and_counts_the_same(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    (key,), counted = _schema_4_ledger(path)
    pseudonyms = [scope.split(":")[-1] for scope in counted]
    raw = path.read_bytes()
    assert PHONE.encode() in raw and all(p.encode() in raw for p in pseudonyms)

    ledger = SqliteLedger(f"sqlite:///{path}", keys=ephemeral_keys())
    try:
        window = (DAY, DAY + timedelta(days=1))
        for scope, times in counted.items():
            assert await ledger.count(scope, *window) == times, scope
        assert await ledger.last_contact(sc.optout_scope("sms", PHONE), window[1]) is not None
        stored = await ledger.load(key)
        assert stored is not None and stored.notice == sample_notice(1, channel="capture-sms")
        record = await ledger.get(key)
        assert record is not None and record.attempts[0].to == PHONE
        assert record.attempts[0].detail[BODY_DIGEST] == DIGEST
        # a contact recorded now lands in the same (re-keyed) counter
        some = next(iter(counted))
        await ledger.record_contact(some, DAY + timedelta(hours=5))
        assert await ledger.count(some, *window) == counted[some] + 1
    finally:
        await ledger.aclose()

    conn = sqlite3.connect(path)
    try:
        assert get_meta(_SqliteDb(conn), "crypto_pending") == ""
        scopes = {r[0] for r in conn.execute("SELECT scope FROM contacts")}
        assert all(s.startswith("#") for s in scopes) and len(scopes) == len(counted)
        (dest,) = conn.execute("SELECT dest FROM attempts").fetchone()
        assert dest.startswith("enc1:")
    finally:
        conn.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert PHONE.encode() not in data and DIGEST.encode() not in data
    assert not [p for p in pseudonyms if p.encode() in data]  # secure_delete: gone
