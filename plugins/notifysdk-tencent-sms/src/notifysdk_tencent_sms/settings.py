"""Settings of the ``tencent-sms`` channel (``[notifysdk.channels.tencent-sms]``).

Keys come from the section or the SDK's own environment variables
``TENCENTCLOUD_SECRET_ID`` / ``TENCENTCLOUD_SECRET_KEY``. Templates map a notice kind
and locale to the approved template (its ID and text with ``{1}``, ``{2}``…)::

    [notifysdk.channels.tencent-sms.templates.overdue_notice."zh-CN"]
    code = "1234567"
    text = "{1}您好，您的借款已逾期{2}天，应还{3}。……回复TD退订"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from notifysdk.plugin import configuration_error

from .approved import ApprovedTemplate


class TemplateSpec(BaseModel):
    """One approved template: the provider's template ID and the approved text."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    code: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=500)


class TencentSmsSettings(BaseModel):
    """Validated settings; ``templates`` is kind → locale → :class:`TemplateSpec`."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    secret_id: str = Field(min_length=1)
    secret_key: SecretStr
    callback_token: SecretStr | None = None
    """The secret ``token`` query parameter of the push URLs registered in the console
    (``notifysdk serve`` refuses pushes without it; see :mod:`.webhooks`)."""
    sms_sdk_app_id: str = Field(min_length=1)
    sign_name: str = Field(min_length=1, max_length=20)
    sign_names: tuple[str, ...] = ()
    """Other signs registered on the same account (one lender, several brands): a body
    signed 【one of them】 goes out under it; any other sign is refused before sending."""
    region: str = "ap-guangzhou"
    endpoint: str = "sms.tencentcloudapi.com"
    """Host (and port) of the API; a loopback server's ``127.0.0.1:PORT`` in tests."""
    protocol: Literal["https", "http"] = "https"
    timeout_seconds: float = Field(10.0, gt=0)
    """The client's one timeout (connect and read): past it a sent request is ambiguous."""
    max_param_chars: int = Field(12, ge=1)
    """Longest template parameter allowed (Tencent's limit for a notification variable)."""
    max_segments: int = Field(3, ge=1)
    reconcile_not_sent_after_seconds: float | None = Field(None, ge=0)
    """Tencent's status query returns a message only once the carrier reported it, so
    its absence does not prove the message was not taken. Unset (the default): an
    ambiguous attempt not found is ``unknown`` (held for an operator). Set: absence this
    long after the attempt began counts as ``not sent`` (then retried)."""
    templates: dict[str, dict[str, TemplateSpec]] = Field(default_factory=dict)
    registered_domains: tuple[str, ...] = ()
    """Domains the SMS may link to, as registered with the provider (ICP-filed and in
    the approved templates): the ``cn`` profile's ``carrier-links`` rule refuses a link
    to any other (subdomains count)."""

    @classmethod
    def load(cls, section: Mapping[str, Any], *, name: str) -> TencentSmsSettings:
        """From the channel's section over the environment; a typed error naming each
        setting's location (never a value) when invalid."""
        data = dict(section)
        data.setdefault("secret_id", os.environ.get("TENCENTCLOUD_SECRET_ID"))
        data.setdefault("secret_key", os.environ.get("TENCENTCLOUD_SECRET_KEY"))
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
