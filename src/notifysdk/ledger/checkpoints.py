"""Signed checkpoints of the audit chain: its head, vouched for outside the database.

An HMAC chain stops whoever can edit the database without the audit key. Whoever holds
that key too (or rewrites every entry as plain SHA-256) can re-hash the whole chain and
move its head. A checkpoint closes that: a JSON statement of the chain's head (sequence
number, hash, time, entry count) and of a sample of entry hashes (*marks*: every entry
for a chain of up to :data:`MAX_MARKS` entries, evenly spaced beyond), signed with the
Ed25519 checkpoint key (:meth:`notifysdk.keys.LedgerKeys.signing_key`) and kept where
the database's users cannot reach it. Verifying against it checks the signature (with
a public key the verifier trusts, not only the one the file carries), then that the
chain still holds every marked entry with its hash: a rewritten chain is named at its
first entry that differs (exactly, when every entry is marked; else between two marks).

A retention purge removes the chain's oldest entries as a prefix and moves the anchor;
marks of purged entries are counted, not failed (the purge's own ``audit_purged``
entry, keyed, says what went), and the mark on the anchor itself is checked against the
anchor hash the ledger keeps. Since no purge removes an entry younger than the shortest
legal retention (:data:`SHORTEST_RETENTION`), a marked entry gone with the prefix that
was written more recently was deleted, not purged: each mark carries its entry's time,
so a key holder cannot pass off the removal of recent entries as a purge.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from .base import AuditEntry
from .durable import VerifyReport
from .retention import MINIMUM_YEARS, YEAR

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

FORMAT = "notifysdk-audit-checkpoint/1"
"""The ``format`` field of every checkpoint this module writes and reads."""

MAX_MARKS = 4096
"""Entry hashes a checkpoint carries at most (about 160 kB of JSON)."""

MARK_HEX = 32
"""Hex digits kept of each marked hash (128 bits: no forger finds a second entry with
the same mark; the head's hash is kept whole)."""

SHORTEST_RETENTION = min(MINIMUM_YEARS.values()) * YEAR
"""No purge removes an audit entry younger than this (the shortest legal floor): a
purge measures retention from a notice's last activity, never before its entries."""

_DOMAIN = b"notifysdk audit checkpoint v1\n"
"""Signed before the payload, so a signature over anything else never passes for one."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the audit chain's head and a sample of its entries."""

    seq: int
    """The head's sequence number (``0``: the chain was empty)."""
    hash: str
    """The head's hash, whole."""
    at: str
    """The head entry's time (ISO 8601; empty for an empty chain)."""
    entries: int
    """Entries in the chain when the checkpoint was taken."""
    first_seq: int
    """The first entry's sequence number then (the first mark's)."""
    stride: int
    """Sequence numbers between two marks."""
    marks: tuple[str, ...]
    """The last :data:`MARK_HEX` hex digits of the hash of entries ``first_seq``,
    ``first_seq + stride``, ..."""
    mark_times: tuple[int, ...]
    """Each marked entry's time (Unix seconds)."""
    taken_at: str
    """When it was taken (ISO 8601)."""
    public_key: str
    """The Ed25519 public key that signed it (raw 32 bytes, urlsafe base64)."""
    signature: str = ""
    """Ed25519 signature of :meth:`signed_bytes` (urlsafe base64)."""

    @property
    def key_id(self) -> str:
        """A short public name of the signing key (16 hex digits of its SHA-256)."""
        return public_key_id(_b64d(self.public_key, "public_key"))

    def payload(self) -> dict[str, Any]:
        """Every signed field, as the JSON carries it."""
        return {
            "format": FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "stride": self.stride,
            "taken_at": self.taken_at,
            "public_key": self.public_key,
            "marks": list(self.marks),
            "mark_times": list(self.mark_times),
        }

    def signed_bytes(self) -> bytes:
        """What the signature covers: a domain tag and the canonical JSON payload."""
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        return _DOMAIN + canonical.encode("ascii")

    def to_json(self) -> str:
        """The checkpoint file's text."""
        data = self.payload()
        data["key_id"] = self.key_id  # for people; derived, so not signed
        data["signature"] = self.signature
        return json.dumps(data, indent=1) + "\n"

    def marked(self) -> list[tuple[int, str, int]]:
        """``(seq, expected hash tail, time)`` of every mark, then ``(seq, whole hash,
        time)`` of the head (instead of its mark), in sequence order."""
        out = [
            (self.first_seq + i * self.stride, m, t)
            for i, (m, t) in enumerate(zip(self.marks, self.mark_times, strict=True))
        ]
        if out and out[-1][0] == self.seq:
            out.pop()  # the head is checked whole instead
        if self.seq:
            out.append((self.seq, self.hash, int(datetime.fromisoformat(self.at).timestamp())))
        return out


def public_key_id(raw: bytes) -> str:
    """16 hex digits naming an Ed25519 public key (raw 32 bytes)."""
    return hashlib.sha256(raw).hexdigest()[:16]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of ``key``."""
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public half of ``key`` as PEM (SubjectPublicKeyInfo), for ``--public-key``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def parse_public_key(data: bytes, where: str) -> bytes:
    """The raw 32 bytes of an Ed25519 public key given as PEM or as urlsafe base64 of
    the raw bytes (what a checkpoint's ``public_key`` holds)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text)
        except (ValueError, TypeError):
            raise ConfigurationError(f"{where}: not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigurationError(f"{where}: not an Ed25519 public key")
        return raw_public_key(key)
    raw = _b64d(text.decode("ascii", "replace"), where)
    if len(raw) != 32:
        raise ConfigurationError(f"{where}: an Ed25519 public key is 32 bytes")
    return raw


def local_public_key(path: Path) -> bytes | None:
    """The raw public key of the Ed25519 signing key in the PEM file ``path``; ``None``
    when there is no such file (the key is never created here)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.exists():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        raise ConfigurationError(f"{path}: not a readable PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path}: not an Ed25519 key")
    return raw_public_key(key.public_key())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _b64d(text: str, where: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ConfigurationError(f"{where}: not urlsafe base64") from None


def _tail(digest: str) -> str:
    return digest[-MARK_HEX:]


def make_checkpoint(
    entries: Sequence[AuditEntry], signing_key: Ed25519PrivateKey, *, now: datetime
) -> Checkpoint:
    """Sign the head of ``entries`` (the whole chain, oldest first, already verified)."""
    n = len(entries)
    stride = max(1, -(-n // MAX_MARKS))
    head = entries[-1] if entries else None
    cp = Checkpoint(
        seq=head.seq if head else 0,
        hash=head.hash if head else "",
        at=head.at.isoformat() if head else "",
        entries=n,
        first_seq=entries[0].seq if entries else 0,
        stride=stride,
        marks=tuple(_tail(e.hash) for e in entries[::stride]),
        mark_times=tuple(int(e.at.timestamp()) for e in entries[::stride]),
        taken_at=now.isoformat(),
        public_key=_b64(raw_public_key(signing_key.public_key())),
    )
    return replace(cp, signature=_b64(signing_key.sign(cp.signed_bytes())))


def parse_checkpoint(text: str | bytes, where: str) -> Checkpoint:
    """Read a checkpoint file's text; a :class:`ConfigurationError` naming ``where``
    when it is not one (the signature is checked by :func:`check_checkpoint`)."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ConfigurationError(f"{where}: not JSON") from None
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ConfigurationError(f"{where}: not a notifysdk audit checkpoint ({FORMAT})")

    def field_of(name: str, kind: type) -> Any:
        value = data.get(name)
        if type(value) is not kind:
            raise ConfigurationError(f"{where}: {name} must be a {kind.__name__}")
        return value

    marks = data.get("marks")
    if not isinstance(marks, list) or not all(type(m) is str for m in marks):
        raise ConfigurationError(f"{where}: marks must be a list of strings")
    times = data.get("mark_times")
    if not isinstance(times, list) or not all(type(t) is int for t in times):
        raise ConfigurationError(f"{where}: mark_times must be a list of integers")
    if len(times) != len(marks):
        raise ConfigurationError(f"{where}: one mark time per mark")
    cp = Checkpoint(
        seq=field_of("seq", int),
        hash=field_of("hash", str),
        at=field_of("at", str),
        entries=field_of("entries", int),
        first_seq=field_of("first_seq", int),
        stride=field_of("stride", int),
        marks=tuple(marks),
        mark_times=tuple(times),
        taken_at=field_of("taken_at", str),
        public_key=field_of("public_key", str),
        signature=field_of("signature", str),
    )
    if cp.stride < 1:
        raise ConfigurationError(f"{where}: stride must be at least 1")
    return cp


def check_signature(cp: Checkpoint, trusted: Sequence[bytes]) -> str | None:
    """Why ``cp`` cannot be trusted (its key is not one of ``trusted``, raw public keys,
    or its signature does not verify); ``None`` when it can."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not trusted:
        return "no trusted public key to check it with (give --public-key)"
    raw = _b64d(cp.public_key, "public_key")
    if not any(hmac.compare_digest(raw, t) for t in trusted):
        ids = ", ".join(public_key_id(t) for t in trusted)
        return f"signed by key {public_key_id(raw)}, not a trusted one ({ids})"
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(
            _b64d(cp.signature, "signature"), cp.signed_bytes()
        )
    except (InvalidSignature, ValueError):
        return "its signature does not verify: the checkpoint was altered"
    return None


def check_checkpoint(
    cp: Checkpoint,
    entries: Sequence[AuditEntry],
    report: VerifyReport,
    *,
    trusted: Sequence[bytes],
    anchor_seq: int = 0,
    anchor_hash: str = "",
    now: datetime | None = None,
) -> VerifyReport:
    """``report`` (the chain's own verification) with what ``cp`` adds: a failure
    naming the first entry that differs from the checkpoint, or the problem with the
    checkpoint itself; on success ``report.checkpoint`` says what it vouched for.
    ``now`` (default: the current time): the verifier's time, against which a marked
    entry gone with a purged prefix must be older than :data:`SHORTEST_RETENTION`."""
    when = f"checkpoint {cp.key_id} of seq {cp.seq} taken {cp.taken_at}"
    why = check_signature(cp, trusted)
    if why is not None:
        return replace(report, ok=False, problem="checkpoint", detail=f"{when}: {why}")
    positions = {e.seq: i for i, e in enumerate(entries)}
    last_seq = entries[-1].seq if entries else anchor_seq
    good: int | None = None
    purged = checked = 0
    anchored = False
    young = ((now or datetime.now(UTC)) - SHORTEST_RETENTION).timestamp()
    for seq, expected, at in cp.marked():
        if seq <= anchor_seq and at > young:
            written = datetime.fromtimestamp(at, UTC).isoformat()
            return replace(
                report,
                ok=False,
                position=None,
                seq=seq,
                problem="deleted",
                detail=f"{when}: the entry (written {written}) went with the purged prefix, "
                f"but no purge removes an entry younger than {SHORTEST_RETENTION.days} days: "
                "it was deleted",
            )
        if seq < anchor_seq:
            purged += 1
            continue
        if seq == anchor_seq:  # purged, but the anchor keeps its hash
            purged += 1
            anchored = True
            actual: str | None = anchor_hash
            pos: int | None = None
        else:
            i = positions.get(seq)
            actual = None if i is None else entries[i].hash
            pos = None if i is None else i + 1
        if actual is None:
            gone = seq > last_seq
            return replace(
                report,
                ok=False,
                position=len(entries) + 1 if gone else None,
                seq=seq,
                problem="deleted",
                detail=f"{when}: the chain "
                + (f"ends at seq {last_seq}" if gone else "has no entry with this seq")
                + f", the checkpoint saw seq {seq}",
            )
        same = actual == expected if len(expected) > MARK_HEX else _tail(actual) == expected
        if not same:
            where = (
                "this entry differs"
                if (good is None and seq == cp.first_seq) or good == seq - 1
                else f"an entry after seq {good if good is not None else cp.first_seq - 1} "
                f"and up to this one differs"
            )
            return replace(
                report,
                ok=False,
                position=pos,
                seq=seq,
                problem="rewritten",
                detail=f"{when}: {where} from the checkpoint's hash; the chain was "
                "rewritten and re-hashed from there",
            )
        good = seq
        checked += seq != anchor_seq
    note = f"{when}: {checked} marked entries match"
    if purged:
        note += f", {purged} purged since"
        note += " (the last checked through the anchor)" if anchored else ""
    return replace(report, checkpoint=note)
