"""Field validators shared by the models, and the bridge from pydantic's errors to ours.

Pydantic reports the offending *value* in its messages; we must not (it is personal data).
:func:`as_input_error` turns a :class:`pydantic.ValidationError` into the matching
:class:`~notifysdk.errors.InvalidInputError` subclass, naming the field path and the
reason only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import babel.numbers
import phonenumbers
import pydantic
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from . import errors

_ERROR_CLASSES: dict[str, type[errors.InvalidInputError]] = {
    "phone_number": errors.InvalidPhoneNumberError,
    "email": errors.InvalidEmailError,
    "amount": errors.InvalidAmountError,
    "currency": errors.InvalidAmountError,
    "finite_number": errors.InvalidAmountError,
    "decimal_parsing": errors.InvalidAmountError,
    "locale": errors.UnknownLocaleError,
    "time_zone": errors.UnknownTimeZoneError,
    "timezone_aware": errors.NaiveDatetimeError,
    "naive_datetime": errors.NaiveDatetimeError,
}

# Pydantic's own messages sometimes quote the input; these replace them.
_SAFE_REASONS: dict[str, str] = {
    "timezone_aware": "datetime must carry a time zone (naive datetimes are refused)",
    "missing": "field is required",
    "extra_forbidden": "unknown field",
    "finite_number": "amount must be a finite number",
    "decimal_parsing": "amount must be a decimal number",
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif parts:
            parts.append(f".{item}")
        else:
            parts.append(str(item))
    return "".join(parts) or "<root>"


def as_input_error(exc: pydantic.ValidationError, prefix: str = "") -> errors.InvalidInputError:
    """Translate a pydantic error into our typed error, naming field and reason, no values."""
    problems: list[errors.FieldProblem] = []
    first_type = "invalid"
    for i, err in enumerate(exc.errors(include_input=False, include_url=False)):
        # Discriminated unions add the tag ("phone", "email") to the path; drop it.
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        path = _field_path(loc)
        if prefix:
            path = f"{prefix}.{path}" if path != "<root>" else prefix
        etype = err["type"]
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, errors.InvalidInputError):
            # A nested model's own __init__ already raised our error: re-root its paths.
            for p in inner.problems:
                sub = p.field.split(".", 1)[1] if "." in p.field else ""
                joined = f"{path}.{sub}" if sub and not sub.startswith("[") else f"{path}{sub}"
                problems.append(errors.FieldProblem(joined, p.reason, p.code))
            if i == 0:
                first_type = inner.code
            continue
        reason = _SAFE_REASONS.get(etype) or _strip_value(err["msg"])
        if i == 0:
            first_type = etype
        problems.append(errors.FieldProblem(path, reason, etype))
    cls = _ERROR_CLASSES.get(first_type, errors.InvalidInputError)
    return cls(problems[0].field, problems[0].reason, problems=problems)


_UNION_TAGS = {"phone", "email", "address"}


def _strip_value(msg: str) -> str:
    # Messages such as "Value error, ..." carry our own wording; drop pydantic's prefix.
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validate_field(check: Callable[[str], str], value: str, field: str) -> str:
    """Run one of this module's checks outside a model (``normalize_phone``,
    ``normalize_email``...), raising the matching typed error for ``field``."""
    try:
        return check(value)
    except PydanticCustomError as exc:
        cls = _ERROR_CLASSES.get(exc.type, errors.InvalidInputError)
        raise cls(field, exc.message()) from None


def normalize_phone(value: str) -> str:
    """Return ``value`` as E.164, or raise a ``phone_number`` error (no value echoed)."""
    if not isinstance(value, str):
        raise PydanticCustomError("phone_number", "phone number must be a string")
    raw = value.strip()
    if not raw.startswith("+") and not raw.startswith("\uff0b"):
        raise PydanticCustomError(
            "phone_number",
            "not a valid E.164 phone number (it must start with + and a country code)",
        )
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise PydanticCustomError("phone_number", "not a valid E.164 phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PydanticCustomError(
            "phone_number", "not a valid E.164 phone number (no such number in its country's plan)"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: str) -> str:
    """Return the normalized address, refusing CR/LF and bad syntax (no DNS look-up)."""
    if not isinstance(value, str):
        raise PydanticCustomError("email", "email address must be a string")
    if any(ch in value for ch in "\r\n\x00"):
        raise PydanticCustomError(
            "email", "email address contains CR, LF or NUL (header injection refused)"
        )
    import email_validator  # ~20 ms of tables: loaded by the first address, not with the models

    try:
        info = email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        # email-validator's reasons describe the syntax problem, not the address itself.
        raise PydanticCustomError(
            "email", "invalid email address: {why}", {"why": str(exc)}
        ) from None
    return info.normalized


def check_amount(value: Decimal) -> Decimal:
    """Refuse negative, NaN and infinite amounts."""
    if not value.is_finite():
        raise PydanticCustomError("amount", "amount must be a finite number")
    if value < 0:
        raise PydanticCustomError("amount", "amount must not be negative")
    return value


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
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise PydanticCustomError("time_zone", "not an IANA time-zone name") from None
    return value


def normalize_locale(value: str) -> str:
    """Return a BCP 47 tag such as ``zh-CN`` or ``en``; refuse tags babel does not know."""
    if not isinstance(value, str):
        raise PydanticCustomError("locale", "locale must be a non-empty BCP 47 tag")
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


def _no_float_nan(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("amount", "amount must be a finite number")
    return value


PhoneNumber = Annotated[str, AfterValidator(normalize_phone)]
"""An E.164 phone number such as ``+8613800138000``."""

EmailAddress = Annotated[str, AfterValidator(normalize_email)]
"""A syntactically valid email address without CR/LF."""

Amount = Annotated[Decimal, BeforeValidator(_no_float_nan), AfterValidator(check_amount)]
"""A non-negative, finite :class:`~decimal.Decimal`."""

CurrencyCode = Annotated[str, AfterValidator(check_currency)]
"""An ISO 4217 currency code."""

TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]
"""An IANA time-zone name such as ``Asia/Shanghai``."""

LocaleTag = Annotated[str, AfterValidator(normalize_locale)]
"""A normalized BCP 47 locale tag such as ``zh-CN`` or ``en``."""
