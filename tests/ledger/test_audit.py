"""``audit verify`` catches an edited, a deleted and a reordered entry by position, and an
outcome that has no audit entry although the chain is intact; the purge removes only a
prefix past retention so the rest still verifies."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rawdb import RawDb, raw_db, transitions
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import open_ledger
from notifysdk.errors import ConfigurationError
from notifysdk.ledger.audit import entry_hash, verify_chain
from notifysdk.ledger.base import AttemptEnd, ClaimStatus, NoticeState
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.retention import YEAR, default_retention, retention_for
from notifysdk.ledger.schema import from_us, to_us
from notifysdk.ledger.sql import SqlLedger
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Outcome, OutcomeStatus, Receipt
from notifysdk.testing import sample_account, sample_notice

ENTRIES = 6


async def _fill(ledger: SqlLedger | MemoryLedger, clock: FakeClock) -> None:
    for i in range(ENTRIES):
        await ledger.audit("outcome", f"nk_{i}", {"status": "delivered", "n": i}, now=clock.now())
        clock.advance(1)


def _tamper(db: str, how: str) -> None:
    conn = sqlite3.connect(db)
    if how == "edited":
        conn.execute(
            'UPDATE audit SET detail_json = \'{"status": "blocked", "n": 2}\' WHERE seq = 3'
        )
    elif how == "deleted":
        conn.execute("DELETE FROM audit WHERE seq = 3")
    elif how == "reordered":
        conn.execute("UPDATE audit SET seq = -1 WHERE seq = 3")
        conn.execute("UPDATE audit SET seq = 3 WHERE seq = 4")
        conn.execute("UPDATE audit SET seq = 4 WHERE seq = -1")
    elif how == "truncated":
        conn.execute("DELETE FROM audit WHERE seq = 6")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("how", "position", "problem"),
    [
        ("edited", 3, "edited"),
        ("deleted", 3, "deleted"),
        ("reordered", 3, "reordered"),
        ("truncated", 6, "deleted"),
    ],
)
async def test_verify_reports_the_position_of_a_tampered_entry(
    tmp_path: Path, fake_clock: FakeClock, how: str, position: int, problem: str
) -> None:
    db = str(tmp_path / "l.db")
    ledger = SqliteLedger(f"sqlite:///{db}")
    await _fill(ledger, fake_clock)
    assert (await ledger.verify_audit()).ok
    await ledger.aclose()
    _tamper(db, how)
    ledger = SqliteLedger(f"sqlite:///{db}")
    report = await ledger.verify_audit()
    await ledger.aclose()
    assert (report.ok, report.position, report.problem) == (False, position, problem)

    result = await asyncio.to_thread(
        CliRunner().invoke, get_app(), ["audit", "verify", "--ledger", f"sqlite:///{db}"]
    )
    assert result.exit_code == 1
    assert f"position {position}" in result.output and problem in result.output


async def test_clean_chain_verifies_on_every_backend(
    ledger: SqlLedger, fake_clock: FakeClock
) -> None:
    await _fill(ledger, fake_clock)
    report = await ledger.verify_audit()
    assert report.ok and report.entries == ENTRIES


async def test_memory_ledger_uses_the_same_chain(fake_clock: FakeClock) -> None:
    ledger = MemoryLedger()
    await _fill(ledger, fake_clock)
    entries = list(await ledger.audit_entries())
    assert verify_chain(entries).ok
    entries[1], entries[2] = entries[2], entries[1]
    assert verify_chain(entries).problem == "reordered"


def test_retention_floors() -> None:
    r = retention_for({"us-regf": 4})
    assert r["cn"] >= 5 * 365 * timedelta(days=1) and r["us-regf"] == 4 * YEAR
    assert r["us-ma"] >= 3 * 365 * timedelta(days=1)
    with pytest.raises(ConfigurationError, match=r"retention\.cn"):
        retention_for({"cn": 3})


async def test_purge_keeps_what_must_be_kept(ledger: SqlLedger, fake_clock: FakeClock) -> None:
    us = sample_notice(1, account=sample_account(1, profiles=("us-regf",)))
    cn = sample_notice(2)
    for n in (us, cn):
        outcome = Outcome(
            idempotency_key=n.idempotency_key,
            status=OutcomeStatus.DELIVERED,
            channel="mock",
            at=fake_clock.now(),
        )
        await ledger.finish(n, outcome)  # which appends the notice's one outcome entry
    retention = retention_for()
    fake_clock.advance(days=4 * 366)  # past the us floor (3 years), inside cn's (5)
    report = await ledger.purge(fake_clock.now(), retention, default=default_retention())
    assert (report.notices, report.audit_entries) == (1, 1)
    assert await ledger.get(us.idempotency_key) is None
    assert await ledger.get(cn.idempotency_key) is not None
    assert (await ledger.verify_audit()).ok
    fake_clock.advance(days=2 * 366)
    report = await ledger.purge(fake_clock.now(), retention, default=default_retention())
    assert report.notices == 1 and await ledger.get(cn.idempotency_key) is None
    verified = await ledger.verify_audit()
    # the purges' own entries are records too, kept for the default (longest) retention
    assert verified.ok and verified.entries == 2
    assert [e.event for e in await ledger.audit_entries()] == ["audit_purged"] * 2


# -- an outcome without its audit entry -------------------------------------------------

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PHONE = "+8613800138000"
UNAUDITED = ["two_transactions", "deleted_and_rehashed"]


def _delivered(key: str, at: datetime, receipt: Receipt) -> Outcome:
    return Outcome(
        idempotency_key=key,
        status=OutcomeStatus.DELIVERED,
        channel="mock",
        at=at,
        receipt=receipt,
        attempts=1,
    )


def _finish_outside_the_audit(db: RawDb, key: str, outcome: Outcome) -> None:
    """What a pre-fix ledger's ``finish`` committed on its own: the outcome and its
    transition (no ``audit_seq``). The audit entry was a second transaction, which the
    crash (or a full disk) never let commit."""
    at = to_us(outcome.at)
    db.x(
        "UPDATE notices SET state = 'delivered', owner = NULL, lease_until = NULL, "
        "outcome_json = ?, updated_at = ? WHERE key = ? AND state = 'claimed'",
        (outcome.model_dump_json(), at, key),
    )
    db.x("UPDATE contacts SET kind = 'sent' WHERE key = ? AND kind = 'reserved'", (key,))
    db.x(
        "INSERT INTO transitions (key, from_state, to_state, at, reason) "
        "VALUES (?, 'claimed', 'delivered', ?, NULL)",
        (key, at),
    )


def _delete_and_rehash(db: RawDb, key: str) -> int:
    """Delete ``key``'s outcome entry and make the chain look intact again: the later
    entries renumbered (no gap), re-hashed from the deleted one's predecessor, the head
    moved, and the other transitions pointed at their entries' new numbers. Returns the
    deleted entry's seq."""
    row = db.one("SELECT seq FROM audit WHERE key = ? AND event = 'outcome'", (key,))
    assert row is not None
    gone = int(row[0])
    db.x("DELETE FROM audit WHERE seq = ?", (gone,))
    before = db.one("SELECT hash FROM audit WHERE seq = ?", (gone - 1,))
    prev, last = ("" if before is None else str(before[0])), gone - 1
    for seq, at, event, k, detail in db.all(
        "SELECT seq, at, event, key, detail_json FROM audit WHERE seq > ? ORDER BY seq", (gone,)
    ):
        digest = entry_hash(prev, from_us(at), event, k, json.loads(detail))
        db.x(
            "UPDATE audit SET seq = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (seq - 1, prev, digest, seq),
        )
        db.x(
            "UPDATE transitions SET audit_seq = ? WHERE audit_seq = ? AND key IS NOT NULL "
            "AND key <> ?",
            (seq - 1, seq, key),
        )
        prev, last = digest, seq - 1
    db.x("UPDATE ledger_meta SET value = ? WHERE name = 'audit_head_seq'", (str(last),))
    db.x("UPDATE ledger_meta SET value = ? WHERE name = 'audit_head_hash'", (prev,))
    return gone


