"""Settings of the webhook app: the auth token that signs requests, the public URL
Twilio calls, and the bounds on what a request may cost."""

from __future__ import annotations

from urllib.parse import urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from notifysdk.plugin import configuration_error

from ..settings import TwilioSettings


class WebhookSettings(BaseModel):
    """Validated settings of :func:`~notifysdk_twilio.webhooks.create_app`.

    ``public_base_url`` is the URL Twilio is configured to call, without the endpoint
    (``https://hooks.example.com/twilio`` when a proxy forwards
    ``/twilio/status`` to this app's ``/status``): signatures are checked against it, never
    against the ``Host`` header a proxy rewrote. ``None`` uses the URL the request
    arrived at (direct exposure, tests).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    auth_token: SecretStr = Field(min_length=1)
    account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    """When set, a request for another account is refused (403)."""
    public_base_url: str | None = None
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    """A larger body is refused (413) before it is read in full."""
    request_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    """Reading the body and handling it must finish within this (408 / 503)."""
    late_retry_limit: int = Field(default=2, ge=0, le=10)
    """Re-sends allowed after a transient late failure (30003, 30008), per notice."""

    @field_validator("public_base_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query or a fragment")
        return value.rstrip("/")

    @classmethod
    def from_twilio(
        cls, twilio: TwilioSettings, *, public_base_url: str | None = None, **overrides: object
    ) -> WebhookSettings:
        """The webhook settings for the account the channels send from; invalid ones are
        a :class:`~notifysdk.errors.ConfigurationError` naming each, never a value."""
        try:
            return cls.model_validate(
                {
                    "auth_token": twilio.auth_token,
                    "account_sid": twilio.account_sid,
                    "public_base_url": public_base_url,
                    **overrides,
                }
            )
        except pydantic.ValidationError as exc:
            raise configuration_error(exc, "twilio webhook settings") from None

    def __repr__(self) -> str:
        return f"WebhookSettings(public_base_url={self.public_base_url!r}, auth_token=**********)"

    __str__ = __repr__
