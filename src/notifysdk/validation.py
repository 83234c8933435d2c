"""Field validators shared by the models, within the bounds of :mod:`notifysdk.limits`.

Each refuses with a ``PydanticCustomError`` whose type names the kind of problem
(``phone_number``, ``amount``, ``identifier``, ``limit``...) and whose message is the
SDK's own wording: the field and the bound, never the value (it is personal data).
:func:`~notifysdk.input_errors.as_input_error` (re-exported here) turns pydantic's
error into the matching :class:`~notifysdk.errors.InvalidInputError` subclass.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sized
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import babel.numbers
import phonenumbers
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from . import limits
from .input_errors import as_input_error, error_class

__all__ = [
    "AddressLine",
    "Amount",
    "CurrencyCode",
    "DayCount",
    "Destination",
    "EmailAddress",
    "Identifier",
    "LocaleTag",
    "Name",
    "PhoneNumber",
    "ShortText",
    "TimeZoneName",
    "as_input_error",
    "check_amount",
    "check_currency",
    "check_identifier",
    "check_time_zone",
    "max_items",
    "normalize_email",
    "normalize_locale",
    "normalize_phone",
    "validate_field",
]


def validate_field(check: Callable[[str], str], value: str, field: str) -> str:
    """Run one of this module's checks outside a model (``normalize_phone``,
    ``normalize_email``...), raising the matching typed error for ``field``."""
    try:
        return check(value)
    except PydanticCustomError as exc:
        raise error_class(exc.type)(field, exc.message()) from None


def normalize_phone(value: str) -> str:
    """Return ``value`` as E.164, or raise a ``phone_number`` error (no value echoed)."""
    if not isinstance(value, str):
        raise PydanticCustomError("phone_number", "phone number must be a string")
    return _normalize_phone(value)


@functools.lru_cache(maxsize=8192)  # a number repeats (guarantors, each notice to it)
def _normalize_phone(value: str) -> str:
    """:func:`normalize_phone` of a string (a refusal raises afresh: it is not cached)."""
    _check_length(value, limits.MAX_PHONE_CHARS, "MAX_PHONE_CHARS")
    raw = value.strip()
    if not raw.startswith("+") and not raw.startswith("\uff0b"):
        raise PydanticCustomError(
            "phone_number",
            "not a valid E.164 phone number (it must start with + and a country code)",
        )
    if _valid_as_written(raw):
        return raw
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("phone_number", "not a valid E.164 phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PydanticCustomError(
            "phone_number", "not a valid E.164 phone number (no such number in its country's plan)"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_PLAIN_E164 = re.compile(r"\+[1-9][0-9]{2,16}")
"""A number already written as E.164: ``+``, ASCII digits, no spaces or punctuation."""


def _valid_as_written(raw: str) -> bool:
    """True when ``raw`` is a valid number already written as E.164, so that
    ``phonenumbers.parse`` would read it as it stands and format it back unchanged.

    The cheap path for a portfolio's numbers (most are written so): the country code is
    the first one to three digits that name one, as ``parse`` reads it, and the rest is
    the national number unless the plan's national prefix could be stripped from it (or
    it starts with 0, which ``parse`` keeps apart): such a number, and any ``False``,
    takes ``parse``'s own path, which gives every refusal its reason."""
    if _PLAIN_E164.fullmatch(raw) is None:
        return False
    digits = raw[1:]
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return False
    national = digits[size:]
    prefix = _national_prefix(code)
    if not national or national[0] == "0" or (prefix is not None and prefix.match(national)):
        return False
    descs = _valid_descs(code)
    if descs is not None and len(national) in descs[0] and descs[1].fullmatch(national):
        # The general pattern, then a fixed-line (or a distinct mobile) one: what
        # is_valid_number finds a type for; any other number asks it (it may be a
        # toll-free, VoIP... number, or none).
        for pattern, lengths in descs[2]:
            if len(national) in lengths and pattern.fullmatch(national):
                return True
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return bool(phonenumbers.is_valid_number(number))


_Desc = tuple[re.Pattern[str], frozenset[int]]


