"""Signed audit checkpoints: a checkpoint altered, signed by an untrusted key or checked
with no trusted key is refused; a chain truncated after one is named; coarse marks
(more entries than marks) still bound the rewritten entry; a retention purge keeps older
checkpoints checkable; and ``notifysdk audit checkpoint / public-key / verify
--checkpoint`` do it from the command line, the files written 0600."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from audit_forge import forge, keys_with, open_keyed
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rawdb import raw_db
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.errors import ConfigurationError
from notifysdk.keys import AUDIT_ENV, MASTER_ENV, PSEUDONYM_ENV, KeySource, load_keys, new_key
from notifysdk.ledger import checkpoints
from notifysdk.ledger.checkpoints import (
    check_signature,
    make_checkpoint,
    parse_checkpoint,
    parse_public_key,
    public_key_pem,
    raw_public_key,
)
from notifysdk.ledger.retention import default_retention, retention_for
from notifysdk.models import Outcome, OutcomeStatus
from notifysdk.testing import sample_account, sample_notice

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LONG_AGO = datetime(2015, 3, 2, 2, 0, tzinfo=UTC)
"""Far enough back that a purge now may remove what was written then."""


def _signer() -> tuple[Ed25519PrivateKey, list[bytes]]:
    key = Ed25519PrivateKey.generate()
    return key, [raw_public_key(key.public_key())]


async def _filled(url: str, n: int, audit: bytes) -> None:
    ledger = open_keyed(url, keys_with(KeySource(audit)))
    try:
        for i in range(n):
            await ledger.audit("outcome", f"nk_{i}", {"n": i}, now=T0 + timedelta(seconds=i))
    finally:
        await ledger.aclose()


async def _checkpoint_and_verify(
    url: str, audit: bytes, signer: Ed25519PrivateKey, trusted: list[bytes]
) -> tuple[checkpoints.Checkpoint, object]:
    ledger = open_keyed(url, keys_with(KeySource(audit)))
    try:
        report, entries = await ledger.verified_entries()
        assert report.ok
        cp = make_checkpoint(entries, signer, now=T0)
        return cp, await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()


def test_an_altered_or_untrusted_checkpoint_is_refused() -> None:
    signer, trusted = _signer()
    from notifysdk.ledger.base import AuditEntry

    entries = [AuditEntry(i, T0, "e", None, {}, "", f"{i:064x}") for i in range(1, 4)]
    cp = make_checkpoint(entries, signer, now=T0)
    again = parse_checkpoint(cp.to_json(), "cp.json")
    assert again == cp and check_signature(again, trusted) is None
    bumped = json.loads(cp.to_json())
    bumped["seq"] = 2  # claims an earlier head
    why = check_signature(parse_checkpoint(json.dumps(bumped), "cp.json"), trusted)
    assert why is not None and "signature does not verify" in why
    other, other_trusted = _signer()
    resigned = make_checkpoint(entries, other, now=T0)  # a forger's own key
    why = check_signature(resigned, trusted)
    assert why is not None and "not a trusted one" in why
    assert check_signature(resigned, other_trusted) is None
    assert "give --public-key" in (check_signature(cp, []) or "")
    # a public key reads back from PEM and from the checkpoint's own base64
    assert parse_public_key(public_key_pem(signer).encode(), "pub") == trusted[0]
    assert parse_public_key(cp.public_key.encode(), "pub") == trusted[0]
    with pytest.raises(ConfigurationError, match="not a notifysdk audit checkpoint"):
        parse_checkpoint('{"format": "x"}', "cp.json")


async def test_a_truncated_chain_is_named(sqlite_url: str) -> None:
    audit = secrets.token_bytes(32)
    signer, trusted = _signer()
    await _filled(sqlite_url, 6, audit)
    cp, report = await _checkpoint_and_verify(sqlite_url, audit, signer, trusted)
    with raw_db(sqlite_url) as db:  # the last two entries deleted, the head moved back
        row = db.one("SELECT hash FROM audit WHERE seq = 4")
        assert row is not None
        db.x("DELETE FROM audit WHERE seq > 4")
        db.x("UPDATE ledger_meta SET value = '4' WHERE name = 'audit_head_seq'")
        db.x("UPDATE ledger_meta SET value = ? WHERE name = 'audit_head_hash'", (row[0],))
    ledger = open_keyed(sqlite_url, keys_with(KeySource(audit)))
    try:
        assert (await ledger.verify_audit()).ok  # the chain alone looks whole
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.position, report.seq) == (False, "deleted", 5, 5)
    assert "ends at seq 4" in report.detail


async def test_coarse_marks_bound_the_rewritten_entry(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "MAX_MARKS", 4)
    audit = secrets.token_bytes(32)
    signer, trusted = _signer()
    await _filled(sqlite_url, 20, audit)  # stride 5: marks at 1, 6, 11, 16 and the head
    cp, report = await _checkpoint_and_verify(sqlite_url, audit, signer, trusted)
    assert cp.stride == 5 and len(cp.marks) == 4
    forge(sqlite_url, 8, audit)
    ledger = open_keyed(sqlite_url, keys_with(KeySource(audit)))
    try:
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.seq) == (False, "rewritten", 11)
    assert "after seq 6 and up to this one" in report.detail


async def test_a_checkpoint_taken_before_a_purge_still_checks(sqlite_url: str) -> None:
    audit = secrets.token_bytes(32)
    keys = keys_with(KeySource(audit))
    signer, trusted = _signer()
    us = sample_notice(1, account=sample_account(1, profiles=("us-regf",)))
    cn = sample_notice(2)
    ledger = open_keyed(sqlite_url, keys)
    try:
        for n in (us, cn):
            outcome = Outcome(
                idempotency_key=n.idempotency_key,
                status=OutcomeStatus.DELIVERED,
                channel="mock",
                at=LONG_AGO,
            )
            await ledger.finish(n, outcome)
        for i in range(3):
            await ledger.audit("campaign", None, {"n": i}, now=LONG_AGO + timedelta(days=1000 + i))
        report, entries = await ledger.verified_entries()
        cp = make_checkpoint(entries, signer, now=LONG_AGO)
        now = LONG_AGO + timedelta(days=4 * 366)  # past the us floor: its outcome entry goes
        purged = await ledger.purge(now, retention_for(), default=default_retention())
        assert purged.audit_entries == 1
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
        assert report.ok, report
        assert "1 purged since (the last checked through the anchor)" in report.checkpoint
    finally:
        await ledger.aclose()
    forge(sqlite_url, 3, audit)  # a kept entry rewritten with the key after the purge
    ledger = open_keyed(sqlite_url, keys)
    try:
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.seq, report.position) == (
        False,
        "rewritten",
        3,
        2,  # the second entry of the chain as it is now
    )


async def test_recent_entries_deleted_as_if_purged_are_named(sqlite_url: str) -> None:
    # a key holder deletes the oldest entries and moves the anchor as a purge would: the
    # chain verifies from its new anchor, but the checkpoint's marks are too young to
    # have been purged
    audit = secrets.token_bytes(32)
    signer, trusted = _signer()
    await _filled(sqlite_url, 6, audit)  # written at T0 (2026): under any retention
    cp, report = await _checkpoint_and_verify(sqlite_url, audit, signer, trusted)
    with raw_db(sqlite_url) as db:
        third = db.one("SELECT hash FROM audit WHERE seq = 3")
        assert third is not None
        db.x("DELETE FROM audit WHERE seq <= 3")
        for name, value in (("audit_anchor_seq", "3"), ("audit_anchor_hash", third[0])):
            db.x("DELETE FROM ledger_meta WHERE name = ?", (name,))
            db.x("INSERT INTO ledger_meta (name, value) VALUES (?, ?)", (name, value))
    ledger = open_keyed(sqlite_url, keys_with(KeySource(audit)))
    try:
        assert (await ledger.verify_audit()).ok  # the chain alone looks purged
        report = await ledger.verify_audit(checkpoint=cp, trusted=trusted)
    finally:
        await ledger.aclose()
    assert (report.ok, report.problem, report.seq) == (False, "deleted", 1), report
    assert "no purge removes an entry younger than" in report.detail


@pytest.fixture
def key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The ledger's keys in the environment, the key folder (signing key) in tmp_path."""
    env = {MASTER_ENV: new_key(), PSEUDONYM_ENV: new_key(), AUDIT_ENV: new_key()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NOTIFYSDK_KEY_DIR", str(tmp_path / "keys"))
    yield env


async def test_the_cli_signs_and_checks_a_checkpoint(
    ledger_url: str, tmp_path: Path, key_env: dict[str, str]
) -> None:
    keys = load_keys(tmp_path / "keys", environ=key_env)
    ledger = open_keyed(ledger_url, keys)
    try:
        for i in range(8):
            await ledger.audit("outcome", f"nk_{i}", {"n": i}, now=T0 + timedelta(seconds=i))
    finally:
        await ledger.aclose()
    app, cli = get_app(), CliRunner()

    def run(*args: str) -> tuple[int, str]:
        r = cli.invoke(app, ["audit", *args, "--ledger", ledger_url])
        return r.exit_code, " ".join(r.output.split())

    old = os.umask(0)
    try:
        code, out = await asyncio.to_thread(run, "checkpoint", "--out", str(tmp_path / "cp.json"))
        assert code == 0, out
        r = await asyncio.to_thread(
            cli.invoke, app, ["audit", "public-key", "--out", str(tmp_path / "pub.pem")]
        )
        assert r.exit_code == 0, r.output
    finally:
        os.umask(old)
    for name in ("cp.json", "pub.pem", "keys/audit-signing.key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    cp = parse_checkpoint((tmp_path / "cp.json").read_text(), "cp.json")
    assert (cp.seq, cp.entries) == (8, 8)
    check = ("verify", "--checkpoint", str(tmp_path / "cp.json"))
    code, out = await asyncio.to_thread(run, *check, "--public-key", str(tmp_path / "pub.pem"))
    assert code == 0 and "8 marked entries match" in out, out

    forge(ledger_url, 5, keys.audit.current)  # with the audit key
    code, out = await asyncio.to_thread(run, "verify")
    assert code == 0, out  # the key alone cannot tell
    for extra in ((), ("--public-key", str(tmp_path / "pub.pem"))):
        code, out = await asyncio.to_thread(run, *check, *extra)
        assert code == 1 and "position 5 (seq 5) rewritten" in out, out
    code, out = await asyncio.to_thread(run, "checkpoint")  # re-signing a chain is fine:
    assert code == 0  # it verifies; the forgery predates this checkpoint, not the last

    stranger = tmp_path / "stranger.pem"
    stranger.write_text(public_key_pem(Ed25519PrivateKey.generate()))
    code, out = await asyncio.to_thread(run, *check, "--public-key", str(stranger))
    assert code == 1 and "checkpoint not trusted" in out, out

    forge(ledger_url, 6, None)  # without the key
    code, out = await asyncio.to_thread(run, "verify", "--json")
    assert code == 1 and json.loads(out)["position"] == 6
    code, out = await asyncio.to_thread(run, "checkpoint")
    assert code == 1 and "not signed" in out, out
