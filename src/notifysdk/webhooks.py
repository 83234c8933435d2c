"""Webhooks a plugin adds to ``notifysdk serve``: a provider's delivery reports and replies.

A plugin registers ``register(path, handler)`` from
:func:`~notifysdk.hookspecs.notifysdk_register_webhooks`; the server mounts each as a
``POST`` route behind the same guards as its own callbacks (a body size bound, header
and body deadlines, a per-request timeout, a bound on concurrent requests), reads the
body, and calls ``await handler(request)`` with a framework-free
:class:`WebhookRequest`. The handler authenticates the request as its provider
documents (a signature, or a secret in the URL) and answers a :class:`WebhookResponse`,
or raises :class:`WebhookRefusedError` (answered with its status and reason). Anything
else it raises is answered ``503`` and logged by type only, never with a value.
"""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Settings
    from .ledger.base import Ledger

PATH_PATTERN = re.compile(r"/[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*")
"""A webhook path: lower-case words (letters, digits, hyphens) after slashes, such as
``/aliyun-sms/report``; conventionally the plugin's name first."""


@dataclass(frozen=True)
class WebhookRequest:
    """One request to a plugin's webhook, read whole (within the server's bounds)."""

    path: str
    headers: Mapping[str, str]
    """Header names lower-cased."""
    query: Mapping[str, str]
    body: bytes
    ledger: Ledger
    now: datetime
    settings: Settings
    """The server's settings: a plugin reads its channel's section from
    ``settings.channels``."""


@dataclass(frozen=True)
class WebhookResponse:
    """What to answer: a status, a body and its media type."""

    status: int = 200
    body: bytes | str = b""
    media_type: str = "text/plain"
    headers: Mapping[str, str] = field(default_factory=dict)


class WebhookRefusedError(Exception):
    """A request the handler refuses: answered with ``status`` and ``reason`` (which
    names fields and problems, never a value)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


Webhook = Callable[[WebhookRequest], Awaitable[WebhookResponse]]
"""A webhook handler."""


def check_path(path: Any) -> str:
    """``path`` if it is a valid webhook path, else :class:`ValueError` saying why."""
    if not isinstance(path, str) or PATH_PATTERN.fullmatch(path) is None:
        raise ValueError(
            "a webhook path is lower-case words of letters, digits and hyphens after "
            "slashes, such as /aliyun-sms/report"
        )
    return path


def token_guarded(
    channel: str, apply: Callable[..., Awaitable[Any]], ack: Mapping[str, Any]
) -> Webhook:
    """A webhook for a provider that does not sign its pushes (the China SMS providers):
    the URL registered in the provider's console carries a secret ``token`` query
    parameter, the channel section's ``callback_token`` (or
    ``NOTIFYSDK_<CHANNEL>_CALLBACK_TOKEN``). Without one configured every push is
    refused (503), with a wrong or missing one 403; an accepted one is handed to
    ``await apply(ledger, body, now=now)`` and answered ``ack`` as JSON."""
    env = "NOTIFYSDK_" + channel.upper().replace("-", "_") + "_CALLBACK_TOKEN"
    answer = json.dumps(dict(ack), ensure_ascii=False)

    async def handle(request: WebhookRequest) -> WebhookResponse:
        section = request.settings.channels.get(channel, {})
        expected = section.get("callback_token") or os.environ.get(env)
        if not isinstance(expected, str) or not expected:
            raise WebhookRefusedError(503, f"no callback_token is configured for {channel}")
        given = request.query.get("token")
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRefusedError(403, "the token query parameter is missing or wrong")
        await apply(request.ledger, request.body, now=request.now)
        return WebhookResponse(200, answer, "application/json")

    return handle
