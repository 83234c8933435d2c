"""The hash chain of the audit trail, and its verification.

Each entry's hash covers the previous entry's hash, its time, event, key and (masked)
detail. With the audit key (:attr:`notifysdk.keys.LedgerKeys.audit`, kept outside the
database) the hash is an HMAC-SHA256 written ``h1:<key id>:<hex>``, so whoever can edit
the database but does not hold the key cannot re-hash the chain after an edit. Entries
written before the ledger had a key keep their plain SHA-256 hash (64 hex digits) and
still verify: they are not re-hashed with the key, since that would bless whatever was
done to them before (the first keyed entry's HMAC covers its predecessor's hash, which
seals the unkeyed prefix from then on). A plain entry after a keyed one is a chain
re-hashed without the key, reported as ``edited``. The key id names which key (current
or retired) an entry was made with, so a rotation keeps old entries verifiable.

Against whoever holds the HMAC key too (or rewrites the whole chain as plain SHA-256),
signed checkpoints (:mod:`notifysdk.ledger.checkpoints`) anchor the chain outside the
database.

The sequence number is *not* hashed: order is carried by the links alone, so a
verification can tell an entry that was edited (its own hash no longer matches) from
one that was deleted (a link points at nothing) or moved (a link points at an entry
elsewhere in the chain). The ledger also keeps the chain's head (last sequence number
and hash), so deleting the newest entries is caught too, and an anchor (the hash the
first kept entry links to) after a retention purge removed a prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from .base import AuditEntry
from .durable import VerifyReport

if TYPE_CHECKING:
    from ..keys import KeySource
    from ..models import Notice, Outcome


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types that read back from JSON as they are (exactly these: a subclass such as a
``StrEnum`` reads back as its base type)."""


def normalize_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The detail as it will read back from storage (JSON types only)."""
    if _flat_and_plain(detail):
        return dict(detail)  # flat and plain, like every outcome entry: no round trip
    out: dict[str, Any] = json.loads(json.dumps(dict(detail), default=str, ensure_ascii=False))
    return out


def _flat_and_plain(detail: Mapping[str, Any]) -> bool:
    plain = _PLAIN
    # a loop, not all() over a generator: asked of every entry (a generator per call)
    for k, v in detail.items():  # noqa: SIM110
        if type(k) is not str or type(v) not in plain:
            return False
    return True


def outcome_detail(notice: Notice, outcome: Outcome) -> dict[str, Any]:
    """The ``outcome`` audit entry's detail: what was decided and why, with masked values
    only (the outcome's reason and a restriction's reason are masked when the outcome is
    built; no destination, no amount). Every ledger writes it from ``finish``, in the
    outcome's transaction."""
    until = outcome.until
    # _value_: the str .value returns, without the enum property's descriptor
    detail: dict[str, Any] = {
        "status": outcome.status._value_,
        "channel": outcome.channel,
        "kind": notice.kind._value_,
        "role": notice.recipient.role._value_,
        "rule": outcome.rule,
        "reason": outcome.reason,
        "attempts": outcome.attempts,
        "provider_code": outcome.provider_code,
        "until": until.isoformat() if until else None,
    }
    restriction = outcome.restriction
    if restriction is not None:  # the variant sent instead, and which rule chose it
        detail["restriction"] = restriction.model_dump(mode="json")
    elif _flat_and_plain(detail):
        return detail  # what normalize_detail returns, without copying a dict built here
    return normalize_detail(detail)


KEYED = "h1:"
"""Prefix of a keyed entry's hash: ``h1:<8-hex key id>:<64-hex HMAC-SHA256>``."""


@lru_cache(maxsize=16)
def audit_key_id(key: bytes) -> str:
    """The public name of an audit key, as keyed hashes carry it (8 hex digits)."""
    from ..keys import key_id

    return key_id(key)


def entry_hash(
    prev_hash: str,
    at: datetime,
    event: str,
    key: str | None,
    detail: Mapping[str, Any],
    audit_key: bytes | None = None,
) -> str:
    """The hash of one audit entry, chained to the previous entry's hash: an
    HMAC-SHA256 with ``audit_key`` (``h1:<key id>:<hex>``), plain SHA-256 without."""
    return link_hash(prev_hash, hashed_rest(at, event, key, detail), audit_key)


