"""An in-process ledger: correct within one process, gone when it exits.

Used by tests (the shipped ``dispatcher`` fixture opens one) and as a fallback; the
durable default is the SQLite ledger. It keeps the same contract as the SQL ledgers (see
:mod:`notifysdk.ledger.base`; ``tests/ledger/test_contract.py`` runs over all three), so a
plugin author's tests see what production does. Every write runs under one asyncio lock,
so each call is atomic within a loop, like one transaction.

Attempts carry their status the way the SQL ledgers return it: ``detail["_status"]`` is
``in_flight`` or one of :func:`attempt_status`'s answers, and ``detail["_ended_at"]``
is set once it ended.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..account_events import AccountEvent
from ..channels import BODY_DIGEST, Attempt
from ..errors import ClaimLostError
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from ..reservations import Reservation
from .audit import append_key, hashed_rest_at, link_hash, normalize_detail, outcome_detail
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
from .receipts import (
    DeliveryState,
    DeliveryUpdate,
    LateFailure,
    delivery_detail,
    late_failure_outcome,
    late_failure_state,
)

if TYPE_CHECKING:
    from ..keys import KeySource

MAY_HAVE_GONE_OUT = frozenset({"in_flight", "unknown", "interrupted", "ok"})
"""Attempt statuses under which an expired claim is not taken over: the provider may
have the message (or has it)."""


@dataclass(slots=True)  # no __dict__: one object less per notice held
class _Row:
    key: str
    channel: str
    state: NoticeState = NoticeState.PENDING
    outcome: Outcome | None = None
    owner: str | None = None
    lease_until: datetime | None = None
    fence: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    updated_at: datetime | None = None
    reserved: list[tuple[str, datetime]] | None = None
    """The cap slots the live claim took (``None`` once none is held: a finished row
    keeps no list, one object less per notice for the garbage collector to walk)."""


@dataclass(slots=True)
class _Delivery:
    key: str
    number: int
    status: str | None = None
    rank: int = 0
    code: str | None = None
    at: datetime | None = None


def _within(at: datetime, res: Reservation) -> bool:
    return res.window_start <= at < res.window_end


def _status(attempt: Attempt) -> str | None:
    status = attempt.detail.get("_status")
    return None if status is None else str(status)


def _kept(attempt: Attempt) -> dict[str, Any]:
    """What an attempt keeps from its start through its end (the body's digest)."""
    digest = attempt.detail.get(BODY_DIGEST)
    return {BODY_DIGEST: digest} if digest else {}


def _ended_detail(attempt: Attempt, detail: dict[str, Any]) -> dict[str, Any]:
    """``{**_kept(attempt), **detail}``: the ended attempt's detail, built as one dict."""
    out = _kept(attempt)
    out.update(detail)
    return out


_RECEIPT_JSON = Receipt.__pydantic_serializer__


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    """``receipt.model_dump(mode="json")``: for a :class:`Receipt` itself, what that
    method returns straight from pydantic's serializer (with the same defaults), without
    the method's own call; a subclass (which may override it) through ``model_dump``."""
    if type(receipt) is Receipt:
        out: dict[str, Any] = _RECEIPT_JSON.to_python(receipt, mode="json")
        return out
    return receipt.model_dump(mode="json")


def _end_detail(ended: AttemptEnd, now: datetime, ended_at: str | None = None) -> dict[str, Any]:
    """The detail an ended attempt reads back with, as the SQL ledgers return it
    (``ended_at``: ``now`` in UTC as ISO text, when the caller has it already)."""
    detail: dict[str, Any] = {}
    if ended.receipt is not None:
        detail["receipt"] = receipt_json(ended.receipt)
    else:
        error = ended.error
        detail["error"] = type(error).__name__ if error is not None else "unknown"
        code = getattr(error, "provider_code", None)
        if code is not None:
            detail["provider_code"] = code
    if ended.reconciled is not None:
        detail["reconciled"] = ended.reconciled.value
    detail["_status"] = attempt_status(ended)
    detail["_ended_at"] = now.astimezone(UTC).isoformat() if ended_at is None else ended_at
    return detail


class MemoryLedger:
    """A ledger held in memory (``memory://``)."""

    audit_key: KeySource | None = None
    """The audit chain's HMAC key (``None``: plain SHA-256 entries), as on the SQL
    ledgers."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._rows: dict[str, _Row] = {}
        self._contacts: dict[str, list[tuple[datetime, str | None]]] = {}
        self._audit: list[AuditEntry] = []
        self._delivery: dict[str, _Delivery] = {}
        self._events: dict[str, list[AccountEvent]] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> NoticeRecord | None:
        """The record for ``key``, or ``None`` when the key was never seen."""
        row = self._rows.get(key)
        if row is None:
            return None
        return NoticeRecord(
            row.key,
            row.state,
            row.channel,
            row.outcome,
            row.owner,
            row.lease_until,
            tuple(row.attempts),
            row.updated_at,
        )

    async def get_many(self, keys: Iterable[str]) -> dict[str, NoticeRecord]:
        """The records of those of ``keys`` the ledger holds, by key (a key never seen
        is absent)."""
        out: dict[str, NoticeRecord] = {}
        for key in keys:
            record = await self.get(key)
            if record is not None:
                out[key] = record
        return out

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
        """Refuse a done key (``DUPLICATE``) or a leased one (``BUSY``, for every owner);
        take every reservation or none (``CAP_EXCEEDED``); claim the key under a new
        fencing token and, given ``to``, record the next attempt in flight."""
        if self._contended():
            async with self._lock:
                return self._claim(notice, owner, now, lease_seconds, reservations, to, digest)
        return self._claim(notice, owner, now, lease_seconds, reservations, to, digest)

    def _contended(self) -> bool:
        """Is the lock held or waited for (by code outside this ledger's writes)? Only
        then does a write go through ``async with`` (see :meth:`_claim`)."""
        lock = self._lock
        return lock.locked() or bool(lock._waiters)

    def _claim(
        self,
        notice: Notice,
        owner: str,
        now: datetime,
        lease_seconds: float,
        reservations: Sequence[Reservation],
        to: str | None,
        digest: str | None,
    ) -> Claim:
        """The body of :meth:`claim`, run under the lock or while it is free.

        None of this ledger's writes awaits anything, so none ever holds the lock across
        a suspension: a free lock with no waiter is one ``async with`` would take and
        give back without suspending and without waking anyone, and running the write
        directly is the same. Only a lock held (or waited for) by code outside the
        ledger's own writes makes a write queue behind it, under the lock as before."""
        key = notice.idempotency_key
        row = self._rows.get(key)
        stale: list[tuple[str, datetime]] = []
        if row is not None:
            if row.state in TERMINAL_STATES:
                return Claim(ClaimStatus.DUPLICATE, key, owner, outcome=row.outcome)
            if row.state is NoticeState.CLAIMED:
                holder = row.owner or ""
                if row.lease_until is not None and row.lease_until > now:
                    return Claim(ClaimStatus.BUSY, key, holder, lease_until=row.lease_until)
                if any(_status(a) in MAY_HAVE_GONE_OUT for a in row.attempts):
                    return Claim(ClaimStatus.BUSY, key, holder)
                stale = row.reserved or []  # a take-over gives the expired claim's slots up
        contacts = self._contacts
        for res in reservations:
            # fewer contacts under the scope than the cap, in any window: it cannot be
            # reached (most reservations only record: their cap is 2**31 - 1)
            if len(contacts.get(res.scope) or ()) < res.limit:
                continue
            used = self._count(res.scope, res.window_start, res.window_end)
            if stale:
                used -= sum(1 for scope, t in stale if scope == res.scope and _within(t, res))
            if used >= res.limit:
                return Claim(ClaimStatus.CAP_EXCEEDED, key, owner, reservation=res, count=used)
        if row is None:
            row = self._rows[key] = _Row(key, notice.channel)
        if stale:
            self._release_reservations(row)
        row.state = NoticeState.CLAIMED
        row.owner = owner
        lease_until = row.lease_until = now + timedelta(seconds=lease_seconds)
        fence = row.fence = row.fence + 1
        row.updated_at = now
        if reservations:
            reserved = row.reserved
            for res in reservations:
                scope = res.scope
                entries = contacts.get(scope)
                if entries is None:
                    entries = contacts[scope] = []
                entries.append((now, key))
                if reserved is None:
                    reserved = row.reserved = []
                reserved.append((scope, now))
        attempt = None if to is None else self._begin(row, to, now, digest)
        return Claim(
            ClaimStatus.CLAIMED,
            key,
            owner,
            lease_until=lease_until,
            fence=fence,
            attempt=attempt,
        )

    def _count(self, scope: str, start: datetime, end: datetime) -> int:
        entries = self._contacts.get(scope)
        if not entries:  # most scopes a rule asks about were never contacted
            return 0
        return sum(1 for at, _ in entries if start <= at < end)

    def _release_reservations(self, row: _Row) -> None:
        for scope, at in row.reserved or ():
            entries = self._contacts.get(scope, [])
            if (at, row.key) in entries:
                entries.remove((at, row.key))
        row.reserved = None

    def _held(self, key: str, fence: int) -> _Row:
        """The row of ``key`` if it is still claimed under ``fence``."""
        row = self._rows.get(key)
        if row is None or row.state is not NoticeState.CLAIMED or row.fence != fence:
            raise ClaimLostError("this worker no longer holds the claim on the notice")
        return row

    @staticmethod
    def _begin(row: _Row, to: str, now: datetime, digest: str | None = None) -> Attempt:
        attempts = row.attempts
        number = max([a.number for a in attempts]) + 1 if attempts else 1
        kept = {BODY_DIGEST: digest} if digest else {}
        attempt = Attempt(row.key, row.channel, number, to, now, detail=kept)
        row.attempts.append(
            Attempt(row.key, row.channel, number, to, now, detail={**kept, "_status": "in_flight"})
        )
        row.updated_at = now
        return attempt

    def _end(
        self, row: _Row, ended: AttemptEnd, now: datetime, ended_at: str | None = None
    ) -> None:
        detail = _end_detail(ended, now, ended_at)
        provider_id = ended.receipt.provider_id if ended.receipt is not None else None
        number = ended.attempt.number
        row.attempts = [
            # built afresh rather than with dataclasses.replace: it runs for every notice
            Attempt(
                a.idempotency_key,
                a.channel,
                a.number,
                a.to,
                a.started_at,
                provider_id,
                _ended_detail(a, detail),
            )
            if a.number == number
            else a
            for a in row.attempts
        ]
        if provider_id:
            self._delivery[provider_id] = _Delivery(row.key, number)

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
        """Record the next attempt in flight and renew the lease; raises
        :class:`~notifysdk.errors.ClaimLostError` when ``fence`` no longer holds the key."""
        if self._contended():
            async with self._lock:
                return self._begin_attempt(key, fence, to, now, lease_seconds, digest)
        return self._begin_attempt(key, fence, to, now, lease_seconds, digest)

    def _begin_attempt(
        self, key: str, fence: int, to: str, now: datetime, lease_seconds: float, digest: str | None
    ) -> Attempt:
        row = self._held(key, fence)
        row.lease_until = now + timedelta(seconds=lease_seconds)
        return self._begin(row, to, now, digest)

    async def end_attempt(self, ended: AttemptEnd, *, now: datetime, fence: int) -> None:
        """Record how an attempt ended; raises :class:`~notifysdk.errors.ClaimLostError`
        when ``fence`` no longer holds the key."""
        if self._contended():
            async with self._lock:
                self._end(self._held(ended.attempt.idempotency_key, fence), ended, now)
                return
        self._end(self._held(ended.attempt.idempotency_key, fence), ended, now)

    async def finish(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fence: int | None = None,
        ended: AttemptEnd | None = None,
    ) -> bool:
        """End ``ended``, store the outcome, release the lease (and the reservations
        unless delivered) and append the ``outcome`` audit entry, all at once.

        ``False`` (nothing written) when the key already has a terminal outcome, or when,
        without ``fence``, the key is claimed (its lease live, or expired and awaiting a
        take-over or recovery); raises
        :class:`~notifysdk.errors.ClaimLostError` when ``fence`` no longer holds the key.
        """
        if self._contended():
            async with self._lock:
                return self._finish(notice, outcome, fence, ended)
        return self._finish(notice, outcome, fence, ended)

    def _finish(
        self, notice: Notice, outcome: Outcome, fence: int | None, ended: AttemptEnd | None
    ) -> bool:
        key = notice.idempotency_key
        row = self._rows.get(key)
        if row is not None and row.state in TERMINAL_STATES:
            return False
        if fence is not None:
            row = self._held(key, fence)
        elif row is not None and row.state is NoticeState.CLAIMED:
            return False  # someone's claim: only its holder (or recovery) ends it
        if row is None:
            row = self._rows[key] = _Row(key, notice.channel)
        at = outcome.at
        # the outcome's time in UTC, written out once: the attempt's end and the audit
        # entry's hash both carry it as text
        at_utc = at.astimezone(UTC)
        at_iso = at_utc.isoformat()
        if ended is not None:
            self._end(row, ended, at, at_iso)
        status = outcome.status
        row.state = state_for(status)
        row.outcome = outcome
        row.owner = None
        row.lease_until = None
        row.updated_at = at
        if status is OutcomeStatus.DELIVERED:
            row.reserved = None  # kept: they are contacts now
        elif row.reserved is not None:
            self._release_reservations(row)
        # outcome_detail's answer is normalized already: appended as it is
        self._append_clean("outcome", key, outcome_detail(notice, outcome), at_utc, at_iso)
        return True

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        """Contacts (reserved, sent or recorded) under ``scope`` in ``[start, end)``."""
        return self._count(scope, start, end)

    async def record_contact(
        self,
        scope: str,
        at: datetime,
        *,
        key: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a contact made outside a claim."""
        async with self._lock:
            self._contacts.setdefault(scope, []).append((at, key))

    def _append(self, event: str, key: str | None, detail: Mapping[str, Any], at: datetime) -> None:
        self._append_clean(event, key, normalize_detail(detail), at)

    def _append_clean(
        self,
        event: str,
        key: str | None,
        clean: dict[str, Any],
        at: datetime,
        at_iso: str | None = None,
    ) -> None:
        """Append an entry whose detail is normalized already (:func:`normalize_detail`);
        ``at_iso``: ``at`` in UTC as ISO text, when the caller has it (``at`` is then in
        UTC already)."""
        if at_iso is None:
            at = at.astimezone(UTC)  # as the SQL ledgers read it back, so the hashes agree
            at_iso = at.isoformat()
        audit = self._audit
        prev = audit[-1].hash if audit else ""
        # entry_hash, with the time's text given when the caller has it
        rest = hashed_rest_at(at_iso, event, key, clean)
        digest = link_hash(prev, rest, append_key(prev, self.audit_key))
        audit.append(AuditEntry(len(audit) + 1, at, event, key, clean, prev, digest))

    async def audit(
        self, event: str, key: str | None, detail: Mapping[str, Any], *, now: datetime
    ) -> None:
        """Append a hash-chained audit entry; ``detail`` must already be masked."""
        async with self._lock:
            self._append(event, key, detail, now)

    async def audit_entries(self) -> Sequence[AuditEntry]:
        """Every audit entry, oldest first."""
        return tuple(self._audit)

    async def record_event(
        self, account_id: str, event: AccountEvent, *, detail: Mapping[str, Any], now: datetime
    ) -> None:
        """Store ``event`` for the account and append its ``account_event`` audit entry
        (the account named by an unkeyed pseudonym: this ledger is never stored)."""
        ref = hashlib.sha256(b"account\x00" + account_id.encode()).hexdigest()[:32]
        async with self._lock:
            self._events.setdefault(account_id, []).append(event)
            self._append("account_event", None, {**detail, "account_ref": ref}, now)

    async def events(self, account_id: str, *, before: datetime) -> tuple[AccountEvent, ...]:
        """The account's events with ``at < before``, oldest first (then as recorded)."""
        found = self._events.get(account_id)
        if not found:
            return ()
        return tuple(sorted((e for e in found if e.at < before), key=lambda e: e.at))

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
        """Store a provider's delivery status (see :class:`ReceiptLedger`); when it
        changed anything, append the ``delivery_status`` audit entry."""
        async with self._lock:
            d = self._delivery.get(provider_id)
            if d is None:
                return DeliveryUpdate(known=False)
            row = self._rows[d.key]
            receipted = [a.number for a in row.attempts if _status(a) == "ok"]
            accepted = len(receipted)
            if rank <= d.rank:
                return DeliveryUpdate(True, False, d.key, d.number, d.status, row.state, accepted)
            d.status, d.rank, d.code, d.at = status, rank, error_code, now
            retry = False
            latest = max(receipted, default=None)
            if failure is not None and row.state is NoticeState.DELIVERED and latest == d.number:
                retry = 0 < accepted <= failure.retry_limit
                target = late_failure_state(failure, accepted)
                row.outcome = late_failure_outcome(
                    row.outcome, row.key, target, failure, now, row.channel
                )
                row.state = target
                row.updated_at = now
            update = DeliveryUpdate(True, True, d.key, d.number, status, row.state, accepted, retry)
            detail = delivery_detail(provider_id, error_code, update, failure)
            self._append("delivery_status", d.key, detail, now)
            return update

    async def delivery(self, provider_id: str) -> DeliveryState | None:
        """The delivery status stored for ``provider_id``."""
        d = self._delivery.get(provider_id)
        if d is None:
            return None
        return DeliveryState(provider_id, d.key, d.number, d.status, d.code, d.at)

    async def last_contact(self, scope: str, before: datetime) -> datetime | None:
        """The latest contact under ``scope`` strictly before ``before``."""
        entries = self._contacts.get(scope)
        if not entries:  # asked several times per notice, mostly of scopes never contacted
            return None
        return max((at for at, _ in entries if at < before), default=None)

    async def aclose(self) -> None:
        """Nothing to release."""
