"""Settings of the debtor self-service page.

Read from ``Settings.self_service`` (a ``[notifysdk.self_service]`` table) once the
settings model carries it, else from the environment: ``NOTIFYSDK_SELF_SERVICE_URL``
sets ``public_base_url`` (and so turns the links on). Without a public base URL there
are no links: the ``self_service_url`` template variable is empty and templates print
nothing for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..config_errors import configuration_error

if TYPE_CHECKING:
    from ..config import Settings

URL_ENV = "NOTIFYSDK_SELF_SERVICE_URL"

Fact = Literal["national_id_last4", "birth_year", "postal_code"]
"""What a visitor may be asked to confirm (see :mod:`notifysdk.selfservice.facts`)."""


class SelfServiceSettings(BaseModel):
    """What the lender configures for the page; every bound has a safe default."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    public_base_url: str | None = None
    """The URL the links start with (``https://pay.lender.example/s``): a link is
    ``{public_base_url}/{token}``. ``None``: no links."""
    link_days: int = Field(30, ge=1, le=366)
    """How long a link works, in days after the notice was rendered (to the end of that
    UTC day)."""
    verify: tuple[Fact, ...] = Field(("national_id_last4", "birth_year"), min_length=1)
    """The facts a visitor confirms before anything about the debt is shown."""
    max_failures: int = Field(5, ge=1, le=20)
    """Wrong answers after which a link is locked for good (audited)."""
    ip_requests_per_minute: int = Field(60, ge=1, le=10_000)
    """Requests one client address may make per minute (429 beyond)."""
    ip_failures_per_hour: int = Field(20, ge=1, le=1000)
    """Wrong answers one client address may give per hour, over every link."""
    session_minutes: int = Field(15, ge=1, le=240)
    """How long a verified visit lasts without verifying again."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses of the reverse proxies in front of the server: a request from one of
    them is counted under the client address its ``X-Forwarded-For`` names (the
    rightmost one that is not a trusted proxy). Empty: the connection's address (behind
    a proxy every visitor would then share one limit)."""
    hotline: str = ""
    """The number shown to every visitor (default: ``Settings.institution_contact``)."""
    payment_url: str | None = None
    """The lender's own payment page, linked after a plan is chosen (payment stays the
    lender's)."""
    plan_counts: tuple[int, ...] = (1, 3, 6, 12)
    """The plans offered, as instalment counts (1: pay in full)."""
    first_in_days: int = Field(7, ge=0, le=60)
    """Days from today to a plan's first instalment."""
    dispute_chars: int = Field(2000, ge=100, le=10_000)
    """The longest dispute text accepted."""

    @field_validator("public_base_url", "payment_url")
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

    @field_validator("plan_counts")
    @classmethod
    def _check_counts(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 1 <= n <= 60 for n in value):
            raise ValueError("instalment counts between 1 and 60 (5 years)")
        return tuple(sorted(set(value)))


def self_service_settings(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> SelfServiceSettings:
    """The self-service settings of ``settings``; ``NOTIFYSDK_SELF_SERVICE_URL`` sets
    the public base URL. Invalid ones are a
    :class:`~notifysdk.errors.ConfigurationError` naming each, never a value."""
    env = os.environ if environ is None else environ
    # ``Settings.self_service`` once the settings model has the table (config.py).
    raw: Any = getattr(settings, "self_service", None)
    data: dict[str, Any] = {}
    if isinstance(raw, SelfServiceSettings):
        data = raw.model_dump(exclude_unset=True)
    elif isinstance(raw, Mapping):
        data = dict(raw)
    if env.get(URL_ENV):
        data["public_base_url"] = env[URL_ENV]
    data.setdefault("hotline", settings.institution_contact)
    try:
        return SelfServiceSettings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise configuration_error(
            exc, "invalid self-service settings", location="notifysdk.self_service"
        ) from None
