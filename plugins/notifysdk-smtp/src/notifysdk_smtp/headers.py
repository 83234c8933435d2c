"""Header safety, the Message-ID and the List-Unsubscribe URIs.

- :func:`check_header` refuses any header value with CR, LF or NUL (header injection)
  with an :class:`~notifysdk.errors.InvalidEmailError` naming the field, never the value.
- :func:`message_id` derives the Message-ID from the idempotency key: the same key gives
  the same Message-ID on every retry, so a receiving system (or an operator) can tell a
  re-delivery from a new notice. It is a hash: it carries no personal data.
- :func:`unsubscribe_uris` expands the configured ``mailto:`` and ``https:`` templates
  into the URIs of List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string
from urllib.parse import quote

from notifysdk.plugin import InvalidEmailError

_BAD_CHARS = frozenset("\r\n\x00")
_HEADER_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # printable ASCII except ':' (RFC 5322 ftext)
_URI_FORBIDDEN = re.compile(r"[\s<>,\"\x00-\x1f\x7f]")
PLACEHOLDERS = frozenset({"key", "token", "message_id"})
"""What an unsubscribe template may use: ``{key}`` (the idempotency key),
``{token}`` (the key, plus an HMAC when a secret is set) and ``{message_id}``."""

RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "sender",
        "reply-to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "return-path",
        "received",
        "auto-submitted",
        "resent-to",
        "resent-cc",
        "resent-bcc",
        "resent-from",
    }
)
"""Headers the channel sets itself; ``Message.headers`` may not override them."""


def check_header_value(value: str) -> str | None:
    """Why ``value`` cannot go into a header, or ``None`` when it can."""
    if any(ch in _BAD_CHARS for ch in value):
        return "contains CR, LF or NUL (header injection refused)"
    return None


def check_header(field: str, value: str) -> str:
    """Return ``value`` when it is safe in a header; raise :class:`InvalidEmailError`
    naming ``field`` otherwise."""
    reason = check_header_value(value)
    if reason is not None:
        raise InvalidEmailError(field, reason)
    return value


def check_header_name(field: str, name: str) -> str:
    """Refuse a header name that is not RFC 5322 ``ftext`` or that the channel sets."""
    if not _HEADER_NAME.match(name):
        raise InvalidEmailError(field, "not a valid header name (printable ASCII, no colon)")
    if name.lower() in RESERVED_HEADERS:
        raise InvalidEmailError(field, "this header is set by the smtp-email channel itself")
    return name


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID for a key: ``<notifysdk.HASH@domain>``, stable across retries."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<notifysdk.{digest}@{domain}>"


def unsubscribe_token(idempotency_key: str, secret: str | None) -> str:
    """The ``{token}`` placeholder: the key, with ``.`` and an HMAC-SHA256 tag when a
    secret is configured (so an endpoint can refuse forged tokens)."""
    if not secret:
        return idempotency_key
    tag = hmac.new(secret.encode(), idempotency_key.encode(), hashlib.sha256).digest()[:16]
    return f"{idempotency_key}.{base64.urlsafe_b64encode(tag).decode().rstrip('=')}"


def unsubscribe_uris(
    mailto_template: str | None,
    url_template: str | None,
    idempotency_key: str,
    secret: str | None,
    message_id_value: str = "",
) -> list[str]:
    """The List-Unsubscribe URIs (mailto first, then https), placeholders filled in and
    percent-encoded. Raises :class:`ValueError` on a template that is not usable."""
    values = {
        "key": quote(idempotency_key, safe=""),
        "token": quote(unsubscribe_token(idempotency_key, secret), safe=""),
        "message_id": quote(message_id_value.strip("<>"), safe=""),
    }
    uris: list[str] = []
    for field, template, scheme in (
        ("unsubscribe_mailto", mailto_template, "mailto:"),
        ("unsubscribe_url", url_template, "https://"),
    ):
        if template is None:
            continue
        if not template.lower().startswith(scheme):
            raise ValueError(f"{field} must start with {scheme!r}")
        uri = _expand(field, template, values)
        if _URI_FORBIDDEN.search(uri):
            raise ValueError(f"{field} contains spaces, control characters, '<', '>', ',' or '\"'")
        uris.append(uri)
    return uris


def _expand(field: str, template: str, values: dict[str, str]) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        raise ValueError(f"{field} is not a valid template (unbalanced braces)") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"{field} uses unknown placeholders {sorted(unknown)} (known: {sorted(PLACEHOLDERS)})"
        )
    return template.format(**values)


def list_unsubscribe_post(uris: list[str]) -> dict[str, str]:
    """``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` when an https URI is among
    ``uris`` (RFC 8058 one-click requires HTTPS), else nothing."""
    if any(u.lower().startswith("https://") for u in uris):
        return {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return {}
