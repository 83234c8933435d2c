"""``notifysdk serve`` routes for Tencent's pushes: ``POST /tencent-sms/status`` (delivery reports)
and ``POST /tencent-sms/reply`` (replies; 退订/TD/T/STOP become opt-outs).

Tencent does not sign these pushes, so the URL registered in its console carries a secret
``token`` query parameter, the channel section's ``callback_token``
(``[notifysdk.channels.tencent-sms] callback_token = "…"``, or
``NOTIFYSDK_TENCENT_SMS_CALLBACK_TOKEN``); without one configured every push is
refused (503), with a wrong one 403. The server bounds the body and the time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from notifysdk.plugin import Webhook, WebhookRefusedError, WebhookRequest, WebhookResponse

from .callbacks import (
    ACK,
    CallbackRefusedError,
    check_token,
    handle_reply_callback,
    handle_status_callback,
)

CHANNEL = "tencent-sms"
TOKEN_ENV = "NOTIFYSDK_TENCENT_SMS_CALLBACK_TOKEN"


def _expected_token(request: WebhookRequest) -> str:
    section = request.settings.channels.get(CHANNEL, {})
    token = section.get("callback_token") or os.environ.get(TOKEN_ENV)
    if not isinstance(token, str) or not token:
        raise WebhookRefusedError(503, f"no callback_token is configured for {CHANNEL}")
    return token


def _route(apply: Callable[..., Awaitable[Any]]) -> Webhook:
    async def handle(request: WebhookRequest) -> WebhookResponse:
        try:
            check_token(request.query.get("token"), _expected_token(request))
            await apply(request.ledger, request.body, now=request.now)
        except CallbackRefusedError as exc:
            raise WebhookRefusedError(exc.status, exc.reason) from None
        return WebhookResponse(200, json.dumps(ACK, ensure_ascii=False), "application/json")

    return handle


report: Webhook = _route(handle_status_callback)
"""The delivery-report route's handler."""

reply: Webhook = _route(handle_reply_callback)
"""The reply route's handler."""


def register_webhooks(register: Callable[[str, Webhook], None]) -> None:
    """Register both routes."""
    register(f"/{CHANNEL}/status", report)
    register(f"/{CHANNEL}/reply", reply)


__all__ = ["CHANNEL", "TOKEN_ENV", "register_webhooks", "reply", "report"]
