"""Erasure by key (crypto-shredding, issue 15): ``erase`` destroys one account's data
key; its personal values read as erased (never garbage, never a crash), other accounts
are untouched, the audit trail still verifies and records the erasure without personal
data."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crypto_workdir import Workdir, cli, deliver, make_workdir, run_campaign_cli

from notifysdk.dispatcher import open_ledger
from notifysdk.keys import ephemeral_keys, load_keys
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.crypto import ERASED, DataErasedError
from notifysdk.ledger.sql import SqlLedger
from notifysdk.models import OutcomeStatus
from notifysdk.testing import sample_notice

NOW = datetime(2026, 1, 5, 2, tzinfo=UTC)
KEY_VARS = ("NOTIFYSDK_LEDGER_KEY", "NOTIFYSDK_PSEUDONYM_KEY", "NOTIFYSDK_AUDIT_KEY")


async def test_erase_makes_one_account_unreadable_and_keeps_the_rest(ledger_url: str) -> None:
    keys = ephemeral_keys()
    ledger = open_ledger(ledger_url, keys=lambda: keys)
    assert isinstance(ledger, SqlLedger)
    gone, kept = sample_notice(1, channel="capture-sms"), sample_notice(2, channel="capture-sms")
    try:
        await deliver(ledger, gone, "+8613800138001", NOW)
        await deliver(ledger, kept, "+8613800138002", NOW)
        report = await ledger.erase(gone.account.account_id, now=NOW)
        assert (report.data_keys, report.notices) == (1, 1)
        assert gone.account.account_id not in report.account_ref

        # Erased: typed states, the stored status kept (a delivered notice stays done).
        record = await ledger.get(gone.idempotency_key)
        assert record is not None and record.done and record.state is NoticeState.DELIVERED
        assert record.outcome is not None and record.outcome.rule == "erased"
        assert record.outcome.status is OutcomeStatus.DELIVERED
        assert [a.to for a in record.attempts] == [ERASED]
        assert record.attempts[0].detail["erased"] is True
        with pytest.raises(DataErasedError):
            await ledger.load(gone.idempotency_key)
        listed = await ledger.notices(NoticeState.DELIVERED)
        assert [s.key for s in listed] == [kept.idempotency_key]
        again = await ledger.claim(gone, owner="t", now=NOW, lease_seconds=60, to="+86138")
        assert again.status.value == "duplicate"

        # The other account reads as before.
        other = await ledger.load(kept.idempotency_key)
        assert other is not None and other.notice == kept
        other_record = await ledger.get(kept.idempotency_key)
        assert other_record is not None and other_record.attempts[0].to == "+8613800138002"

        # The audit trail verifies and says what was erased, without personal data.
        assert (await ledger.verify_audit()).ok
        entries = [e for e in await ledger.audit_entries() if e.event == "erased"]
        assert len(entries) == 1 and entries[0].detail["data_keys"] == 1
        assert gone.account.account_id not in json.dumps(dict(entries[0].detail))
        assert (await ledger.erase(gone.account.account_id, now=NOW)).data_keys == 0
    finally:
        await ledger.aclose()


async def test_an_erased_data_key_is_not_left_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    keys = ephemeral_keys()
    ledger = open_ledger(f"sqlite:///{path}", keys=lambda: keys)
    assert isinstance(ledger, SqlLedger)
    n = sample_notice(1, channel="capture-sms")
    try:
        await deliver(ledger, n, "+8613800138001", NOW)
        conn = sqlite3.connect(path)
        (wrapped,) = conn.execute("SELECT wrapped FROM data_keys").fetchone()
        conn.close()
        await ledger.erase(n.account.account_id, now=NOW)
    finally:
        await ledger.aclose()
    # secure_delete, and the WAL checkpointed at close: the wrapped key is nowhere.
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert wrapped.encode() not in data


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workdir]:
    """The example campaign on a SQLite ledger, keys in files."""
    monkeypatch.chdir(tmp_path)
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR", "NOTIFYSDK_KEY_DIR", *KEY_VARS):
        monkeypatch.delenv(var, raising=False)
    yield make_workdir(tmp_path, f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}", 40)


def test_erase_end_to_end_through_the_cli(workdir: Workdir) -> None:
    w = workdir
    summary = run_campaign_cli(w)
    assert summary["new_deliveries"] > 5
    conn = sqlite3.connect(w.root / "ledger.db")
    keys = [r[0] for r in conn.execute("SELECT key FROM notices WHERE notice_json IS NOT NULL")]
    conn.close()

    async def account_of(key: str) -> str:
        ledger = open_ledger(w.url, keys=lambda: load_keys(w.key_dir, create=False))
        try:
            assert isinstance(ledger, SqlLedger)
            stored = await ledger.load(key)
            assert stored is not None
            return stored.notice.account.account_id
        finally:
            await ledger.aclose()

    import asyncio

    target = asyncio.run(account_of(keys[0]))
    code, out = cli("ledger", "erase", target, "--yes", "--config", str(w.config))
    assert code == 0, out
    result = json.loads(out)
    assert result["erased"] is True and result["notices"] >= 1
    assert target not in out

    code, out = cli("dead-letters", "show", keys[0], "--config", str(w.config))
    assert code == 0, out
    assert json.loads(out) == {"key": keys[0], "erased": True}
    code, out = cli("audit", "verify", "--config", str(w.config), "--json")
    assert code == 0, out
    assert json.loads(out)["ok"] is True
    code, out = cli("dead-letters", "list", "--config", str(w.config), "--json")
    assert code == 0, out

    # Running the campaign again the same day sends nothing new, for the erased account too.
    second = run_campaign_cli(w)
    assert second["new_deliveries"] == 0
