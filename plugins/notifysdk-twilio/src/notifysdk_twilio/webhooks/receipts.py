"""Status callbacks: a message's life (queued → sent → delivered | undelivered | failed)
stored in the ledger, late failures classified, transient ones re-sent within a bound.

Statuses carry a rank; the ledger stores one only above the stored rank
(:meth:`~notifysdk.ledger.receipts.ReceiptLedger.record_delivery`), so a replayed or
out-of-order callback (``sent`` after ``delivered``) changes nothing.

======================  ============================================================
late error code         treatment
======================  ============================================================
30003 (unreachable      transient: the notice is re-sent through the dispatcher while
handset), 30008         the notice has had at most ``late_retry_limit`` re-sends;
(unknown error)         past that it is dead-lettered
30005 (unknown handset) permanent: the notice is ``failed``, never re-sent
30006 (landline or
unreachable carrier)
30007 (filtered)
21610 (STOP on record)  permanent, and an SMS opt-out is recorded for the number
any other code / none   permanent
======================  ============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from notifysdk.plugin import DeliveryUpdate, LateFailure, Ledger, ReceiptLedger, record_optout

from ..errors import OPT_OUT_CODE
from .forms import BadRequestError, StatusCallback


@runtime_checkable
class WebhookLedger(Ledger, ReceiptLedger, Protocol):
    """A ledger that also stores delivery receipts (the memory and SQL ledgers)."""


RANKS: dict[str, int] = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "partially_delivered": 5,
    "read": 6,
}
"""Message statuses Twilio documents, in the order a message moves through them."""

FAILED_STATUSES = frozenset({"undelivered", "failed", "canceled"})

TRANSIENT_CODES = frozenset({30003, 30008})

LATE_CODES: dict[int, str] = {
    30001: "queue overflow",
    30002: "account suspended",
    30003: "unreachable destination handset",
    30004: "message blocked",
    30005: "unknown destination handset",
    30006: "landline or unreachable carrier",
    30007: "message filtered by the carrier",
    30008: "unknown error",
    OPT_OUT_CODE: "the recipient replied STOP",
}
"""Codes we describe ourselves (Twilio's ``ErrorMessage`` is never copied)."""


@dataclass(frozen=True)
class ReceiptResult:
    """What one status callback did."""

    update: DeliveryUpdate
    failure: LateFailure | None


def late_failure(cb: StatusCallback, retry_limit: int) -> LateFailure | None:
    """The failure a callback reports, or ``None`` when it reports progress."""
    if cb.status not in FAILED_STATUSES:
        return None
    code = int(cb.error_code) if cb.error_code else None
    what = LATE_CODES.get(code or 0, "not delivered")
    reason = f"Twilio reported {cb.status}" + (f", error {code}: {what}" if code else f": {what}")
    transient = code in TRANSIENT_CODES
    return LateFailure(
        reason=reason,
        provider_code=str(code) if code else None,
        retry_limit=retry_limit if transient else 0,
    )


async def apply_status(
    ledger: WebhookLedger, cb: StatusCallback, *, now: datetime, retry_limit: int
) -> ReceiptResult:
    """Store one message status callback (a 400 for a status we do not know)."""
    rank = RANKS.get(cb.status)
    if rank is None:
        raise BadRequestError(400, "field 'MessageStatus' is not a known status")
    failure = late_failure(cb, retry_limit)
    update = await ledger.record_delivery(
        cb.sid, status=cb.status, rank=rank, now=now, error_code=cb.error_code, failure=failure
    )
    if update.changed and cb.error_code == str(OPT_OUT_CODE) and cb.to is not None:
        await record_optout(ledger, cb.to, now, media=("sms",), key=update.key)
    return ReceiptResult(update, failure)
