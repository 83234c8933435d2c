"""Reading and parsing Twilio's form bodies, bounded, and the two shapes we accept.

Every failure raises :class:`BadRequestError` with an HTTP status and a reason that names the
field, never its value (a value may be a phone number or a message body).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

MAX_FIELDS = 100
"""Twilio's inbound messages carry about 25 fields (more with media); more is refused."""

_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
_CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")
_ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CODE = re.compile(r"^\d{1,6}$")


class BadRequestError(Exception):
    """A request we refuse: ``status`` is the HTTP status to answer, ``reason`` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(
    chunks: AsyncIterator[bytes], *, declared: str | None, limit: int, timeout: float
) -> bytes:
    """The whole body, refused (413) past ``limit`` bytes — up front when
    ``Content-Length`` says so — and (408) when it takes longer than ``timeout``."""
    if declared is not None:
        if not declared.isdigit():
            raise BadRequestError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise BadRequestError(413, f"the body is larger than {limit} bytes")
    buf = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in chunks:
                buf += chunk
                if len(buf) > limit:
                    raise BadRequestError(413, f"the body is larger than {limit} bytes")
    except TimeoutError:
        raise BadRequestError(408, "the body was not received in time") from None
    return bytes(buf)


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict; a repeated or malformed
    field, invalid UTF-8 or too many fields is a 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError(400, "the body is not UTF-8") from None
    if not text:
        raise BadRequestError(400, "the body is empty")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (ValueError, UnicodeDecodeError):
        raise BadRequestError(400, "the body is not a valid form") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise BadRequestError(400, f"field {name[:40]!r} is repeated")
        form[name] = value
    return form


def _field(form: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    value = form.get(name)
    if value is None:
        raise BadRequestError(400, f"field {name!r} is missing")
    if not pattern.match(value):
        raise BadRequestError(400, f"field {name!r} is not in the expected form")
    return value


def check_account(form: Mapping[str, str]) -> str:
    """The request's ``AccountSid`` (required, ``AC`` + 32 hex)."""
    return _field(form, "AccountSid", _ACCOUNT_SID)


@dataclass(frozen=True)
class StatusCallback:
    """A message status callback (``MessageStatus``, ``ErrorCode``), or a call's."""

    sid: str
    status: str
    error_code: str | None
    to: str | None
    is_call: bool = False


def parse_status(form: Mapping[str, str]) -> StatusCallback:
    """The status callback in ``form``; a call's status (``CallSid``, sent to the same URL
    by the voice channel) is recognized and marked ``is_call``."""
    code = form.get("ErrorCode") or None
    if code is not None and not _CODE.match(code):
        raise BadRequestError(400, "field 'ErrorCode' is not a number")
    to = form.get("To") or None
    if to is not None and not _E164.match(to):
        to = None  # a short code or a channel address: not needed for anything
    if "MessageSid" not in form and "CallSid" in form:
        sid = _field(form, "CallSid", _CALL_SID)
        status = form.get("CallStatus", "")
        if not status.isascii() or not status.replace("-", "").isalpha():
            raise BadRequestError(400, "field 'CallStatus' is not in the expected form")
        return StatusCallback(sid, status, code, to, is_call=True)
    sid = _field(form, "MessageSid", _MESSAGE_SID)
    message_status = form.get("MessageStatus")
    if message_status is None:
        raise BadRequestError(400, "field 'MessageStatus' is missing")
    return StatusCallback(sid, message_status, code, to)


@dataclass(frozen=True)
class InboundMessage:
    """An SMS a borrower sent to one of our numbers."""

    sid: str
    from_: str
    body: str


def parse_inbound(form: Mapping[str, str]) -> InboundMessage:
    """The inbound message in ``form`` (``MessageSid``, an E.164 ``From``, ``Body``)."""
    sid = _field(form, "MessageSid", _MESSAGE_SID)
    from_ = _field(form, "From", _E164)
    body = form.get("Body")
    if body is None:
        raise BadRequestError(400, "field 'Body' is missing")
    return InboundMessage(sid, from_, body)
