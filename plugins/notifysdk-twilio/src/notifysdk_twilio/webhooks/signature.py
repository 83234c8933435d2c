"""``X-Twilio-Signature`` checks with the official client's :class:`RequestValidator`.

Twilio signs the URL it called (scheme, host, port, path and query) followed by the
form fields sorted by name, with HMAC-SHA1 keyed by the account's auth token (or
HMAC-SHA256 when ``X-Twilio-Webhooks-Signature-Settings`` says so). Behind a proxy the
URL the app sees is not the one Twilio called, so the app rebuilds it from the
configured public base URL.
"""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import (  # type: ignore[import-untyped]
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_SETTINGS_HEADER", "SignatureChecker", "public_url"]


def public_url(base: str | None, own_url: str, path: str, query: str) -> str:
    """The URL Twilio called: ``base`` + ``path`` (+ ``?query``), or ``own_url`` without
    a configured base."""
    if base is None:
        return own_url
    return f"{base}{path}" + (f"?{query}" if query else "")


class SignatureChecker:
    """Validates a request's signature against one auth token."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)

    def valid(
        self, url: str, form: Mapping[str, str], signature: str, settings_header: str | None
    ) -> bool:
        """True when ``signature`` is Twilio's signature of ``url`` and ``form``."""
        algorithm = get_signature_algorithm(settings_header)
        try:
            return bool(self._validator.validate(url, dict(form), signature, algorithm))
        except (ValueError, TypeError, UnicodeError):
            return False
