"""The ledger contract.

The dispatcher talks to a ledger only through :class:`Ledger`. The order of calls for one
notice is::

    get(key)                         -> a terminal record means "already done": send nothing
    claim(notice, reservations, to)  -> CLAIMED (with attempt 1 in flight) | DUPLICATE |
                                        BUSY | CAP_EXCEEDED, all in one transaction
    [end_attempt + begin_attempt]    -> only when a retry follows a failed attempt
    finish(notice, outcome, fence, ended=...)
                                     -> the last attempt's end, the outcome, its transition
                                        and its audit entry, in one transaction

So a notice delivered at the first try costs two write transactions. Decisions taken
before a claim (blocked by policy, deferred by a window) are written with ``finish``
alone. Every back-end (memory, SQLite, PostgreSQL) keeps the same contract, which
``tests/ledger/test_contract.py`` runs over all three:

- **Terminal outcomes are final.** Once a key is delivered, blocked, failed or
  dead-lettered, a later ``claim`` answers ``DUPLICATE`` with the first outcome and a
  later ``finish`` changes nothing (it returns ``False``). Only ``requeue`` (an
  operator's re-drive) moves a failed or dead-lettered key back to ``pending``.
- **Pre-claim decisions** (``finish`` without a fence) never touch a claimed key.
- **Re-claim.** A key with an unexpired lease is ``BUSY`` for every owner, its own
  included (one claim, one worker). An expired claim is taken over only when nothing may
  have gone out under it (no attempt in flight, unknown or receipted); otherwise it stays
  ``BUSY`` until recovery reconciles it. A deferred or pending key is claimed afresh.
- **Fencing.** Every claim and every take-over gives the key a new, larger fencing token
  (``Claim.fence``). ``begin_attempt``, ``end_attempt`` and ``finish`` with a ``fence``
  act only while the key is still claimed under that token; otherwise they raise
  :class:`~notifysdk.errors.ClaimLostError` and write nothing, so a worker whose lease
  was taken over never calls the provider again. ``begin_attempt`` renews the lease.
- **Attempts** are numbered per key from 1 across every claim and run (a notice sent
  again after a crash continues the count); the stored number is what the ledger
  returns.
- **Reservations** taken at claim time are kept when the outcome is ``delivered`` and
  released otherwise (and when a claim is taken over or released).
- **Audit.** ``finish`` appends the ``outcome`` entry (masked details only: see
  :func:`notifysdk.ledger.audit.outcome_detail`) in the same transaction as the
  outcome, so there is never an outcome without its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..channels import Attempt, ReconcileStatus
from ..errors import AmbiguousDeliveryError
from ..frozen import fast_init
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from ..reservations import Reservation

if TYPE_CHECKING:
    from ..account_events import AccountEvent


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
    state = _STATES.get(status)
    if state is None:  # an enum lookup by value, once per status
        state = _STATES[status] = NoticeState(status.value)
    return state


_STATES: dict[OutcomeStatus, NoticeState] = {}


class ClaimStatus(StrEnum):
    """The answer to a claim."""

    CLAIMED = "claimed"
    DUPLICATE = "duplicate"
    """The key already has a terminal outcome: nothing is sent, ``outcome`` is the first one."""
    BUSY = "busy"
    """Another owner holds an unexpired lease on the key."""
    CAP_EXCEEDED = "cap_exceeded"
    """A reservation could not be taken: ``reservation`` names the full cap."""


@fast_init  # one per notice (every ledger's claim answers one)
@dataclass(frozen=True)
class Claim:
    """The result of :meth:`Ledger.claim`.

    ``fence`` is the fencing token of a ``CLAIMED`` answer (pass it to every later call
    for the key); ``attempt`` the first attempt, recorded in flight in the same
    transaction, when ``claim`` was given ``to``.
    """

    status: ClaimStatus
    key: str
    owner: str
    lease_until: datetime | None = None
    outcome: Outcome | None = None
    reservation: Reservation | None = None
    count: int | None = None
    fence: int = 0
    attempt: Attempt | None = None


@fast_init  # one per attempt
@dataclass(frozen=True)
class AttemptEnd:
    """How an attempt ended, for :meth:`Ledger.end_attempt` and ``finish(ended=...)``:
    a receipt, or the error (an :class:`~notifysdk.errors.AmbiguousDeliveryError` is
    stored as ``unknown``, a cancellation as ``interrupted``)."""

    attempt: Attempt
    receipt: Receipt | None = None
    error: BaseException | None = None
    reconciled: ReconcileStatus | None = None
    """What the channel's ``reconcile`` said about an ambiguous attempt: ``sent`` (with
    the receipt), ``not_sent`` (nothing went out: the claim may be retried or taken
    over) or ``unknown``."""


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

    @property
    def done(self) -> bool:
        """True when the key has its terminal outcome: sending it again is a duplicate."""
        return self.outcome is not None and self.state in TERMINAL_STATES


@fast_init  # one per audit entry written or read
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


def attempt_status(ended: AttemptEnd) -> str:
    """The status every back-end stores for an attempt's end (read back as
    ``Attempt.detail["_status"]``): ``ok`` (receipted), ``unknown`` (the provider may
    have it), ``reconciled_not_sent``, ``interrupted`` (cancelled mid-call) or
    ``error``. An attempt is ``in_flight`` until it ends; recovery marks what it
    reconciles ``reconciled_*``."""
    if ended.receipt is not None:
        return "ok"
    if ended.reconciled is ReconcileStatus.NOT_SENT:
        return "reconciled_not_sent"
    if ended.reconciled is not None or isinstance(ended.error, AmbiguousDeliveryError):
        return "unknown"
    if ended.error is not None and not isinstance(ended.error, Exception):
        return "interrupted"
    return "error"


@runtime_checkable
class Ledger(Protocol):
    """Durable record of claims, attempts, outcomes, contacts and audit entries (the
    contract is in this module's docstring)."""

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
        digest: str | None = None,
    ) -> Claim:
        """In one transaction: refuse a key that is done (``DUPLICATE``) or leased
        (``BUSY``), check every reservation's cap (``CAP_EXCEEDED`` names the first full
        one, and nothing is taken), take them all, store the notice as ``claimed`` under
        a new fencing token with a lease of ``lease_seconds``, and, when ``to`` is given,
        record attempt 1 to ``to`` as in flight (``Claim.attempt``), keeping ``digest``
        (the body's SHA-256) in its detail under ``body_sha256`` for as long as the
        attempt is stored."""
        ...

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
        """Record the next attempt as in flight before the provider is called (with
        ``digest`` kept as in :meth:`claim`), and renew the lease to ``now + lease_seconds``. Raises
        :class:`~notifysdk.errors.ClaimLostError` when ``fence`` no longer holds the key."""
        ...

    async def end_attempt(self, ended: AttemptEnd, *, now: datetime, fence: int) -> None:
        """Record how an attempt ended (a receipt, or the error's type and provider
        code). Raises :class:`~notifysdk.errors.ClaimLostError` when ``fence`` no longer
        holds the key."""
        ...

    async def finish(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fence: int | None = None,
        ended: AttemptEnd | None = None,
    ) -> bool:
        """In one transaction: end ``ended`` (when given), store the outcome and its
        transition, release the lease (and the reservations unless delivered), and
        append the ``outcome`` audit entry. ``True`` when written; ``False`` when the key
        already had a terminal outcome, or (without ``fence``) it is claimed, live or
        expired: only the claim's holder, or recovery after a take-over, ends a claim
        (an expired one may have an attempt out). With a ``fence`` that no longer
        holds the key, raises :class:`~notifysdk.errors.ClaimLostError`."""
        ...

    async def count(self, scope: str, start: datetime, end: datetime) -> int:
        """Contacts stored under ``scope`` with ``start <= at < end`` (reserved, sent
        or recorded)."""
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


