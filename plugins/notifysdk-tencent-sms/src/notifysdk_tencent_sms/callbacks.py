"""Tencent Cloud SMS's callbacks: delivery status (``sendingstatus``) and replies
(``replysms``), applied to the ledger with the same functions as ``notifysdk cnsms poll``.

Tencent POSTs JSON to the URL configured in its console and expects
``{"result": 0, "errmsg": "OK"}``:

- status: an array of ``{"user_receive_time", "nationcode", "mobile", "report_status":
  "SUCCESS" | "FAIL", "errmsg", "description", "sid"}`` — ``sid`` is the ``SerialNo``;
- reply: one object ``{"extend", "mobile", "nationcode", "sign", "text", "time"}``.

Tencent signs neither callback: ``notifysdk serve`` mounts these handlers behind the
SDK's :func:`notifysdk.webhooks.token_guarded` (:mod:`.webhooks`), which compares the
registered URL's secret ``token`` in constant time (403 otherwise) before anything is
read into the ledger. Replays change nothing (receipts are rank-compared, replies
remembered by digest). Errors name fields, never values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifysdk.plugin import Ledger, WebhookRefusedError

from .reports import apply_reply, apply_report

ACK = {"result": 0, "errmsg": "OK"}
MAX_ITEMS = 1000


class CallbackRefusedError(WebhookRefusedError):
    """A callback refused: ``status`` is the HTTP status to answer."""


@dataclass(frozen=True)
class CallbackResult:
    """What one callback did (counts only)."""

    items: int = 0
    updated: int = 0
    unknown: int = 0
    opt_outs: int = 0


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise CallbackRefusedError(400, "the body is not JSON") from None


def _e164(item: dict[str, Any]) -> str:
    mobile, nation = item.get("mobile"), item.get("nationcode") or "86"
    if not isinstance(mobile, str) or not mobile.isdigit():
        raise CallbackRefusedError(400, "field 'mobile' is missing or not digits")
    return f"+{nation}{mobile}"


async def handle_status_callback(ledger: Ledger, body: bytes, *, now: datetime) -> CallbackResult:
    """Apply one status callback (answer :data:`ACK` when it returns)."""
    items = _json(body)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CallbackRefusedError(400, "the body must be a JSON array of objects")
    if len(items) > MAX_ITEMS:
        raise CallbackRefusedError(413, f"more than {MAX_ITEMS} items")
    updated = unknown = 0
    for item in items:
        sid, status = item.get("sid"), item.get("report_status")
        if not isinstance(sid, str) or not sid or not isinstance(status, str):
            raise CallbackRefusedError(400, "fields 'sid' and 'report_status' are required")
        errmsg = item.get("errmsg")
        update = await apply_report(
            ledger, sid, status, errmsg if isinstance(errmsg, str) else None, now=now
        )
        updated += int(update.changed)
        unknown += int(not update.known)
    return CallbackResult(len(items), updated, unknown)


async def handle_reply_callback(ledger: Ledger, body: bytes, *, now: datetime) -> CallbackResult:
    """Apply one reply callback (answer :data:`ACK` when it returns)."""
    item = _json(body)
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise CallbackRefusedError(400, "the body must be an object with field 'text'")
    done = await apply_reply(ledger, _e164(item), item["text"], str(item.get("time")), now=now)
    return CallbackResult(1, opt_outs=int(done is True))
