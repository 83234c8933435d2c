"""Map what aiosmtplib raises into the SDK's error tree, by the SMTP phase it happened in.

The channel sends DATA in two steps (see :func:`notifysdk_smtp.channel._data`) so that
it knows whether the payload and its final ``.`` had been handed over when a
connection was lost. aiosmtplib itself reports a lost link as
:class:`aiosmtplib.SMTPServerDisconnected` (EOF or reset, whichever command was
waiting) and a missing reply as :class:`aiosmtplib.SMTPReadTimeoutError`, the same in
every phase; only the phase tells whether the server may hold the message.

==========================================  ==========================================
SMTP event                                  SDK error (``provider_code``)
==========================================  ==========================================
4xx reply (any command, incl. 421)          :class:`TransientDeliveryError` (the code)
5xx reply (any command, incl. 535)          :class:`PermanentDeliveryError` (the code)
connection refused/unreachable              :class:`TransientDeliveryError` (``connect``)
disconnect or timeout before the payload    :class:`TransientDeliveryError`
(connect, greeting, EHLO, MAIL, RCPT,       (``disconnected`` / ``timeout``): the
the DATA command and its 354)               server holds nothing
disconnect, reset or timeout after the      :class:`AmbiguousDeliveryError`
payload's final ``.``, before the reply     (``disconnected`` / ``timeout``): the
                                            server may have stored it; never retried
                                            blindly, the dispatcher reconciles
certificate not trusted                     :class:`PermanentDeliveryError` (``tls``)
server lacks STARTTLS/AUTH/SMTPUTF8         :class:`PermanentDeliveryError`
                                            (``unsupported``)
==========================================  ==========================================

Server replies are quoted in error messages with anything that looks like an email
address replaced by ``<address>`` (servers echo the recipient), and cut to 200
characters. Exceptions are raised ``from None``: aiosmtplib's own exceptions carry the
recipient's address and must not reach a traceback in a log.
"""

from __future__ import annotations

import asyncio
import re
import ssl

import aiosmtplib

from notifysdk.plugin import (
    AmbiguousDeliveryError,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>]+>?")
AFTER_DATA = "end of DATA"
"""The phase from the moment the payload's final ``.`` was handed to the transport
until the server's reply: a connection lost here may have left the message stored."""
AMBIGUOUS = (
    " (the server may already hold the message; its Message-ID is stable, so a"
    " re-delivery can be recognised)"
)


def scrub(reply: str, limit: int = 200) -> str:
    """A server reply safe to log: addresses replaced, one line, at most ``limit`` chars."""
    text = _ADDRESS.sub("<address>", " ".join(reply.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def from_code(code: int, what: str) -> DeliveryError:
    """A reply code to the SDK's error: 4xx transient, 5xx permanent, others transient."""
    if 500 <= code <= 599:
        return PermanentDeliveryError(what, provider_code=code)
    return TransientDeliveryError(what, provider_code=code)


def classify(exc: BaseException, phase: str) -> DeliveryError:
    """The SDK error for ``exc``, raised while the channel was at ``phase``
    (``connect``, ``MAIL``, ``RCPT``, ``DATA``, :data:`AFTER_DATA`)."""
    if phase == AFTER_DATA and not isinstance(exc, aiosmtplib.SMTPResponseException):
        return _ambiguous(exc)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        first = exc.recipients[0]
        return from_code(first.code, f"SMTP RCPT refused: {first.code} {scrub(first.message)}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return from_code(exc.code, f"SMTP {phase} answered {exc.code} {scrub(exc.message)}")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | asyncio.TimeoutError | TimeoutError):
        return TransientDeliveryError(f"SMTP {phase} timed out", provider_code="timeout")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentDeliveryError(
            f"SMTP {phase}: the server's TLS certificate is not trusted", provider_code="tls"
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return TransientDeliveryError(
            f"SMTP server disconnected during {phase}", provider_code="disconnected"
        )
    if isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionError | ssl.SSLError | OSError):
        return TransientDeliveryError(
            f"SMTP {phase} failed: {type(exc).__name__}: {scrub(str(exc))}",
            provider_code="connect",
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return PermanentDeliveryError(
            f"SMTP {phase}: {scrub(exc.message)}", provider_code="unsupported"
        )
    if isinstance(exc, aiosmtplib.SMTPException) and "not supported" in exc.message:
        # STARTTLS or AUTH required by the settings, not offered by the server
        return PermanentDeliveryError(
            f"SMTP {phase}: {scrub(exc.message)}", provider_code="unsupported"
        )
    return TransientDeliveryError(
        f"SMTP {phase} failed: {type(exc).__name__}", provider_code="smtp"
    )


def _ambiguous(exc: BaseException) -> AmbiguousDeliveryError:
    """A lost connection or a missing reply once the whole message was sent."""
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | asyncio.TimeoutError | TimeoutError):
        return AmbiguousDeliveryError(
            f"SMTP: no reply in time after the end of DATA{AMBIGUOUS}", provider_code="timeout"
        )
    return AmbiguousDeliveryError(
        f"SMTP server disconnected after the end of DATA ({type(exc).__name__}){AMBIGUOUS}",
        provider_code="disconnected",
    )
