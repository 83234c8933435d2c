"""Carrier reports and uplink replies into the ledger.

A report (``SUCCESS`` / ``FAIL`` for a ``SerialNo``) is stored per attempt through the
ledger's receipts (:class:`~notifysdk.plugin.ReceiptLedger`): ``delivered`` or
``failed`` (rank 5, above ``accepted``), a replay changes nothing, and a ``FAIL`` of the
attempt that delivered the notice moves the notice to ``failed`` (a permanent late
failure: the carrier's reasons — an unknown or switched-off handset, a blacklist — are
not fixed by sending again). A reply that opts out (:mod:`notifysdk_tencent_sms.keywords`)
records an SMS opt-out for the number, so the ``ledger-opt-out`` rule blocks the next
SMS to it; each reply is applied once (remembered under a scope of its digest).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from notifysdk.plugin import (
    ConfigurationError,
    DeliveryUpdate,
    LateFailure,
    Ledger,
    ReceiptLedger,
    mask_value,
    record_optout,
    scope,
)

from .keywords import is_opt_out

RANK = 5
MEDIA = ("sms",)
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


def receipt_ledger(ledger: Ledger) -> ReceiptLedger:
    """``ledger`` as one that stores delivery receipts, or a configuration error."""
    if not isinstance(ledger, ReceiptLedger):
        raise ConfigurationError(
            f"reports need a ledger that stores delivery receipts; {type(ledger).__name__} does not"
        )
    return ledger


async def apply_report(
    ledger: Ledger, serial_no: str, report_status: str, description: str | None, *, now: datetime
) -> DeliveryUpdate:
    """Store one carrier report (``description`` kept only when it is a bare code)."""
    ok = report_status.upper() == "SUCCESS"
    code = description if description and _CODE.match(description) else None
    failure = None
    if not ok:
        failure = LateFailure(
            reason="Tencent reported the SMS undelivered" + (f" ({code})" if code else ""),
            provider_code=code or "FAIL",
            retry_limit=0,
        )
    return await receipt_ledger(ledger).record_delivery(
        serial_no,
        status="delivered" if ok else "failed",
        rank=RANK,
        now=now,
        error_code=None if ok else (code or "FAIL"),
        failure=failure,
    )


def reply_scope(phone: str, text: str, at: str) -> str:
    """The scope under which one reply is remembered (a digest: no number, no text)."""
    digest = hashlib.sha256(f"{phone}\x00{at}\x00{text}".encode()).hexdigest()[:32]
    return scope("cnsms", "reply", digest)


async def apply_reply(
    ledger: Ledger, phone: str, text: str, at: str, *, now: datetime
) -> bool | None:
    """Record what a reply asks for: True for an opt-out, False for anything else,
    ``None`` when this reply was applied before."""
    seen = reply_scope(phone, text, at)
    if await ledger.count(seen, now - timedelta(days=36500), now + timedelta(days=36500)):
        return None
    opt_out = is_opt_out(text)
    await ledger.record_contact(seen, now, detail={"opt_out": opt_out})
    if opt_out:
        await record_optout(ledger, phone, now, media=MEDIA, key=seen)
        await ledger.audit(
            "opt_out",
            None,
            {"medium": "sms", "number": mask_value("phone", phone), "via": "reply"},
            now=now,
        )
    return opt_out
