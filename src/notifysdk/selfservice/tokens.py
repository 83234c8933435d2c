"""Signed links: a token per notice that opens the self-service page.

A token names one notice (its idempotency key), one purpose (:class:`Purpose`: the page,
or the email's one-click unsubscribe) and the last day it works; nothing else, and no
personal data. It is sealed with AES-SIV (RFC 5297) under a subkey of the self-service
key (:mod:`notifysdk.selfservice.keys`, outside the database): the synthetic IV is a
CMAC over the contents, so a token cannot be forged or altered (it is signed), and the
key inside cannot be read from it (a caller's idempotency key may say more than the
SDK's ``nk_`` hashes do). Sealing is deterministic: the same notice rendered twice the
same day carries the same link, so a retry sends the same text.

Layout (before sealing): one byte ``version << 4 | purpose << 1 | compact``, two bytes
of the last valid day (days since 1970-01-01, UTC), then the key (16 bytes for an
``nk_`` + 32 hex key when ``compact``, else its UTF-8). 47 URL-safe characters for
an SDK key.

A notice's links are revoked (every purpose) by :func:`revoke`, which writes to the
ledger's contact log under the notice's keyed scope; :func:`open_token` refuses a
revoked, expired, forged or wrong-purpose token with a :class:`TokenError` whose
``reason`` says which (the page shows a clear page for each, and changes nothing).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum

from cryptography.exceptions import InvalidTag

from ..compliance.scopes import pseudonym, scope
from ..ledger.base import Ledger
from .keys import SelfServiceKeys

__all__ = [
    "LinkToken",
    "Purpose",
    "TokenError",
    "is_revoked",
    "issue",
    "open_token",
    "revoke",
]

VERSION = 1
_AD = [b"notifysdk self-service"]
_EPOCH_DAY = date(1970, 1, 1)
_COMPACT = re.compile(r"nk_[0-9a-f]{32}")
MAX_TOKEN_CHARS = 400
"""A longer path segment is refused before any work."""
REVOKED = "selfservice.revoked"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Purpose(IntEnum):
    """What a token may be used for (one purpose per token)."""

    PAGE = 1
    """The self-service page: verify, see, choose a plan, dispute, preferences."""
    UNSUBSCRIBE = 2
    """The email's one-click unsubscribe (RFC 8058): opt out of email, nothing else."""


class TokenError(Exception):
    """A token that does not open: ``reason`` is ``malformed``, ``forged``,
    ``expired``, ``revoked`` or ``wrong_purpose`` (never a value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkToken:
    """What an opened token says."""

    key: str
    """The notice's idempotency key."""
    purpose: Purpose
    last_day: date
    """The last UTC day the token works."""

    @property
    def expires_at(self) -> datetime:
        """The first instant it no longer works."""
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), UTC)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(keys: SelfServiceKeys, key: str, purpose: Purpose, *, now: datetime, days: int) -> str:
    """The token for notice ``key``: valid for ``purpose`` until the end of the UTC day
    ``days`` after ``now``."""
    last = (now.astimezone(UTC) + timedelta(days=days)).date()
    compact = _COMPACT.fullmatch(key) is not None
    head = struct.pack(">BH", VERSION << 4 | int(purpose) << 1 | compact, (last - _EPOCH_DAY).days)
    body = bytes.fromhex(key[3:]) if compact else key.encode("utf-8")
    return _b64(keys.sealers[0].encrypt(head + body, _AD))


def open_token(keys: SelfServiceKeys, token: str, purpose: Purpose, *, now: datetime) -> LinkToken:
    """What ``token`` says, when it is well-formed, sealed under a current or retired
    key, unexpired at ``now`` and for ``purpose``; else :class:`TokenError`. Revocation
    is checked apart (:func:`is_revoked`: it reads the ledger)."""
    if not token or len(token) > MAX_TOKEN_CHARS or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise TokenError("malformed")
    try:
        sealed = _unb64(token)
    except (binascii.Error, ValueError):
        raise TokenError("malformed") from None
    if len(sealed) < 16 + 3:
        raise TokenError("malformed")
    for sealer in keys.sealers:
        try:
            plain = sealer.decrypt(sealed, _AD)
        except InvalidTag:
            continue
        break
    else:
        raise TokenError("forged")
    flags, days = struct.unpack(">BH", plain[:3])
    if flags >> 4 != VERSION:
        raise TokenError("malformed")
    try:
        found = Purpose((flags >> 1) & 0b111)
    except ValueError:
        raise TokenError("malformed") from None
    body = plain[3:]
    key = "nk_" + body.hex() if flags & 1 else body.decode("utf-8", "replace")
    link = LinkToken(key, found, _EPOCH_DAY + timedelta(days=days))
    if now >= link.expires_at:
        raise TokenError("expired")
    if found is not purpose:
        raise TokenError("wrong_purpose")
    return link


def revocation_scope(key: str) -> str:
    """The contact-log scope that marks notice ``key``'s links revoked (keyed by the
    durable ledgers, like every scope)."""
    return scope(REVOKED, "notice", pseudonym(key))


async def revoke(ledger: Ledger, key: str, *, now: datetime, reason: str = "revoked") -> None:
    """Revoke every link of notice ``key`` from ``now`` on (audited; ``reason`` is a
    short label such as ``reissued`` or ``account_closed``, never a value)."""
    await ledger.record_contact(revocation_scope(key), now, key=key, detail={"event": "revoke"})
    await ledger.audit("self_service", key, {"action": "revoke", "reason": reason[:40]}, now=now)


async def is_revoked(ledger: Ledger, key: str, *, now: datetime) -> bool:
    """Whether notice ``key``'s links were revoked at or before ``now``."""
    end = now + timedelta(microseconds=1)
    return await ledger.count(revocation_scope(key), _EPOCH, end) > 0
