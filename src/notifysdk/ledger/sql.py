"""The ledger's operations in SQL, shared by the SQLite and PostgreSQL back-ends.

Each public method builds a function of one :class:`~notifysdk.ledger.schema.Db` and
hands it to the :class:`~notifysdk.ledger.runner.TxRunner`, naming the locks it needs
(``n:KEY`` for a notice, ``s:SCOPE`` for a counter scope, ``audit`` for the chain's
head when it reads or rewrites the chain itself). Each such function is one
transaction, so a claim checks the key, checks every cap and takes every reservation
atomically.

Appending to the audit chain needs its head, so appenders queue on one lock. On
PostgreSQL an append is *deferred*: the operation leaves the entry, its content already
serialised and its hash input built (:func:`~notifysdk.ledger.audit.hashed_rest`), for
the end of its transaction, and the runner's tail (``PostgresLedger._audit_tail``) takes
the audit lock last, reads the head, links and writes every entry of the batch (and the
transitions that name them) in one statement, then commits. The lock is held for those
few statements, not for the batch's work, so workers' transactions overlap and queue
only for their last steps; the entries are still written in the transaction of the
outcome they record. SQLite has one writer anyway and appends at once, as before.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..account_events import AccountEvent
from ..channels import BODY_DIGEST, Attempt
from ..errors import ClaimLostError, ConfigurationError, LedgerError
from ..keys import LedgerKeys, default_key_dir, load_keys
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from ..reservations import Reservation
from .audit import (
    append_key,
    hashed_rest,
    link_hash,
    normalize_detail,
    outcome_detail,
    verify_chain,
)
from .base import (
    TERMINAL_STATES,
    AttemptEnd,
    AuditEntry,
    Claim,
    ClaimStatus,
    NoticeRecord,
    NoticeState,
    attempt_status,
    state_for,
)
from .checkpoints import Checkpoint, check_checkpoint
from .crypto import (
    DK_COLS,
    ERASED,
    DataErasedError,
    EraseReport,
    KeyStatus,
    Opener,
    Sealer,
    Vault,
    account_key,
    check_master,
    encrypt_plaintext,
    erased_detail,
    key_status,
    notice_key,
    rewrap,
    sealer_of,
)
from .crypto import erase as crypto_erase
from .durable import PurgeReport, StaleClaim, StoredNotice, Transition, VerifyReport
from .receipts import (
    DeliveryState,
    DeliveryUpdate,
    LateFailure,
    delivery_detail,
    late_failure_outcome,
    late_failure_state,
)
from .runner import TxRunner
from .schema import Db, apply, from_us, get_meta, pending_migrations, set_meta, to_us

if TYPE_CHECKING:
    from ..keys import KeySource

log = logging.getLogger("notifysdk.ledger")

T = TypeVar("T")

GET_MANY_CHUNK = 500
"""Keys per query of :meth:`SqlLedger.get_many` (under SQLite's oldest limit of 999
parameters)."""

IN_FLIGHT = ("in_flight", "interrupted", "unknown")
"""Attempt statuses that mean "the provider may or may not have it"."""

_ATTEMPT_COLS = (
    "key, channel, number, dest, started_at, provider_id, detail_json, status, ended_at, "
    "body_sha256"
)
_NOTICE_COLS = "key, state, notice_json, outcome_json, due_at, channel, updated_at"


def _reason(text: str | None) -> str | None:
    return None if text is None else text[:500]


class SqlLedger:
    """A durable ledger on a SQL database (see :mod:`notifysdk.ledger.sqlite` and
    :mod:`notifysdk.ledger.postgres` for the back-ends)."""

    audit_key: KeySource | None = None
    """The audit chain's HMAC key (current and retired; ``None``: entries are plain
    SHA-256, as before the ledger had keys). Kept outside the database."""

    def __init__(
        self,
        url: str,
        runner: TxRunner,
        reader: Reader | None = None,
        *,
        keys: LedgerKeys | None = None,
    ) -> None:
        self.url = url
        self.runner = runner
        self.reader = reader
        """Answers reads inline, without a hop to the writer thread (SQLite in WAL mode:
        a read-only connection sees every committed write); ``None``: the writer
        answers them."""
        self._held: set[str] = set()
        """Keys this ledger object claimed and has not finished (see :meth:`finish`)."""
        self._keys: LedgerKeys | None = None
        self._vault: Vault | None = None
        if keys is not None:
            self.use_keys(keys)

    # -- keys (see notifysdk.ledger.crypto) ----------------------------------------

    def use_keys(self, keys: LedgerKeys, *, audit: bool = True) -> None:
        """Encrypt and key with ``keys`` (master, pseudonym and, with ``audit``, the
        audit chain's key). Call it before the first operation; without it the ledger
        loads :meth:`default_keys` then (the audit chain left as it was configured)."""
        if self._vault is not None:
            raise LedgerError("the ledger's keys are set before its first operation")
        self._keys = keys
        if audit:
            self.audit_key = keys.audit

    def default_keys(self) -> LedgerKeys:
        """The keys of a ledger opened without any: ``NOTIFYSDK_KEY_DIR``, else
        ``.notifysdk/keys`` (:func:`notifysdk.keys.default_key_dir`; created on first
        use)."""
        return load_keys(default_key_dir())

    @property
    def keys(self) -> LedgerKeys:
        """The keys this ledger encrypts with (loaded on first use)."""
        if self._keys is None:
            self.use_keys(self.default_keys(), audit=False)
        assert self._keys is not None
        return self._keys

    async def _ready(self) -> Vault:
        """The vault, opened on first use: in its own transaction, check the master key
        (:class:`~notifysdk.errors.LedgerKeyError`) and encrypt what an older schema
        stored in clear."""
        vault = self._vault
        if vault is None:
            candidate = Vault(self.keys)

            def op(db: Db) -> None:
                check_master(db, candidate)
                if get_meta(db, "crypto_pending"):
                    n = encrypt_plaintext(db, candidate, to_us(datetime.now(UTC)))
                    set_meta(db, "crypto_pending", "")
                    if n:
                        log.info("encrypted %d ledger rows stored in clear", n)

            await self.runner.run(op, ["crypto", "audit"])
            vault = self._vault = candidate
        return vault

    async def _run(self, fn: Callable[[Db], T], locks: Sequence[str] = ()) -> T:
        if self._vault is None:
            await self._ready()
        return await self.runner.run(fn, locks)

    async def _read(self, fn: Callable[[Db], T]) -> T:
        if self._vault is None:
            await self._ready()
        if self.reader is not None:
            return self.reader.read(fn)
        return await self.runner.run(fn)

    @property
    def vault(self) -> Vault:
        """The open vault (after the first operation)."""
        if self._vault is None:
            raise LedgerError("the ledger is not open yet")
        return self._vault

    @staticmethod
    def migrate(db: Db, target: int | None = None) -> list[int]:
        """Bring ``db`` to ``target`` (default: the latest schema). Runs in the writer
        thread before any operation; returns the versions applied."""
        from .schema import LATEST

        applied: list[int] = []
        for migration in pending_migrations(db, LATEST if target is None else target):
            apply(db, migration)
            applied.append(migration.version)
        return applied

    # -- the Ledger protocol -------------------------------------------------------

    async def get(self, key: str) -> NoticeRecord | None:
        """The record for ``key``, or ``None``."""
        return await self._read(lambda db: self._get(db, key))

    async def get_many(self, keys: Iterable[str]) -> dict[str, NoticeRecord]:
        """The records of those of ``keys`` the ledger holds, by key (one read of at
        most :data:`GET_MANY_CHUNK` keys per query; a key never seen is absent)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return await self._read(lambda db: self._get_many(db, wanted))

    def _get_many(self, db: Db, keys: list[str]) -> dict[str, NoticeRecord]:
        out: dict[str, NoticeRecord] = {}
        for start in range(0, len(keys), GET_MANY_CHUNK):
            part = keys[start : start + GET_MANY_CHUNK]
            marks = ",".join("?" * len(part))
            rows = db.all(
                "SELECT key, state, channel, outcome_json, owner, lease_until, updated_at "
                f"FROM notices WHERE key IN ({marks})",
                part,
            )
            if not rows:
                continue
            found = [r[0] for r in rows]
            attempts: dict[str, list[Attempt]] = {}
            opener = Opener(self.vault, db)
            for r in db.all(
                f"SELECT {_ATTEMPT_COLS} FROM attempts "
                f"WHERE key IN ({','.join('?' * len(found))}) ORDER BY key, number",
                found,
            ):
                attempts.setdefault(r[0], []).append(_attempt(r, opener))
            for row in rows:
                out[row[0]] = _record(row, tuple(attempts.get(row[0], ())), opener)
        return out

    def _get(self, db: Db, key: str) -> NoticeRecord | None:
        row = db.one(
            "SELECT key, state, channel, outcome_json, owner, lease_until, updated_at "
            "FROM notices WHERE key = ?",
            (key,),
        )
        if row is None:
            return None
        opener = Opener(self.vault, db)
        attempts = tuple(
            _attempt(r, opener)
            for r in db.all(
                f"SELECT {_ATTEMPT_COLS} FROM attempts WHERE key = ? ORDER BY number", (key,)
            )
        )
        return _record(row, attempts, opener)

    async def claim(
        self,
        notice: Notice,
        *,
        owner: str,
        now: datetime,
        lease_seconds: float,
        reservations: Sequence[Reservation] = (),
        to: str | None = None,
        digest: str | None = None,
    ) -> Claim:
        """Refuse a done or leased key; check and take every reservation, all or none;
        raise the fencing token; with ``to``, record attempt 1 in flight (one
        transaction).

        An expired claim is taken over only when nothing may have gone out under it (no
        attempt in flight, unknown, interrupted or receipted); otherwise it is ``BUSY``
        until recovery reconciles it.
        """
        key = notice.idempotency_key
        now_us = to_us(now)
        lease = now + timedelta(seconds=lease_seconds)
        notice_json = notice.model_dump_json()
        profiles = ",".join(notice.effective_profiles)

        def op(db: Db) -> Claim:
            v = self.vault
            row = db.one(
                "SELECT state, owner, lease_until, outcome_json, fence, channel, updated_at "
                "FROM notices WHERE key = ?",
                (key,),
            )
            prior: NoticeState | None = None
            if row is not None:
                prior = NoticeState(row[0])
                if prior in TERMINAL_STATES:
                    done = _outcome(row[3], Opener(v, db), key, prior, row[5], row[6])
                    return Claim(ClaimStatus.DUPLICATE, key, owner, outcome=done)
                if prior is NoticeState.CLAIMED:
                    held_until = None if row[2] is None else from_us(row[2])
                    if row[2] is not None and row[2] > now_us:
                        return Claim(ClaimStatus.BUSY, key, row[1] or "", lease_until=held_until)
                    if _maybe_out(db, key):
                        return Claim(ClaimStatus.BUSY, key, row[1] or "", lease_until=None)
            # An expired claim's own slots are not counted against it, and are freed only
            # once the new claim is sure to be taken (a refused one changes nothing).
            scopes = [v.scope(res.scope) for res in reservations]
            for res, used in zip(reservations, _counts(db, reservations, scopes, key), strict=True):
                if used >= res.limit:
                    return Claim(ClaimStatus.CAP_EXCEEDED, key, owner, reservation=res, count=used)
            if prior is NoticeState.CLAIMED:
                db.x("DELETE FROM contacts WHERE key = ? AND kind = 'reserved'", (key,))
            fence = (int(row[4] or 0) if row is not None else 0) + 1
            sealer = account_key(db, v, notice.account.account_id, now_us)
            db.x(
                "INSERT INTO notices (key, channel, state, owner, lease_until, notice_json, "
                "profiles, updated_at, created_at, fence, dkid) "
                "VALUES (?, ?, 'claimed', ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = 'claimed', owner = excluded.owner, "
                "lease_until = excluded.lease_until, notice_json = excluded.notice_json, "
                "profiles = excluded.profiles, updated_at = excluded.updated_at, due_at = NULL, "
                "fence = excluded.fence, dkid = excluded.dkid",
                (
                    key,
                    notice.channel,
                    owner,
                    to_us(lease),
                    sealer.seal(notice_json, "notices.notice_json", key),
                    profiles,
                    now_us,
                    now_us,
                    fence,
                    sealer.dkid,
                ),
            )
            _transition(db, key, prior, NoticeState.CLAIMED, now_us, "claimed")
            if scopes:
                # One statement for every reservation, rows in the reservations' order.
                db.x(
                    "INSERT INTO contacts (scope, at, key, kind) VALUES "
                    + ", ".join(["(?, ?, ?, 'reserved')"] * len(scopes)),
                    [p for scope in scopes for p in (scope, now_us, key)],
                )
            attempt = (
                None
                if to is None
                else _insert_attempt(
                    db, sealer, key, notice.channel, to, now_us, digest, first=row is None
                )
            )
            return Claim(
                ClaimStatus.CLAIMED, key, owner, lease_until=lease, fence=fence, attempt=attempt
            )

        locks = [f"n:{key}", *(f"s:{r.scope}" for r in reservations)]
        claim = await self._run(op, locks)
        if claim.status is ClaimStatus.CLAIMED:
            self._held.add(key)
        return claim

    async def begin_attempt(
        self,
        key: str,
        *,
        fence: int,
        to: str,
        now: datetime,
        lease_seconds: float,
        digest: str | None = None,
    ) -> Attempt:
        """Record the next attempt in flight and renew the lease, if ``fence`` still
        holds the key (else :class:`~notifysdk.errors.ClaimLostError`)."""
        at = to_us(now)
        lease = to_us(now + timedelta(seconds=lease_seconds))

        def op(db: Db) -> Attempt:
            channel = _fenced(db, key, fence)
            db.x(
                "UPDATE notices SET lease_until = ?, updated_at = ? WHERE key = ?",
                (lease, at, key),
            )
            sealer = notice_key(db, self.vault, key)
            return _insert_attempt(db, sealer, key, channel, to, at, digest)

        return await self._run(op, [f"n:{key}"])

    async def end_attempt(self, ended: AttemptEnd, *, now: datetime, fence: int) -> None:
        """Record how an attempt ended, if ``fence`` still holds the key."""
        key = ended.attempt.idempotency_key
        at = to_us(now)

        def op(db: Db) -> None:
            _fenced(db, key, fence)
            _end_attempt(db, notice_key(db, self.vault, key), ended, at)

        await self._run(op, [f"n:{key}"])

    async def finish(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fence: int | None = None,
        ended: AttemptEnd | None = None,
    ) -> bool:
        """End ``ended``, store the outcome and its transition, release the lease, keep
        reservations only when delivered, and append the ``outcome`` audit entry: one
        transaction (see the contract in :mod:`notifysdk.ledger.base`)."""
        key = notice.idempotency_key
        state = state_for(outcome.status)
        at = to_us(outcome.at)
        outcome_json = outcome.model_dump_json()
        profiles = ",".join(notice.effective_profiles)
        due = to_us(outcome.until) if state is NoticeState.DEFERRED and outcome.until else None
        why = _reason(": ".join(p for p in (outcome.rule, outcome.reason) if p) or None)
        entry = _audit_entry("outcome", key, outcome_detail(notice, outcome), at)

        def op(db: Db) -> bool:
            # A connection that appends at once (SQLite: no deferred list) reads the
            # chain's head with the row, under the same write lock: one query less.
            inline = getattr(db, "deferred", None) is None
            row = db.one(_FINISH_ROW_AND_HEAD if inline else _FINISH_ROW, (key,))
            prior = None if row is None else NoticeState(row[0])
            if prior in TERMINAL_STATES:
                return False
            if fence is not None:
                if prior is not NoticeState.CLAIMED or row is None or int(row[1] or 0) != fence:
                    raise _claim_lost()
            elif prior is NoticeState.CLAIMED:
                return False  # someone else's claim: only its holder (or recovery) ends it
            # The claim's data key when it is still there (one query less), else the
            # account's (a notice decided before any claim).
            sealer = None if row is None else sealer_of(self.vault, row[2:8])
            if sealer is None:
                sealer = account_key(db, self.vault, notice.account.account_id, at)
            if ended is not None:
                _end_attempt(db, sealer, ended, at)
            sealed = sealer.seal(outcome_json, "notices.outcome_json", key)
            if prior is NoticeState.CLAIMED:
                # The claim stored the notice and its profiles already.
                db.x(
                    "UPDATE notices SET state = ?, owner = NULL, lease_until = NULL, "
                    "outcome_json = ?, due_at = ?, updated_at = ? WHERE key = ?",
                    (state.value, sealed, due, at, key),
                )
            else:
                db.x(
                    "INSERT INTO notices (key, channel, state, owner, lease_until, "
                    "outcome_json, notice_json, profiles, due_at, updated_at, created_at, dkid) "
                    "VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET "
                    "state = excluded.state, owner = NULL, lease_until = NULL, "
                    "outcome_json = excluded.outcome_json, notice_json = excluded.notice_json, "
                    "profiles = excluded.profiles, due_at = excluded.due_at, "
                    "updated_at = excluded.updated_at, dkid = excluded.dkid",
                    (
                        key,
                        notice.channel,
                        state.value,
                        sealed,
                        sealer.seal(notice.model_dump_json(), "notices.notice_json", key),
                        profiles,
                        due,
                        at,
                        at,
                        sealer.dkid,
                    ),
                )
            if state is NoticeState.DELIVERED:
                db.x(
                    "UPDATE contacts SET kind = 'sent' WHERE key = ? AND kind = 'reserved'", (key,)
                )
            else:
                db.x("DELETE FROM contacts WHERE key = ? AND kind = 'reserved'", (key,))
            head = None
            if inline and row is not None:
                head = audit_head((("audit_head_seq", row[8]), ("audit_head_hash", row[9])))
            _append(db, self.audit_key, entry, (key, prior, state, at, why), head)
            return True

        written: bool = await self._run(op, [f"n:{key}"])
        self._held.discard(key)
        return written

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        """Contacts (reserved, sent or recorded) under ``scope`` in ``[start, end)``."""
        if self._vault is None:
            await self._ready()
        stored = self.vault.scope(scope)
        return await self._read(lambda db: _count(db, stored, to_us(start), to_us(end)))

    async def record_contact(
        self,
        scope: str,
        at: datetime,
        *,
        key: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a contact made outside a claim (an agent's call, a conversation)."""
        blob = json.dumps(normalize_detail(detail or {}), ensure_ascii=False)
        if self._vault is None:
            await self._ready()
        stored = self.vault.scope(scope)
        await self.runner.run(
            lambda db: db.x(
                "INSERT INTO contacts (scope, at, key, kind, detail_json) "
                "VALUES (?, ?, ?, 'recorded', ?)",
                (stored, to_us(at), key, blob),
            ),
            [f"s:{scope}"],
        )

    async def audit(
        self, event: str, key: str | None, detail: Mapping[str, Any], *, now: datetime
    ) -> None:
        """Append a hash-chained entry; ``detail`` must already be masked."""
        entry = _audit_entry(event, key, normalize_detail(detail), to_us(now))
        await self.runner.run(lambda db: _append(db, self.audit_key, entry))

    async def audit_entries(self) -> Sequence[AuditEntry]:
        """Every audit entry, oldest first."""
        return await self.runner.run(_audit_rows)

    async def aclose(self) -> None:
        """Finish queued work and close the connections."""
        await self.runner.aclose()
        if self.reader is not None:
            self.reader.close()

    # -- the DurableLedger extension ----------------------------------------------

    async def stale_claims(self, *, owner: str, now: datetime) -> Sequence[StaleClaim]:
        """Claims whose lease expired, or that ``owner`` held before it restarted."""
        now_us = to_us(now)

        def op(db: Db) -> list[StaleClaim]:
            out = []
            for key, lease in db.all(
                "SELECT key, lease_until FROM notices WHERE state = 'claimed' "
                "AND (lease_until <= ? OR owner = ?) ORDER BY updated_at",
                (now_us, owner),
            ):
                if key in self._held and (lease or 0) > now_us:
                    continue  # this process holds it and is working on it
                record = self._get(db, key)
                if record is None:
                    continue
                stored = db.one("SELECT notice_json FROM notices WHERE key = ?", (key,))
                notice = None
                if stored and stored[0] is not None:
                    try:
                        notice = _notice(stored[0], Opener(self.vault, db), key)
                    except DataErasedError:
                        notice = None
                in_flight = tuple(
                    a for a in record.attempts if a.detail.get("_status") in IN_FLIGHT
                )
                done = [a for a in record.attempts if a.detail.get("_status") == "ok"]
                out.append(StaleClaim(record, notice, in_flight, done[-1] if done else None))
            return out

        return await self._run(op)

    async def take_over(
        self,
        key: str,
        *,
        expected_owner: str | None,
        owner: str,
        now: datetime,
        lease_seconds: float,
    ) -> int | None:
        """Move a stale claim to ``owner`` (a compare-and-set on the previous owner), so
        two recovering workers never both act on it. Returns the new fencing token, or
        ``None`` when another worker moved the claim first."""
        at = to_us(now)
        lease = to_us(now + timedelta(seconds=lease_seconds))

        def op(db: Db) -> int | None:
            row = db.one(
                "SELECT owner, fence FROM notices WHERE key = ? AND state = 'claimed'", (key,)
            )
            if row is None or row[0] != expected_owner:
                return None
            fence = int(row[1] or 0) + 1
            db.x(
                "UPDATE notices SET owner = ?, lease_until = ?, updated_at = ?, fence = ? "
                "WHERE key = ?",
                (owner, lease, at, fence, key),
            )
            _transition(
                db, key, NoticeState.CLAIMED, NoticeState.CLAIMED, at, "taken over by recovery"
            )
            return fence

        took = await self.runner.run(op, [f"n:{key}"])
        if took is not None:
            self._held.add(key)
        return took

    async def release(
        self, key: str, *, expected_owner: str | None, now: datetime, reason: str
    ) -> bool:
        """Put a stale claim back to ``pending`` if ``expected_owner`` still holds it."""
        at = to_us(now)

        def op(db: Db) -> bool:
            row = db.one("SELECT owner FROM notices WHERE key = ? AND state = 'claimed'", (key,))
            if row is None or row[0] != expected_owner:
                return False
            db.x(
                "UPDATE notices SET state = 'pending', owner = NULL, lease_until = NULL, "
                "updated_at = ? WHERE key = ?",
                (at, key),
            )
            db.x("DELETE FROM contacts WHERE key = ? AND kind = 'reserved'", (key,))
            _transition(db, key, NoticeState.CLAIMED, NoticeState.PENDING, at, _reason(reason))
            return True

        released = await self.runner.run(op, [f"n:{key}"])
        self._held.discard(key)
        return released

    async def mark_attempt(
        self, attempt: Attempt, *, status: str, now: datetime, detail: Mapping[str, Any]
    ) -> None:
        """Record what reconciliation found for an interrupted attempt."""
        blob = json.dumps(normalize_detail(detail), ensure_ascii=False)
        key, number = attempt.idempotency_key, attempt.number

        def op(db: Db) -> None:
            try:
                sealed = notice_key(db, self.vault, key).seal(
                    blob, "attempts.detail_json", f"{key}#{number}"
                )
            except DataErasedError:
                sealed = json.dumps(erased_detail())
            db.x(
                "UPDATE attempts SET status = ?, ended_at = COALESCE(ended_at, ?), "
                "provider_id = COALESCE(provider_id, ?), detail_json = ? "
                "WHERE key = ? AND number = ?",
                (status, to_us(now), detail.get("provider_id"), sealed, key, number),
            )

        await self._run(op, [f"n:{key}"])

    async def due(self, now: datetime, *, limit: int = 100) -> Sequence[StoredNotice]:
        """Deferred notices whose time has come, earliest first."""
        return await self._run(
            lambda db: _stored_all(
                db.all(
                    f"SELECT {_NOTICE_COLS} FROM notices WHERE state = 'deferred' AND due_at <= ? "
                    "AND notice_json IS NOT NULL ORDER BY due_at LIMIT ?",
                    (to_us(now), limit),
                ),
                Opener(self.vault, db),
            )
        )

    async def notices(self, state: NoticeState, *, limit: int = 100) -> Sequence[StoredNotice]:
        """Notices in ``state``, most recently changed first."""
        return await self._run(
            lambda db: _stored_all(
                db.all(
                    f"SELECT {_NOTICE_COLS} FROM notices "
                    "WHERE state = ? AND notice_json IS NOT NULL ORDER BY updated_at DESC LIMIT ?",
                    (state.value, limit),
                ),
                Opener(self.vault, db),
            )
        )

    async def load(self, key: str) -> StoredNotice | None:
        """The stored notice for ``key``; raises
        :class:`~notifysdk.ledger.crypto.DataErasedError` when its account was erased."""

        def op(db: Db) -> StoredNotice | None:
            row = db.one(
                f"SELECT {_NOTICE_COLS} FROM notices WHERE key = ? AND notice_json IS NOT NULL",
                (key,),
            )
            return None if row is None else _stored(row, Opener(self.vault, db))

        return await self._run(op)

    async def transitions(self, key: str) -> Sequence[Transition]:
        """Every stored state change of ``key``, oldest first."""
        return await self.runner.run(
            lambda db: [
                Transition(
                    r[0],
                    None if r[1] is None else NoticeState(r[1]),
                    NoticeState(r[2]),
                    from_us(r[3]),
                    r[4],
                )
                for r in db.all(
                    "SELECT key, from_state, to_state, at, reason FROM transitions "
                    "WHERE key = ? ORDER BY id",
                    (key,),
                )
            ]
        )

    async def attempts(self, key: str) -> Sequence[Attempt]:
        """Every attempt of ``key``, in order."""

        def op(db: Db) -> list[Attempt]:
            opener = Opener(self.vault, db)
            return [
                _attempt(r, opener)
                for r in db.all(
                    f"SELECT {_ATTEMPT_COLS} FROM attempts WHERE key = ? ORDER BY number", (key,)
                )
            ]

        return await self._run(op)

    async def requeue(self, key: str, *, now: datetime, reason: str) -> bool:
        """Move a dead-lettered or failed notice back to ``pending`` for a re-drive, with its
        ``redrive`` audit entry (one transaction)."""
        at = to_us(now)

        def op(db: Db) -> bool:
            row = db.one(
                "SELECT state FROM notices WHERE key = ? AND notice_json IS NOT NULL", (key,)
            )
            if row is None or row[0] not in ("dead_lettered", "failed"):
                return False
            db.x(
                "UPDATE notices SET state = 'pending', outcome_json = NULL, updated_at = ? "
                "WHERE key = ?",
                (at, key),
            )
            _append_audit(
                db,
                self.audit_key,
                "redrive",
                key,
                {"decision": "redrive", "reason": reason},
                at,
                transition=(key, NoticeState(row[0]), NoticeState.PENDING, at, _reason(reason)),
            )
            return True

        return await self.runner.run(op, [f"n:{key}"])

    async def verify_audit(
        self, *, checkpoint: Checkpoint | None = None, trusted: Sequence[bytes] = ()
    ) -> VerifyReport:
        """Check the audit chain from its anchor to its recorded head (keyed entries with
        :attr:`audit_key`), then, given a signed ``checkpoint`` and the raw Ed25519
        public keys ``trusted`` to check its signature with, that the chain still holds
        every entry the checkpoint vouched for."""
        # Under the audit lock: the entries and the head read by one transaction of
        # several statements are then of the same chain, whoever appends meanwhile.
        return await self.runner.run(lambda db: self._verify(db, checkpoint, trusted)[0], ["audit"])

    async def verified_entries(self) -> tuple[VerifyReport, list[AuditEntry]]:
        """The chain's verification and its entries, read in one transaction (what a
        checkpoint is taken from: nothing appended between the check and the read)."""
        return await self.runner.run(lambda db: self._verify(db, None, ()), ["audit"])

    def _verify(
        self, db: Db, checkpoint: Checkpoint | None, trusted: Sequence[bytes]
    ) -> tuple[VerifyReport, list[AuditEntry]]:
        entries = _audit_rows(db)
        head_seq = get_meta(db, "audit_head_seq")
        head = None if head_seq is None else (int(head_seq), get_meta(db, "audit_head_hash") or "")
        anchor_seq = int(get_meta(db, "audit_anchor_seq") or 0)
        anchor_hash = get_meta(db, "audit_anchor_hash") or ""
        report = verify_chain(
            entries,
            anchor_hash=anchor_hash,
            anchor_seq=anchor_seq,
            head=head,
            audit_keys=self.audit_key.all if self.audit_key else (),
        )
        if report.ok and checkpoint is not None:
            report = check_checkpoint(
                checkpoint,
                entries,
                report,
                trusted=trusted,
                anchor_seq=anchor_seq,
                anchor_hash=anchor_hash,
            )
        if not report.ok:
            return report, entries
        return _check_outcomes_audited(db, report), entries

    async def purge(
        self, now: datetime, retention: Mapping[str, timedelta], *, default: timedelta
    ) -> PurgeReport:
        """Remove terminal notices past the retention of every profile they ran under,
        then the audit chain's oldest entries up to the first one that must be kept (a
        prefix, so the rest still verifies from the new anchor). Appends an
        ``audit_purged`` entry saying what went."""
        now_us = to_us(now)

        def keep_for(profiles: str) -> timedelta:
            names = [p for p in profiles.split(",") if p]
            return max((retention.get(p, default) for p in names), default=default)

        def op(db: Db) -> PurgeReport:
            gone: list[str] = []
            for key, profiles, updated in db.all(
                "SELECT key, profiles, updated_at FROM notices WHERE state IN "
                "('delivered', 'blocked', 'failed', 'dead_lettered')"
            ):
                if updated + _us(keep_for(profiles)) <= now_us:
                    gone.append(key)
            contacts = 0
            for key in gone:
                for table in ("attempts", "transitions"):
                    db.x(f"DELETE FROM {table} WHERE key = ?", (key,))
                contacts += db.x("DELETE FROM contacts WHERE key = ?", (key,)).rowcount
                db.x("DELETE FROM notices WHERE key = ?", (key,))
            contacts += db.x(
                "DELETE FROM contacts WHERE key IS NULL AND at <= ?", (now_us - _us(default),)
            ).rowcount
            live = {r[0] for r in db.all("SELECT key FROM notices")}
            removed, kept_from = 0, None
            for seq, at, key, prev_hash in db.all(
                "SELECT seq, at, key, prev_hash FROM audit ORDER BY seq"
            ):
                purgeable = (key in gone) or (key not in live and at + _us(default) <= now_us)
                if not purgeable:
                    kept_from = seq
                    set_meta(db, "audit_anchor_seq", str(seq - 1))
                    set_meta(db, "audit_anchor_hash", prev_hash)
                    break
                removed += 1
            if kept_from is None and removed:
                set_meta(db, "audit_anchor_seq", get_meta(db, "audit_head_seq") or "0")
                set_meta(db, "audit_anchor_hash", get_meta(db, "audit_head_hash") or "")
            if removed:
                bound = kept_from if kept_from is not None else (1 << 62)
                db.x("DELETE FROM audit WHERE seq < ?", (bound,))
            report = PurgeReport(len(gone), removed, contacts, kept_from)
            _append_audit(
                db,
                self.audit_key,
                "audit_purged",
                None,
                {
                    "notices": len(gone),
                    "audit_entries": removed,
                    "contacts": contacts,
                    "kept_from_seq": kept_from,
                    "retention_days": {k: v.days for k, v in sorted(retention.items())},
                },
                now_us,
            )
            return report

        return await self.runner.run(op, ["audit"])

    # -- the ReceiptLedger extension ----------------------------------------------

    async def record_delivery(
        self,
        provider_id: str,
        *,
        status: str,
        rank: int,
        now: datetime,
        error_code: str | None = None,
        failure: LateFailure | None = None,
    ) -> DeliveryUpdate:
        """Store a provider's delivery status for an attempt (see
        :class:`~notifysdk.ledger.receipts.ReceiptLedger`). The compare-and-set is a
        conditional ``UPDATE``, so concurrent replays change the row once."""
        at = to_us(now)

        def op(db: Db) -> DeliveryUpdate:
            row = db.one(
                "SELECT key, number, delivery_status FROM attempts WHERE provider_id = ? "
                "ORDER BY started_at DESC LIMIT 1",
                (provider_id,),
            )
            if row is None:
                return DeliveryUpdate(known=False)
            key, number, current = str(row[0]), int(row[1]), row[2]
            accepted = _accepted_sends(db, key)
            changed = (
                db.x(
                    "UPDATE attempts SET delivery_status = ?, delivery_rank = ?, "
                    "delivery_code = ?, delivery_at = ? "
                    "WHERE key = ? AND number = ? AND delivery_rank < ?",
                    (status, rank, error_code, at, key, number, rank),
                ).rowcount
                == 1
            )
            notice = db.one(
                "SELECT state, outcome_json, channel, updated_at FROM notices WHERE key = ?",
                (key,),
            )
            state = None if notice is None else NoticeState(notice[0])
            if not changed:
                return DeliveryUpdate(True, False, key, number, current, state, accepted)
            retry = False
            moved = False
            if failure is not None and state is NoticeState.DELIVERED and notice is not None:
                latest = db.one(
                    "SELECT MAX(number) FROM attempts WHERE key = ? AND status = 'ok'", (key,)
                )
                if latest is not None and latest[0] == number:
                    retry = 0 < accepted <= failure.retry_limit
                    target = late_failure_state(failure, accepted)
                    opener = Opener(self.vault, db)
                    previous = _outcome(notice[1], opener, key, state, notice[2], notice[3])
                    outcome = late_failure_outcome(previous, key, target, failure, now)
                    try:
                        stored = notice_key(db, self.vault, key).seal(
                            outcome.model_dump_json(), "notices.outcome_json", key
                        )
                    except DataErasedError:
                        stored = notice[1]  # erased: it stays unreadable
                    moved = (
                        db.x(
                            "UPDATE notices SET state = ?, outcome_json = ?, updated_at = ? "
                            "WHERE key = ? AND state = 'delivered'",
                            (target.value, stored, at, key),
                        ).rowcount
                        == 1
                    )
                    if moved:
                        state = target
                    else:
                        retry = False
            update = DeliveryUpdate(True, True, key, number, status, state, accepted, retry)
            moved_to = (
                (key, NoticeState.DELIVERED, state, at, _reason(failure.reason))
                if moved and state is not None and failure is not None
                else None
            )
            _append_audit(
                db,
                self.audit_key,
                "delivery_status",
                key,
                normalize_detail(delivery_detail(provider_id, error_code, update, failure)),
                at,
                transition=moved_to,
            )
            return update

        # No lock: the compare-and-sets are conditional UPDATEs, and the audit append
        # takes the chain's lock at the end of the transaction (see the module's doc).
        return await self._run(op)

    # -- account events (see notifysdk.account_events) ----------------------------

    async def record_event(
        self, account_id: str, event: AccountEvent, *, detail: Mapping[str, Any], now: datetime
    ) -> None:
        """Store ``event`` under the account's keyed reference, its note and contact
        sealed under the account's data key, with its ``account_event`` audit entry
        (one transaction)."""
        at = to_us(now)
        eid = os.urandom(12).hex()
        clean = normalize_detail(detail)

        def op(db: Db) -> None:
            v = self.vault
            ref = v.account_ref(account_id)
            sealer: Sealer | None = None
            if event.contact is not None or event.note is not None:
                sealer = account_key(db, v, account_id, at)

            def seal(value: str | None, column: str) -> str | None:
                if value is None or sealer is None:
                    return None
                return sealer.seal(value, f"account_events.{column}", eid)

            db.x(
                "INSERT INTO account_events (eid, account, kind, at, until_at, contact, note, "
                "source, dkid, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    eid,
                    ref,
                    event.kind.value,
                    to_us(event.at),
                    None if event.until is None else to_us(event.until),
                    seal(event.contact, "contact"),
                    seal(event.note, "note"),
                    event.source,
                    None if sealer is None else sealer.dkid,
                    at,
                ),
            )
            _append_audit(
                db, self.audit_key, "account_event", None, {**clean, "account_ref": ref}, at
            )

        await self._run(op)

    async def events(self, account_id: str, *, before: datetime) -> tuple[AccountEvent, ...]:
        """The account's events with ``at < before``, oldest first (one indexed query;
        an erased note or contact reads as ``[erased]``)."""
        if self._vault is None:
            await self._ready()
        ref = self.vault.account_ref(account_id)
        bound = to_us(before)

        def op(db: Db) -> tuple[AccountEvent, ...]:
            rows = db.all(
                "SELECT eid, kind, at, until_at, contact, note, source FROM account_events "
                "WHERE account = ? AND at < ? ORDER BY at, id",
                (ref, bound),
            )
            if not rows:
                return ()
            opener = Opener(self.vault, db)
            return tuple(
                AccountEvent(
                    r[1],
                    from_us(r[2]),
                    None if r[3] is None else from_us(r[3]),
                    opener.text_or(r[4], "account_events.contact", r[0], ERASED),
                    opener.text_or(r[5], "account_events.note", r[0], ERASED),
                    r[6],
                )
                for r in rows
            )

        return await self._read(op)

    async def account_notices(self, account_id: str) -> list[tuple[str, NoticeState]]:
        """The keys and states of the notices stored under the account's data key
        (what ``cancel`` by account looks at), oldest first; none once it was erased."""
        if self._vault is None:
            await self._ready()
        ref = self.vault.account_ref(account_id)
        rows = await self._read(
            lambda db: db.all(
                "SELECT n.key, n.state FROM notices n JOIN data_keys d ON d.dkid = n.dkid "
                "WHERE d.account = ? AND d.wrapped IS NOT NULL ORDER BY n.created_at, n.key",
                (ref,),
            )
        )
        return [(str(k), NoticeState(st)) for k, st in rows]

    # -- erasure and key rotation (see notifysdk.ledger.crypto) ----------------------

    async def erase(self, account_id: str, *, now: datetime) -> EraseReport:
        """Destroy the data key of ``account_id`` (a PIPL Art. 47 / GDPR Art. 17
        deletion): its stored personal values become unreadable, in every process, at
        once. Audited (``erased``: the keyed account reference and counts, no personal
        data); the audit trail itself holds masked values only and still verifies."""
        at = to_us(now)

        def op(db: Db) -> EraseReport:
            ref, keys, notices = crypto_erase(db, self.vault, account_id, at)
            if keys:
                _append_audit(
                    db,
                    self.audit_key,
                    "erased",
                    None,
                    {"account_ref": ref, "data_keys": keys, "notices": notices},
                    at,
                )
            return EraseReport(ref, keys, notices)

        return await self._run(op, ["crypto", "audit"])

    async def rotate_master_key(self, *, now: datetime, finish: bool = False) -> int:
        """Wrap every data key under this process's current master key (see
        :func:`notifysdk.ledger.crypto.rewrap`); audited with the key ids. Returns the
        data keys rewrapped."""
        at = to_us(now)

        def op(db: Db) -> int:
            before = get_meta(db, "master_key_id")
            n = rewrap(db, self.vault, finish=finish)
            _append_audit(
                db,
                self.audit_key,
                "master_key_rotated",
                None,
                {
                    "from_key_id": before,
                    "to_key_id": self.vault.current_id,
                    "data_keys": n,
                    "finished": finish,
                },
                at,
            )
            return n

        return await self._run(op, ["crypto", "audit"])

    async def key_status(self) -> KeyStatus:
        """Which master keys wrap this ledger's data keys (ids only)."""
        return await self._run(key_status)

    async def delivery(self, provider_id: str) -> DeliveryState | None:
        """The delivery status stored for ``provider_id``."""

        def op(db: Db) -> DeliveryState | None:
            row = db.one(
                "SELECT key, number, delivery_status, delivery_code, delivery_at FROM attempts "
                "WHERE provider_id = ? ORDER BY started_at DESC LIMIT 1",
                (provider_id,),
            )
            if row is None:
                return None
            when = None if row[4] is None else from_us(row[4])
            return DeliveryState(provider_id, row[0], int(row[1]), row[2], row[3], when)

        return await self.runner.run(op)

    async def last_contact(self, scope: str, before: datetime) -> datetime | None:
        """The latest contact under ``scope`` strictly before ``before``."""
        if self._vault is None:
            await self._ready()
        stored = self.vault.scope(scope)
        row = await self._read(
            lambda db: db.one(
                "SELECT MAX(at) FROM contacts WHERE scope = ? AND at < ?", (stored, to_us(before))
            )
        )
        return None if row is None or row[0] is None else from_us(int(row[0]))


_OUTCOME_STATES = ("delivered", "deferred", "blocked", "failed", "dead_lettered")


def _check_outcomes_audited(db: Db, report: VerifyReport) -> VerifyReport:
    """``report`` unless a transition that records an outcome names no audit entry of
    its key (written outside the outcome's transaction, or its entry removed). Purges
    remove a notice's transitions with its entries, so every remaining mark (``0``:
    written before schema 4) must name an entry that exists, whatever the anchor."""
    marks = ", ".join("?" for _ in _OUTCOME_STATES)
    rows = db.all(
        "SELECT t.key, t.to_state, t.audit_seq FROM transitions t "
        f"WHERE t.to_state IN ({marks}) AND (t.audit_seq IS NULL OR (t.audit_seq > 0 "
        "AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = t.audit_seq AND a.key = t.key))) "
        "ORDER BY t.id",
        _OUTCOME_STATES,
    )
    if not rows:
        return report
    first = rows[0]
    return VerifyReport(
        False,
        report.entries,
        None,
        None if first[2] is None else int(first[2]),
        "unaudited",
        f"{len(rows)} outcome(s) without an audit entry; the first: notice {first[0]} "
        f"moved to {first[1]}",
        unaudited=len(rows),
    )


class Reader(Protocol):
    """Runs a read-only function of a connection in the caller's thread."""

    def read(self, fn: Callable[[Db], T]) -> T:
        """``fn(db)`` on a consistent snapshot of committed data."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


def _accepted_sends(db: Db, key: str) -> int:
    row = db.one("SELECT COUNT(*) FROM attempts WHERE key = ? AND status = 'ok'", (key,))
    return int(row[0]) if row else 0


def check_url_path(url: str, scheme: str) -> str:
    """The part of ``url`` after ``scheme://``, or a configuration error."""
    prefix = f"{scheme}://"
    if not url.startswith(prefix):
        raise ConfigurationError(f"a {scheme} ledger URL starts with {prefix!r}")
    return url[len(prefix) :]


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _count(db: Db, scope: str, start: int, end: int, *, but: str | None = None) -> int:
    """Contacts under ``scope`` in ``[start, end)``, less the reservations of ``but``."""
    if but is None:
        row = db.one(
            "SELECT COUNT(*) FROM contacts WHERE scope = ? AND at >= ? AND at < ?",
            (scope, start, end),
        )
    else:
        row = db.one(
            "SELECT COUNT(*) FROM contacts WHERE scope = ? AND at >= ? AND at < ? "
            "AND NOT (kind = 'reserved' AND key IS NOT NULL AND key = ?)",
            (scope, start, end, but),
        )
    return int(row[0]) if row else 0


def _counts(
    db: Db, reservations: Sequence[Reservation], scopes: Sequence[str], but: str
) -> list[int]:
    """:func:`_count` of each reservation (its stored scope in ``scopes``) less the
    reservations of ``but``, in one statement: a read-only scalar subquery per
    reservation, each what ``_count`` would read, in the same transaction."""
    if len(reservations) < 2:
        return [
            _count(db, scope, to_us(res.window_start), to_us(res.window_end), but=but)
            for res, scope in zip(reservations, scopes, strict=True)
        ]
    row = db.one(
        "SELECT "
        + ", ".join(
            [
                "(SELECT COUNT(*) FROM contacts WHERE scope = ? AND at >= ? AND at < ? "
                "AND NOT (kind = 'reserved' AND key IS NOT NULL AND key = ?))"
            ]
            * len(reservations)
        ),
        [
            p
            for res, scope in zip(reservations, scopes, strict=True)
            for p in (scope, to_us(res.window_start), to_us(res.window_end), but)
        ],
    )
    assert row is not None
    return [int(n) for n in row]


def _transition(
    db: Db,
    key: str,
    prior: NoticeState | None,
    to: NoticeState,
    at: int,
    reason: str | None,
) -> None:
    """A state change that records no outcome (those are written with their audit
    entry: :func:`write_audit`)."""
    db.x(
        "INSERT INTO transitions (key, from_state, to_state, at, reason) VALUES (?, ?, ?, ?, ?)",
        (key, None if prior is None else prior.value, to.value, at, reason),
    )


def _maybe_out(db: Db, key: str) -> bool:
    """True when an attempt of ``key`` may have reached the provider (in flight,
    unknown, interrupted, or receipted)."""
    return (
        db.one(
            "SELECT 1 FROM attempts WHERE key = ? AND status IN "
            "('in_flight', 'interrupted', 'unknown', 'ok') LIMIT 1",
            (key,),
        )
        is not None
    )


def _fenced(db: Db, key: str, fence: int) -> str:
    """The channel of ``key`` if it is still claimed under ``fence``; else ClaimLostError."""
    row = db.one("SELECT state, fence, channel FROM notices WHERE key = ?", (key,))
    if row is None or row[0] != NoticeState.CLAIMED.value or int(row[1] or 0) != fence:
        raise _claim_lost()
    return str(row[2])


def _claim_lost() -> ClaimLostError:
    return ClaimLostError(
        "this worker no longer holds the claim on the notice (taken over or finished)"
    )


def _insert_attempt(
    db: Db,
    sealer: Sealer,
    key: str,
    channel: str,
    to: str,
    at: int,
    digest: str | None = None,
    *,
    first: bool = False,
) -> Attempt:
    """Record the next attempt of ``key`` in flight (``first``: the key is new, so 1),
    its destination sealed."""
    top = None if first else db.one("SELECT MAX(number) FROM attempts WHERE key = ?", (key,))
    number = int(top[0] or 0) + 1 if top else 1
    db.x(
        "INSERT INTO attempts (key, number, channel, dest, started_at, status, body_sha256) "
        "VALUES (?, ?, ?, ?, ?, 'in_flight', ?)",
        (
            key,
            number,
            channel,
            sealer.seal(to, "attempts.dest", f"{key}#{number}"),
            at,
            # the body's digest is as guessable as the body (a template, a name, an amount)
            None
            if digest is None
            else sealer.seal(digest, "attempts.body_sha256", f"{key}#{number}"),
        ),
    )
    detail = {BODY_DIGEST: digest} if digest else {}
    return Attempt(key, channel, number, to, from_us(at), detail=detail)


def _end_attempt(db: Db, sealer: Sealer, ended: AttemptEnd, at: int) -> None:
    status = attempt_status(ended)
    detail: dict[str, Any] = {}
    if ended.receipt is not None:
        detail["receipt"] = ended.receipt.model_dump(mode="json")
    else:
        detail["error"] = type(ended.error).__name__ if ended.error is not None else "unknown"
        code = getattr(ended.error, "provider_code", None)
        if code is not None:
            detail["provider_code"] = code
    if ended.reconciled is not None:
        detail["reconciled"] = ended.reconciled.value
    provider_id = ended.receipt.provider_id if ended.receipt is not None else None
    key, number = ended.attempt.idempotency_key, ended.attempt.number
    db.x(
        "UPDATE attempts SET ended_at = ?, status = ?, provider_id = ?, detail_json = ? "
        "WHERE key = ? AND number = ?",
        (
            at,
            status,
            provider_id,
            sealer.seal(json.dumps(detail), "attempts.detail_json", f"{key}#{number}"),
            key,
            number,
        ),
    )


_TransitionRow = tuple[str, NoticeState | None, NoticeState, int, str | None]
"""A transition that names its audit entry: key, from, to, at (us), reason."""


@dataclass(frozen=True, slots=True)
class AuditAppend:
    """One audit entry waiting for its place in the chain: everything but its link
    (sequence number, previous hash, hash) is computed before the audit lock."""

    event: str
    key: str | None
    at_us: int
    detail_json: str
    """The detail as stored (``detail_json``)."""
    rest: str
    """The entry's hash input after its link (:func:`~notifysdk.ledger.audit.hashed_rest`)."""
    transition: _TransitionRow | None = None
    """The state change this entry records, written with the entry's sequence number."""


def _audit_entry(event: str, key: str | None, detail: dict[str, Any], at_us: int) -> AuditAppend:
    """An entry to append (``detail`` already normalised and masked)."""
    return AuditAppend(
        event,
        key,
        at_us,
        json.dumps(detail, ensure_ascii=False),
        hashed_rest(from_us(at_us), event, key, detail),
    )


def _append_audit(
    db: Db,
    audit_key: KeySource | None,
    event: str,
    key: str | None,
    detail: dict[str, Any],
    at_us: int,
    *,
    transition: _TransitionRow | None = None,
) -> None:
    """Append one entry (and the ``transition`` it records) at the chain's head: see
    :func:`_append`."""
    _append(db, audit_key, _audit_entry(event, key, detail, at_us), transition)


def _append(
    db: Db,
    audit_key: KeySource | None,
    entry: AuditAppend,
    transition: _TransitionRow | None = None,
    head: tuple[int, str] | None = None,
) -> None:
    """Append ``entry`` (HMAC-keyed with ``audit_key``'s current key, plain SHA-256
    without one; see :func:`~notifysdk.ledger.audit.append_key`), with ``transition``
    naming its sequence number: at once on a connection without deferred work
    (SQLite), else at the end of the transaction (PostgreSQL: see the module's doc).
    ``head``: the chain's head as the caller read it in this transaction under the
    write lock (:func:`audit_head`), else it is read here."""
    if transition is not None:
        entry = AuditAppend(
            entry.event, entry.key, entry.at_us, entry.detail_json, entry.rest, transition
        )
    deferred: list[Any] | None = getattr(db, "deferred", None)
    if deferred is not None:
        deferred.append(entry)
    else:
        if head is None:
            head = audit_head(db.all(AUDIT_HEAD_SQL))
        write_audit(db, [entry], audit_key, head)


_FINISH_ROW = (
    f"SELECT n.state, n.fence, {DK_COLS} FROM notices n "
    "LEFT JOIN data_keys d ON d.dkid = n.dkid WHERE n.key = ?"
)
"""What ``finish`` reads of its notice: state, fence and data key (:data:`DK_COLS`)."""

_FINISH_ROW_AND_HEAD = (
    f"SELECT n.state, n.fence, {DK_COLS}, "
    "(SELECT value FROM ledger_meta WHERE name = 'audit_head_seq'), "
    "(SELECT value FROM ledger_meta WHERE name = 'audit_head_hash') FROM notices n "
    "LEFT JOIN data_keys d ON d.dkid = n.dkid WHERE n.key = ?"
)
""":data:`_FINISH_ROW` and the audit chain's head (sequence number, hash), as
:data:`AUDIT_HEAD_SQL` would read them."""

AUDIT_HEAD_SQL = (
    "SELECT name, value FROM ledger_meta WHERE name IN ('audit_head_seq', 'audit_head_hash')"
)
"""Reads the chain's head (see :func:`_audit_head`)."""


def audit_head(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    """The head's sequence number and hash from the rows of :data:`AUDIT_HEAD_SQL`."""
    head = dict(rows)
    return int(head.get("audit_head_seq") or 0), head.get("audit_head_hash") or ""


def write_audit(
    db: Db,
    entries: Sequence[AuditAppend],
    audit_key: KeySource | None,
    head: tuple[int, str],
) -> None:
    """Link ``entries`` in order after ``head`` (its sequence number and hash, read under
    the audit lock or SQLite's write lock), store them with the transitions they
    record, and move the head. PostgreSQL: one statement for all of it."""
    seq, prev = head
    audit_rows: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    for e in entries:
        seq += 1
        digest = link_hash(prev, e.rest, append_key(prev, audit_key))
        audit_rows.append((seq, e.at_us, e.event, e.key, e.detail_json, prev, digest))
        if e.transition is not None:
            k, prior, to, at, why = e.transition
            moves.append((k, None if prior is None else prior.value, to.value, at, why, seq))
        prev = digest
    if db.dialect == "postgresql":
        _write_audit_pg(db, audit_rows, moves, seq, prev)
        return
    for row in audit_rows:
        db.x(
            "INSERT INTO audit (seq, at, event, key, detail_json, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    db.x(_HEAD_UPSERT, (str(seq), prev))
    for m in moves:
        db.x(
            "INSERT INTO transitions (key, from_state, to_state, at, reason, audit_seq) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            m,
        )


_HEAD_UPSERT = (
    "INSERT INTO ledger_meta (name, value) VALUES ('audit_head_seq', ?), "
    "('audit_head_hash', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)


def _write_audit_pg(
    db: Db,
    audit_rows: list[tuple[Any, ...]],
    moves: list[tuple[Any, ...]],
    seq: int,
    head_hash: str,
) -> None:
    """The entries, their transitions and the new head in one statement (data-modifying
    CTEs): one round trip under the audit lock."""
    parts = [
        "a AS (INSERT INTO audit (seq, at, event, key, detail_json, prev_hash, hash) VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(audit_rows))
        + ")"
    ]
    params: list[Any] = [v for row in audit_rows for v in row]
    if moves:
        parts.append(
            "t AS (INSERT INTO transitions (key, from_state, to_state, at, reason, audit_seq) "
            "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(moves)) + ")"
        )
        params += [v for m in moves for v in m]
    db.x(f"WITH {', '.join(parts)} {_HEAD_UPSERT}", [*params, str(seq), head_hash])


def _audit_rows(db: Db) -> list[AuditEntry]:
    return [
        AuditEntry(int(r[0]), from_us(r[1]), r[2], r[3], json.loads(r[4]), r[5], r[6])
        for r in db.all(
            "SELECT seq, at, event, key, detail_json, prev_hash, hash FROM audit ORDER BY seq"
        )
    ]


def _record(row: tuple[Any, ...], attempts: tuple[Attempt, ...], opener: Opener) -> NoticeRecord:
    """A :class:`NoticeRecord` from a ``notices`` row (key, state, channel, outcome,
    owner, lease, updated) and its attempts."""
    state = NoticeState(row[1])
    return NoticeRecord(
        key=row[0],
        state=state,
        channel=row[2],
        outcome=_outcome(row[3], opener, row[0], state, row[2], row[6]),
        owner=row[4],
        lease_until=None if row[5] is None else from_us(row[5]),
        attempts=attempts,
        updated_at=from_us(row[6]),
    )


def _attempt(r: tuple[Any, ...], opener: Opener) -> Attempt:
    row = f"{r[0]}#{r[2]}"
    try:
        blob = opener.text(r[6], "attempts.detail_json", row)
        detail = dict(json.loads(blob or "{}"))
        to = opener.text(r[3], "attempts.dest", row) or ""
        digest = opener.text(r[9], "attempts.body_sha256", row)
    except DataErasedError:
        detail, to, digest = erased_detail(), ERASED, None
    detail["_status"] = r[7]
    if r[8] is not None:
        detail["_ended_at"] = from_us(r[8]).isoformat()
    if digest:
        detail[BODY_DIGEST] = digest
    return Attempt(r[0], r[1], int(r[2]), to, from_us(r[4]), r[5], detail)


def _outcome(
    blob: str | None, opener: Opener, key: str, state: NoticeState, channel: str, at_us: int
) -> Outcome | None:
    """The stored outcome; for an erased account, a redacted one that keeps the stored
    state (so a delivered notice stays done and is never sent again)."""
    if blob is None:
        return None
    try:
        text = opener.text(blob, "notices.outcome_json", key)
    except DataErasedError:
        if state.value not in _OUTCOME_STATES:
            return None
        return Outcome(
            idempotency_key=key,
            status=OutcomeStatus(state.value),
            channel=channel,
            at=from_us(at_us),
            rule="erased",
            reason="personal data erased at the data subject's request",
        )
    assert text is not None
    return Outcome.model_validate_json(text)


def _notice(blob: str, opener: Opener, key: str) -> Notice:
    """The stored notice; :class:`DataErasedError` when its account was erased."""
    text = opener.text(blob, "notices.notice_json", key)
    assert text is not None
    try:
        return Notice.model_validate_json(text)
    except Exception as exc:
        raise LedgerError(f"a stored notice could not be rebuilt: {type(exc).__name__}") from None


def _stored(r: tuple[Any, ...], opener: Opener) -> StoredNotice:
    """A stored notice from ``key, state, notice_json, outcome_json, due_at, channel,
    updated_at`` (see ``_NOTICE_COLS``)."""
    state = NoticeState(r[1])
    return StoredNotice(
        r[0],
        state,
        _notice(r[2], opener, r[0]),
        _outcome(r[3], opener, r[0], state, r[5], r[6]),
        None if r[4] is None else from_us(r[4]),
    )


def _stored_all(rows: Iterable[tuple[Any, ...]], opener: Opener) -> list[StoredNotice]:
    """The stored notices of ``rows``, leaving out those whose account was erased."""
    out = []
    for r in rows:
        try:
            out.append(_stored(r, opener))
        except DataErasedError:
            continue
    return out


def receipt_of(attempt: Attempt) -> Receipt | None:
    """The receipt an attempt stored when it ended well."""
    blob = attempt.detail.get("receipt")
    return None if blob is None else Receipt.model_validate(blob)


__all__ = ["IN_FLIGHT", "OutcomeStatus", "SqlLedger", "receipt_of"]