async def _leave_an_unaudited_outcome(url: str, how: str) -> tuple[str, int | None]:
    """Three notices delivered (a, b, c) and a campaign entry, through the ledger, then
    b's outcome left without its audit entry as ``how`` says. Returns b's key and the
    audit seq its transition names (``None``: it names none)."""
    notices = [sample_notice(i) for i in (1, 2, 3)]
    ledger = open_ledger(url)
    try:
        for i, n in enumerate(notices):
            now = T0 + timedelta(seconds=i)
            claim = await ledger.claim(n, owner="w1", now=now, lease_seconds=60, to=PHONE)
            assert claim.status is ClaimStatus.CLAIMED and claim.attempt is not None
            receipt = Receipt(channel="mock", provider_id=f"p{i}", accepted_at=now)
            ended = AttemptEnd(claim.attempt, receipt=receipt)
            if i == 1 and how == "two_transactions":
                await ledger.end_attempt(ended, now=now, fence=claim.fence)
                continue
            done = _delivered(n.idempotency_key, now, receipt)
            assert await ledger.finish(n, done, fence=claim.fence, ended=ended)
        await ledger.audit(
            "campaign_finished", None, {"delivered": 3}, now=T0 + timedelta(seconds=10)
        )
        assert (await ledger.verify_audit()).ok  # the control: nothing wrong yet
    finally:
        await ledger.aclose()
    b = notices[1].idempotency_key
    with raw_db(url) as db:
        if how == "two_transactions":
            receipt = Receipt(channel="mock", provider_id="p1", accepted_at=T0)
            _finish_outside_the_audit(db, b, _delivered(b, T0 + timedelta(seconds=1), receipt))
            return b, None
        return b, _delete_and_rehash(db, b)


