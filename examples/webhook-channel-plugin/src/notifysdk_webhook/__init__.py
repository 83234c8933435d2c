"""notifysdk-webhook: an example third-party channel that POSTs messages as JSON.

Registered through the entry point ``webhook`` in the group ``notifysdk``; the SDK
finds it when the distribution is installed. See README.md for the settings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from notifysdk.plugin import (
    BaseChannel,
    ChannelContext,
    ChannelFactory,
    ConfigurationError,
    Disclosure,
    Medium,
    Message,
    PermanentDeliveryError,
    Receipt,
    TransientDeliveryError,
    hookimpl,
)

__all__ = ["WebhookChannel", "notifysdk_register_channels"]

CONTACT_KIND = {
    Medium.SMS: "phone",
    Medium.VOICE: "phone",
    Medium.CALL_SCRIPT: "phone",
    Medium.EMAIL: "email",
    Medium.LETTER: "address",
}


class WebhookChannel(BaseChannel):
    """POSTs each message as JSON to ``url``; 2xx is delivered."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        clock: Any,
        medium: Medium = Medium.SMS,
        secret: str | None = None,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"channel {name!r}: url must start with http:// or https://")
        self.name = name  # type: ignore[misc]
        self.medium = medium  # type: ignore[misc]
        # A webhook's receiver is unknown to us: carry only what an SMS may carry.
        self.disclosure = Disclosure.LIMITED  # type: ignore[misc]
        self.contact_kind = CONTACT_KIND[medium]  # type: ignore[misc]
        self.url = url
        self.clock = clock
        self._secret = secret.encode() if secret else None
        # No retries here: the SDK's retry policy is the only retry layer.
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds, transport=transport or httpx.AsyncHTTPTransport(retries=0)
        )

    def __repr__(self) -> str:
        return f"WebhookChannel(name={self.name!r}, url={self.url!r}, medium={self.medium.value!r})"

    async def send(self, message: Message) -> Receipt:
        """POST the message; map the answer into the SDK's delivery errors."""
        body = json.dumps(_payload(message), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key}
        if self._secret is not None:
            headers["X-Notifysdk-Signature"] = hmac.new(
                self._secret, body, hashlib.sha256
            ).hexdigest()
        try:
            response = await self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise TransientDeliveryError("webhook timed out", provider_code="timeout") from None
        except httpx.TransportError as exc:
            raise TransientDeliveryError(
                f"webhook unreachable: {type(exc).__name__}", provider_code="transport"
            ) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientDeliveryError(
                f"webhook answered {status}",
                status=status,
                provider_code=status,
                retry_after=_retry_after(response.headers),
            )
        if status >= 400:
            raise PermanentDeliveryError(
                f"webhook refused the message ({status})", status=status, provider_code=status
            )
        provider_id = None
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                provider_id = str(response.json().get("id")) if response.json().get("id") else None
            except (ValueError, AttributeError):
                provider_id = None
        return Receipt(
            channel=self.name,
            provider_id=provider_id,
            status=f"http {status}",
            accepted_at=self.clock.now(),
            detail={"status": status},
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _payload(message: Message) -> dict[str, Any]:
    return {
        "idempotency_key": message.idempotency_key,
        "medium": message.medium.value,
        "to": message.to,
        "locale": message.locale,
        "subject": message.subject,
        "body": message.body,
    }


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _build(ctx: ChannelContext) -> WebhookChannel:
    settings = dict(ctx.settings)
    url = settings.get("url")
    if not isinstance(url, str) or not url:
        raise ConfigurationError(
            f'channel {ctx.name!r} needs a url: set [notifysdk.channels.{ctx.name}] url = "..."'
        )
    try:
        medium = Medium(settings.get("medium", "sms"))
    except ValueError:
        raise ConfigurationError(f"channel {ctx.name!r}: unknown medium") from None
    return WebhookChannel(
        ctx.name,
        url,
        clock=ctx.clock,
        medium=medium,
        secret=settings.get("secret"),
        timeout_seconds=float(settings.get("timeout_seconds", 10.0)),
    )


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``webhook`` channel."""
    register("webhook", _build)
