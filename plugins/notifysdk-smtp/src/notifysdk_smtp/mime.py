"""Turn a :class:`~notifysdk.models.Message` into the bytes of one RFC 5322 email.

multipart/alternative (text, HTML) inside multipart/mixed when there are attachments.
Every header value is checked for CR/LF/NUL first (:mod:`.headers`); a non-ASCII
subject becomes RFC 2047 encoded words; bodies are encoded 7-bit safe
(quoted-printable or base64, whichever is shorter) so the bytes do not depend on the
server offering 8BITMIME.
"""

from __future__ import annotations

import email.policy
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime

from notifysdk.plugin import InvalidEmailError, Message, normalize_email, validate_field

from .headers import (
    check_header,
    check_header_name,
    check_header_value,
    list_unsubscribe_post,
    message_id,
    unsubscribe_uris,
)
from .settings import SMTPSettings


class _CachingHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new header class with ``type()`` on every lookup
    (most of the cost of building an email); the classes are stateless, so keep them."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


_REGISTRY = _CachingHeaderRegistry()
_POLICY = email.policy.SMTP.clone(cte_type="7bit", header_factory=_REGISTRY)
_POLICY_UTF8 = email.policy.SMTPUTF8.clone(cte_type="7bit", header_factory=_REGISTRY)
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MIME_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")


@dataclass(frozen=True)
class Envelope:
    """One email ready for the wire: sender, recipients, bytes and its Message-ID."""

    sender: str
    recipient: str
    archive: tuple[str, ...]
    data: bytes
    message_id: str
    smtputf8: bool
    """True when an address is not ASCII: the server must offer SMTPUTF8."""


def checked_recipient(to: str) -> str:
    """The normalized recipient, or :class:`InvalidEmailError` on ``message.to``."""
    return validate_field(normalize_email, to, "message.to")


def build_envelope(message: Message, settings: SMTPSettings, now: datetime) -> Envelope:
    """Build the email for ``message``; bad header input raises :class:`InvalidEmailError`
    naming the field before anything is sent."""
    to = checked_recipient(message.to)
    subject = check_header("message.subject", message.subject or "")
    extra = {
        check_header_name(f"message.headers.{name!r}", name): check_header(
            f"message.headers.{name}", value
        )
        for name, value in message.headers.items()
    }
    smtputf8 = not all(a.isascii() for a in (to, settings.from_address, *settings.archive_bcc))
    mid = message_id(message.idempotency_key, settings.domain)

    mail = EmailMessage(policy=_POLICY_UTF8 if smtputf8 else _POLICY)
    mail["From"] = _address(settings.from_name, settings.from_address)
    mail["To"] = to
    if settings.reply_to:
        mail["Reply-To"] = settings.reply_to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = PreFolded("Message-ID", [mid])
    mail["Auto-Submitted"] = "auto-generated"
    secret = settings.unsubscribe_secret.get_secret_value() if settings.unsubscribe_secret else None
    uris = unsubscribe_uris(
        settings.unsubscribe_mailto, settings.unsubscribe_url, message.idempotency_key, secret, mid
    )
    if uris:
        # One URI per line, never re-encoded: RFC 2047 words would break the URIs.
        mail["List-Unsubscribe"] = PreFolded("List-Unsubscribe", [f"<{u}>" for u in uris])
    for name, value in {**list_unsubscribe_post(uris), **extra}.items():
        mail[name] = value

    mail.set_content(message.body, subtype="plain", charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for i, att in enumerate(message.attachments):
        filename = check_header(f"message.attachments[{i}].filename", att.filename)
        if not _MIME_TYPE.match(att.content_type):
            raise InvalidEmailError(
                f"message.attachments[{i}].content_type", "not a MIME type (type/subtype)"
            )
        maintype, _, subtype = att.content_type.partition("/")
        mail.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=filename)
    for part in mail.walk():
        if part.is_multipart():
            # "=_" never occurs in quoted-printable or base64 text, and a random tail
            # rules out the rest; it also spares the generator compiling a regex per
            # message to search the body for its own random boundary.
            part.set_boundary(f"=_notifysdk_{secrets.token_hex(12)}")
    if message.locale:  # after the parts: set_content drops Content-* headers
        mail["Content-Language"] = check_header("message.locale", message.locale)
    return Envelope(
        sender=settings.from_address,
        recipient=to,
        archive=settings.archive_bcc,
        data=mail.as_bytes(),
        message_id=mid,
        smtputf8=smtputf8,
    )


class PreFolded(str):
    """An ASCII header value the email package writes as given, one item per line
    (joined by ``,``), instead of re-folding it into RFC 2047 encoded words."""

    name: str
    items: tuple[str, ...]

    def __new__(cls, name: str, items: list[str]) -> PreFolded:
        """``name`` is the header's name; ``items`` are written one per line."""
        for item in items:
            if not item.isascii() or check_header_value(item) is not None:
                raise InvalidEmailError(name, "not printable ASCII on one line")
        obj = super().__new__(cls, ", ".join(items))
        obj.name = name
        obj.items = tuple(items)
        return obj

    def fold(self, *, policy: email.policy.Policy) -> str:
        """The header as it goes on the wire (the policy's line separator)."""
        sep = policy.linesep
        return f"{self.name}: " + f",{sep} ".join(self.items) + sep


def _address(name: str | None, addr: str) -> Address | str:
    if not name:
        return addr
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)
