"""Twilio's failures mapped into the SDK's error tree.

Classification goes by HTTP status first, Twilio error code second:

==========================================  ==============================================
what Twilio answered                        raised
==========================================  ==============================================
429, or code 20429                          TransientDeliveryError, ``retry_after`` from
                                            the Retry-After header (seconds or HTTP date)
5xx                                         TransientDeliveryError (Retry-After honoured)
code 21610 (recipient replied STOP)         PermanentDeliveryError, ``opt_out=True``
code 21211 (invalid To), 21614 (not SMS-    PermanentDeliveryError
capable), any other 4xx
connection refused, connect timeout         TransientDeliveryError (``connect``):
                                            nothing was sent
no answer in time after sending             AmbiguousDeliveryError (``timeout``)
connection dropped/reset after sending      AmbiguousDeliveryError (``disconnected``)
==========================================  ==============================================

An ambiguous failure is never retried blindly: Twilio may hold the message. The
dispatcher asks the channel's ``reconcile`` (see :mod:`notifysdk_twilio.channels`),
which looks it up. The connection errors are raised by the channel itself
(:meth:`~notifysdk_twilio.channels.TwilioChannel._call`); this module maps what Twilio
answered.

Twilio's own messages are never copied into ours: they quote the phone number. Ours
name the HTTP status, the code and a fixed description.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from twilio.base.exceptions import TwilioRestException, TwilioServiceException  # type: ignore[import-untyped]

from notifysdk.plugin import (
    DeliveryError,
    InvalidInputError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

OPT_OUT_CODE = 21610

KNOWN_CODES: dict[int, str] = {
    20003: "authentication failed (check the account SID and auth token)",
    20404: "resource not found",
    20429: "too many requests",
    21211: "the 'To' number is not a valid phone number",
    21408: "sending to this region is not enabled on the account",
    21606: "the 'From' number cannot send SMS",
    21610: "the recipient replied STOP and is unsubscribed from this sender",
    21614: "the 'To' number cannot receive SMS (not a mobile number)",
    21617: "the body exceeds the 1600-character limit",
}
"""Twilio error codes we describe ourselves (their messages may quote the number)."""


class MessageTooLongError(InvalidInputError):
    """The text needs more SMS segments (or TwiML characters) than the configured maximum."""

    code = "sms_segments"


class ConsentRequiredError(PermanentDeliveryError):
    """An automated call was refused because the consent on record does not allow it."""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or ``None``."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def describe(status: int | None, code: int | None) -> str:
    """``HTTP 400, Twilio error 21211: the 'To' number …`` — never Twilio's own text."""
    what = KNOWN_CODES.get(code or 0, "request refused" if (status or 0) < 500 else "server error")
    code_part = f", Twilio error {code}" if code else ""
    return f"HTTP {status}{code_part}: {what}"


def map_rest_error(
    exc: TwilioRestException | TwilioServiceException,
    headers: Mapping[str, str] | None,
    now: datetime,
) -> DeliveryError:
    """Map a Twilio REST error (and its response headers) into the SDK's tree."""
    status = int(exc.status or 0)
    code = _int_or_none(exc.code)
    if code == status:  # twilio-python fills code with the status when the body had none
        code = None
    retry_after = parse_retry_after((headers or {}).get("Retry-After"), now)
    text = describe(status, code)
    provider_code = code if code is not None else status
    if status == 429 or code == 20429 or status >= 500:
        return TransientDeliveryError(
            f"Twilio is busy or failing, retry later: {text}",
            provider_code=provider_code,
            retry_after=retry_after,
            status=status,
        )
    if code == OPT_OUT_CODE:
        return PermanentDeliveryError(
            f"Twilio refused the message: {text}",
            provider_code=code,
            status=status,
            opt_out=True,
        )
    return PermanentDeliveryError(
        f"Twilio refused the message: {text}", provider_code=provider_code, status=status
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None
