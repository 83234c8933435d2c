"""What a ledger offers to record what happened *after* a provider accepted a message.

A provider's delivery receipts (Twilio's status callbacks: queued, sent, delivered,
undelivered, failed) arrive later, by provider id, possibly out of order and possibly
more than once. :class:`ReceiptLedger` stores them per attempt with a compare-and-set on
a rank, so a replayed or late-arriving receipt never moves a message backwards and a
replay changes state once. A late failure of the attempt that delivered the notice moves
the notice from ``delivered`` to ``failed`` (or ``dead_lettered``), in the same
transaction, so that it can be re-driven.

It also answers :meth:`ReceiptLedger.last_contact` (the latest entry of a scope), which
the ``ledger-opt-out`` rule uses to honour an opt-in (START) recorded after an opt-out.

Additive: :class:`~notifysdk.ledger.memory.MemoryLedger` and the SQL ledgers implement
it; a third-party ledger without it still satisfies :class:`~notifysdk.ledger.base.Ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..models import Outcome, OutcomeStatus
from .base import NoticeState


@dataclass(frozen=True)
class LateFailure:
    """A provider's report that an accepted message did not reach the handset.

    ``retry_limit`` is how many accepted sends beyond the first the notice may have in
    all (0: permanent, never re-sent). When the failing attempt is the one that delivered
    the notice, the notice moves to ``failed`` and :attr:`DeliveryUpdate.retry` is true
    while the number of accepted sends is at most ``retry_limit``; past it, the notice
    moves to ``dead_lettered`` instead.
    """

    reason: str
    provider_code: str | None = None
    retry_limit: int = 0


@dataclass(frozen=True)
class DeliveryUpdate:
    """The answer of :meth:`ReceiptLedger.record_delivery`."""

    known: bool
    """False when no attempt carries this provider id (nothing was stored)."""
    changed: bool = False
    """True when this call moved the attempt's delivery status (a replay: False)."""
    key: str | None = None
    attempt: int | None = None
    status: str | None = None
    """The delivery status stored after this call."""
    notice_state: NoticeState | None = None
    """The notice's state after this call."""
    accepted_sends: int = 0
    """Attempts of this notice that a provider accepted (receipted), this one included."""
    retry: bool = False
    """True when this call failed the notice late and a re-send is within the bound."""


@dataclass(frozen=True)
class DeliveryState:
    """The delivery status stored for one provider id."""

    provider_id: str
    key: str
    attempt: int
    status: str | None
    error_code: str | None
    at: datetime | None


@runtime_checkable
class ReceiptLedger(Protocol):
    """Delivery receipts by provider id, and the latest entry of a contact scope."""

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
        """Store ``status`` for the attempt that got ``provider_id`` if ``rank`` is above
        the stored rank (otherwise change nothing); with ``failure``, and when that
        attempt is the notice's latest accepted one and the notice is ``delivered``, move
        the notice as :class:`LateFailure` says. When it changed anything, it appends the
        ``delivery_status`` audit entry (:func:`delivery_detail`) in the same
        transaction."""
        ...

    async def delivery(self, provider_id: str) -> DeliveryState | None:
        """The delivery status stored for ``provider_id``, or ``None`` when unknown."""
        ...

    async def last_contact(self, scope: str, before: datetime) -> datetime | None:
        """The time of the latest entry under ``scope`` strictly before ``before``."""
        ...


def delivery_detail(
    provider_id: str, error_code: str | None, update: DeliveryUpdate, failure: LateFailure | None
) -> dict[str, Any]:
    """The ``delivery_status`` audit entry a ledger appends, in the same transaction,
    when ``record_delivery`` changed an attempt (masked: ids, statuses, codes only)."""
    decision = None
    if failure is not None and update.notice_state is not None:
        decision = "resend" if update.retry else update.notice_state.value
    return {
        "provider_id": provider_id,
        "status": update.status,
        "error_code": error_code,
        "attempt": update.attempt,
        "notice_state": update.notice_state.value if update.notice_state else None,
        "decision": decision,
    }


def late_failure_state(failure: LateFailure, accepted_sends: int) -> NoticeState:
    """``failed`` while a re-send is within ``failure.retry_limit`` (or for a permanent
    failure), ``dead_lettered`` once a transient failure has used up its bound."""
    if failure.retry_limit > 0 and accepted_sends > failure.retry_limit:
        return NoticeState.DEAD_LETTERED
    return NoticeState.FAILED


def late_failure_outcome(
    previous: Outcome | None,
    key: str,
    state: NoticeState,
    failure: LateFailure,
    now: datetime,
    channel: str = "",
) -> Outcome:
    """The outcome that replaces a ``delivered`` one after a late failure (the receipt
    and attempt count of the delivered outcome are kept)."""
    return Outcome(
        idempotency_key=key,
        status=OutcomeStatus(state.value),
        channel=previous.channel if previous is not None else channel,
        at=now,
        rule="delivery-receipt",
        reason=failure.reason,
        provider_code=failure.provider_code,
        receipt=previous.receipt if previous is not None else None,
        attempts=previous.attempts if previous is not None else 0,
    )


__all__ = [
    "DeliveryState",
    "DeliveryUpdate",
    "LateFailure",
    "ReceiptLedger",
    "delivery_detail",
    "late_failure_outcome",
    "late_failure_state",
]
