"""``notifysdk serve`` routes for Aliyun's pushes: ``POST /aliyun-sms/report`` (delivery
reports) and ``POST /aliyun-sms/reply`` (replies; 退订/TD/T/STOP become opt-outs).

Aliyun does not sign them: the URLs registered in its console carry a secret ``token``,
the channel section's ``callback_token`` (see :func:`notifysdk.webhooks.token_guarded`).
"""

from __future__ import annotations

from collections.abc import Callable

from notifysdk.plugin import Webhook, token_guarded

from .callbacks import ACK, handle_reply_push, handle_report_push

CHANNEL = "aliyun-sms"

report: Webhook = token_guarded(CHANNEL, handle_report_push, ACK)
"""The delivery-report route's handler."""

reply: Webhook = token_guarded(CHANNEL, handle_reply_push, ACK)
"""The reply route's handler."""


def register_webhooks(register: Callable[[str, Webhook], None]) -> None:
    """Register both routes."""
    register(f"/{CHANNEL}/report", report)
    register(f"/{CHANNEL}/reply", reply)


__all__ = ["CHANNEL", "register_webhooks", "reply", "report"]
