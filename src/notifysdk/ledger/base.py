"""The ledger contract.

The dispatcher talks to a ledger only through :class:`Ledger`. The order of calls for one
notice is::

    get(key)                       -> a terminal record means "already done": send nothing
    claim(notice, reservations)    -> CLAIMED | DUPLICATE | BUSY | CAP_EXCEEDED (atomic)
    begin_attempt(...)             -> written *before* the provider is called
    end_attempt(...)               -> the receipt or the error
    finish(notice, outcome)        -> terminal or deferred state, audit entry, lease released

Decisions taken before a claim (blocked by policy, deferred by a window) are written with
``finish`` alone. Reservations made at claim time are kept when the outcome is
``delivered`` and released otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from ..channels import Attempt
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from ..policy import Reservation


class NoticeState(StrEnum):
    """Where a notice is in its life."""

    PENDING = "pending"
    CLAIMED = "claimed"
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    BLOCKED = "blocked"
    FAILED = "failed"
    DEAD_LETTERED = "dead_lettered"


TERMINAL_STATES = frozenset(
    {NoticeState.DELIVERED, NoticeState.BLOCKED, NoticeState.FAILED, NoticeState.DEAD_LETTERED}
)


def state_for(status: OutcomeStatus) -> NoticeState:
    """The notice state an outcome status leaves it in."""
    return NoticeState(status.value)


class ClaimStatus(StrEnum):
    """The answer to a claim."""

    CLAIMED = "claimed"
    DUPLICATE = "duplicate"
    """The key already has a terminal outcome: nothing is sent, ``outcome`` is the first one."""
    BUSY = "busy"
    """Another owner holds an unexpired lease on the key."""
    CAP_EXCEEDED = "cap_exceeded"
    """A reservation could not be taken: ``reservation`` names the full cap."""


@dataclass(frozen=True)
class Claim:
    """The result of :meth:`Ledger.claim`."""

    status: ClaimStatus
    key: str
    owner: str
    lease_until: datetime | None = None
    outcome: Outcome | None = None
    reservation: Reservation | None = None
    count: int | None = None


@dataclass(frozen=True)
class NoticeRecord:
    """What the ledger holds for one idempotency key."""

    key: str
    state: NoticeState
    channel: str
    outcome: Outcome | None = None
    owner: str | None = None
    lease_until: datetime | None = None
    attempts: tuple[Attempt, ...] = ()
    updated_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One append-only audit entry. ``detail`` holds masked values only."""

    seq: int
    at: datetime
    event: str
    key: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


@runtime_checkable
class Ledger(Protocol):
    """Durable record of claims, attempts, outcomes, contacts and audit entries."""

    async def get(self, key: str) -> NoticeRecord | None:
        """The record for ``key``, or ``None`` when the key was never seen."""
        ...

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
        """Atomically: refuse a key that is done or leased, check and take every reservation."""
        ...

    async def begin_attempt(self, key: str, *, number: int, to: str, now: datetime) -> Attempt:
        """Record that attempt ``number`` is about to call the provider."""
        ...

    async def end_attempt(
        self,
        attempt: Attempt,
        *,
        now: datetime,
        receipt: Receipt | None = None,
        error: BaseException | None = None,
    ) -> None:
        """Record how an attempt ended (a receipt, or the error's type and provider code)."""
        ...

    async def finish(self, notice: Notice, outcome: Outcome) -> None:
        """Store the outcome, release the lease (and reservations unless delivered), audit."""
        ...

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        """Contacts stored under ``scope`` with ``start <= at < end``."""
        ...

    async def record_contact(
        self,
        scope: str,
        at: datetime,
        *,
        key: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Store a contact that did not come from a claim (e.g. an agent's call outcome)."""
        ...

    async def audit(
        self, event: str, key: str | None, detail: Mapping[str, Any], *, now: datetime
    ) -> None:
        """Append an audit entry; ``detail`` must already be masked."""
        ...

    async def audit_entries(self) -> Sequence[AuditEntry]:
        """Every audit entry, oldest first."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


LedgerFactory = Callable[[str], Ledger]
"""Opens a ledger from a URL such as ``memory://`` or ``sqlite:///path``."""
