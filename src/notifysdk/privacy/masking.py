"""Masking styles (张** / 138****8000 / **** **** **** 1234) and keyed pseudonyms.

Masks have a fixed shape wherever the length of a value would itself tell something, and
never contain enough digits in a row for a detector to find them again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import secrets
import threading
from functools import lru_cache

import phonenumbers

from .mainland import written_mobile
from .nanp import WRITTEN as NANP_WRITTEN
from .text import digits_of, fold

_KEY_ENV = "NOTIFYSDK_PSEUDONYM_KEY"
_key_lock = threading.Lock()
_process_key: bytes | None = None


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def mask_name(value: str) -> str:
    """张伟 → 张**; Alex Smith → A*** S***."""
    value = value.strip()
    if not value:
        return value
    if _is_cjk(value[0]):
        return value[0] + "**"
    return " ".join(part[:1] + "***" for part in value.split())


def mask_phone(value: str) -> str:
    """+86 138 0013 8000 → 138****8000; other numbers keep their last four digits."""
    e164 = _canonical_phone(fold(value))
    if e164.startswith("+861") and len(e164) == 14:
        return e164[3:6] + "****" + e164[-4:]
    digits = digits_of(value)
    return "****" + digits[-4:] if len(digits) >= 7 else "****"


def mask_card(value: str) -> str:
    """6222 0213 8001 3800 → **** **** **** 3800."""
    return "**** **** **** " + digits_of(value)[-4:]


def mask_national_id(value: str) -> str:
    """110101199003071234 → 1****************4 (first and last character only, the same
    shape for a 9-digit SSN or a ``A123456(3)`` Hong Kong ID: the length tells nothing)."""
    compact = _compact_id(value)
    return compact[:1] + "*" * 16 + compact[-1:] if len(compact) > 2 else "**"


_ID_SEPARATORS = str.maketrans("", "", " -()/")


def _compact_id(value: str) -> str:
    """An ID number without its separators: spaces, dashes, the brackets of a check
    digit (``A123456(3)``) and the slashes of a Macao ID (``1/234567/8``)."""
    return fold(value).translate(_ID_SEPARATORS)


def mask_email(value: str) -> str:
    """zhang.wei@example.com → z***@example.com."""
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_loan_id(value: str) -> str:
    """LN202600000001 → ****0001."""
    return "****" + value[-4:] if len(value) > 6 else "****"


def mask_bank_account(value: str) -> str:
    """6222 0213 8001 3800 123 / DE89 3704 0044 0532 0130 00 → ****0123 / ****3000:
    the last four characters, whatever the length."""
    compact = _alnum(value)
    return "****" + compact[-4:] if len(compact) > 6 else "****"


def mask_birth_date(value: str) -> str:
    """1990-03-07, 7 March 1990, 一九九〇年三月七日 → ****-**-** (nothing of it kept)."""
    return "****-**-**"


def mask_im_handle(value: str) -> str:
    """zhang_wei88 → z***; 12345678 → 1***; @zhangwei → @***."""
    value = value.strip()
    return value[:1] + "***" if value else "***"


_NOT_ASCII_ALNUM = re.compile("[^0-9A-Za-z]+")
"""Every character but an ASCII letter or digit (``c.isascii() and c.isalnum()``)."""


def _alnum(value: str) -> str:
    return _NOT_ASCII_ALNUM.sub("", fold(value)).upper()


def mask_value(kind: str, value: str) -> str:
    """Mask one value of ``kind`` in the house style; unknown kinds become ``****``."""
    masker = _MASKERS.get(kind)
    return masker(value) if masker else "****"


_MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "card": mask_card,
    "national_id": mask_national_id,
    "email": mask_email,
    "loan_id": mask_loan_id,
    "bank_account": mask_bank_account,
    "birth_date": mask_birth_date,
    "im_handle": mask_im_handle,
}


def canonical(kind: str, value: str) -> str:
    """The form two spellings of one value share (for joins): digits for numbers,
    lower case for emails, folded text otherwise."""
    if kind == "phone":
        return _canonical_phone(fold(value))
    if kind == "card":
        return digits_of(value)
    if kind == "national_id":
        return _compact_id(value).upper()
    if kind == "bank_account":
        return _alnum(value)
    if kind == "im_handle":
        return fold(value).strip().lstrip("@").lower()
    if kind == "email":
        return fold(value).strip().lower()
    return " ".join(fold(value).split())


@lru_cache(maxsize=4096)
def _canonical_phone(value: str) -> str:
    """E.164 when phonenumbers can read it (national forms as Chinese), else the digits.
    A plainly written mainland mobile is read without the parser (:mod:`.mainland`)."""
    written = written_mobile(value)
    if written is not None:
        return "+86" + written[1]
    nanp = NANP_WRITTEN.fullmatch(value)
    if nanp is not None:  # +1 and ten digits: E.164 without the parser (see .nanp)
        return "+1" + "".join(nanp.groups())
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return digits_of(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pseudonym_key() -> bytes:
    """The key of :func:`pseudonymize`: ``NOTIFYSDK_PSEUDONYM_KEY`` when set (so joins
    work across processes) — read as :mod:`notifysdk.keys` reads it, urlsafe base64 of
    32 bytes, so logs and the ledger's keyed scopes use the same key; a value that is
    not such a key is used as it is written — otherwise a random key for this process."""
    global _process_key
    env = os.environ.get(_KEY_ENV)
    if env:
        return _env_key(env)
    with _key_lock:
        if _process_key is None:
            _process_key = secrets.token_bytes(32)
        return _process_key


@functools.lru_cache(maxsize=4)
def _env_key(env: str) -> bytes:
    from ..errors import ConfigurationError
    from ..keys import decode_key

    try:
        return decode_key(env.split(",")[0], _KEY_ENV)
    except ConfigurationError:
        return env.encode()


def pseudonymize(kind: str, value: str, key: bytes | None = None) -> str:
    """A keyed hash of ``value`` (HMAC-SHA256 of its canonical form), e.g.
    ``phone#k3f9a2x7q4m2b``: the same person gets the same token, so logs and audit
    entries can be joined without carrying the value. The alphabet (a–z, 2–7) cannot
    form a phone, ID or card number."""
    digest = hmac.new(
        key or pseudonym_key(), f"{kind}:{canonical(kind, value)}".encode(), hashlib.sha256
    )
    token = base64.b32encode(digest.digest()).decode("ascii")[:13].lower()
    return f"{kind}#{token}"