def hashed_rest(at: datetime, event: str, key: str | None, detail: Mapping[str, Any]) -> str:
    """What an entry's hash covers besides its link to the previous entry, serialised:
    computed before the chain's head is known (outside the audit lock), and joined to
    the link by :func:`link_hash`. ``"[" + link + ", " + rest`` is exactly the JSON of
    ``[prev_hash, at, event, key, detail]`` the hash has always covered."""
    return hashed_rest_at(at.isoformat(), event, key, detail)


def hashed_rest_at(at_iso: str, event: str, key: str | None, detail: Mapping[str, Any]) -> str:
    """:func:`hashed_rest` of an entry whose time the caller has written out already
    (``at.isoformat()``): a ledger that stores the same instant as text elsewhere in the
    transaction formats it once."""
    if type(detail) is dict and type(at_iso) is str and type(event) is str:
        items = _cacheable(detail)
        if items is not None:
            # The JSON of [at_iso, event, key, detail] written piece by piece: the same
            # separators, the strings escaped by the same function, the detail's text
            # kept per content (most entries of a run carry the same few details).
            encode = _STRING
            key_json = "null" if key is None else encode(key) if type(key) is str else None
            if key_json is not None:
                return f"{encode(at_iso)}, {encode(event)}, {key_json}, {_detail_json(items)}]"
    return _HASHED.encode([at_iso, event, key, detail])[1:]


_CACHED_VALUES = frozenset({str, int, type(None)})
"""The value types whose equal values always serialise alike (not ``bool`` or
``float``: ``True == 1``, ``-0.0 == 0.0`` and ``1.0 == 1`` are equal keys with other
JSON)."""


