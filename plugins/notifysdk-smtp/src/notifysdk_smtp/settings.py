"""Settings of the ``smtp-email`` channel: from the channel's configuration section or
the environment.

Every field can be given in ``[channels.smtp-email]`` (or ``Settings(channels=...)``)
or as an environment variable ``NOTIFYSDK_SMTP_<FIELD>`` (``NOTIFYSDK_SMTP_HOST``,
``NOTIFYSDK_SMTP_PASSWORD``...). The configuration section wins; the environment fills
what it leaves out. The password and the unsubscribe secret are
:class:`pydantic.SecretStr`: their ``repr`` and ``str`` show ``**********`` and they are
never logged. Errors name the field and the reason, never the value.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from notifysdk.plugin import ConfigurationError, configuration_error, normalize_email

from .headers import check_header_value, unsubscribe_uris

ENV_PREFIX = "NOTIFYSDK_SMTP_"
"""Environment variables ``NOTIFYSDK_SMTP_<FIELD>`` (upper case) fill unset fields."""

_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


class TLSMode(StrEnum):
    """How the connection to the SMTP server is protected."""

    NONE = "none"
    """Plain text (loopback test servers only when credentials are set)."""
    STARTTLS = "starttls"
    """Connect in plain text, then upgrade with STARTTLS (required, not opportunistic)."""
    IMPLICIT = "implicit"
    """TLS from the first byte (SMTPS, usually port 465)."""


DEFAULT_PORTS = {TLSMode.NONE: 25, TLSMode.STARTTLS: 587, TLSMode.IMPLICIT: 465}


class SMTPSettings(BaseModel):
    """Everything the ``smtp-email`` channel needs to reach its server."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    host: str = "localhost"
    port: int | None = Field(default=None, ge=1, le=65535)
    """Defaults by TLS mode: 25 (none), 587 (starttls), 465 (implicit)."""
    username: str | None = None
    password: SecretStr | None = None
    from_address: str
    """The From header and the envelope sender (required)."""
    from_name: str | None = None
    reply_to: str | None = None
    tls: TLSMode = TLSMode.STARTTLS
    validate_certs: bool = True
    ca_file: Path | None = None
    """A CA bundle to verify the server's certificate with (a private CA)."""
    pool_size: int = Field(default=4, ge=1, le=64)
    connect_timeout: float = Field(default=10.0, gt=0)
    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for each reply of the server."""
    local_hostname: str | None = None
    """The name sent with EHLO; defaults to this machine's host name (no DNS look-up)."""
    archive_bcc: tuple[str, ...] = ()
    """Envelope-only copies (a compliance archive mailbox); never shown in headers."""
    unsubscribe_mailto: str | None = None
    """``mailto:`` URI template for List-Unsubscribe, e.g.
    ``mailto:optout@lender.example?subject=unsubscribe%20{token}``."""
    unsubscribe_url: str | None = None
    """``https:`` URI template for List-Unsubscribe and one-click (RFC 8058) POST."""
    unsubscribe_secret: SecretStr | None = None
    """When set, ``{token}`` carries an HMAC of the idempotency key, so it cannot be forged."""
    require_unsubscribe: bool = True
    """Refuse to start without an opt-out route (a mailto or an https template)."""
    message_id_domain: str | None = None
    """The right-hand side of Message-IDs; defaults to the From address's domain."""

    @field_validator("from_address", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return None if value is None else normalize_email(value)

    @field_validator("archive_bcc", mode="before")
    @classmethod
    def _split_bcc(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value

    @field_validator("archive_bcc")
    @classmethod
    def _bcc_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_email(v) for v in value)

    @field_validator("from_name", "username", "local_hostname")
    @classmethod
    def _no_line_breaks(cls, value: str | None) -> str | None:
        if value is not None and check_header_value(value) is not None:
            raise PydanticCustomError("header", "contains CR, LF or NUL (header injection refused)")
        return value

    @field_validator("message_id_domain", "local_hostname")
    @classmethod
    def _hostname(cls, value: str | None) -> str | None:
        if value is not None and not _HOSTNAME.match(value):
            raise PydanticCustomError(
                "hostname", "not a host name (letters, digits, dots, hyphens)"
            )
        return value

    @model_validator(mode="after")
    def _coherent(self) -> SMTPSettings:
        if self.password is not None and self.username is None:
            raise PydanticCustomError("auth", "a password was given without a username")
        if self.username is not None and self.tls is TLSMode.NONE and not _is_loopback(self.host):
            raise PydanticCustomError(
                "auth", "refusing to send credentials without TLS to a non-loopback host"
            )
        if self.require_unsubscribe and not (self.unsubscribe_mailto or self.unsubscribe_url):
            raise PydanticCustomError(
                "unsubscribe",
                "an opt-out route is required: set unsubscribe_mailto and/or unsubscribe_url",
            )
        # Formats both templates once with a sample key: unknown placeholders and
        # unsafe characters are refused now rather than at the first send.
        unsubscribe_uris(self.unsubscribe_mailto, self.unsubscribe_url, "nk_sample", None)
        return self

    @property
    def effective_port(self) -> int:
        """The configured port, or the default for the TLS mode."""
        return self.port or DEFAULT_PORTS[self.tls]

    @property
    def domain(self) -> str:
        """The domain used for Message-IDs (ASCII, IDNA-encoded if needed)."""
        domain = self.message_id_domain or self.from_address.rpartition("@")[2]
        try:
            return domain.encode("idna").decode("ascii")
        except UnicodeError:
            return "notifysdk.invalid"

    @classmethod
    def resolve(
        cls,
        section: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
    ) -> SMTPSettings:
        """Build settings from a configuration section, filled in from the environment.

        Raises :class:`~notifysdk.errors.ConfigurationError` naming each offending
        setting and the reason, never the value; with the channel's ``name`` the
        location is the TOML one (``notifysdk.channels.smtp-email.password``).
        """
        env = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        for field in cls.model_fields:
            raw = env.get(ENV_PREFIX + field.upper())
            if raw is not None and raw != "":
                data[field] = raw
        if not isinstance(section, Mapping):
            raise ConfigurationError("invalid smtp-email settings: the section must be a table")
        data.update(section)
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            raise configuration_error(
                exc,
                "invalid smtp-email settings",
                location=f"notifysdk.channels.{name}" if name else "",
                reasons=_REASONS,
            ) from None


_REASONS = {"missing": "required (set it in the channel section or the environment)"}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
