"""Encryption at rest of the ledger's personal values (envelope encryption, AES-GCM).

Key hierarchy (the keys themselves live outside the database, :mod:`notifysdk.keys`)::

    master key (ledger.key / NOTIFYSDK_LEDGER_KEY)
      └─ wraps one data key per account   (table data_keys, AES-GCM)
           └─ encrypts that account's personal values (AES-GCM)
    pseudonym key (pseudonym.key)
      └─ HMAC of every stored contact scope and of the account reference

Every stored personal value (``notices.notice_json`` and ``outcome_json``,
``attempts.dest``, ``detail_json`` and ``body_sha256``: a digest of a message is as
guessable as the message) is a token ``enc1:<dkid>:<base64url(nonce |
ciphertext | tag)>``. The associated data binds the ciphertext to its data key, its
table and column, and its row (the idempotency key, and the attempt number), so a
ciphertext copied to another row or column fails its check instead of reading as
someone else's data.

**Erasure** (crypto-shredding): :func:`erase` destroys an account's wrapped data key;
its values then read as :data:`ERASED` (a destination), ``{"erased": true}`` (an
attempt's detail), a redacted outcome with the stored status, or
:class:`DataErasedError` (a whole notice): never garbage. The audit trail holds masked
values only and is not touched.

**Rotation**: :func:`rewrap` wraps every data key under the current master key, keeping
one wrapping under the previous key (``old_wrapped``) so a process still holding only
the old key keeps reading and writing; ``finish=True`` drops those once every process
has the new key. Data keys, and so the data, never change.

**Wrong key**: a ledger whose data keys are wrapped under a master key this process does
not hold fails with :class:`~notifysdk.errors.LedgerKeyError` naming both key ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import LedgerError, LedgerKeyError
from ..keys import LedgerKeys, key_id
from .schema import Db, get_meta, set_meta

PREFIX = "enc1:"
"""What every encrypted value starts with."""

ERASED = "[erased]"
"""What an erased destination reads as."""

SCOPE_PREFIX = "#"
"""What a keyed (stored) scope starts with; a raw scope never does (ids are quoted)."""

_NONCE = 12
_CACHE = 4096


class DataErasedError(LedgerError):
    """The value belongs to an account whose data key was erased
    (``notifysdk ledger erase``): it can no longer be read."""


@dataclass(frozen=True)
class KeyStatus:
    """Which master keys a ledger's data keys are wrapped under."""

    current: str | None
    """The key id new data keys are wrapped under (``None``: nothing wrapped yet)."""
    retired: tuple[str, ...]
    """Key ids still holding a wrapping during a rotation."""
    data_keys: int
    erased: int
    by_master: dict[str, int]
    """Data keys per key id of their main wrapping."""


@dataclass(frozen=True)
class EraseReport:
    """What an erasure destroyed."""

    account_ref: str
    """The keyed reference of the account (what the audit entry names)."""
    data_keys: int
    """Data keys destroyed (0: the account had none, or was erased already)."""
    notices: int
    """Stored notices whose personal values became unreadable."""


