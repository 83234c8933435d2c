"""Alibaba Cloud SMS's HTTP batch pushes: delivery reports (``SmsReport``) and uplink
replies (``SmsUp``), applied to the ledger.

Aliyun POSTs a JSON array to the URL configured in its console and expects
``{"code": 0, "msg": "成功"}``; anything else makes it push again later, so a replay
must change nothing (receipts are rank-compared, replies remembered by digest).

- ``SmsReport`` items: ``phone_number``, ``send_time``, ``report_time``, ``success``,
  ``err_code``, ``err_msg``, ``sms_size``, ``biz_id``, ``out_id``. Stored by ``biz_id``
  (the receipt's provider id) as ``delivered`` or ``failed``; a failure of the attempt
  that delivered the notice fails the notice (permanent: the carrier's reasons are not
  fixed by sending again).
- ``SmsUp`` items: ``phone_number``, ``send_time``, ``content``, ``sign_name``,
  ``dest_code``, ``sequence_id``. 退订 / TD / T / R / STOP record an SMS opt-out for
  the number (:mod:`notifysdk_aliyun_sms.keywords`), so the ``ledger-opt-out`` rule
  blocks the next SMS to it.

Aliyun signs neither push: ``notifysdk serve`` mounts these handlers behind the SDK's
:func:`notifysdk.webhooks.token_guarded` (:mod:`.webhooks`), so a push without the URL's
secret ``token`` is refused (403) before anything is read into the ledger. Errors name
fields, never values.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from notifysdk.plugin import (
    ConfigurationError,
    DeliveryUpdate,
    LateFailure,
    Ledger,
    ReceiptLedger,
    WebhookRefusedError,
    mask_value,
    record_optout,
    scope,
)

from .keywords import is_opt_out

ACK = {"code": 0, "msg": "成功"}
RANK = 5
MEDIA = ("sms",)
MAX_ITEMS = 1000
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")


class CallbackRefusedError(WebhookRefusedError):
    """A push refused: ``status`` is the HTTP status to answer, ``reason`` names fields."""


@dataclass(frozen=True)
class PushResult:
    """What one push did (counts only)."""

    items: int = 0
    updated: int = 0
    unknown: int = 0
    opt_outs: int = 0


def parse_items(body: bytes) -> list[dict[str, Any]]:
    """The pushed JSON array of objects (400 otherwise)."""
    try:
        items = json.loads(body)
    except ValueError:
        raise CallbackRefusedError(400, "the body is not JSON") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CallbackRefusedError(400, "the body must be a JSON array of objects")
    if len(items) > MAX_ITEMS:
        raise CallbackRefusedError(413, f"more than {MAX_ITEMS} items")
    return items


def _ledger(ledger: Ledger) -> ReceiptLedger:
    if not isinstance(ledger, ReceiptLedger):
        raise ConfigurationError(
            f"reports need a ledger that stores delivery receipts; {type(ledger).__name__} does not"
        )
    return ledger


async def apply_report(ledger: Ledger, item: dict[str, Any], *, now: datetime) -> DeliveryUpdate:
    """Store one ``SmsReport`` item."""
    biz_id = item.get("biz_id")
    if not isinstance(biz_id, str) or not biz_id:
        raise CallbackRefusedError(400, "field 'biz_id' is missing")
    ok = item.get("success") is True
    raw = item.get("err_code")
    code = raw if isinstance(raw, str) and _CODE.match(raw) else None
    failure = (
        None
        if ok
        else LateFailure(
            reason="Aliyun reported the SMS undelivered" + (f" ({code})" if code else ""),
            provider_code=code or "FAILED",
            retry_limit=0,
        )
    )
    return await _ledger(ledger).record_delivery(
        biz_id,
        status="delivered" if ok else "failed",
        rank=RANK,
        now=now,
        error_code=None if ok else (code or "FAILED"),
        failure=failure,
    )


async def apply_reply(ledger: Ledger, item: dict[str, Any], *, now: datetime) -> bool | None:
    """Record one ``SmsUp`` item: True for an opt-out, False for another reply, ``None``
    for one applied before."""
    phone, content = item.get("phone_number"), item.get("content")
    if not isinstance(phone, str) or not isinstance(content, str):
        raise CallbackRefusedError(400, "fields 'phone_number' and 'content' are required")
    e164 = phone if phone.startswith("+") else "+86" + phone
    marker = f"{e164}\x00{item.get('send_time')}\x00{item.get('sequence_id')}\x00{content}"
    seen = scope("cnsms", "reply", hashlib.sha256(marker.encode()).hexdigest()[:32])
    if await ledger.count(seen, now - timedelta(days=36500), now + timedelta(days=36500)):
        return None
    opt_out = is_opt_out(content)
    await ledger.record_contact(seen, now, detail={"opt_out": opt_out})
    if opt_out:
        await record_optout(ledger, e164, now, media=MEDIA, key=seen)
        await ledger.audit(
            "opt_out",
            None,
            {"medium": "sms", "number": mask_value("phone", e164), "via": "reply"},
            now=now,
        )
    return opt_out


async def handle_report_push(ledger: Ledger, body: bytes, *, now: datetime) -> PushResult:
    """Apply one ``SmsReport`` push (answer :data:`ACK` when it returns)."""
    items = parse_items(body)
    updated = unknown = 0
    for item in items:
        update = await apply_report(ledger, item, now=now)
        updated += int(update.changed)
        unknown += int(not update.known)
    return PushResult(len(items), updated, unknown)


async def handle_reply_push(ledger: Ledger, body: bytes, *, now: datetime) -> PushResult:
    """Apply one ``SmsUp`` push (answer :data:`ACK` when it returns)."""
    items = parse_items(body)
    opt_outs = 0
    for item in items:
        opt_outs += int(await apply_reply(ledger, item, now=now) is True)
    return PushResult(len(items), opt_outs=opt_outs)
