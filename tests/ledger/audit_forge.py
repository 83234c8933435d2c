"""What a forger does to a durable ledger's audit chain, past the ledger: edit one entry
and re-hash it and every later one (plain SHA-256, with a key of their own, or with the
ledger's real audit key), then move the recorded head so the links all check out."""

from __future__ import annotations

import json
from dataclasses import replace

from rawdb import raw_db

from notifysdk.dispatcher import open_ledger
from notifysdk.keys import KeySource, LedgerKeys, ephemeral_keys
from notifysdk.ledger.audit import KEYED, entry_hash
from notifysdk.ledger.schema import from_us
from notifysdk.ledger.sql import SqlLedger


def keys_with(audit: KeySource) -> LedgerKeys:
    """Keys for a test ledger: fresh master and pseudonym keys, the given audit key."""
    return replace(ephemeral_keys(), audit=audit)


def open_keyed(url: str, keys: LedgerKeys | None) -> SqlLedger:
    """The ledger at ``url`` keyed with ``keys`` (``None``: no audit key, as a ledger
    written before keys existed)."""
    ledger = open_ledger(url)
    assert isinstance(ledger, SqlLedger)
    use_keys = getattr(ledger, "use_keys", None)
    if keys is not None and use_keys is not None:
        use_keys(keys)
    elif keys is not None:
        ledger.audit_key = keys.audit
    return ledger


def forge(
    url: str,
    seq: int,
    forger_key: bytes | None,
    *,
    claim_id: str | None = None,
    upto: int | None = None,
) -> None:
    """Change entry ``seq``'s detail, re-hash it and every later entry (up to ``upto``)
    with ``forger_key`` (``None``: plain SHA-256; ``claim_id``: written under that key
    id, as a forger guessing the key would) and, when it re-hashed up to the last, move
    the head to the new last hash."""
    with raw_db(url) as db:
        rows = db.all(
            "SELECT seq, at, event, key, detail_json, prev_hash FROM audit "
            "WHERE seq >= ? AND seq <= ? ORDER BY seq",
            (seq, upto if upto is not None else 1 << 62),
        )
        assert rows and int(rows[0][0]) == seq
        prev: str | None = None
        for s, at, event, key, detail_json, prev_hash in rows:
            detail = json.loads(detail_json)
            if int(s) == seq:
                detail["status"] = "blocked"  # the edit
            link = str(prev_hash) if prev is None else prev
            digest = entry_hash(link, from_us(at), event, key, detail, forger_key)
            if claim_id is not None:
                digest = f"{KEYED}{claim_id}:{digest.rsplit(':', 1)[1]}"
            db.x(
                "UPDATE audit SET detail_json = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (json.dumps(detail, ensure_ascii=False), link, digest, s),
            )
            prev = digest
        if upto is None:
            db.x("UPDATE ledger_meta SET value = ? WHERE name = 'audit_head_hash'", (prev,))
