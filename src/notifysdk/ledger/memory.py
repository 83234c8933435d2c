"""An in-process ledger: correct within one process, gone when it exits.

Used by tests and as a fallback; the durable default is the SQLite ledger. Every
operation runs under one asyncio lock, so claim-and-reserve is atomic within a loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..channels import Attempt
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from ..policy import Reservation
from .audit import entry_hash, normalize_detail
from .base import (
    TERMINAL_STATES,
    AuditEntry,
    Claim,
    ClaimStatus,
    NoticeRecord,
    NoticeState,
    state_for,
)
from .receipts import (
    DeliveryState,
    DeliveryUpdate,
    LateFailure,
    late_failure_outcome,
    late_failure_state,
)


@dataclass
class _Row:
    key: str
    channel: str
    state: NoticeState = NoticeState.PENDING
    outcome: Outcome | None = None
    owner: str | None = None
    lease_until: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    updated_at: datetime | None = None
    reserved: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class _Delivery:
    key: str
    number: int
    status: str | None = None
    rank: int = 0
    code: str | None = None
    at: datetime | None = None


class MemoryLedger:
    """A ledger held in memory (``memory://``)."""

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self._rows: dict[str, _Row] = {}
        self._contacts: dict[str, list[tuple[datetime, str | None]]] = {}
        self._audit: list[AuditEntry] = []
        self._delivery: dict[str, _Delivery] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: str) -> NoticeRecord | None:
        """The record for ``key``."""
        row = self._rows.get(key)
        return None if row is None else self._record(row)

    @staticmethod
    def _record(row: _Row) -> NoticeRecord:
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

    async def claim(
        self,
        notice: Notice,
        *,
        owner: str,
        now: datetime,
        lease_seconds: float,
        reservations: Sequence[Reservation] = (),
        to: str | None = None,
    ) -> Claim:
        """Refuse done or leased keys; check and take every reservation, all or none."""
        key = notice.idempotency_key
        async with self._lock:
            row = self._rows.get(key)
            if row is not None:
                if row.state in TERMINAL_STATES:
                    return Claim(ClaimStatus.DUPLICATE, key, owner, outcome=row.outcome)
                if (
                    row.state is NoticeState.CLAIMED
                    and row.owner != owner
                    and row.lease_until is not None
                    and row.lease_until > now
                ):
                    return Claim(
                        ClaimStatus.BUSY, key, row.owner or "", lease_until=row.lease_until
                    )
            for res in reservations:
                used = self._count(res.scope, res.window_start, res.window_end)
                if used >= res.limit:
                    return Claim(ClaimStatus.CAP_EXCEEDED, key, owner, reservation=res, count=used)
            if row is None:
                row = self._rows[key] = _Row(key, notice.channel)
            row.state = NoticeState.CLAIMED
            row.owner = owner
            row.lease_until = now + timedelta(seconds=lease_seconds)
            row.updated_at = now
            for res in reservations:
                self._contacts.setdefault(res.scope, []).append((now, key))
                row.reserved.append((res.scope, now))
            return Claim(ClaimStatus.CLAIMED, key, owner, lease_until=row.lease_until)

    def _count(self, scope: str, start: datetime, end: datetime) -> int:
        return sum(1 for at, _ in self._contacts.get(scope, ()) if start <= at < end)

    async def begin_attempt(self, key: str, *, number: int, to: str, now: datetime) -> Attempt:
        """Record an attempt before the provider is called."""
        async with self._lock:
            row = self._rows[key]
            attempt = Attempt(key, row.channel, number, to, now)
            row.attempts.append(attempt)
            row.updated_at = now
            return attempt

    async def end_attempt(
        self,
        attempt: Attempt,
        *,
        now: datetime,
        receipt: Receipt | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Record how an attempt ended."""
        async with self._lock:
            row = self._rows[attempt.idempotency_key]
            detail: dict[str, Any] = {"ended_at": now.isoformat()}
            if receipt is not None:
                detail["receipt_status"] = receipt.status
            if error is not None:
                detail["error"] = type(error).__name__
                detail["provider_code"] = getattr(error, "provider_code", None)
            for i, a in enumerate(row.attempts):
                if a.number == attempt.number:
                    row.attempts[i] = replace(
                        a, provider_id=receipt.provider_id if receipt else None, detail=detail
                    )
            if receipt is not None and receipt.provider_id:
                self._delivery[receipt.provider_id] = _Delivery(row.key, attempt.number)

    async def finish(self, notice: Notice, outcome: Outcome) -> None:
        """Store the outcome and release the lease; keep reservations only when delivered."""
        async with self._lock:
            row = self._rows.get(notice.idempotency_key)
            if row is None:
                row = self._rows[notice.idempotency_key] = _Row(
                    notice.idempotency_key, notice.channel
                )
            row.state = state_for(outcome.status)
            row.outcome = outcome
            row.owner = None
            row.lease_until = None
            row.updated_at = outcome.at
            if outcome.status is not OutcomeStatus.DELIVERED:
                for scope, at in row.reserved:
                    entries = self._contacts.get(scope, [])
                    if (at, row.key) in entries:
                        entries.remove((at, row.key))
            row.reserved.clear()

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        """Contacts under ``scope`` in ``[start, end)``."""
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

    async def audit(
        self, event: str, key: str | None, detail: Mapping[str, Any], *, now: datetime
    ) -> None:
        """Append a hash-chained audit entry."""
        async with self._lock:
            prev = self._audit[-1].hash if self._audit else ""
            seq = len(self._audit) + 1
            clean = normalize_detail(detail)
            digest = entry_hash(prev, now, event, key, clean)
            self._audit.append(AuditEntry(seq, now, event, key, clean, prev, digest))

    async def audit_entries(self) -> Sequence[AuditEntry]:
        """Every audit entry, oldest first."""
        return tuple(self._audit)

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
        """Store a provider's delivery status (see :class:`ReceiptLedger`)."""
        async with self._lock:
            d = self._delivery.get(provider_id)
            if d is None:
                return DeliveryUpdate(known=False)
            row = self._rows[d.key]
            accepted = sum(1 for a in row.attempts if a.provider_id)
            if rank <= d.rank:
                return DeliveryUpdate(True, False, d.key, d.number, d.status, row.state, accepted)
            d.status, d.rank, d.code, d.at = status, rank, error_code, now
            retry = False
            latest = max((a.number for a in row.attempts if a.provider_id), default=None)
            if failure is not None and row.state is NoticeState.DELIVERED and latest == d.number:
                retry = 0 < accepted <= failure.retry_limit
                target = late_failure_state(failure, accepted)
                row.outcome = late_failure_outcome(
                    row.outcome, row.key, target, failure, now, row.channel
                )
                row.state = target
                row.updated_at = now
            return DeliveryUpdate(True, True, d.key, d.number, status, row.state, accepted, retry)

    async def delivery(self, provider_id: str) -> DeliveryState | None:
        """The delivery status stored for ``provider_id``."""
        d = self._delivery.get(provider_id)
        if d is None:
            return None
        return DeliveryState(provider_id, d.key, d.number, d.status, d.code, d.at)

    async def last_contact(self, scope: str, before: datetime) -> datetime | None:
        """The latest contact under ``scope`` strictly before ``before``."""
        return max((at for at, _ in self._contacts.get(scope, ()) if at < before), default=None)

    async def aclose(self) -> None:
        """Nothing to release."""
