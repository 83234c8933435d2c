"""``audit verify`` catches an edited, a deleted and a reordered entry by position, and
the purge removes only a prefix past retention so the rest still verifies."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.errors import ConfigurationError
from notifysdk.ledger.audit import verify_chain
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.retention import YEAR, default_retention, retention_for
from notifysdk.ledger.sql import SqlLedger
from notifysdk.ledger.sqlite import SqliteLedger
from notifysdk.models import Outcome, OutcomeStatus
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
        await ledger.finish(n, outcome)
        await ledger.audit(
            "outcome", n.idempotency_key, {"status": "delivered"}, now=fake_clock.now()
        )
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
