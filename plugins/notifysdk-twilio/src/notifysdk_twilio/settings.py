"""Settings of the Twilio channels: from the channel's config section or the environment.

A key in the channel's section (``[channels.twilio-sms]``) wins over the environment
variable. Validation errors name the setting and the reason, never the value, and the
auth token is a :class:`pydantic.SecretStr`: it never appears in a ``repr``, a log line
or an error message.

============================  ==============================  ===========================
setting                       environment variable            meaning
============================  ==============================  ===========================
``account_sid``               ``TWILIO_ACCOUNT_SID``          ``AC`` + 32 hex digits
``auth_token``                ``TWILIO_AUTH_TOKEN``           the account's auth token
``from``                      ``TWILIO_FROM``                 sender: E.164 number or
                                                              alphanumeric sender ID
``messaging_service_sid``     ``TWILIO_MESSAGING_SERVICE_SID``  ``MG`` + 32 hex (SMS only)
``base_url``                  ``TWILIO_BASE_URL``             API root (tests: loopback)
``status_callback``           ``TWILIO_STATUS_CALLBACK``      delivery-status webhook URL
``max_segments``              ``TWILIO_MAX_SEGMENTS``         refuse longer SMS (default 10)
``timeout_seconds``           ``TWILIO_TIMEOUT_SECONDS``      per request (default 30)
``max_connections``           ``TWILIO_MAX_CONNECTIONS``      pooled connections (100)
``reconcile_settle_seconds``  ``TWILIO_RECONCILE_SETTLE_SECONDS``  grace after a timeout
                                                              before a look-up that finds
                                                              nothing may say not sent (10)
``voice_consent``             —                               consents allowing automated
                                                              calls (express, written)
``voice_languages``           —                               locale → ``<Say language>``
``voice_names``               —                               locale → ``<Say voice>``
============================  ==============================  ===========================
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from notifysdk.plugin import ConfigurationError, ConsentBasis, configuration_error

DEFAULT_BASE_URL = "https://api.twilio.com"

ENV_VARS: dict[str, str] = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "from": "TWILIO_FROM",
    "messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "base_url": "TWILIO_BASE_URL",
    "status_callback": "TWILIO_STATUS_CALLBACK",
    "max_segments": "TWILIO_MAX_SEGMENTS",
    "timeout_seconds": "TWILIO_TIMEOUT_SECONDS",
    "max_connections": "TWILIO_MAX_CONNECTIONS",
    "reconcile_settle_seconds": "TWILIO_RECONCILE_SETTLE_SECONDS",
}
"""Setting name → the environment variable read when the config section lacks it."""

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TwilioSettings(BaseModel):
    """Validated settings shared by ``twilio-sms`` and ``twilio-voice``."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, hide_input_in_errors=True
    )

    account_sid: str = Field(pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: SecretStr = Field(min_length=1)
    from_: str | None = Field(default=None, alias="from")
    messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    base_url: str = DEFAULT_BASE_URL
    status_callback: str | None = None
    max_segments: int = Field(default=10, ge=1, le=50)
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    max_connections: int = Field(default=100, ge=1, le=10_000)
    reconcile_settle_seconds: float = Field(default=10.0, ge=0, le=600)
    """Reconcile answers ``not_sent`` for an attempt without a SID only once
    ``timeout_seconds`` plus this long have passed since the attempt began: a request
    that timed out may still be in Twilio's hands."""
    voice_consent: frozenset[ConsentBasis] = frozenset({ConsentBasis.EXPRESS, ConsentBasis.WRITTEN})
    voice_languages: dict[str, str] = Field(
        default_factory=lambda: {"zh-CN": "cmn-CN", "en": "en-US"}
    )
    voice_names: dict[str, str] = Field(default_factory=dict)

    @field_validator("from_")
    @classmethod
    def _check_from(cls, value: str | None) -> str | None:
        if value is None or _E164.match(value) or _ALPHANUMERIC_SENDER.match(value):
            return value
        raise ValueError("must be an E.164 number or an alphanumeric sender ID (1-11 characters)")

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        host = parts.hostname or ""
        if parts.scheme == "https" and host:
            return value.rstrip("/")
        if parts.scheme == "http" and _is_loopback(host):
            return value.rstrip("/")
        raise ValueError("must be an https URL (plain http is allowed for loopback only)")

    @field_validator("status_callback")
    @classmethod
    def _check_callback(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname and "_" not in parts.hostname:
            return value
        raise ValueError("must be an http(s) URL with a valid host name (no underscores)")

    @model_validator(mode="after")
    def _check_locales(self) -> TwilioSettings:
        if not self.voice_languages:
            raise ValueError("voice_languages must map at least one locale")
        return self

    @property
    def sender_is_number(self) -> bool:
        """True when ``from`` is an E.164 number (needed to place calls)."""
        return self.from_ is not None and bool(_E164.match(self.from_))

    @classmethod
    def load(
        cls,
        section: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
    ) -> TwilioSettings:
        """Merge ``section`` over the environment and validate.

        Raises :class:`~notifysdk.errors.ConfigurationError` naming every missing or
        invalid setting (never its value); with the channel's ``name`` the location is
        the TOML one (``notifysdk.channels.twilio-sms.auth_token``).
        """
        env = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        for key, var in ENV_VARS.items():
            if env.get(var):
                data[key] = env[var]
        if section is not None and not isinstance(section, Mapping):
            raise ConfigurationError("twilio settings: the section must be a table")
        for key, value in (section or {}).items():
            data["from" if key == "from_" else key] = value
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            raise describe_errors(exc, name) from None

    def __repr__(self) -> str:
        return (
            f"TwilioSettings(account_sid={self.account_sid[:6]}…, base_url={self.base_url!r}, "
            f"auth_token=**********)"
        )

    __str__ = __repr__


def describe_errors(exc: pydantic.ValidationError, name: str | None = None) -> ConfigurationError:
    """``twilio settings: field (or ENV_VAR): reason; …``, never a value (see
    :func:`notifysdk.config_errors.configuration_error`)."""
    return configuration_error(
        exc,
        "twilio settings",
        location=f"notifysdk.channels.{name}" if name else "",
        hints={field: f" (or {var})" for field, var in ENV_VARS.items()},
        reasons={"missing": "is required"},
    )
