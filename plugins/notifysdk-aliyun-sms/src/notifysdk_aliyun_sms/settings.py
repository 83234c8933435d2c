"""Settings of the ``aliyun-sms`` channel (``[notifysdk.channels.aliyun-sms]``).

Keys come from the section or the SDK's own environment variables
``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET``. Templates map a
notice kind and locale to the approved template::

    [notifysdk.channels.aliyun-sms.templates.overdue_notice."zh-CN"]
    code = "SMS_123456789"
    text = "${name}您好，您的借款已逾期${days}天，应还${amount}。……回复TD退订"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from notifysdk.plugin import configuration_error

from .approved import ApprovedTemplate


class TemplateSpec(BaseModel):
    """One approved template: the provider's code and the approved text."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    code: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=500)


class AliyunSmsSettings(BaseModel):
    """Validated settings; ``templates`` is kind → locale → :class:`TemplateSpec`."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    access_key_id: str = Field(min_length=1)
    access_key_secret: SecretStr
    callback_token: SecretStr | None = None
    """The secret ``token`` query parameter of the push URLs registered in the console
    (``notifysdk serve`` refuses pushes without it; see :mod:`.webhooks`)."""
    sign_name: str = Field(min_length=1, max_length=20)
    sign_names: tuple[str, ...] = ()
    """Other signs registered on the same account (one lender, several brands): a body
    signed 【one of them】 goes out under it; any other sign is refused before sending."""
    endpoint: str = "dysmsapi.aliyuncs.com"
    """Host (and port) of the API; a loopback server's ``127.0.0.1:PORT`` in tests."""
    protocol: Literal["https", "http"] = "https"
    region_id: str = "cn-hangzhou"
    connect_timeout_seconds: float = Field(5.0, gt=0)
    timeout_seconds: float = Field(10.0, gt=0)
    """Read timeout: past it the request may have been taken (ambiguous)."""
    max_param_chars: int = Field(35, ge=1)
    """Longest template parameter Aliyun accepts for a notification template."""
    max_segments: int = Field(3, ge=1)
    reconcile_settle_seconds: float = Field(30.0, ge=0)
    """How long after a timed-out request's deadline a look-up that finds nothing may be
    trusted as ``not sent`` (the detail record appears with a delay)."""
    query_page_size: int = Field(50, ge=1, le=50)
    templates: dict[str, dict[str, TemplateSpec]] = Field(default_factory=dict)
    registered_domains: tuple[str, ...] = ()
    """Domains the SMS may link to, as registered with the provider (ICP-filed and in
    the approved templates): the ``cn`` profile's ``carrier-links`` rule refuses a link
    to any other (subdomains count)."""

    @classmethod
    def load(cls, section: Mapping[str, Any], *, name: str) -> AliyunSmsSettings:
        """From the channel's section over the environment; a typed error naming each
        setting's location (never a value) when invalid."""
        data = dict(section)
        data.setdefault("access_key_id", os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID"))
        data.setdefault("access_key_secret", os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
        data = {k: v for k, v in data.items() if v is not None}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise configuration_error(
                exc, f"invalid {name} settings", location=f"notifysdk.channels.{name}"
            ) from None

    def approved(self) -> dict[tuple[str, str], ApprovedTemplate]:
        """Every template parsed once, by (kind, locale)."""
        return {
            (kind, locale): ApprovedTemplate.parse(f"{kind}/{locale}", spec.code, spec.text)
            for kind, by_locale in self.templates.items()
            for locale, spec in by_locale.items()
        }