def _cacheable(detail: dict[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    """``detail``'s items as a key of :func:`_detail_json`, or ``None`` when a key is not
    exactly ``str`` or a value's type is not one of :data:`_CACHED_VALUES` (so that equal
    keys stand for details with the same JSON)."""
    cached = _CACHED_VALUES
    for k, v in detail.items():
        if type(k) is not str or type(v) not in cached:
            return None
    return tuple(detail.items())


@lru_cache(maxsize=256)
def _detail_json(items: tuple[tuple[str, Any], ...]) -> str:
    """The JSON :data:`_HASHED` writes of the flat detail whose items are ``items``."""
    return _HASHED.encode(dict(items))


def link_hash(prev_hash: str, rest: str, audit_key: bytes | None = None) -> str:
    """The hash of the entry whose content :func:`hashed_rest` serialised as ``rest``,
    linked to ``prev_hash`` (see :func:`entry_hash`)."""
    link = _STRING(prev_hash) if type(prev_hash) is str else _HASHED.encode(prev_hash)
    blob = f"[{link}, {rest}".encode()
    if audit_key is None:
        return hashlib.sha256(blob).hexdigest()
    return f"{KEYED}{audit_key_id(audit_key)}:{hmac.digest(audit_key, blob, 'sha256').hex()}"


def hash_key_id(digest: str) -> str | None:
    """The key id a keyed hash names; ``None`` for a plain SHA-256 hash."""
    if not digest.startswith(KEYED):
        return None
    return digest[len(KEYED) : len(KEYED) + 8]


def append_key(head_hash: str, audit: KeySource | None) -> bytes | None:
    """The key the entry after ``head_hash`` is hashed with (``None``: plain SHA-256).

    Refuses (:class:`~notifysdk.errors.ConfigurationError`) what would break the chain
    for every later verification: a plain entry after a keyed one (the ledger opened
    without its audit key), or an entry keyed with a key that is not the one the head
    was keyed with nor keeps it as retired (the wrong key configured)."""
    kid = hash_key_id(head_hash)
    if kid is None:
        return audit.current if audit else None
    if audit is None:
        raise ConfigurationError(
            f"the audit chain is keyed (key {kid}): open the ledger with its audit key "
            "(NOTIFYSDK_AUDIT_KEY or the audit.key file)"
        )
    if all(audit_key_id(k) != kid for k in audit.all):
        raise ConfigurationError(
            f"the audit chain's last entry is keyed with audit key {kid}, not with this "
            f"ledger's ({audit_key_id(audit.current)}) nor a retired one: configure the "
            "right key (when rotating, keep the old key as a retired one)"
        )
    return audit.current


def rehash_like(
    like: str,
    prev_hash: str,
    at: datetime,
    event: str,
    key: str | None,
    detail: Mapping[str, Any],
    audit_keys: Sequence[bytes] = (),
) -> str:
    """The hash an entry hashed as ``like`` was would have with this content: keyed
    with the key ``like`` names (one of ``audit_keys``), plain when ``like`` is plain
    (what a forger holding the keys, or a test playing one, computes)."""
    wanted = hash_key_id(like)
    if wanted is None:
        return entry_hash(prev_hash, at, event, key, detail)
    for k in audit_keys:
        if audit_key_id(k) == wanted:
            return entry_hash(prev_hash, at, event, key, detail, k)
    raise KeyError(f"no audit key with id {wanted}")


_HASHED = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)
"""What ``json.dumps(..., sort_keys=True, default=str, ensure_ascii=False)`` builds on
every call, built once."""

_STRING = encode_basestring
"""What :data:`_HASHED` writes of a ``str`` (its ``encode`` answers a string with this
function, ``ensure_ascii`` being off), called without the method around it."""


def verify_chain(
    entries: Sequence[AuditEntry],
    *,
    anchor_hash: str = "",
    anchor_seq: int = 0,
    head: tuple[int, str] | None = None,
    audit_keys: Sequence[bytes] = (),
) -> VerifyReport:
    """Check ``entries`` (in sequence order) link up from the anchor to the head.

    Keyed entries are checked with whichever of ``audit_keys`` (current and retired)
    their key id names. Reports the first problem by 1-based position: ``edited`` (an
    entry's content does not match its hash, a plain entry follows keyed ones, or it was
    re-hashed so its successor no longer links to it), ``unknown_key`` (keyed with a key
    the verifier does not hold), ``deleted`` (an entry is missing before this position,
    or after the last one), or ``reordered`` (the entry links to an entry found
    elsewhere in the chain). An intact chain's report says where keyed entries begin
    (``keyed_from``) and how many plain ones precede them (``unkeyed``).
    """
    by_id = {audit_key_id(k): k for k in reversed(audit_keys)}
    positions = {e.hash: i for i, e in enumerate(entries)}
    prev_hash, prev_seq = anchor_hash, anchor_seq
    keyed_from: int | None = None
    n = len(entries)
    for i, e in enumerate(entries):
        pos = i + 1
        kid = hash_key_id(e.hash)
        if kid is None:
            if keyed_from is not None:
                return VerifyReport(
                    False,
                    n,
                    pos,
                    e.seq,
                    "edited",
                    f"a plain SHA-256 entry after keyed ones (keyed from seq {keyed_from}): "
                    "the chain was re-hashed without the audit key",
                )
            expected = entry_hash(e.prev_hash, e.at, e.event, e.key, e.detail)
        else:
            audit_key = by_id.get(kid)
            if audit_key is None:
                held = ", ".join(sorted(by_id)) or "none"
                return VerifyReport(
                    False,
                    n,
                    pos,
                    e.seq,
                    "unknown_key",
                    f"keyed with audit key {kid}, which this verifier does not hold "
                    f"(held: {held}): forged, or written with a key since dropped",
                )
            if keyed_from is None:
                keyed_from = e.seq
            expected = entry_hash(e.prev_hash, e.at, e.event, e.key, e.detail, audit_key)
        if not hmac.compare_digest(expected, e.hash):
            return VerifyReport(
                False,
                n,
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
                    n,
                    pos,
                    e.seq,
                    "reordered",
                    f"it links to the entry at position {elsewhere + 1}",
                )
            if e.seq != prev_seq + 1:
                return VerifyReport(
                    False,
                    n,
                    pos,
                    e.seq,
                    "deleted",
                    f"{e.seq - prev_seq - 1} entry(ies) missing before it",
                )
            if i == 0:
                return VerifyReport(
                    False,
                    n,
                    pos,
                    e.seq,
                    "deleted",
                    "the first entry does not link to the chain's anchor",
                )
            return VerifyReport(
                False,
                n,
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
                n,
                n + 1,
                prev_seq + 1,
                "deleted",
                f"{head[0] - prev_seq} entry(ies) missing after the last one",
            )
        return VerifyReport(
            False,
            n,
            n,
            prev_seq,
            "edited",
            "the last entry does not match the chain's recorded head",
        )
    unkeyed = n if keyed_from is None else sum(1 for e in entries if e.seq < keyed_from)
    return VerifyReport(True, n, keyed_from=keyed_from, unkeyed=unkeyed)
