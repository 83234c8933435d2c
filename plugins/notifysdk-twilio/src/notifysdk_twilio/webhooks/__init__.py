"""Delivery receipts and replies: an ASGI app for Twilio's status callbacks and inbound
messages, with signature checks (``pip install notifysdk-twilio[webhooks]``).

- ``POST /status``: a message's status (queued, sent, delivered, undelivered, failed)
  stored per attempt in the ledger; late failures classified
  (:mod:`notifysdk_twilio.webhooks.receipts`), transient ones re-sent within a bound.
- ``POST /inbound``: ``STOP``/``退订``/``TD``… record an SMS opt-out for the number,
  ``START``/``UNSTOP`` an opt-in (:mod:`notifysdk_twilio.webhooks.keywords`).

``create_app(WebhookSettings(...), dispatcher)`` builds it; ``notifysdk serve`` runs it
under uvicorn (:mod:`notifysdk_twilio.webhooks.serve`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifysdk.plugin import lazy_exports

if TYPE_CHECKING:
    from .app import INBOUND_PATH, STATUS_PATH, Webhooks, create_app
    from .keywords import Keyword, classify
    from .settings import WebhookSettings

# starlette and the dispatcher load with the app: ``notifysdk serve`` only registers here.
__getattr__ = lazy_exports(
    __name__,
    {
        "app": ("INBOUND_PATH", "STATUS_PATH", "Webhooks", "create_app"),
        "keywords": ("Keyword", "classify"),
        "settings": ("WebhookSettings",),
    },
)

__all__ = [
    "INBOUND_PATH",
    "STATUS_PATH",
    "Keyword",
    "WebhookSettings",
    "Webhooks",
    "classify",
    "create_app",
]
