"""Settings of the ``aliyun-sms`` channel (``[notifysdk.channels.aliyun-sms]``).

Keys come from the section or the SDK's own environment variables
``ALIBABA_CLOUD_ACCESS_KEY_ID`` / ``ALIBABA_CLOUD_ACCESS_KEY_SECRET``. Templates map a
notice kind and locale to the approved template::

    [notifysdk.channels.aliyun-sms.templates.overdue_notice."zh-CN"]
    code = "SMS_123456789"
    text = "${name}您好，您的借款已逾期${days}天，应还${amount}。……回复TD退订"

The sign, the other registered signs, the registered link domains, the templates and
the limits every templated SMS channel has come from the SDK's
:class:`~notifysdk.plugin.TemplatedSmsSettings`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from notifysdk.plugin import DOLLAR_BRACES, PlaceholderSyntax, TemplatedSmsSettings
from notifysdk.plugin import ApprovedTemplateSpec as TemplateSpec

__all__ = ["AliyunSmsSettings", "TemplateSpec"]


class AliyunSmsSettings(TemplatedSmsSettings):
    """Validated settings; ``templates`` is kind → locale → :class:`TemplateSpec`."""

    CREDENTIAL_ENV: ClassVar[dict[str, str]] = {
        "access_key_id": "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "access_key_secret": "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    }
    SYNTAX: ClassVar[PlaceholderSyntax] = DOLLAR_BRACES

    access_key_id: str = Field(min_length=1)
    access_key_secret: SecretStr
    endpoint: str = "dysmsapi.aliyuncs.com"
    """Host (and port) of the API; a loopback server's ``127.0.0.1:PORT`` in tests."""
    region_id: str = "cn-hangzhou"
    connect_timeout_seconds: float = Field(5.0, gt=0)
    max_param_chars: int = Field(35, ge=1)
    """Longest template parameter Aliyun accepts for a notification template."""
    reconcile_settle_seconds: float = Field(30.0, ge=0)
    """How long after a timed-out request's deadline a look-up that finds nothing may be
    trusted as ``not sent`` (the detail record appears with a delay)."""
    query_page_size: int = Field(50, ge=1, le=50)
