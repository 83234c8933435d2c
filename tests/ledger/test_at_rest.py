"""Encryption at rest (issue 15): a real campaign leaves no raw personal value in any
table or file of the ledger, and what it stored decrypts, with the key, to the
portfolio's values."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crypto_workdir import (
    Workdir,
    deliver,
    file_hits,
    hits,
    make_workdir,
    pg_files_bytes,
    pg_tables_text,
    run_campaign_cli,
    sqlite_tables_text,
)

from notifysdk.dispatcher import open_ledger
from notifysdk.keys import MASTER_FILE, ephemeral_keys, load_keys
from notifysdk.ledger.sql import SqlLedger
from notifysdk.testing import sample_notice

KEY_VARS = ("NOTIFYSDK_LEDGER_KEY", "NOTIFYSDK_PSEUDONYM_KEY", "NOTIFYSDK_AUDIT_KEY")


@pytest.fixture(params=["sqlite", "postgresql"])
def workdir(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workdir]:
    """The example campaign's work folder on each durable ledger, keys in files."""
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'ledger' / 'ledger.db').as_posix()}"
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.chdir(tmp_path)
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR", "NOTIFYSDK_KEY_DIR", *KEY_VARS):
        monkeypatch.delenv(var, raising=False)
    yield make_workdir(tmp_path, url)


def _stored_keys(w: Workdir) -> list[str]:
    if w.url.startswith("sqlite"):
        conn = sqlite3.connect(w.url.removeprefix("sqlite:///"))
        try:
            return [
                r[0] for r in conn.execute("SELECT key FROM notices WHERE notice_json IS NOT NULL")
            ]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(w.url) as pg:
        rows = pg.execute("SELECT key FROM notices WHERE notice_json IS NOT NULL").fetchall()
    return [r[0] for r in rows]


def test_a_campaign_leaves_no_raw_personal_value_and_decrypts_with_the_key(
    workdir: Workdir, request: pytest.FixtureRequest
) -> None:
    w = workdir
    summary = run_campaign_cli(w)
    assert summary["accounts"] == 300 and summary["new_deliveries"] > 50
    assert len(w.needles) > 900  # names, national IDs, phones, emails, addresses

    # Every table, every column, as text: not one raw value.
    if w.url.startswith("sqlite"):
        text = sqlite_tables_text(Path(w.url.removeprefix("sqlite:///")))
    else:
        text = pg_tables_text(w.url)
    assert "enc1:" in text  # the scan reads what was stored
    assert hits(text, w.needles) == []

    # Every file the ledger wrote.
    if w.url.startswith("sqlite"):
        db = Path(w.url.removeprefix("sqlite:///"))
        files = [p for p in db.parent.iterdir() if p.is_file()]
        assert db in files
        data = b"".join(p.read_bytes() for p in files)
        for p in files:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
        assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    else:
        data = pg_files_bytes(w.url, request.getfixturevalue("pg_server").datadir)
    assert len(data) > 10_000
    assert file_hits(data, w.needles) == []

    # The keys are outside the ledger, private.
    key_file = w.key_dir / MASTER_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(w.key_dir.stat().st_mode) == 0o700

    # With the key, every stored notice decrypts to the portfolio's values.
    keys = load_keys(w.key_dir, create=False)
    stored_keys = _stored_keys(w)
    assert len(stored_keys) >= summary["new_deliveries"]

    async def read_back() -> int:
        ledger = open_ledger(w.url, keys=lambda: keys)
        assert isinstance(ledger, SqlLedger)
        checked = 0
        try:
            for key in stored_keys:
                stored = await ledger.load(key)
                assert stored is not None
                n = stored.notice
                row = w.rows[n.account.account_id]
                if n.recipient.person.person_id == row["debtor_id"]:
                    assert n.recipient.person.name == row["debtor_name"]
                    assert (n.recipient.person.national_id or "") == row["national_id"]
                    checked += 1
                assert str(n.account.overdue_amount) == row["overdue_amount"]
                record = await ledger.get(key)
                assert record is not None
                for a in record.attempts:
                    assert a.to in (row["phone"], row["email"]) or a.to.startswith(
                        row["address_line1"]
                    ), "an attempt's destination is the account's own"
        finally:
            await ledger.aclose()
        return checked

    assert asyncio.run(read_back()) > 50


async def test_the_wal_of_an_open_ledger_holds_no_raw_value(tmp_path: Path) -> None:
    """While the ledger is open, its -wal and -shm hold the writes: ciphertext only."""
    path = tmp_path / "ledger.db"
    ledger = open_ledger(f"sqlite:///{path}", keys=ephemeral_keys)
    assert isinstance(ledger, SqlLedger)
    needles: dict[str, str] = {}
    now = datetime(2026, 1, 5, 2, tzinfo=UTC)
    try:
        for i in range(1, 21):
            n = sample_notice(i, channel="capture-sms")
            to = f"+86138001380{i:02d}"
            needles[n.recipient.person.name] = "name"
            needles[to] = "phone"
            await deliver(ledger, n, to, now)
        wal = Path(f"{path}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        for p in (path, wal, Path(f"{path}-shm")):
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p.name
            assert file_hits(p.read_bytes(), needles) == [], p.name
        record = await ledger.get(sample_notice(3, channel="capture-sms").idempotency_key)
        assert record is not None and record.attempts[0].to == "+8613800138003"
    finally:
        await ledger.aclose()


async def test_ledger_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "ledger.db"
    old = os.umask(0)
    try:
        ledger = open_ledger(f"sqlite:///{path}", keys=ephemeral_keys)
        try:
            n = sample_notice(1, channel="capture-sms")
            await deliver(ledger, n, "+8613800138001", datetime(2026, 1, 5, 2, tzinfo=UTC))
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
            for d in (tmp_path / "a", path.parent):
                assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
        finally:
            await ledger.aclose()
    finally:
        os.umask(old)


async def test_an_existing_world_readable_ledger_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.touch()
    path.chmod(0o644)
    ledger = open_ledger(f"sqlite:///{path}", keys=ephemeral_keys)
    try:
        assert (await ledger.get("nk_none")) is None
    finally:
        await ledger.aclose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
