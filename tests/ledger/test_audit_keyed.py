"""The keyed audit chain (issue 15): an entry edited in the database and the chain
re-hashed and its head moved is caught by ``audit verify`` unless the forger holds the
audit key; with the key, a signed checkpoint taken before the forgery catches it, naming
the edited entry. On SQLite and PostgreSQL. Entries written before the ledger had a key
still verify, as a prefix the first keyed entry seals."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from audit_forge import forge, keys_with, open_keyed
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from notifysdk.errors import ConfigurationError
from notifysdk.keys import KeySource
from notifysdk.ledger.audit import KEYED, audit_key_id, verify_chain
from notifysdk.ledger.checkpoints import make_checkpoint, raw_public_key
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.sql import SqlLedger

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ENTRIES = 9
EDITED = 5


async def _fill(ledger: SqlLedger, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        await ledger.audit(
            "outcome", f"nk_{i}", {"status": "delivered", "n": i}, now=T0 + timedelta(seconds=i)
        )


@pytest.mark.parametrize("forger", ["plain", "own_key", "guessed_key"])
async def test_a_forger_without_the_key_is_named_at_the_edited_entry(
    ledger_url: str, forger: str
) -> None:
    key = secrets.token_bytes(32)
    keys = keys_with(KeySource(key))
    ledger = open_keyed(ledger_url, keys)
    try:
        await _fill(ledger, ENTRIES)
        entries = list(await ledger.audit_entries())
        assert all(e.hash.startswith(f"{KEYED}{audit_key_id(key)}:") for e in entries)
        report = await ledger.verify_audit()
        assert (report.ok, report.keyed_from, report.unkeyed) == (True, 1, 0)
    finally:
        await ledger.aclose()

    if forger == "plain":
        forge(ledger_url, EDITED, None)
    elif forger == "own_key":
        forge(ledger_url, EDITED, secrets.token_bytes(32))
    else:  # a guessed key, written under the real key's id
        forge(ledger_url, EDITED, secrets.token_bytes(32), claim_id=audit_key_id(key))

    ledger = open_keyed(ledger_url, keys)
    try:
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert (report.ok, report.position, report.seq) == (False, EDITED, EDITED), report
    expected = {"plain": "edited", "own_key": "unknown_key", "guessed_key": "edited"}[forger]
    assert report.problem == expected, report.detail


async def test_a_forger_with_the_key_is_caught_by_a_checkpoint(ledger_url: str) -> None:
    key = secrets.token_bytes(32)
    keys = keys_with(KeySource(key))
    signer = Ed25519PrivateKey.generate()
    trusted = [raw_public_key(signer.public_key())]
    ledger = open_keyed(ledger_url, keys)
    try:
        await _fill(ledger, ENTRIES)
        report, entries = await ledger.verified_entries()
        assert report.ok
        cp = make_checkpoint(entries, signer, now=T0 + timedelta(hours=1))
        await _fill(ledger, 2, start=ENTRIES)  # the chain goes on after the checkpoint
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
        assert report.ok and f"{ENTRIES} marked entries match" in report.checkpoint
    finally:
        await ledger.aclose()

    forge(ledger_url, EDITED, key)  # the forger holds the HMAC key

    ledger = open_keyed(ledger_url, keys)
    try:
        alone = await ledger.verify_audit()
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()
    assert alone.ok  # what the key alone cannot see
    assert (report.ok, report.problem) == (False, "rewritten"), report
    assert (report.position, report.seq) == (EDITED, EDITED)
    assert "this entry differs" in report.detail


async def test_entries_from_before_the_key_verify_and_are_sealed(ledger_url: str) -> None:
    key = secrets.token_bytes(32)
    keys = keys_with(KeySource(key))
    ledger = open_keyed(ledger_url, None)  # a ledger from before keys
    try:
        await _fill(ledger, 3)
    finally:
        await ledger.aclose()
    ledger = open_keyed(ledger_url, keys)
    try:
        await _fill(ledger, 3, start=3)
        entries = list(await ledger.audit_entries())
        assert [e.hash.startswith(KEYED) for e in entries] == [False] * 3 + [True] * 3
        report = await ledger.verify_audit()
        assert (report.ok, report.keyed_from, report.unkeyed) == (True, 4, 3)
    finally:
        await ledger.aclose()

    signer = Ed25519PrivateKey.generate()
    cp = make_checkpoint(entries, signer, now=T0 + timedelta(hours=1))

    # an old entry edited and the plain ones after it re-hashed: the first keyed entry's
    # HMAC covers its predecessor's hash, which the forger cannot re-compute
    forge(ledger_url, 2, None, upto=3)
    ledger = open_keyed(ledger_url, keys)
    try:
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.position) == (False, "edited", 3), report
    assert "successor no longer links" in report.detail

    # the whole chain re-hashed plain reads as a ledger that never had a key: keyed_from
    # says so, and a checkpoint names the first entry changed
    forge(ledger_url, 2, None)
    ledger = open_keyed(ledger_url, keys)
    try:
        alone = await ledger.verify_audit()
        report = await ledger.verify_audit(
            checkpoint=cp, trusted=[raw_public_key(signer.public_key())]
        )
    finally:
        await ledger.aclose()
    assert (alone.ok, alone.keyed_from, alone.unkeyed) == (True, None, 6)
    assert (report.ok, report.problem, report.position) == (False, "rewritten", 2)


async def test_a_rotated_key_keeps_old_entries_verifiable(ledger_url: str) -> None:
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    ledger = open_keyed(ledger_url, keys_with(KeySource(old)))
    try:
        await _fill(ledger, 3)
    finally:
        await ledger.aclose()
    rotated = keys_with(KeySource(new, (old,)))
    ledger = open_keyed(ledger_url, rotated)
    try:
        await _fill(ledger, 3, start=3)
        ids = [e.hash.split(":")[1] for e in await ledger.audit_entries()]
        assert ids == [audit_key_id(old)] * 3 + [audit_key_id(new)] * 3
        assert (await ledger.verify_audit()).ok
    finally:
        await ledger.aclose()
    ledger = open_keyed(ledger_url, keys_with(KeySource(new)))  # the old key dropped
    try:
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.position) == (False, "unknown_key", 1)
    assert audit_key_id(old) in report.detail


async def test_a_keyed_chain_refuses_a_plain_or_foreign_entry(sqlite_url: str) -> None:
    key = secrets.token_bytes(32)
    ledger = open_keyed(sqlite_url, keys_with(KeySource(key)))
    try:
        await _fill(ledger, 2)
    finally:
        await ledger.aclose()
    for keys, why in (
        (None, "open the ledger with its audit key"),
        (keys_with(KeySource(secrets.token_bytes(32))), "nor a retired one"),
    ):
        ledger = open_keyed(sqlite_url, keys)
        try:
            with pytest.raises(ConfigurationError, match=why):
                await _fill(ledger, 1, start=2)
        finally:
            await ledger.aclose()
    ledger = open_keyed(sqlite_url, keys_with(KeySource(key)))
    try:
        report = await ledger.verify_audit()  # nothing was appended
        assert (report.ok, report.entries) == (True, 2)
    finally:
        await ledger.aclose()


async def test_the_memory_ledger_keys_its_chain_too() -> None:
    key = secrets.token_bytes(32)
    ledger = MemoryLedger()
    ledger.audit_key = KeySource(key)
    await ledger.audit("campaign", None, {"n": 1}, now=T0)
    await ledger.audit("campaign", None, {"n": 2}, now=T0)
    entries = list(await ledger.audit_entries())
    assert verify_chain(entries, audit_keys=[key]).ok
    assert verify_chain(entries).problem == "unknown_key"
    ledger.audit_key = None
    with pytest.raises(ConfigurationError, match="audit chain is keyed"):
        await ledger.audit("campaign", None, {"n": 3}, now=T0)
