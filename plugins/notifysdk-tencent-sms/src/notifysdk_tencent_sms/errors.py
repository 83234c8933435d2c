"""Tencent Cloud SMS answers mapped into the SDK's error tree.

A request-level failure comes back as ``Response.Error`` (``Code``, ``Message``) and the
SDK raises ``TencentCloudSDKException``; a per-number failure as the number's
``SendStatus.Code`` in ``SendStatusSet`` (``Ok`` when accepted). Both map the same way:

================================================  ========================================
Code                                              raised
================================================  ========================================
``LimitExceeded.PhoneNumberThirtySecondLimit``,   TransientDeliveryError, ``retry_after``
``…OneHourLimit``, ``…DailyLimit``,               30 s, an hour, or until the next
``…SameContentDailyLimit``, ``…AppDailyLimit``,   Beijing-time day
``LimitExceeded.DeliveryFrequencyLimit``,
``RequestLimitExceeded``, ``InternalError*``,
HTTP 5xx
``InvalidParameterValue.IncorrectPhoneNumber``,   PermanentDeliveryError
``FailedOperation.TemplateIncorrectOrUnapproved``,
``FailedOperation.SignatureIncorrectOrUnapproved``,
other codes
``FailedOperation.PhoneNumberInBlacklist``        PermanentDeliveryError, ``opt_out=True``
                                                  (the number unsubscribed: 退订)
``FailedOperation.InsufficientBalanceInSmsPackage``, :class:`ProviderAccountError` (a
``AuthFailure.*``, ``UnauthorizedOperation.*``    ConfigurationError): stop the run
================================================  ========================================

Tencent's ``Message`` is never copied: it may quote the number.
"""

from __future__ import annotations

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
    "LimitExceeded.PhoneNumberThirtySecondLimit": "this number's 30-second limit is reached",
    "LimitExceeded.PhoneNumberOneHourLimit": "this number's hourly limit is reached",
    "LimitExceeded.PhoneNumberDailyLimit": "this number's daily limit is reached",
    "LimitExceeded.PhoneNumberSameContentDailyLimit": "this number's daily limit for the "
    "same content is reached",
    "LimitExceeded.AppDailyLimit": "the application's daily limit is reached",
    "LimitExceeded.DeliveryFrequencyLimit": "delivery frequency limit",
    "RequestLimitExceeded": "too many API requests",
    "InvalidParameterValue.IncorrectPhoneNumber": "the phone number is not valid",
    "FailedOperation.TemplateIncorrectOrUnapproved": "the template is not approved",
    "FailedOperation.SignatureIncorrectOrUnapproved": "the sign name is not approved",
    "FailedOperation.PhoneNumberInBlacklist": "the number is on the unsubscribe blacklist",
    "FailedOperation.ContainSensitiveWord": "the content carries a sensitive word",
    "InvalidParameterValue.TemplateParameterLengthLimit": "a template parameter is too long",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": "a parameter carries a URL",
    "FailedOperation.InsufficientBalanceInSmsPackage": "the SMS package balance is exhausted",
    "AuthFailure.SignatureFailure": "the request signature was refused (check the secret key)",
    "AuthFailure.SecretIdNotFound": "the secret id is unknown",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "the SmsSdkAppId is not this account's",
    "InternalError.Timeout": "the provider timed out internally",
}
"""Codes we describe ourselves."""

_FIXED_WAIT: dict[str, float] = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30.0,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600.0,
    "RequestLimitExceeded": 1.0,
}
_UNTIL_TOMORROW = frozenset(
    {
        "LimitExceeded.PhoneNumberDailyLimit",
        "LimitExceeded.PhoneNumberSameContentDailyLimit",
        "LimitExceeded.AppDailyLimit",
        "LimitExceeded.AppCountryOrRegionDailyLimit",
    }
)
OPT_OUT_CODE = "FailedOperation.PhoneNumberInBlacklist"


class ProviderAccountError(ConfigurationError, RunFaultError):
    """The provider refuses the account itself (balance exhausted, keys or app wrong):
    no later send can succeed until an operator acts, so the run stops (a
    :class:`RunFaultError`: a campaign ends with exit 3 instead of failing every row)."""

    def __init__(self, message: str, *, provider_code: str) -> None:
        super().__init__(message)
        self.provider_code = provider_code


def describe(code: str) -> str:
    """``Tencent code X: <our description>`` — never Tencent's own text."""
    return f"Tencent code {code}: {KNOWN_CODES.get(code, 'request refused')}"


def reset_after(code: str, now: datetime) -> float | None:
    """Seconds until the limit ``code`` names resets, when known."""
    if code in _FIXED_WAIT:
        return _FIXED_WAIT[code]
    if code in _UNTIL_TOMORROW:
        local = now.astimezone(BEIJING)
        end = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return max(1.0, (end - local).total_seconds())
    return None


def map_code(
    code: str, now: datetime, *, status: int | None = None
) -> DeliveryError | ProviderAccountError:
    """The SDK's error for a code other than ``Ok``."""
    text = describe(code)
    if (
        code.startswith(("LimitExceeded.", "RequestLimitExceeded", "InternalError"))
        or (status or 0) >= 500
    ):
        return TransientDeliveryError(
            f"Tencent flow control or failure, retry later: {text}",
            provider_code=code,
            retry_after=reset_after(code, now),
            status=status,
        )
    if code == "FailedOperation.InsufficientBalanceInSmsPackage" or code.startswith(
        ("AuthFailure.", "UnauthorizedOperation.")
    ):
        return ProviderAccountError(
            f"Tencent refuses the account, every send would fail: {text}", provider_code=code
        )
    return PermanentDeliveryError(
        f"Tencent refused the message: {text}",
        provider_code=code,
        status=status,
        opt_out=code == OPT_OUT_CODE,
    )
