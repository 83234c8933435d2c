"""Account events in the ledger: stored per account under its keyed reference, notes and
contacts encrypted under the account's data key, audited with masked details, on the
memory, SQLite and PostgreSQL ledgers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rawdb import raw_db

from notifysdk.account_events import (
    AccountEvent,
    AccountEventKind,
    account_events,
    record_account_event,
)
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import InvalidInputError, LedgerError
from notifysdk.keys import LedgerKeys, ephemeral_keys
from notifysdk.ledger.base import EventLedger, Ledger
from notifysdk.ledger.crypto import ERASED
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.sql import SqlLedger
from notifysdk.testing import sample_account

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NUMBER = "+8613912345678"
NOTE = "promised over the phone, wire expected Tuesday"


@pytest.fixture
def keys() -> LedgerKeys:
    return ephemeral_keys()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def any_ledger(
    request: pytest.FixtureRequest, keys: LedgerKeys, tmp_path: Path
) -> AsyncIterator[Ledger]:
    if request.param == "memory":
        yield MemoryLedger()
        return
    url = f"sqlite:///{tmp_path}/ledger.db"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    opened = open_ledger(url, keys=lambda: keys)
    yield opened
    await opened.aclose()


async def test_events_read_back_oldest_first_and_strictly_before(any_ledger: Ledger) -> None:
    account = sample_account(1)
    await record_account_event(any_ledger, account, AccountEvent("dispute", T0))
    await record_account_event(
        any_ledger, account, AccountEvent("promise_to_pay", T0 - timedelta(days=1), until=T0)
    )
    await record_account_event(any_ledger, account, AccountEvent("cease", T0))
    await record_account_event(any_ledger, sample_account(2), AccountEvent("paid", T0))
    found = await account_events(any_ledger, account, before=T0 + timedelta(microseconds=1))
    assert [e.kind for e in found] == [
        AccountEventKind.PROMISE_TO_PAY,
        AccountEventKind.DISPUTE,  # same instant: in the order recorded
        AccountEventKind.CEASE,
    ]
    assert found[0].until == T0 and found[0].source == "api"
    assert [e.kind for e in await account_events(any_ledger, account, before=T0)] == [
        AccountEventKind.PROMISE_TO_PAY
    ]
    assert await account_events(any_ledger, "nobody", before=T0 + timedelta(days=9)) == ()
    # an id is the same account as the Account that carries it
    assert len(await account_events(any_ledger, account.account_id, before=T0)) == 1


async def test_each_event_is_audited_with_masked_details_only(any_ledger: Ledger) -> None:
    account = sample_account(1)
    event = AccountEvent("number_invalid", T0, contact=NUMBER, note=NOTE, source="crm")
    await record_account_event(any_ledger, account, event)
    (entry,) = [e for e in await any_ledger.audit_entries() if e.event == "account_event"]
    assert entry.key is None
    detail = dict(entry.detail)
    ref = detail.pop("account_ref")
    assert len(ref) == 32 and account.account_id not in ref
    assert detail == {
        "kind": "number_invalid",
        "at": T0.isoformat(),
        "until": None,
        "source": "crm",
        "contact": "phone",
        "note": True,
    }
    text = json.dumps(dict(entry.detail))
    assert NUMBER[3:] not in text and "wire" not in text
    if isinstance(any_ledger, SqlLedger):
        assert (await any_ledger.verify_audit()).ok


async def test_the_note_is_masked_before_it_is_stored(any_ledger: Ledger) -> None:
    account = sample_account(1)
    name = account.debtor.name
    note = f"{name} said call 13912345678 after 6pm"
    await record_account_event(any_ledger, account, AccountEvent("dispute", T0, note=note))
    (stored,) = await account_events(any_ledger, account, before=T0 + timedelta(seconds=1))
    assert stored.note is not None
    assert "13912345678" not in stored.note and name not in stored.note
    assert "after 6pm" in stored.note


async def test_events_survive_reopening_the_ledger(
    durable_ledger_url: str, keys: LedgerKeys
) -> None:
    account = sample_account(3)
    first = open_ledger(durable_ledger_url, keys=lambda: keys)
    await record_account_event(first, account, AccountEvent("attorney", T0, note=NOTE))
    await first.aclose()
    again = open_ledger(durable_ledger_url, keys=lambda: keys)
    try:
        (event,) = await account_events(again, account, before=T0 + timedelta(seconds=1))
        assert (event.kind, event.at, event.note) == (AccountEventKind.ATTORNEY, T0, NOTE)
    finally:
        await again.aclose()


def _raw_text(url: str, tmp_path: Path) -> str:
    """Everything the database holds, as a scan of it sees it."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
        return b"".join(blobs).decode("utf-8", "replace")
    with raw_db(url) as db:
        rows = db.all("SELECT * FROM account_events") + db.all("SELECT * FROM audit")
    return repr(rows)


