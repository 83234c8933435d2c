"""``notifysdk serve`` routes for Tencent's pushes: ``POST /tencent-sms/status`` (delivery
reports) and ``POST /tencent-sms/reply`` (replies; 退订/TD/T/STOP become opt-outs).

Tencent does not sign them: the URLs registered in its console carry a secret ``token``,
the channel section's ``callback_token`` (see :func:`notifysdk.webhooks.token_guarded`).
"""

from __future__ import annotations

from collections.abc import Callable

from notifysdk.plugin import Webhook, token_guarded

from .callbacks import ACK, handle_reply_callback, handle_status_callback

CHANNEL = "tencent-sms"

report: Webhook = token_guarded(CHANNEL, handle_status_callback, ACK)
"""The delivery-report route's handler."""

reply: Webhook = token_guarded(CHANNEL, handle_reply_callback, ACK)
"""The reply route's handler."""


def register_webhooks(register: Callable[[str, Webhook], None]) -> None:
    """Register both routes."""
    register(f"/{CHANNEL}/status", report)
    register(f"/{CHANNEL}/reply", reply)


__all__ = ["CHANNEL", "register_webhooks", "reply", "report"]
