"""Rate-limit settings: one ``rate_limit`` table inside a channel's section.

::

    [channels.twilio-sms.rate_limit]
    per_second = 1            # messages per rolling second, per sender
    per_day = 10000           # messages per calendar day (in day_zone), per sender
    storage = "redis://127.0.0.1:6379/0"   # shared by every worker; memory:// = this process
    max_wait_seconds = 2.0    # wait this long for a slot, else a transient error
    day_zone = "Asia/Shanghai"            # the provider's day (when per_day resets)

    [channels.twilio-sms.rate_limit.senders."+14155552345"]
    per_second = 20           # a short code or a 10DLC number with more throughput

The table is the SDK's, not the channel's: it is taken out of the section before the
channel's factory sees it (:func:`notifysdk.ratelimit.build_channel`). Errors name the
setting and the problem, never a value (the storage URL may carry a password).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ..config_errors import configuration_error
from ..errors import ConfigurationError

RATE_LIMIT_KEY = "rate_limit"
"""The key of a channel's section that holds its rate limits."""

STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix")


class SenderLimit(BaseModel):
    """The limits of one sender (a number, an account, a sign name); ``None``: no limit."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    per_second: int | None = Field(default=None, ge=1, le=100_000)
    """Messages in any rolling second (a moving window: never more in any second)."""
    per_day: int | None = Field(default=None, ge=1, le=100_000_000)
    """Messages per calendar day in ``day_zone``; the next one waits for midnight."""

    @property
    def limited(self) -> bool:
        """True when at least one limit is set."""
        return self.per_second is not None or self.per_day is not None


class RateLimitSettings(SenderLimit):
    """A channel's rate limits: the default for each of its senders, overrides by sender,
    where the counts live, how long a send may wait for a slot."""

    storage: SecretStr = SecretStr("memory://")
    """``redis://[:password@]host:port/db`` (``rediss://``, ``redis+unix://``): counts
    shared by every worker; ``memory://``: counts of this process only."""
    max_wait_seconds: float = Field(default=2.0, ge=0, le=60)
    """How long a send waits for the next per-second slot before it gives up with a
    transient error carrying the window's reset (the retry policy waits for it)."""
    in_flight_seconds: float = Field(default=60.0, gt=0, le=3600)
    """How long a per-second slot taken by a send that never ended (its worker died)
    stays held: at least the channel's request timeout."""
    day_zone: str = "UTC"
    """IANA zone of the provider's day: ``per_day`` counts reset at its midnight."""
    senders: dict[str, SenderLimit] = Field(default_factory=dict)
    """Sender id → its own limits, replacing the channel's default for that sender."""

    @field_validator("storage")
    @classmethod
    def _check_storage(cls, value: SecretStr) -> SecretStr:
        scheme = value.get_secret_value().partition("://")[0]
        if "://" not in value.get_secret_value() or scheme not in STORAGE_SCHEMES:
            raise ValueError(f"must be a URL with one of the schemes {', '.join(STORAGE_SCHEMES)}")
        return value

    @field_validator("day_zone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time-zone name") from None
        return value

    def for_sender(self, sender: str) -> SenderLimit:
        """The limits that apply to ``sender``."""
        return self.senders.get(sender, self)

    @property
    def any_limit(self) -> bool:
        """True when the default or any sender has a limit: a limiter is needed."""
        return self.limited or any(s.limited for s in self.senders.values())

    @classmethod
    def from_section(cls, channel: str, section: Mapping[str, Any]) -> RateLimitSettings | None:
        """The ``rate_limit`` table of channel ``channel``'s section, validated; ``None``
        when there is none or it sets no limit. Raises
        :class:`~notifysdk.errors.ConfigurationError` naming each bad setting."""
        table = section.get(RATE_LIMIT_KEY)
        if table is None:
            return None
        where = f"notifysdk.channels.{channel}.{RATE_LIMIT_KEY}"
        if not isinstance(table, Mapping):
            raise ConfigurationError(f"{where}: must be a table")
        try:
            settings = cls.model_validate(dict(table))
        except pydantic.ValidationError as exc:
            raise configuration_error(exc, "invalid rate limits", location=where) from None
        return settings if settings.any_limit else None


def without_rate_limit(section: Mapping[str, Any]) -> dict[str, Any]:
    """``section`` without the SDK's ``rate_limit`` table: what a channel's own settings
    model validates (most forbid unknown keys)."""
    return {k: v for k, v in section.items() if k != RATE_LIMIT_KEY}