@runtime_checkable
class BatchReader(Protocol):
    """A ledger that reads many records in one round trip (memory, SQLite, PostgreSQL)."""

    async def get_many(self, keys: Iterable[str]) -> dict[str, NoticeRecord]:
        """The records of those of ``keys`` the ledger holds, by key; a key never seen
        is absent. Each record is the one :meth:`Ledger.get` returns."""
        ...


@runtime_checkable
class EventLedger(Protocol):
    """A ledger that stores account events (memory, SQLite, PostgreSQL; see
    :mod:`notifysdk.account_events`). A separate protocol, so a ledger written before
    account events existed is still a :class:`Ledger`: the rules then read no events."""

    async def record_event(
        self, account_id: str, event: AccountEvent, *, detail: Mapping[str, Any], now: datetime
    ) -> None:
        """In one transaction: store ``event`` under the account's keyed pseudonym (its
        ``note`` and ``contact`` encrypted under the account's data key) and append the
        ``account_event`` audit entry with ``detail`` (already masked) and the keyed
        account reference."""
        ...

    async def events(self, account_id: str, *, before: datetime) -> tuple[AccountEvent, ...]:
        """The account's events with ``at < before``, oldest first (by ``at``, then by
        the order recorded). One query; an erased note or contact reads as
        ``[erased]``."""
        ...


async def get_many(ledger: Ledger, keys: Iterable[str]) -> dict[str, NoticeRecord]:
    """The records of those of ``keys`` that ``ledger`` holds, by key: in one batch
    when the ledger is a :class:`BatchReader`, else one :meth:`Ledger.get` each."""
    if isinstance(ledger, BatchReader):
        return await ledger.get_many(keys)
    out: dict[str, NoticeRecord] = {}
    for key in keys:
        record = await ledger.get(key)
        if record is not None:
            out[key] = record
    return out


LedgerFactory = Callable[[str], Ledger]
"""Opens a ledger from a URL such as ``memory://`` or ``sqlite:///path``. A factory that
also takes a ``keys`` keyword (a :class:`notifysdk.keys.LedgerKeys`) is given the
settings' keys to encrypt personal values at rest (the built-in SQLite and PostgreSQL
ones do); one that does not is called with the URL alone, as before."""