@pytest.mark.parametrize("how", UNAUDITED)
async def test_verify_reports_an_outcome_without_its_audit_entry(ledger_url: str, how: str) -> None:
    key, named = await _leave_an_unaudited_outcome(ledger_url, how)
    ledger = open_ledger(ledger_url)
    assert isinstance(ledger, SqlLedger)
    try:
        record = await ledger.get(key)
        assert record is not None and record.state is NoticeState.DELIVERED
        entries = list(await ledger.audit_entries())
        assert [e.event for e in entries] == ["outcome", "outcome", "campaign_finished"]
        assert key not in {e.key for e in entries}
        # every link and the head check out: only the outcome check can see it
        assert verify_chain(entries).ok
        assert transitions(ledger_url, key)[-1] == ("claimed", "delivered", named)
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.unaudited) == (False, "unaudited", 1)
    assert (report.entries, report.position, report.seq) == (3, None, named)
    assert f"notice {key} moved to delivered" in report.detail


@pytest.mark.parametrize("how", UNAUDITED)
async def test_audit_verify_cli_prints_the_unaudited_outcome_and_exits_1(
    ledger_url: str, how: str
) -> None:
    key, named = await _leave_an_unaudited_outcome(ledger_url, how)
    result = await asyncio.to_thread(
        CliRunner().invoke, get_app(), ["audit", "verify", "--ledger", ledger_url]
    )
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())  # the console wraps long lines
    assert "unaudited" in text and "1 outcome(s) without an audit entry" in text
    assert f"notice {key} moved to delivered" in text
    assert "audit chain intact" not in text

    result = await asyncio.to_thread(
        CliRunner().invoke, get_app(), ["audit", "verify", "--ledger", ledger_url, "--json"]
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert (report["ok"], report["problem"], report["seq"]) == (False, "unaudited", named)
    assert report["entries"] == 3 and key in report["detail"]


async def test_an_anchor_moved_past_an_outcomes_entry_does_not_hide_it(ledger_url: str) -> None:
    # Delete the chain's first entry (a live notice's outcome) and move the anchor so the
    # rest still verifies from it: the outcome's transition still names the missing entry.
    notices = [sample_notice(i) for i in (1, 2)]
    ledger = open_ledger(ledger_url)
    try:
        for i, n in enumerate(notices):
            now = T0 + timedelta(seconds=i)
            claim = await ledger.claim(n, owner="w1", now=now, lease_seconds=60, to=PHONE)
            assert claim.attempt is not None
            receipt = Receipt(channel="mock", provider_id=f"p{i}", accepted_at=now)
            done = _delivered(n.idempotency_key, now, receipt)
            ended = AttemptEnd(claim.attempt, receipt=receipt)
            assert await ledger.finish(n, done, fence=claim.fence, ended=ended)
        assert (await ledger.verify_audit()).ok
    finally:
        await ledger.aclose()
    with raw_db(ledger_url) as db:
        second = db.one("SELECT prev_hash FROM audit WHERE seq = 2")
        assert second is not None
        db.x("DELETE FROM audit WHERE seq = 1")
        for name, value in (("audit_anchor_seq", "1"), ("audit_anchor_hash", second[0])):
            db.x("DELETE FROM ledger_meta WHERE name = ?", (name,))
            db.x("INSERT INTO ledger_meta (name, value) VALUES (?, ?)", (name, value))
    ledger = open_ledger(ledger_url)
    assert isinstance(ledger, SqlLedger)
    try:
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.unaudited) == (False, "unaudited", 1)
    assert f"notice {notices[0].idempotency_key} moved to delivered" in report.detail