async def test_a_raw_scan_finds_no_note_or_number_in_clear(
    durable_ledger_url: str, keys: LedgerKeys, tmp_path: Path
) -> None:
    account = sample_account(4)
    led = open_ledger(durable_ledger_url, keys=lambda: keys)
    try:
        await record_account_event(
            led, account, AccountEvent("number_invalid", T0, contact=NUMBER, note=NOTE)
        )
        (event,) = await account_events(led, account, before=T0 + timedelta(seconds=1))
        assert (event.contact, event.note) == (NUMBER, NOTE)  # the ledger reads them back
    finally:
        await led.aclose()
    raw = _raw_text(durable_ledger_url, tmp_path)
    assert "number_invalid" in raw  # the scan does see the table
    assert "wire expected" not in raw
    assert NUMBER[3:] not in raw and account.account_id not in raw
    with raw_db(durable_ledger_url) as db:
        contact, note = db.one("SELECT contact, note FROM account_events")  # type: ignore[misc]
    assert contact.startswith("enc1:") and note.startswith("enc1:")


async def test_erasing_the_account_makes_note_and_contact_unreadable(
    durable_ledger_url: str, keys: LedgerKeys
) -> None:
    account, other = sample_account(5), sample_account(6)
    led = open_ledger(durable_ledger_url, keys=lambda: keys)
    assert isinstance(led, SqlLedger)
    try:
        await record_account_event(
            led, account, AccountEvent("number_invalid", T0, contact=NUMBER, note=NOTE)
        )
        await record_account_event(led, other, AccountEvent("cease", T0, note=NOTE))
        report = await led.erase(account.account_id, now=T0 + timedelta(days=1))
        assert report.data_keys == 1
        (gone,) = await account_events(led, account, before=T0 + timedelta(days=2))
        # what happened stays on record (it keeps stopping contact); who and why do not
        assert (gone.kind, gone.at, gone.contact, gone.note) == (
            AccountEventKind.NUMBER_INVALID,
            T0,
            ERASED,
            ERASED,
        )
        (kept,) = await account_events(led, other, before=T0 + timedelta(days=2))
        assert kept.note == NOTE
        assert (await led.verify_audit()).ok
    finally:
        await led.aclose()


def test_an_event_is_checked_when_it_is_built() -> None:
    with pytest.raises(InvalidInputError, match="promised date"):
        AccountEvent("promise_to_pay", T0)
    with pytest.raises(InvalidInputError, match="the number"):
        AccountEvent("number_invalid", T0)
    with pytest.raises(InvalidInputError, match="unknown account event"):
        AccountEvent("forgiven", T0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="aware"):
        AccountEvent("paid", datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="source"):
        AccountEvent("paid", T0, source="Lender Platform")
    assert AccountEvent("paid", T0).kind is AccountEventKind.PAID


class _OldLedger:
    """A ledger written before account events (no ``record_event``/``events``)."""

    async def audit_entries(self) -> list[object]:
        return []


async def test_a_ledger_without_events_reads_none_and_refuses_to_record() -> None:
    old = _OldLedger()
    assert not isinstance(old, EventLedger) and isinstance(MemoryLedger(), EventLedger)
    assert await account_events(old, "a1", before=T0) == ()  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="does not store account events"):
        await record_account_event(old, "a1", AccountEvent("paid", T0))  # type: ignore[arg-type]


async def test_a_schema_5_ledger_is_upgraded_to_hold_events(
    tmp_path: Path, keys: LedgerKeys
) -> None:
    url = f"sqlite:///{tmp_path}/v5.db"
    with raw_db(url) as db:
        db.dialect = "sqlite"  # type: ignore[attr-defined]
        assert SqlLedger.migrate(db, target=5) == [1, 2, 3, 4, 5]  # type: ignore[arg-type]
        assert db.one("SELECT 1 FROM sqlite_master WHERE name = 'account_events'") is None
    led = open_ledger(url, keys=lambda: keys)
    try:
        await record_account_event(led, "A9", AccountEvent("bankruptcy", T0))
        (event,) = await account_events(led, "A9", before=T0 + timedelta(seconds=1))
        assert event.kind is AccountEventKind.BANKRUPTCY
    finally:
        await led.aclose()
    with raw_db(url) as db:
        assert db.one("SELECT value FROM ledger_meta WHERE name = 'schema_version'") == ("6",)
