"""Alibaba Cloud SMS answers mapped into the SDK's error tree.

SendSms answers HTTP 200 with a body ``{"Code", "Message", "RequestId", "BizId"}``;
``Code`` is ``OK`` when the message was accepted, a business code otherwise. Common
errors (a bad signature, an unknown key) come as HTTP 4xx with the same fields; a
throttled API as 4xx with ``x-acs-retry-after``.

==========================================  ==============================================
Code                                        raised
==========================================  ==============================================
``isv.BUSINESS_LIMIT_CONTROL`` (per-number  TransientDeliveryError; ``retry_after`` until
minute / hour / day flow control),          the next minute, hour or Beijing-time day when
``isv.DAY_LIMIT_CONTROL``                   the message says which (分钟级 / 小时级 / 天级)
``Throttling*``, ``isp.SYSTEM_ERROR``, 5xx  TransientDeliveryError
``isv.MOBILE_NUMBER_ILLEGAL``,              PermanentDeliveryError
``isv.SMS_TEMPLATE_ILLEGAL``,
``isv.SMS_SIGNATURE_ILLEGAL``, other
``isv.*``
``isv.AMOUNT_NOT_ENOUGH``,                  :class:`ProviderAccountError` (a
``isv.OUT_OF_SERVICE``,                     ConfigurationError): every later send would
``isv.PRODUCT_UN_SUBSCRIPT``,               fail the same way; the run should stop
``isv.ACCOUNT_*``, ``InvalidAccessKeyId*``,
``SignatureDoesNotMatch``
==========================================  ==============================================

Aliyun's ``Message`` is never copied: it may quote the number. Ours name the code and a
fixed description.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notifysdk.plugin import (
    ConfigurationError,
    DeliveryError,
    PermanentDeliveryError,
    RunFaultError,
    TransientDeliveryError,
)

BEIJING = ZoneInfo("Asia/Shanghai")

KNOWN_CODES: dict[str, str] = {
    "isv.BUSINESS_LIMIT_CONTROL": "flow control for this number (minute, hour or day limit)",
    "isv.DAY_LIMIT_CONTROL": "the day's limit for this number is reached",
    "isv.MOBILE_NUMBER_ILLEGAL": "the phone number is not valid",
    "isv.MOBILE_COUNT_OVER_LIMIT": "too many phone numbers in one request",
    "isv.SMS_TEMPLATE_ILLEGAL": "the template is not approved or does not exist",
    "isv.SMS_SIGNATURE_ILLEGAL": "the sign name is not approved or does not exist",
    "isv.SMS_SIGN_ILLEGAL": "the sign name is not approved or does not exist",
    "isv.TEMPLATE_MISSING_PARAMETERS": "a template parameter is missing",
    "isv.INVALID_JSON_PARAM": "the template parameters are not valid JSON of strings",
    "isv.PARAM_LENGTH_LIMIT": "a template parameter is too long",
    "isv.PARAM_NOT_SUPPORT_URL": "a template parameter carries a URL",
    "isv.BLACK_KEY_CONTROL_LIMIT": "a template parameter carries a blocked keyword",
    "isv.INVALID_PARAMETERS": "the request's parameters are invalid",
    "isv.AMOUNT_NOT_ENOUGH": "the account balance is exhausted",
    "isv.OUT_OF_SERVICE": "the account is suspended (balance exhausted)",
    "isv.PRODUCT_UN_SUBSCRIPT": "the SMS service is not activated on the account",
    "isv.ACCOUNT_NOT_EXISTS": "the account does not exist",
    "isv.ACCOUNT_ABNORMAL": "the account is abnormal",
    "isp.SYSTEM_ERROR": "the provider's system failed",
    "InvalidAccessKeyId.NotFound": "the access key id is unknown",
    "SignatureDoesNotMatch": "the request signature was refused (check the access key secret)",
}
"""Codes we describe ourselves (Aliyun's messages may quote the number)."""

FLOW_CONTROL = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"})
ACCOUNT_CODES = frozenset(
    {
        "isv.AMOUNT_NOT_ENOUGH",
        "isv.OUT_OF_SERVICE",
        "isv.PRODUCT_UN_SUBSCRIPT",
        "isv.ACCOUNT_NOT_EXISTS",
        "isv.ACCOUNT_ABNORMAL",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
    }
)
TRANSIENT_CODES = frozenset({"isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "ServiceUnavailable"})

_MINUTE = re.compile("分钟级|minute", re.IGNORECASE)
_HOUR = re.compile("小时级|hour", re.IGNORECASE)
_DAY = re.compile("天级|日级|day", re.IGNORECASE)


class ProviderAccountError(ConfigurationError, RunFaultError):
    """The provider refuses the account itself (balance exhausted, service suspended,
    keys wrong): no later send can succeed until an operator acts, so the run stops (a
    :class:`RunFaultError`: a campaign ends with exit 3 instead of failing every row)."""

    def __init__(self, message: str, *, provider_code: str) -> None:
        super().__init__(message)
        self.provider_code = provider_code


def describe(code: str) -> str:
    """``Aliyun code isv.X: <our description>`` — never Aliyun's own text."""
    return f"Aliyun code {code}: {KNOWN_CODES.get(code, 'request refused')}"


def flow_control_reset(message: str | None, now: datetime, code: str) -> float | None:
    """Seconds until the window a flow-control answer names ends (next minute, hour or
    Beijing-time day), or ``None`` when it names none."""
    text = message or ""
    local = now.astimezone(BEIJING)
    if code == "isv.DAY_LIMIT_CONTROL" or _DAY.search(text):
        end = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    elif _HOUR.search(text):
        end = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    elif _MINUTE.search(text):
        end = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    else:
        return None
    return max(1.0, (end - local).total_seconds())


def map_code(
    code: str, message: str | None, now: datetime, *, status: int | None = None
) -> DeliveryError | ProviderAccountError:
    """The SDK's error for an answer whose ``Code`` is not ``OK``."""
    text = describe(code)
    if code in FLOW_CONTROL:
        return TransientDeliveryError(
            f"Aliyun flow control, retry later: {text}",
            provider_code=code,
            retry_after=flow_control_reset(message, now, code),
            status=status,
        )
    if code in ACCOUNT_CODES or code.startswith("isv.ACCOUNT_"):
        return ProviderAccountError(
            f"Aliyun refuses the account, every send would fail: {text}", provider_code=code
        )
    if code in TRANSIENT_CODES or code.startswith("Throttling") or (status or 0) >= 500:
        return TransientDeliveryError(
            f"Aliyun is busy or failing, retry later: {text}", provider_code=code, status=status
        )
    return PermanentDeliveryError(
        f"Aliyun refused the message: {text}", provider_code=code, status=status
    )
