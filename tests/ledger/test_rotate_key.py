"""Master key rotation without downtime, the wrong key, and moved ciphertexts (issue 15)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crypto_workdir import Workdir, cli, deliver, make_workdir

from notifysdk.dispatcher import open_ledger
from notifysdk.errors import ConfigurationError, LedgerError, LedgerKeyError
from notifysdk.keys import MASTER_FILE, LedgerKeys, ephemeral_keys, key_id, load_keys, new_key
from notifysdk.ledger.sql import SqlLedger
from notifysdk.testing import sample_notice

NOW = datetime(2026, 1, 5, 2, tzinfo=UTC)
KEY_VARS = ("NOTIFYSDK_LEDGER_KEY", "NOTIFYSDK_PSEUDONYM_KEY", "NOTIFYSDK_AUDIT_KEY")


def _open(url: str, keys: LedgerKeys) -> SqlLedger:
    ledger = open_ledger(url, keys=lambda: keys)
    assert isinstance(ledger, SqlLedger)
    return ledger


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workdir]:
    """Settings naming a SQLite ledger and a key folder, no key in the environment."""
    monkeypatch.chdir(tmp_path)
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_KEY_DIR", *KEY_VARS):
        monkeypatch.delenv(var, raising=False)
    yield make_workdir(tmp_path, f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}", 1)


async def acli(*args: str) -> tuple[int, str]:
    """The CLI from a test's event loop (it runs its own)."""
    return await asyncio.to_thread(cli, *args)


async def astatus(w: Workdir) -> dict[str, object]:
    """``ledger key-status`` from a test's event loop."""
    return await asyncio.to_thread(_status, w)


def _status(w: Workdir) -> dict[str, object]:
    code, out = cli("ledger", "key-status", "--config", str(w.config))
    assert code == 0, out
    result: dict[str, object] = json.loads(out)
    return result


async def test_rotation_keeps_an_old_process_working_until_finish(workdir: Workdir) -> None:
    w = workdir
    old_keys = load_keys(w.key_dir)  # the embedded default creates them
    old_id = key_id(old_keys.master.current)
    old = _open(w.url, old_keys)
    a, b, c = (sample_notice(i, channel="capture-sms") for i in (1, 2, 3))
    try:
        await deliver(old, a, "+8613800138001", NOW)

        code, out = await acli("ledger", "rotate-key", "--config", str(w.config))
        assert code == 0, out
        started = json.loads(out)
        new_id = started["key_id"]
        assert new_id != old_id and started["retired"] == [old_id]
        assert started["data_keys_rewrapped"] == 1
        lines = (w.key_dir / MASTER_FILE).read_text().split()
        assert len(lines) == 2 and new_key() not in lines
        assert old_keys.master.current.hex() not in out

        # The process that holds only the old key keeps reading and writing.
        assert (await old.load(a.idempotency_key)) is not None
        await deliver(old, b, "+8613800138002", NOW)

        # A process started now (both keys) reads everything, and writes.
        both = _open(w.url, load_keys(w.key_dir, create=False))
        try:
            for n in (a, b):
                stored = await both.load(n.idempotency_key)
                assert stored is not None and stored.notice == n
            await deliver(both, c, "+8613800138003", NOW)
        finally:
            await both.aclose()
        assert (await astatus(w))["current"] == new_id

        code, out = await acli("ledger", "rotate-key", "--finish", "--config", str(w.config))
        assert code == 0, out
        assert json.loads(out)["finished"] is True
        assert len((w.key_dir / MASTER_FILE).read_text().split()) == 1
        status = await astatus(w)
        assert status["retired"] == [] and status["by_master_key"] == {new_id: 3}
    finally:
        await old.aclose()

    # Only the new key now: everything reads; the old key alone is refused, by id.
    fresh = _open(w.url, load_keys(w.key_dir, create=False))
    try:
        for n in (a, b, c):
            stored = await fresh.load(n.idempotency_key)
            assert stored is not None and stored.notice == n
        assert (await fresh.verify_audit()).ok
        events = [e.event for e in await fresh.audit_entries()]
        assert events.count("master_key_rotated") == 2
    finally:
        await fresh.aclose()
    stale = _open(w.url, old_keys)
    try:
        with pytest.raises(LedgerKeyError) as caught:
            await stale.get(a.idempotency_key)
        assert new_id in str(caught.value) and old_id in str(caught.value)
    finally:
        await stale.aclose()


def test_rotation_with_the_environment_variable(
    workdir: Workdir, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = workdir
    first, second = new_key(), new_key()
    monkeypatch.setenv("NOTIFYSDK_LEDGER_KEY", first)
    monkeypatch.setenv("NOTIFYSDK_PSEUDONYM_KEY", new_key())
    monkeypatch.setenv("NOTIFYSDK_AUDIT_KEY", new_key())
    code, out = cli("ledger", "key-status", "--config", str(w.config))
    assert code == 0, out
    with pytest.raises(ConfigurationError, match="NEW,OLD"):  # one key: nothing to rotate to
        cli("ledger", "rotate-key", "--config", str(w.config))
    monkeypatch.setenv("NOTIFYSDK_LEDGER_KEY", f"{second},{first}")
    code, out = cli("ledger", "rotate-key", "--config", str(w.config))
    assert code == 0, out
    assert first not in out and second not in out
    monkeypatch.setenv("NOTIFYSDK_LEDGER_KEY", second)
    code, out = cli("ledger", "rotate-key", "--finish", "--config", str(w.config))
    assert code == 0, out
    assert _status(w)["retired"] == []


async def test_the_wrong_master_key_is_a_typed_error_naming_both_ids(ledger_url: str) -> None:
    right, wrong = ephemeral_keys(), ephemeral_keys()
    ledger = _open(ledger_url, right)
    n = sample_notice(1, channel="capture-sms")
    try:
        await deliver(ledger, n, "+8613800138001", NOW)
    finally:
        await ledger.aclose()
    other = _open(ledger_url, wrong)
    try:
        with pytest.raises(LedgerKeyError) as caught:
            await other.load(n.idempotency_key)
    finally:
        await other.aclose()
    message = str(caught.value)
    assert key_id(right.master.current) in message and key_id(wrong.master.current) in message
    assert right.master.current.hex() not in message


async def test_a_ciphertext_moved_to_another_row_fails_its_check(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    keys = ephemeral_keys()
    ledger = _open(f"sqlite:///{path}", keys)
    n1 = sample_notice(1, channel="capture-sms")
    n2 = sample_notice(1, channel="capture-sms", stage="other")  # same account, same data key
    try:
        await deliver(ledger, n1, "+8613800138001", NOW)
        await deliver(ledger, n2, "+8613800138001", NOW)
    finally:
        await ledger.aclose()
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE notices SET notice_json = (SELECT notice_json FROM notices WHERE key = ?) "
        "WHERE key = ?",
        (n1.idempotency_key, n2.idempotency_key),
    )
    conn.commit()
    conn.close()
    ledger = _open(f"sqlite:///{path}", keys)
    try:
        with pytest.raises(LedgerError, match="integrity"):
            await ledger.load(n2.idempotency_key)
        assert (await ledger.load(n1.idempotency_key)) is not None
    finally:
        await ledger.aclose()
