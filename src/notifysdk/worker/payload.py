"""Sealing what crosses the broker: a notice's personal data never sits in Redis in clear.

The broker is not the ledger: it keeps messages in memory, in its dumps and in its
replicas, outside the ledger's encryption at rest. So a task carries its jobs sealed:
AES-GCM under a *broker key* derived (HKDF-SHA256) from the ledger's master key, which
the planner and every worker already hold (the same key folder or
``NOTIFYSDK_LEDGER_KEY``, :mod:`notifysdk.keys`). The associated data binds each token
to its job's id (the first notice's idempotency key) and its purpose, so a token moved
to another job, or a report offered as a job, fails its check. During a key rotation
a token sealed under the previous master key still opens (retired keys are tried by
their id).

Token: ``bk1:<master key id>:<base64url(nonce | zlib(JSON) ciphertext | tag)>``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigurationError
from ..keys import LedgerKeys, key_id

__all__ = ["PREFIX", "PayloadError", "open_token", "seal"]

PREFIX = "bk1:"
_INFO = b"notifysdk broker payload v1"
_NONCE = 12


class PayloadError(ConfigurationError):
    """A broker token this process cannot open: sealed under a master key it does not
    hold (a worker started with other keys than the planner's), or altered."""


@functools.lru_cache(maxsize=16)
def _aead(master: bytes) -> AESGCM:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=_INFO).derive(master)
    return AESGCM(derived)


def seal(keys: LedgerKeys, purpose: str, job_id: str, data: bytes) -> str:
    """``data`` compressed and sealed for the broker under the current master key."""
    master = keys.master.current
    nonce = os.urandom(_NONCE)
    aad = f"{purpose}\x00{job_id}".encode()
    body = _aead(master).encrypt(nonce, zlib.compress(data, 1), aad)
    return f"{PREFIX}{key_id(master)}:{base64.urlsafe_b64encode(nonce + body).decode()}"


def open_token(keys: LedgerKeys, purpose: str, job_id: str, token: str) -> bytes:
    """The data of a token from :func:`seal`; :class:`PayloadError` when it does not
    open (names the key id, never the content)."""
    try:
        prefix, kid, text = token.split(":", 2)
        raw = base64.urlsafe_b64decode(text.encode())
    except (ValueError, binascii.Error):
        raise PayloadError(f"{purpose} {job_id}: not a broker token") from None
    if f"{prefix}:" != PREFIX:
        raise PayloadError(f"{purpose} {job_id}: not a broker token")
    master = next((k for k in keys.master.all if key_id(k) == kid), None)
    if master is None:
        raise PayloadError(
            f"{purpose} {job_id}: sealed under master key {kid}, which this process does "
            f"not hold (it holds {key_id(keys.master.current)}): start every worker with "
            "the planner's keys"
        )
    aad = f"{purpose}\x00{job_id}".encode()
    try:
        return zlib.decompress(_aead(master).decrypt(raw[:_NONCE], raw[_NONCE:], aad))
    except (InvalidTag, zlib.error):
        raise PayloadError(f"{purpose} {job_id}: the token does not open (altered?)") from None