class Vault:
    """One ledger's keys at work: seals and opens values, wraps data keys, keys scopes.

    Thread-safe: the writer thread and the read connection share it."""

    def __init__(self, keys: LedgerKeys) -> None:
        self.keys = keys
        self._masters = {key_id(k): AESGCM(k) for k in keys.master.all}
        self.current_id = key_id(keys.master.current)
        self._pseudonym = keys.pseudonym.current
        self._scopes: dict[str, str] = {}
        self._refs: dict[str, str] = {}
        self._unwrapped: dict[tuple[str, str], AESGCM] = {}
        self._lock = threading.Lock()

    # -- pseudonyms ------------------------------------------------------------------

    def scope(self, scope: str) -> str:
        """The stored form of a scope: ``#`` and a keyed HMAC-SHA256 (32 hex digits)."""
        stored = self._scopes.get(scope)
        if stored is None:
            stored = SCOPE_PREFIX + self._mac(b"scope", scope)
            if len(self._scopes) >= _CACHE * 4:
                self._scopes.clear()
            self._scopes[scope] = stored
        return stored

    def account_ref(self, account_id: str) -> str:
        """The stored reference of an account (keyed: never the account id)."""
        ref = self._refs.get(account_id)
        if ref is None:
            ref = self._mac(b"account", account_id)
            if len(self._refs) >= _CACHE:
                self._refs.clear()
            self._refs[account_id] = ref
        return ref

    def _mac(self, purpose: bytes, value: str) -> str:
        msg = purpose + b"\x00" + value.encode("utf-8", "surrogatepass")
        return hmac.new(self._pseudonym, msg, hashlib.sha256).hexdigest()[:32]

    # -- data keys -------------------------------------------------------------------

    def wrap(self, dkid: str, account: str, raw: bytes, master_id: str | None = None) -> str:
        """``raw`` wrapped under a master key (the current one by default)."""
        mid = master_id or self.current_id
        nonce = os.urandom(_NONCE)
        ct = self._masters[mid].encrypt(nonce, raw, _wrap_aad(dkid, account, mid))
        return base64.urlsafe_b64encode(nonce + ct).decode("ascii")

    def unwrap(
        self, dkid: str, account: str, wrappings: Iterable[tuple[str | None, str | None]]
    ) -> AESGCM:
        """The data key from whichever of its ``(wrapped, master id)`` wrappings this
        process holds the master key of (cached); :class:`LedgerKeyError` when none."""
        pairs = [(w, m) for w, m in wrappings if w and m]
        for wrapped, _ in pairs:
            cached = self._unwrapped.get((dkid, wrapped))
            if cached is not None:
                return cached
        key = AESGCM(self.unwrap_raw(dkid, account, pairs))
        with self._lock:
            if len(self._unwrapped) >= _CACHE:
                self._unwrapped.clear()
            self._unwrapped[(dkid, pairs[0][0])] = key
        return key

    def unwrap_raw(
        self, dkid: str, account: str, wrappings: Iterable[tuple[str | None, str | None]]
    ) -> bytes:
        """The raw data key (see :meth:`unwrap`), not cached: for a rewrap."""
        pairs = [(w, m) for w, m in wrappings if w and m]
        for wrapped, mid in pairs:
            master = self._masters.get(mid)
            if master is None:
                continue
            try:
                blob = base64.urlsafe_b64decode(wrapped.encode("ascii"))
                return master.decrypt(blob[:_NONCE], blob[_NONCE:], _wrap_aad(dkid, account, mid))
            except (InvalidTag, binascii.Error, ValueError):
                raise LedgerError(
                    f"data key {dkid} failed its integrity check (edited or moved)"
                ) from None
        wanted = ", ".join(sorted({m for _, m in pairs})) or "none"
        raise LedgerKeyError(
            f"the ledger's data key {dkid} is wrapped under master key {wanted}; this "
            f"process holds {self._held()} ({self.keys.master.origin or 'unknown origin'})"
        )

    def _held(self) -> str:
        return ", ".join(self._masters) or "none"

    def forget(self, dkid: str) -> None:
        """Drop a data key from the cache (erased)."""
        with self._lock:
            for k in [k for k in self._unwrapped if k[0] == dkid]:
                del self._unwrapped[k]

    # -- values ----------------------------------------------------------------------

    @staticmethod
    def seal(dk: AESGCM, dkid: str, where: str, row: str, text: str) -> str:
        """``text`` encrypted under the data key ``dk``, bound to ``where`` and ``row``."""
        nonce = os.urandom(_NONCE)
        ct = dk.encrypt(nonce, text.encode("utf-8", "surrogatepass"), _aad(dkid, where, row))
        return f"{PREFIX}{dkid}:{base64.urlsafe_b64encode(nonce + ct).decode('ascii')}"


def is_sealed(value: str | None) -> bool:
    """True for a value written by :meth:`Vault.seal`."""
    return value is not None and value.startswith(PREFIX)


