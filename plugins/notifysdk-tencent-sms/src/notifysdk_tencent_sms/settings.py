"""Settings of the ``tencent-sms`` channel (``[notifysdk.channels.tencent-sms]``).

Keys come from the section or the SDK's own environment variables
``TENCENTCLOUD_SECRET_ID`` / ``TENCENTCLOUD_SECRET_KEY``. Templates map a notice kind
and locale to the approved template (its ID and text with ``{1}``, ``{2}``…)::

    [notifysdk.channels.tencent-sms.templates.overdue_notice."zh-CN"]
    code = "1234567"
    text = "{1}您好，您的借款已逾期{2}天，应还{3}。……回复TD退订"

The sign, the other registered signs, the registered link domains, the templates and
the limits every templated SMS channel has come from the SDK's
:class:`~notifysdk.plugin.TemplatedSmsSettings`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from notifysdk.plugin import NUMBERED_BRACES, PlaceholderSyntax, TemplatedSmsSettings
from notifysdk.plugin import ApprovedTemplateSpec as TemplateSpec

__all__ = ["TemplateSpec", "TencentSmsSettings"]


class TencentSmsSettings(TemplatedSmsSettings):
    """Validated settings; ``templates`` is kind → locale → :class:`TemplateSpec`."""

    CREDENTIAL_ENV: ClassVar[dict[str, str]] = {
        "secret_id": "TENCENTCLOUD_SECRET_ID",
        "secret_key": "TENCENTCLOUD_SECRET_KEY",
    }
    SYNTAX: ClassVar[PlaceholderSyntax] = NUMBERED_BRACES
    MAX_CODE_CHARS: ClassVar[int] = 32

    secret_id: str = Field(min_length=1)
    secret_key: SecretStr
    sms_sdk_app_id: str = Field(min_length=1)
    region: str = "ap-guangzhou"
    endpoint: str = "sms.tencentcloudapi.com"
    """Host (and port) of the API; a loopback server's ``127.0.0.1:PORT`` in tests."""
    timeout_seconds: float = Field(10.0, gt=0)
    """The client's one timeout (connect and read): past it a sent request is ambiguous."""
    max_param_chars: int = Field(12, ge=1)
    """Longest template parameter allowed (Tencent's limit for a notification variable)."""
    reconcile_not_sent_after_seconds: float | None = Field(None, ge=0)
    """Tencent's status query returns a message only once the carrier reported it, so
    its absence does not prove the message was not taken. Unset (the default): an
    ambiguous attempt not found is ``unknown`` (held for an operator). Set: absence this
    long after the attempt began counts as ``not sent`` (then retried)."""
