"""The hash chain of the audit trail, and its verification.

Each entry's hash covers the previous entry's hash, its time, event, key and (masked)
detail. The sequence number is *not* hashed: order is carried by the links alone, so a
verification can tell an entry that was edited (its own hash no longer matches) from
one that was deleted (a link points at nothing) or moved (a link points at an entry
elsewhere in the chain). The ledger also keeps the chain's head (last sequence number
and hash), so deleting the newest entries is caught too, and an anchor (the hash the
first kept entry links to) after a retention purge removed a prefix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .base import AuditEntry
from .durable import VerifyReport

if TYPE_CHECKING:
    from ..models import Notice, Outcome


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types that read back from JSON as they are (exactly these: a subclass such as a
``StrEnum`` reads back as its base type)."""


def normalize_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The detail as it will read back from storage (JSON types only)."""
    if all(type(k) is str and type(v) in _PLAIN for k, v in detail.items()):
        return dict(detail)  # flat and plain, like every outcome entry: no round trip
    out: dict[str, Any] = json.loads(json.dumps(dict(detail), default=str, ensure_ascii=False))
    return out


def outcome_detail(notice: Notice, outcome: Outcome) -> dict[str, Any]:
    """The ``outcome`` audit entry's detail: what was decided and why, with masked values
    only (the outcome's reason is masked when the outcome is built; no destination, no
    amount). Every ledger writes it from ``finish``, in the outcome's transaction."""
    return normalize_detail(
        {
            "status": outcome.status.value,
            "channel": outcome.channel,
            "kind": notice.kind.value,
            "role": notice.recipient.role.value,
            "rule": outcome.rule,
            "reason": outcome.reason,
            "attempts": outcome.attempts,
            "provider_code": outcome.provider_code,
            "until": outcome.until.isoformat() if outcome.until else None,
        }
    )


def entry_hash(
    prev_hash: str, at: datetime, event: str, key: str | None, detail: Mapping[str, Any]
) -> str:
    """The hash of one audit entry, chained to the previous entry's hash."""
    blob = _HASHED.encode([prev_hash, at.isoformat(), event, key, detail])
    return hashlib.sha256(blob.encode()).hexdigest()


_HASHED = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)
"""What ``json.dumps(..., sort_keys=True, default=str, ensure_ascii=False)`` builds on
every call, built once."""


def verify_chain(
    entries: Sequence[AuditEntry],
    *,
    anchor_hash: str = "",
    anchor_seq: int = 0,
    head: tuple[int, str] | None = None,
) -> VerifyReport:
    """Check ``entries`` (in sequence order) link up from the anchor to the head.

    Reports the first problem by 1-based position: ``edited`` (an entry's content does
    not match its hash, or it was re-hashed so its successor no longer links to it),
    ``deleted`` (an entry is missing before this position, or after the last one), or
    ``reordered`` (the entry links to an entry found elsewhere in the chain).
    """
    positions = {e.hash: i for i, e in enumerate(entries)}
    prev_hash, prev_seq = anchor_hash, anchor_seq
    for i, e in enumerate(entries):
        pos = i + 1
        if entry_hash(e.prev_hash, e.at, e.event, e.key, e.detail) != e.hash:
            return VerifyReport(
                False,
                len(entries),
                pos,
                e.seq,
                "edited",
                "the entry's content does not match its hash",
            )
        if e.prev_hash != prev_hash:
            elsewhere = positions.get(e.prev_hash)
            if elsewhere is not None and elsewhere != i - 1:
                return VerifyReport(
                    False,
                    len(entries),
                    pos,
                    e.seq,
                    "reordered",
                    f"it links to the entry at position {elsewhere + 1}",
                )
            if e.seq != prev_seq + 1:
                return VerifyReport(
                    False,
                    len(entries),
                    pos,
                    e.seq,
                    "deleted",
                    f"{e.seq - prev_seq - 1} entry(ies) missing before it",
                )
            if i == 0:
                return VerifyReport(
                    False,
                    len(entries),
                    pos,
                    e.seq,
                    "deleted",
                    "the first entry does not link to the chain's anchor",
                )
            return VerifyReport(
                False,
                len(entries),
                pos - 1,
                entries[i - 1].seq,
                "edited",
                "the entry was re-hashed: its successor no longer links to it",
            )
        prev_hash, prev_seq = e.hash, e.seq
    if head is not None and head != (prev_seq, prev_hash):
        if head[0] > prev_seq:
            return VerifyReport(
                False,
                len(entries),
                len(entries) + 1,
                prev_seq + 1,
                "deleted",
                f"{head[0] - prev_seq} entry(ies) missing after the last one",
            )
        return VerifyReport(
            False,
            len(entries),
            len(entries),
            prev_seq,
            "edited",
            "the last entry does not match the chain's recorded head",
        )
    return VerifyReport(True, len(entries))