def dkid_of(token: str) -> str:
    """The data key id a sealed value names."""
    return token[len(PREFIX) :].split(":", 1)[0]


def _aad(dkid: str, where: str, row: str) -> bytes:
    return f"notifysdk/v1|{dkid}|{where}|{row}".encode("utf-8", "surrogatepass")


def _wrap_aad(dkid: str, account: str, master_id: str) -> bytes:
    return f"notifysdk/dk/v1|{dkid}|{account}|{master_id}".encode()


class Opener:
    """Opens sealed values within one database operation: each data key is looked up
    in ``data_keys`` once per operation (so an erasure by another process is seen at
    once), unwrapped once per process."""

    def __init__(self, vault: Vault, db: Db) -> None:
        self.vault = vault
        self.db = db
        self._keys: dict[str, AESGCM | None] = {}

    def key(self, dkid: str) -> AESGCM | None:
        """The data key ``dkid`` (``None``: erased)."""
        if dkid in self._keys:
            return self._keys[dkid]
        row = self.db.one(
            "SELECT account, wrapped, wrap_id, old_wrapped, old_wrap_id FROM data_keys "
            "WHERE dkid = ?",
            (dkid,),
        )
        key = None
        if row is not None and row[1] is not None:
            key = self.vault.unwrap(dkid, row[0], ((row[1], row[2]), (row[3], row[4])))
        self._keys[dkid] = key
        return key

    def text(self, value: str | None, where: str, row: str) -> str | None:
        """The plaintext of ``value`` (as it is when not sealed); ``None`` for ``None``;
        raises :class:`DataErasedError` when its data key was erased."""
        if value is None or not value.startswith(PREFIX):
            return value
        dkid, _, body = value[len(PREFIX) :].partition(":")
        dk = self.key(dkid)
        if dk is None:
            raise DataErasedError("the notice's personal data was erased")
        try:
            blob = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = dk.decrypt(blob[:_NONCE], blob[_NONCE:], _aad(dkid, where, row))
        except (InvalidTag, binascii.Error, ValueError):
            raise LedgerError(
                f"a stored value ({where}) failed its integrity check: edited, or moved "
                "from another row"
            ) from None
        return plain.decode("utf-8", "surrogatepass")

    def text_or(self, value: str | None, where: str, row: str, erased: str) -> str | None:
        """:meth:`text`, or ``erased`` when the data key was erased."""
        try:
            return self.text(value, where, row)
        except DataErasedError:
            return erased


class Sealer:
    """Seals values within one write operation under the data key of one notice."""

    def __init__(self, vault: Vault, dkid: str, dk: AESGCM) -> None:
        self.vault = vault
        self.dkid = dkid
        self.dk = dk

    def seal(self, text: str, where: str, row: str) -> str:
        """``text`` sealed for ``where`` in ``row``."""
        return Vault.seal(self.dk, self.dkid, where, row, text)


def account_key(db: Db, vault: Vault, account_id: str, now_us: int) -> Sealer:
    """The data key of ``account_id``, created (wrapped under the current master key)
    when the account has none or its key was erased."""
    ref = vault.account_ref(account_id)
    row = db.one(
        "SELECT dkid, wrapped, wrap_id, old_wrapped, old_wrap_id FROM data_keys WHERE account = ?",
        (ref,),
    )
    if row is not None and row[1] is not None:
        dkid = str(row[0])
        return Sealer(vault, dkid, vault.unwrap(dkid, ref, ((row[1], row[2]), (row[3], row[4]))))
    dkid = os.urandom(8).hex()
    raw = AESGCM.generate_key(bit_length=256)
    wrapped = vault.wrap(dkid, ref, raw)
    if row is None:
        # ON CONFLICT: another worker created it first (PostgreSQL); use that one.
        written = db.x(
            "INSERT INTO data_keys (account, dkid, wrapped, wrap_id, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account) DO NOTHING",
            (ref, dkid, wrapped, vault.current_id, now_us),
        ).rowcount
    else:  # erased before: a new key for what is written from now on
        written = db.x(
            "UPDATE data_keys SET dkid = ?, wrapped = ?, wrap_id = ?, old_wrapped = NULL, "
            "old_wrap_id = NULL, created_at = ? WHERE account = ? AND wrapped IS NULL",
            (dkid, wrapped, vault.current_id, now_us, ref),
        ).rowcount
    if written != 1:
        return account_key(db, vault, account_id, now_us)
    return Sealer(vault, dkid, AESGCM(raw))