@functools.lru_cache(maxsize=512)
def _valid_descs(code: int) -> tuple[frozenset[int], re.Pattern[str], tuple[_Desc, ...]] | None:
    """The possible lengths and pattern of country ``code``'s plan (``general_desc``),
    then its fixed-line pattern and, when it differs, its mobile one: a national number
    that matches the first and one of the others is valid, as ``is_valid_number``
    decides it (its region is the code's only one, or the first one of a shared code
    when that plan has no leading digits, so ``is_valid_number`` reads that plan).
    ``None`` when the code's plan is not one of those."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    if not regions or regions[0] == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(regions[0], None)
    if metadata is None or (len(regions) > 1 and metadata.leading_digits is not None):
        return None
    if metadata.country_code != code:
        return None
    general = _desc(metadata.general_desc, frozenset())
    if general is None or not general[1]:
        return None
    descs = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    kinds = tuple(d for desc in descs if (d := _desc(desc, general[1])) is not None)
    return general[1], general[0], kinds


def _desc(desc: Any, fallback: frozenset[int]) -> _Desc | None:
    """A plan's number description as its compiled pattern and possible lengths (the
    general ones when it lists none, as phonenumbers reads it); ``None`` when it has no
    pattern."""
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = frozenset(desc.possible_length) or fallback
    return re.compile(desc.national_number_pattern), lengths


@functools.lru_cache(maxsize=512)
def _national_prefix(code: int) -> re.Pattern[str] | None:
    """The national prefix ``parse`` would try to strip from a number of country ``code``
    (its plan's ``national_prefix_for_parsing``), compiled once."""
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    pattern = metadata.national_prefix_for_parsing if metadata is not None else None
    return re.compile(pattern) if pattern else None


def normalize_email(value: str) -> str:
    """Return the normalized address, refusing CR/LF and bad syntax (no DNS look-up)."""
    if not isinstance(value, str):
        raise PydanticCustomError("email", "email address must be a string")
    return _normalize_email(value)


@functools.lru_cache(maxsize=8192)
def _normalize_email(value: str) -> str:
    """:func:`normalize_email` of a string (a refusal raises afresh: it is not cached)."""
    _check_length(value, limits.MAX_EMAIL_CHARS, "MAX_EMAIL_CHARS")
    if any(ch in value for ch in "\r\n\x00"):
        raise PydanticCustomError(
            "email", "email address contains CR, LF or NUL (header injection refused)"
        )
    import email_validator  # ~20 ms of tables: loaded by the first address, not with the models

    address = value.strip()
    plain = _plain_email(address)
    if plain is not None:
        return plain
    try:
        info = email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise PydanticCustomError(
            "email", "invalid email address: {why}", {"why": _email_reason(str(exc), value)}
        ) from None
    return info.normalized


_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")


def _plain_email(address: str) -> str | None:
    """What ``email_validator.validate_email`` normalizes ``address`` to, for the common
    address: a local part of the unquoted ASCII form (email-validator's ``DOT_ATOM_TEXT``,
    which it takes as it stands) and an ASCII domain, whose check is cached
    (:func:`_email_domain`: a portfolio has a handful of domains and a million local
    parts). ``None`` for any other address, or one the library would refuse: it then
    takes the library's own path, which gives the refusal its reason."""
    local, _, domain = address.partition("@")
    if not domain.isascii() or _PLAIN_DOMAIN.fullmatch(domain) is None:
        return None
    from email_validator import rfc_constants

    if rfc_constants.DOT_ATOM_TEXT.match(local) is None:
        return None
    checked = _email_domain(domain)
    if checked is None:
        return None
    name, ascii_name = checked
    if local.lower() in rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES:
        local = local.lower()  # as the library does (RFC 2142: postmaster, abuse...)
    normalized = f"{local}@{name}"
    longest = max(len(address), len(normalized.encode()), len(local) + 1 + len(ascii_name))
    return normalized if longest <= rfc_constants.EMAIL_MAX_LENGTH else None


@functools.lru_cache(maxsize=1024)
def _email_domain(domain: str) -> tuple[str, str] | None:
    """email-validator's normalized and ASCII forms of an address's ``domain``, checked
    once per domain (with a one-letter local part, so nothing but the domain can be
    refused), or ``None`` when it is refused."""
    import email_validator

    try:
        info = email_validator.validate_email(f"a@{domain}", check_deliverability=False)
    except email_validator.EmailNotValidError:
        return None
    if not isinstance(info.domain, str) or not isinstance(info.ascii_domain, str):
        return None
    return info.domain, info.ascii_domain


def _email_reason(why: str, value: str) -> str:
    """email-validator's reason without the characters or parts of the address it
    sometimes quotes (``...invalid characters before the @-sign: '<'.``)."""
    why = why.split(":", 1)[0].rstrip(".")
    for part in (value, *re.split(r"[@.]", value)):
        if len(part) >= 3 and part in why:
            why = why.replace(part, "…")
    return why


def _check_length(value: str, most: int, name: str) -> None:
    if len(value) > most:
        raise PydanticCustomError(
            "limit", "longer than {most} characters ({name})", {"most": most, "name": name}
        )


_AMOUNT_QUANTUM = Decimal(1).scaleb(-limits.MAX_AMOUNT_DECIMALS)


def check_amount(value: Decimal) -> Decimal:
    """Refuse negative, NaN and infinite amounts, amounts of
    :data:`~notifysdk.limits.MAX_AMOUNT` or more and amounts with more than
    :data:`~notifysdk.limits.MAX_AMOUNT_DECIMALS` decimal places: every amount that
    passes can be formatted in its currency (babel fails from about 10**26 on)."""
    if not value.is_finite():
        raise PydanticCustomError("amount", "amount must be a finite number")
    if value < 0:
        raise PydanticCustomError("amount", "amount must not be negative")
    if value >= limits.MAX_AMOUNT:
        raise PydanticCustomError("amount", "amount must be less than 10^15 (MAX_AMOUNT)")
    exponent = value.as_tuple().exponent
    too_fine = isinstance(exponent, int) and exponent < -limits.MAX_AMOUNT_DECIMALS
    if too_fine and value != value.quantize(_AMOUNT_QUANTUM):  # 1.5000000 is fine
        raise PydanticCustomError(
            "amount",
            "amount has more than {places} decimal places (MAX_AMOUNT_DECIMALS)",
            {"places": limits.MAX_AMOUNT_DECIMALS},
        )
    return value


def _amount_input(value: Any) -> Any:
    """Refuse what would be costly to turn into a Decimal at all: a number text longer
    than :data:`~notifysdk.limits.MAX_NUMBER_CHARS`, an int past the bound (a
    5 000-digit int cannot even be printed), a NaN or infinite float."""
    if isinstance(value, str) and len(value) > limits.MAX_NUMBER_CHARS:
        raise PydanticCustomError(
            "amount",
            "amount longer than {most} characters (MAX_NUMBER_CHARS)",
            {"most": limits.MAX_NUMBER_CHARS},
        )
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= limits.MAX_AMOUNT:
        raise PydanticCustomError("amount", "amount must be less than 10^15 (MAX_AMOUNT)")
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("amount", "amount must be a finite number")
    return value


def _day_count_input(value: Any) -> Any:
    if isinstance(value, str) and len(value.strip()) > limits.MAX_NUMBER_CHARS:
        raise PydanticCustomError(
            "limit",
            "longer than {most} characters (MAX_NUMBER_CHARS)",
            {"most": limits.MAX_NUMBER_CHARS},
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return check_day_count(value)
    return value


def check_day_count(value: int) -> int:
    """Refuse a day count past :data:`~notifysdk.limits.MAX_DAYS_OVERDUE` either way."""
    if abs(value) > limits.MAX_DAYS_OVERDUE:
        raise PydanticCustomError(
            "limit",
            "must be between -{most} and {most} (MAX_DAYS_OVERDUE)",
            {"most": limits.MAX_DAYS_OVERDUE},
        )
    return value


def check_identifier(value: str) -> str:
    """Refuse an identifier that is empty, longer than
    :data:`~notifysdk.limits.MAX_ID_CHARS`, starts or ends with a blank, or holds a
    character that is not printable (a control character such as the key separator
    ``\\x1f``, a line break, a zero-width or bidi-override character)."""
    if not value:
        raise PydanticCustomError("identifier", "must not be empty")
    _check_length(value, limits.MAX_ID_CHARS, "MAX_ID_CHARS")
    if not value.isprintable():
        raise PydanticCustomError(
            "identifier", "contains a control or other non-printable character"
        )
    if value != value.strip():
        raise PydanticCustomError("identifier", "must not start or end with a blank")
    return value


# C0 and C1 controls, DEL, line and paragraph separators, bidi embeddings, overrides and
# isolates, the BOM and lone surrogates: nothing a name or an address line may hold.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def bounded_text(most: int, name: str) -> Callable[[str], str]:
    """A validator refusing text longer than ``most`` characters (the bound ``name``
    of :mod:`notifysdk.limits`) or holding a control character."""

    def check(value: str) -> str:
        _check_length(value, most, name)
        if _CONTROL.search(value):
            raise PydanticCustomError(
                "text", "contains a control character (line break, tab, NUL, bidi override...)"
            )
        return value

    check.__name__ = f"bounded_text_{most}"
    return check


def max_items(most: int, name: str, what: str) -> Callable[[Any], Any]:
    """A before-validator refusing a list of more than ``most`` ``what`` (the bound
    ``name``) before any of them is validated."""

    def check(value: Any) -> Any:
        if isinstance(value, Sized) and not isinstance(value, str | bytes) and len(value) > most:
            raise PydanticCustomError(
                "limit",
                "more than {most} {what} ({name})",
                {"most": most, "what": what, "name": name},
            )
        return value

    check.__name__ = f"max_items_{most}"
    return check


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(babel.numbers.list_currencies())


def check_currency(value: str) -> str:
    """Upper-case an ISO 4217 code and refuse unknown ones."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or code not in _currencies():
        raise PydanticCustomError("currency", "not an ISO 4217 currency code")
    return code


@functools.lru_cache(maxsize=1024)
def check_time_zone(value: str) -> str:
    """Refuse names that are not in the IANA time-zone database."""
    _check_length(value, limits.MAX_SHORT_TEXT_CHARS, "MAX_SHORT_TEXT_CHARS")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # a folder, a NUL...
        raise PydanticCustomError("time_zone", "not an IANA time-zone name") from None
    return value


def normalize_locale(value: str) -> str:
    """Return a BCP 47 tag such as ``zh-CN`` or ``en``; refuse tags babel does not know."""
    if not isinstance(value, str):
        raise PydanticCustomError("locale", "locale must be a non-empty BCP 47 tag")
    _check_length(value, limits.MAX_SHORT_TEXT_CHARS, "MAX_SHORT_TEXT_CHARS")
    return _normalize_locale(value)


@functools.lru_cache(maxsize=256)
def _normalize_locale(value: str) -> str:
    # Portfolios repeat a handful of locales: parse each spelling once.
    if not value.strip():
        raise PydanticCustomError("locale", "locale must be a non-empty BCP 47 tag")
    try:
        loc = babel.Locale.parse(value.strip().replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        raise PydanticCustomError("locale", "unknown locale") from None
    if loc.language == "zh" and not loc.territory:
        return "zh-CN"
    return f"{loc.language}-{loc.territory}" if loc.territory else loc.language


PhoneNumber = Annotated[str, AfterValidator(normalize_phone)]
"""An E.164 phone number such as ``+8613800138000``."""

EmailAddress = Annotated[str, AfterValidator(normalize_email)]
"""A syntactically valid email address without CR/LF."""

Amount = Annotated[Decimal, BeforeValidator(_amount_input), AfterValidator(check_amount)]
"""A non-negative, finite :class:`~decimal.Decimal` below
:data:`~notifysdk.limits.MAX_AMOUNT`, with at most
:data:`~notifysdk.limits.MAX_AMOUNT_DECIMALS` decimal places."""

DayCount = Annotated[int, BeforeValidator(_day_count_input), AfterValidator(check_day_count)]
"""A number of days within :data:`~notifysdk.limits.MAX_DAYS_OVERDUE` either way."""

Identifier = Annotated[str, AfterValidator(check_identifier)]
"""An identifier: printable, no surrounding blanks, at most
:data:`~notifysdk.limits.MAX_ID_CHARS` characters."""

Name = Annotated[str, AfterValidator(bounded_text(limits.MAX_NAME_CHARS, "MAX_NAME_CHARS"))]
"""A name (person, institution, agency, label): no control characters, at most
:data:`~notifysdk.limits.MAX_NAME_CHARS` characters."""

AddressLine = Annotated[
    str, AfterValidator(bounded_text(limits.MAX_ADDRESS_LINE_CHARS, "MAX_ADDRESS_LINE_CHARS"))
]
"""An address line, city or region: no control characters, at most
:data:`~notifysdk.limits.MAX_ADDRESS_LINE_CHARS` characters."""

ShortText = Annotated[
    str, AfterValidator(bounded_text(limits.MAX_SHORT_TEXT_CHARS, "MAX_SHORT_TEXT_CHARS"))
]
"""A national ID or postal code: no control characters, at most
:data:`~notifysdk.limits.MAX_SHORT_TEXT_CHARS` characters."""

Destination = Annotated[
    str, AfterValidator(bounded_text(limits.MAX_DESTINATION_CHARS, "MAX_DESTINATION_CHARS"))
]
"""An explicit destination (``Notice.to``), normalized later by its channel's kind."""

CurrencyCode = Annotated[str, AfterValidator(check_currency)]
"""An ISO 4217 currency code."""

TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]
"""An IANA time-zone name such as ``Asia/Shanghai``."""

LocaleTag = Annotated[str, AfterValidator(normalize_locale)]
"""A normalized BCP 47 locale tag such as ``zh-CN`` or ``en``."""
