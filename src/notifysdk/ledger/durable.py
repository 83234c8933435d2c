"""What a durable ledger offers beyond :class:`~notifysdk.ledger.base.Ledger`.

The dispatcher's recovery (``recover``), the deferred due list (``run_due``), the dead
letter tools and the audit tools need more than the per-notice calls: a ledger that
survives a restart keeps the notice itself (its JSON, so ``Notice.model_validate_json``
rebuilds it), every state transition, and the attempts it made. The in-memory ledger
does not implement this protocol; the SQLite and PostgreSQL ledgers do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..channels import Attempt
from ..models import Notice, Outcome
from .base import Ledger, NoticeRecord, NoticeState

if TYPE_CHECKING:
    from .checkpoints import Checkpoint


@dataclass(frozen=True)
class Transition:
    """One stored state change of a notice."""

    key: str
    from_state: NoticeState | None
    to_state: NoticeState
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class StaleClaim:
    """A claim whose owner is gone: its lease expired, or it belonged to this owner
    before a restart. ``in_flight`` are the attempts begun and never ended (or ended by a
    cancellation); ``delivered`` is the receipted attempt when one ended well."""

    record: NoticeRecord
    notice: Notice | None
    in_flight: tuple[Attempt, ...] = ()
    delivered: Attempt | None = None


@dataclass(frozen=True)
class StoredNotice:
    """A notice the ledger can rebuild, with where it stands."""

    key: str
    state: NoticeState
    notice: Notice
    outcome: Outcome | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class VerifyReport:
    """The answer of an audit-chain verification.

    ``position`` is the 1-based position (in chain order) of the first entry found
    wrong, ``seq`` its sequence number, ``problem`` one of ``edited``, ``deleted``,
    ``reordered``, ``unknown_key`` (keyed with an audit key the verifier does not hold),
    ``checkpoint`` (a signed checkpoint does not match the chain, or its signature does
    not verify), or ``unaudited`` when the chain is intact but ``unaudited`` outcomes
    (state changes that record an outcome) have no audit entry; all ``None`` when
    everything checks out. ``keyed_from`` is the first HMAC-keyed entry's sequence
    number (``None``: none is keyed) and ``unkeyed`` the plain SHA-256 entries before
    it (written before the ledger had an audit key); ``checkpoint`` says what a signed
    checkpoint vouched for.
    """

    ok: bool
    entries: int
    position: int | None = None
    seq: int | None = None
    problem: str | None = None
    detail: str = ""
    unaudited: int = 0
    keyed_from: int | None = None
    unkeyed: int = 0
    checkpoint: str = ""


@dataclass(frozen=True)
class PurgeReport:
    """What a retention purge removed, and why it stopped where it did."""

    notices: int = 0
    audit_entries: int = 0
    contacts: int = 0
    kept_from_seq: int | None = None
    """The first audit entry kept (the chain is purged as a prefix only)."""
    detail: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class DurableLedger(Ledger, Protocol):
    """A ledger that survives restarts: recovery, due list, dead letters, audit tools."""

    async def stale_claims(self, *, owner: str, now: datetime) -> Sequence[StaleClaim]:
        """Claims whose lease expired, or that ``owner`` held before it restarted."""
        ...

    async def take_over(
        self,
        key: str,
        *,
        expected_owner: str | None,
        owner: str,
        now: datetime,
        lease_seconds: float,
    ) -> bool:
        """Move a stale claim to ``owner`` if ``expected_owner`` still holds it."""
        ...

    async def release(
        self, key: str, *, expected_owner: str | None, now: datetime, reason: str
    ) -> bool:
        """Put a stale claim back to ``pending`` (freeing its reservations) if it is still
        held by ``expected_owner``; ``False`` when someone else moved it first."""
        ...

    async def mark_attempt(
        self, attempt: Attempt, *, status: str, now: datetime, detail: Mapping[str, Any]
    ) -> None:
        """Record what reconciliation found for an interrupted attempt."""
        ...

    async def due(self, now: datetime, *, limit: int = 100) -> Sequence[StoredNotice]:
        """Deferred notices whose time has come, earliest first."""
        ...

    async def notices(self, state: NoticeState, *, limit: int = 100) -> Sequence[StoredNotice]:
        """Notices in ``state`` (e.g. dead letters), most recent first."""
        ...

    async def load(self, key: str) -> StoredNotice | None:
        """The stored notice for ``key``."""
        ...

    async def transitions(self, key: str) -> Sequence[Transition]:
        """Every stored state change of ``key``, oldest first."""
        ...

    async def attempts(self, key: str) -> Sequence[Attempt]:
        """Every attempt of ``key``, in order."""
        ...

    async def requeue(self, key: str, *, now: datetime, reason: str) -> bool:
        """Move a dead-lettered (or failed) notice back to ``pending`` for a re-drive."""
        ...

    async def verify_audit(
        self, *, checkpoint: Checkpoint | None = None, trusted: Sequence[bytes] = ()
    ) -> VerifyReport:
        """Check the hash chain of the audit trail (and, given one, that it still holds
        what a signed ``checkpoint`` vouched for, its signature checked with one of the
        raw Ed25519 public keys ``trusted``)."""
        ...

    async def purge(
        self, now: datetime, retention: Mapping[str, timedelta], *, default: timedelta
    ) -> PurgeReport:
        """Remove what is past retention (per profile), keeping what must be kept."""
        ...


@runtime_checkable
class AccountNoticeLedger(Protocol):
    """A durable ledger that finds the notices stored for an account (by its data key:
    the SQLite and PostgreSQL ledgers), for ``cancel`` by account."""

    async def account_notices(self, account_id: str) -> list[tuple[str, NoticeState]]:
        """The keys and states of the account's stored notices, oldest first."""
        ...