def notice_key(db: Db, vault: Vault, key: str) -> Sealer:
    """The data key the notice ``key`` was stored under (for writes that have no
    notice at hand: attempts, reconciliation, receipts)."""
    row = db.one(
        f"SELECT n.dkid, {DK_COLS} FROM notices n LEFT JOIN data_keys d ON d.dkid = n.dkid "
        "WHERE n.key = ?",
        (key,),
    )
    if row is None or row[0] is None:
        raise LedgerError("the notice has no data key (stored before encryption?)")
    found = sealer_of(vault, row[1:])
    if found is None:
        raise DataErasedError("the notice's personal data was erased")
    return found


DK_COLS = "d.dkid, d.account, d.wrapped, d.wrap_id, d.old_wrapped, d.old_wrap_id"
"""The data key columns :func:`sealer_of` reads (of ``data_keys d``)."""


def sealer_of(vault: Vault, cols: Sequence[Any]) -> Sealer | None:
    """The sealer of a ``data_keys`` row read as :data:`DK_COLS` (``None``: no row, or
    its key erased)."""
    dkid, account, wrapped, wrap_id, old_wrapped, old_wrap_id = cols
    if dkid is None or wrapped is None:
        return None
    dk = vault.unwrap(dkid, account, ((wrapped, wrap_id), (old_wrapped, old_wrap_id)))
    return Sealer(vault, str(dkid), dk)


# -- opening, migration, rotation, erasure ----------------------------------------------


def check_master(db: Db, vault: Vault) -> None:
    """Refuse a master key the ledger was not encrypted under
    (:class:`LedgerKeyError` naming both ids); record ours on a fresh ledger."""
    current = get_meta(db, "master_key_id")
    if current is None:
        set_meta(db, "master_key_id", vault.current_id)
        return
    accepted = {current, *filter(None, (get_meta(db, "master_key_retired") or "").split(","))}
    if not accepted & set(vault._masters):
        raise LedgerKeyError(
            f"the ledger is encrypted under master key {current}; this process holds "
            f"{vault._held()} ({vault.keys.master.origin or 'unknown origin'}): "
            "wrong NOTIFYSDK_LEDGER_KEY or key file"
        )


def encrypt_plaintext(db: Db, vault: Vault, now_us: int) -> int:
    """Encrypt every value stored in clear (a ledger from before schema 5); key every
    raw contact scope. Returns the rows changed. Runs once, when ``crypto_pending``."""
    changed = 0
    for key, notice_json, outcome_json in db.all(
        "SELECT key, notice_json, outcome_json FROM notices WHERE dkid IS NULL"
    ):
        account = ""
        if notice_json:
            try:
                account = str(json.loads(notice_json)["account"]["account_id"])
            except (ValueError, KeyError, TypeError):
                account = ""
        s = account_key(db, vault, account, now_us)
        db.x(
            "UPDATE notices SET dkid = ?, notice_json = ?, outcome_json = ? WHERE key = ?",
            (
                s.dkid,
                _seal_opt(s, notice_json, "notices.notice_json", key),
                _seal_opt(s, outcome_json, "notices.outcome_json", key),
                key,
            ),
        )
        changed += 1
    sealers: dict[str, Sealer] = {}
    for key, number, dest, detail, digest in db.all(
        "SELECT key, number, dest, detail_json, body_sha256 FROM attempts"
    ):
        if is_sealed(dest):
            continue
        found = sealers.get(key)
        if found is None:
            try:
                found = notice_key(db, vault, key)
            except LedgerError:
                found = account_key(db, vault, "", now_us)
            sealers[key] = found
        row = f"{key}#{number}"
        db.x(
            "UPDATE attempts SET dest = ?, detail_json = ?, body_sha256 = ? "
            "WHERE key = ? AND number = ?",
            (
                found.seal(dest, "attempts.dest", row),
                found.seal(detail or "{}", "attempts.detail_json", row),
                _seal_opt(found, digest, "attempts.body_sha256", row),
                key,
                number,
            ),
        )
        changed += 1
    for (scope,) in db.all("SELECT DISTINCT scope FROM contacts"):
        if not scope.startswith(SCOPE_PREFIX):
            db.x("UPDATE contacts SET scope = ? WHERE scope = ?", (vault.scope(scope), scope))
            changed += 1
    return changed


def _seal_opt(s: Sealer, value: str | None, where: str, row: str) -> str | None:
    return None if value is None or is_sealed(value) else s.seal(value, where, row)


def rewrap(db: Db, vault: Vault, *, finish: bool) -> int:
    """Wrap every data key under the current master key. Without ``finish`` the
    previous wrapping is kept (``old_wrapped``) for processes that still hold only the
    previous key; with it, every other wrapping is dropped. Returns the keys rewrapped."""
    current = get_meta(db, "master_key_id")
    n = 0
    for account, dkid, wrapped, wrap_id, old_wrapped, old_wrap_id in db.all(
        "SELECT account, dkid, wrapped, wrap_id, old_wrapped, old_wrap_id FROM data_keys "
        "WHERE wrapped IS NOT NULL"
    ):
        if wrap_id == vault.current_id and (not finish or old_wrapped is None):
            continue
        raw = vault.unwrap_raw(dkid, account, ((wrapped, wrap_id), (old_wrapped, old_wrap_id)))
        new = vault.wrap(dkid, account, raw)
        keep = (None, None) if finish else (wrapped, wrap_id)
        if wrap_id == vault.current_id:
            keep = (None, None) if finish else (old_wrapped, old_wrap_id)
        db.x(
            "UPDATE data_keys SET wrapped = ?, wrap_id = ?, old_wrapped = ?, old_wrap_id = ? "
            "WHERE dkid = ?",
            (new, vault.current_id, keep[0], keep[1], dkid),
        )
        n += 1
    if finish:
        set_meta(db, "master_key_retired", "")
    elif current and current != vault.current_id:
        set_meta(db, "master_key_retired", current)
    set_meta(db, "master_key_id", vault.current_id)
    return n


def erase(db: Db, vault: Vault, account_id: str, now_us: int) -> tuple[str, int, int]:
    """Destroy the data key of ``account_id``: ``(account ref, keys destroyed,
    notices made unreadable)``."""
    ref = vault.account_ref(account_id)
    row = db.one("SELECT dkid FROM data_keys WHERE account = ? AND wrapped IS NOT NULL", (ref,))
    if row is None:
        return ref, 0, 0
    dkid = str(row[0])
    db.x(
        "UPDATE data_keys SET wrapped = NULL, wrap_id = NULL, old_wrapped = NULL, "
        "old_wrap_id = NULL, erased_at = ? WHERE account = ?",
        (now_us, ref),
    )
    count = db.one("SELECT COUNT(*) FROM notices WHERE dkid = ?", (dkid,))
    vault.forget(dkid)
    return ref, 1, int(count[0]) if count else 0


def key_status(db: Db) -> KeyStatus:
    """Which master keys wrap the ledger's data keys."""
    by: dict[str, int] = {}
    erased = 0
    total = 0
    for wrap_id, n in db.all("SELECT wrap_id, COUNT(*) FROM data_keys GROUP BY wrap_id"):
        total += int(n)
        if wrap_id is None:
            erased += int(n)
        else:
            by[str(wrap_id)] = int(n)
    retired = tuple(filter(None, (get_meta(db, "master_key_retired") or "").split(",")))
    return KeyStatus(get_meta(db, "master_key_id"), retired, total, erased, by)


def erased_detail() -> dict[str, Any]:
    """What an erased attempt's detail reads as."""
    return {"erased": True}
