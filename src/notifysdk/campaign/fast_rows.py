"""A fast path for the common portfolio row: the flat record checked field by field and
built into an :class:`~notifysdk.models.Account` without a round trip through pydantic.

:func:`fast_account` runs the models' own field checks (the same functions their
annotations name: :func:`~notifysdk.validation.check_identifier`, the bounded-text
checks, :func:`~notifysdk.validation.normalize_phone`...) on the cells, converts the
plain shapes itself (an amount of digits and one point, a day count of digits, an ISO
date, an enum value as written) and builds the models as ``model_validate`` would: the
same field values, defaults and ``model_fields_set``. It answers ``None`` whenever it is
not sure (a cell of another shape, a value a check refuses, a column the flat shape does
not fill): the row then takes :func:`~notifysdk.campaign.portfolio.account_from_flat` and
``Account.model_validate``, which give every refusal its field and reason. So the fast
path can accept only what the models accept, as they would build it (a test holds the
two to the same accounts over synthetic and mutated rows), and never reports an error.

:func:`fast_csv_account` is the same fast path for a CSV record whose cells are all
printable, read from the record's cells without the dict of them; any other record is
left to :func:`fast_account` (tests/campaign/test_fast4_csv_rows.py holds the two alike).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, get_args

from pydantic import AfterValidator, BaseModel
from pydantic_core import PydanticUndefined

from .. import limits
from ..enums import AccountState, ConsentBasis
from ..models import Account, EmailContact, Person, PhoneContact, PostalAddress
from ..validation import (
    AddressLine,
    Name,
    ShortText,
    check_amount,
    check_currency,
    check_day_count,
    check_identifier,
    check_time_zone,
    normalize_email,
    normalize_locale,
    normalize_phone,
)

__all__ = ["construct", "fast_account", "fast_csv_account"]

M = TypeVar("M", bound=BaseModel)


def _after(annotated: Any) -> Callable[[str], str]:
    """The check an ``Annotated[str, AfterValidator(check)]`` alias runs: the very
    function, so the fast path cannot drift from the model's field."""
    for meta in get_args(annotated)[1:]:
        if isinstance(meta, AfterValidator):
            func: Callable[[str], str] = meta.func  # type: ignore[assignment]
            return func
    raise TypeError("no after-validator")  # pragma: no cover - a change of validation.py


_name = _after(Name)
_address_line = _after(AddressLine)
_short_text = _after(ShortText)

_AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")
_BOUNDED_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,6})?")
"""An amount check_amount cannot refuse (below MAX_AMOUNT, at most MAX_AMOUNT_DECIMALS
places): a test holds the bounds to :mod:`notifysdk.limits`."""
_DAYS = re.compile(r"-?[0-9]{1,9}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LINE_TYPES = frozenset({"mobile", "landline", "work", "unknown"})
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})
_CONSENT: Mapping[str, ConsentBasis] = {m.value: m for m in ConsentBasis}
_STATES: Mapping[str, AccountState] = {m.value: m for m in AccountState}


class _UnsureError(Exception):
    """The fast path cannot answer for this row: the models' own path takes it."""


def _defaults(cls: type[BaseModel]) -> tuple[tuple[str, bool, Any], ...]:
    """Each field of ``cls`` in order: its name, whether it is required, and its
    default (or default factory)."""
    out = []
    for name, field in cls.__pydantic_fields__.items():
        factory = field.default_factory is not None
        out.append((name, field.is_required(), field.default_factory if factory else field.default))
        if factory:  # pragma: no cover - none of the row's models has one today
            raise TypeError(f"{cls.__name__}.{name} has a default factory")
    return tuple(out)


_FIELDS: dict[type[BaseModel], tuple[tuple[str, bool, Any], ...]] = {
    cls: _defaults(cls) for cls in (Account, Person, PhoneContact, EmailContact, PostalAddress)
}
for _cls in _FIELDS:  # what would make model_validate do more than set the fields
    if _cls.__pydantic_post_init__ or _cls.__pydantic_root_model__:  # pragma: no cover
        raise TypeError(f"{_cls.__name__} has a post-init")


def _build(cls: type[M], given: dict[str, Any]) -> M:
    """``cls`` with the validated ``given`` fields and the defaults of the others, as
    ``cls.model_validate(given)`` builds it (field order, ``model_fields_set``)."""
    values: dict[str, Any] = {}
    for name, required, default in _FIELDS[cls]:
        if name in given:
            values[name] = given[name]
        elif required:
            raise _UnsureError
        else:
            values[name] = default
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(given))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


_TABLES: dict[type[BaseModel], tuple[tuple[str, bool, Any], ...]] = {}


def construct(cls: type[M], given: dict[str, Any]) -> M:
    """``cls.model_construct(**given)`` (trusted values, nothing validated), without
    its per-call walk over field aliases: the same field values and defaults (a
    default factory called), ``model_fields_set`` and ``model_post_init``. For models
    without aliases or private attributes (the planner's notices and recipients)."""
    table = _TABLES.get(cls)
    if table is None:
        if cls.__private_attributes__ or any(
            f.alias is not None or f.validation_alias is not None
            for f in cls.__pydantic_fields__.values()
        ):
            return cls.model_construct(**given)
        table = _TABLES[cls] = tuple(
            (n, f.default_factory is not None, f.default_factory or f.default)
            for n, f in cls.__pydantic_fields__.items()
        )
    values: dict[str, Any] = {}  # in field order, as model_construct fills it
    for name, factory, default in table:
        if name in given:
            values[name] = given[name]
        elif default is not PydanticUndefined:
            values[name] = default() if factory else default
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(given))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    if cls.__pydantic_post_init__:
        model.model_post_init(None)
    return model


def _amount(text: str) -> Decimal:
    if _BOUNDED_AMOUNT.fullmatch(text) is not None:
        return Decimal(text)  # what check_amount passes: finite, >= 0, < 10^15, 6 places
    if _AMOUNT.fullmatch(text) is None or len(text) > limits.MAX_NUMBER_CHARS:
        raise _UnsureError
    return check_amount(Decimal(text))


def _bool(cells: Mapping[str, str], column: str) -> bool:
    raw = (cells.get(column) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise _UnsureError


def _country(text: str) -> str:
    if len(text) != 2:
        raise _UnsureError
    return text


def fast_account(cells: Mapping[str, str]) -> Account | None:
    """The account of one flat record (CSV columns → text), exactly as
    ``Account.model_validate(account_from_flat(cells)[0])`` builds it, or ``None`` when
    the fast path is not sure (that path then gives the answer, or the refusal)."""
    try:
        return _account(cells)
    except Exception:  # a refusal, a shape it does not read: the models' path answers
        return None


def _account(cells: Mapping[str, str]) -> Account:
    get = {k: s for k, v in cells.items() if (s := v.strip())}.get

    given: dict[str, Any] = {}
    if (v := get("account_id")) is not None:
        given["account_id"] = check_identifier(v)
    if (v := get("loan_id")) is not None:
        given["loan_id"] = check_identifier(v)
    if (v := get("institution")) is not None:
        given["institution"] = _name(v)
    if (v := get("agency")) is not None:
        given["agency"] = _name(v)
    if (v := get("currency")) is not None:
        given["currency"] = check_currency(v)
    for column in ("principal", "overdue_amount", "penalty_interest"):
        if (v := get(column)) is not None:
            given[column] = _amount(v)
    if (v := get("due_date")) is not None:
        if _DATE.fullmatch(v) is None:
            raise _UnsureError
        given["due_date"] = date.fromisoformat(v)
    if (v := get("days_overdue")) is not None:
        if _DAYS.fullmatch(v) is None:
            raise _UnsureError
        given["days_overdue"] = check_day_count(int(v))
    given["debtor"] = _person(cells, get)
    if (v := get("profiles")) is not None:
        profiles = [p.strip() for p in v.split(";") if p.strip()]
        if len(profiles) > limits.MAX_PROFILES:
            raise _UnsureError
        given["profiles"] = tuple(check_identifier(p) for p in profiles)
    if (v := get("states")) is not None:
        given["states"] = frozenset(_STATES[s.strip()] for s in v.split(";") if s.strip())
    return _build(Account, given)


def _person(cells: Mapping[str, str], get: Callable[[str], str | None]) -> Person:
    given: dict[str, Any] = {}
    if (v := get("debtor_id")) is not None:
        given["person_id"] = check_identifier(v)
    if (v := get("debtor_name")) is not None:
        given["name"] = _name(v)
    if (v := get("national_id")) is not None:
        given["national_id"] = _short_text(v)
    if (v := get("locale")) is not None:
        given["locale"] = normalize_locale(v)
    if (v := get("time_zone")) is not None:
        given["time_zone"] = check_time_zone(v)
    if (v := get("country")) is not None:
        given["country"] = _country(v)
    contacts: list[BaseModel] = []
    if (v := get("phone")) is not None:
        phone: dict[str, Any] = {"kind": "phone", "value": normalize_phone(v)}
        if (c := get("phone_consent")) is not None:
            phone["consent"] = _CONSENT[c]
        if (t := get("phone_line_type")) is not None:
            if t not in _LINE_TYPES:
                raise _UnsureError
            phone["line_type"] = t
        phone["opted_out"] = _bool(cells, "phone_opted_out")
        contacts.append(_build(PhoneContact, phone))
    if (v := get("email")) is not None:
        email: dict[str, Any] = {"kind": "email", "value": normalize_email(v)}
        if (c := get("email_consent")) is not None:
            email["consent"] = _CONSENT[c]
        email["opted_out"] = _bool(cells, "email_opted_out")
        email["is_work"] = _bool(cells, "email_is_work")
        contacts.append(_build(EmailContact, email))
    line1, city = get("address_line1"), get("city")
    if line1 is not None or city is not None:
        lines = tuple(_address_line(x) for x in (line1, get("address_line2")) if x)
        if not lines or city is None:
            raise _UnsureError
        address: dict[str, Any] = {"kind": "address", "lines": lines, "city": _address_line(city)}
        if (v := get("region")) is not None:
            address["region"] = _address_line(v)
        if (v := get("postal_code")) is not None:
            address["postal_code"] = _short_text(v)
        if (v := get("address_country")) is not None:
            address["country"] = _country(v)
        contacts.append(_build(PostalAddress, address))
    given["contacts"] = tuple(contacts)
    return _build(Person, given)


# The CSV path of a printable row. A row whose cells are all printable (str.isprintable:
# no Cc, Cf, Cs, Co, Cn, Zl, Zp, nor a space but ' ') holds no character _CONTROL
# refuses, no surrogate and nothing check_identifier's isprintable refuses, in any cell
# or any part of one: there, each bounded-text check and check_identifier is its length
# bound alone (a cell is stripped, so no blank ends it). The checks that read more (an
# amount, a date, a phone, an email, a currency, a locale, a zone) are the same calls;
# the pure ones that a portfolio repeats on every row are remembered per text.

_MEMO_MAX = 1024
"""Texts remembered per categorical column (a currency, a locale, profiles...)."""


class _Template:
    """A model's fields in order with their defaults (``None`` stands in for a required
    field, which the given values must hold): what :func:`_build` does, as one dict merge
    and one subset test."""

    __slots__ = ("cls", "required", "values")

    def __init__(self, cls: type[BaseModel]) -> None:
        self.cls = cls
        self.values = {name: None if req else default for name, req, default in _FIELDS[cls]}
        self.required = frozenset(name for name, req, _ in _FIELDS[cls] if req)

    def build(self, given: dict[str, Any]) -> Any:
        if not given.keys() >= self.required:
            raise _UnsureError
        model = self.cls.__new__(self.cls)
        object.__setattr__(model, "__dict__", {**self.values, **given})
        object.__setattr__(model, "__pydantic_fields_set__", set(given))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return model


_ACCOUNT = _Template(Account)
_PERSON = _Template(Person)
_PHONE = _Template(PhoneContact)
_EMAIL = _Template(EmailContact)
_ADDRESS = _Template(PostalAddress)


def _memo(table: dict[str, Any], check: Callable[[str], Any], text: str) -> Any:
    """``check(text)`` (a pure check), remembered in ``table`` up to :data:`_MEMO_MAX`
    texts; a refusal raises afresh."""
    value = check(text)
    if len(table) < _MEMO_MAX:
        table[text] = value
    return value


def _profiles(v: str) -> tuple[str, ...]:
    profiles = [p.strip() for p in v.split(";") if p.strip()]
    if len(profiles) > limits.MAX_PROFILES:
        raise _UnsureError
    return tuple(check_identifier(p) for p in profiles)


def _states(v: str) -> frozenset[AccountState]:
    return frozenset(_STATES[s.strip()] for s in v.split(";") if s.strip())


def _due_date(v: str) -> date:
    if _DATE.fullmatch(v) is None:
        raise _UnsureError
    return date.fromisoformat(v)


def _days(v: str) -> int:
    if _DAYS.fullmatch(v) is None:
        raise _UnsureError
    return check_day_count(int(v))


_CURRENCY_MEMO: dict[str, str] = {}
_PROFILES_MEMO: dict[str, tuple[str, ...]] = {}
_STATES_MEMO: dict[str, frozenset[AccountState]] = {}
_DATE_MEMO: dict[str, date] = {}
_DAYS_MEMO: dict[str, int] = {}
_LOCALE_MEMO: dict[str, str] = {}
_ZONE_MEMO: dict[str, str] = {}

_ID = limits.MAX_ID_CHARS
_NAME = limits.MAX_NAME_CHARS
_LINE = limits.MAX_ADDRESS_LINE_CHARS
_SHORT = limits.MAX_SHORT_TEXT_CHARS

_header_seen: tuple[tuple[str, ...] | None, bool] = (None, False)
"""The last header read and whether it names each column once (a file's records share
one header tuple)."""


def fast_csv_account(header: tuple[str, ...], cells: list[str]) -> Account | None:
    """The account of one CSV record, exactly as :func:`fast_account` builds it from
    ``dict(zip(header, cells))``, for a record whose cells are all printable (the
    common row); ``None`` for any other record, or when :func:`fast_account` would not
    answer (either way the caller takes the checked path)."""
    global _header_seen
    if len(cells) != len(header):
        return None
    seen, once = _header_seen
    if header is not seen:
        once = len(set(header)) == len(header)
        _header_seen = (header, once)
    if not once or not "".join(cells).isprintable():
        return None
    try:
        return _clean_account(
            {k: s for k, v in zip(header, cells, strict=True) if (s := v.strip())}.get
        )
    except Exception:  # a refusal, a shape it does not read: the checked path answers
        return None


def _clean_account(get: Callable[[str], str | None]) -> Account:
    """:func:`_account` of a printable record (see above)."""
    given: dict[str, Any] = {}
    if (v := get("account_id")) is not None:
        if len(v) > _ID:
            raise _UnsureError
        given["account_id"] = v
    if (v := get("loan_id")) is not None:
        if len(v) > _ID:
            raise _UnsureError
        given["loan_id"] = v
    if (v := get("institution")) is not None:
        if len(v) > _NAME:
            raise _UnsureError
        given["institution"] = v
    if (v := get("agency")) is not None:
        if len(v) > _NAME:
            raise _UnsureError
        given["agency"] = v
    if (v := get("currency")) is not None:
        c = _CURRENCY_MEMO.get(v)
        given["currency"] = c if c is not None else _memo(_CURRENCY_MEMO, check_currency, v)
    for column in ("principal", "overdue_amount", "penalty_interest"):
        if (v := get(column)) is not None:
            given[column] = Decimal(v) if _BOUNDED_AMOUNT.fullmatch(v) is not None else _amount(v)
    if (v := get("due_date")) is not None:
        d = _DATE_MEMO.get(v)
        given["due_date"] = d if d is not None else _memo(_DATE_MEMO, _due_date, v)
    if (v := get("days_overdue")) is not None:
        n = _DAYS_MEMO.get(v)
        given["days_overdue"] = n if n is not None else _memo(_DAYS_MEMO, _days, v)
    given["debtor"] = _clean_person(get)
    if (v := get("profiles")) is not None:
        p = _PROFILES_MEMO.get(v)
        given["profiles"] = p if p is not None else _memo(_PROFILES_MEMO, _profiles, v)
    if (v := get("states")) is not None:
        s = _STATES_MEMO.get(v)
        given["states"] = s if s is not None else _memo(_STATES_MEMO, _states, v)
    account: Account = _ACCOUNT.build(given)
    return account


def _clean_person(get: Callable[[str], str | None]) -> Person:
    """:func:`_person` of a printable record."""
    given: dict[str, Any] = {}
    if (v := get("debtor_id")) is not None:
        if len(v) > _ID:
            raise _UnsureError
        given["person_id"] = v
    if (v := get("debtor_name")) is not None:
        if len(v) > _NAME:
            raise _UnsureError
        given["name"] = v
    if (v := get("national_id")) is not None:
        if len(v) > _SHORT:
            raise _UnsureError
        given["national_id"] = v
    if (v := get("locale")) is not None:
        loc = _LOCALE_MEMO.get(v)
        given["locale"] = loc if loc is not None else _memo(_LOCALE_MEMO, normalize_locale, v)
    if (v := get("time_zone")) is not None:
        tz = _ZONE_MEMO.get(v)
        given["time_zone"] = tz if tz is not None else _memo(_ZONE_MEMO, check_time_zone, v)
    if (v := get("country")) is not None:
        if len(v) != 2:
            raise _UnsureError
        given["country"] = v
    contacts: list[BaseModel] = []
    if (v := get("phone")) is not None:
        phone: dict[str, Any] = {"kind": "phone", "value": normalize_phone(v)}
        if (c := get("phone_consent")) is not None:
            phone["consent"] = _CONSENT[c]
        if (t := get("phone_line_type")) is not None:
            if t not in _LINE_TYPES:
                raise _UnsureError
            phone["line_type"] = t
        phone["opted_out"] = _clean_bool(get("phone_opted_out"))
        contacts.append(_PHONE.build(phone))
    if (v := get("email")) is not None:
        email: dict[str, Any] = {"kind": "email", "value": normalize_email(v)}
        if (c := get("email_consent")) is not None:
            email["consent"] = _CONSENT[c]
        email["opted_out"] = _clean_bool(get("email_opted_out"))
        email["is_work"] = _clean_bool(get("email_is_work"))
        contacts.append(_EMAIL.build(email))
    line1, city = get("address_line1"), get("city")
    if line1 is not None or city is not None:
        lines = tuple(x for x in (line1, get("address_line2")) if x)
        if not lines or city is None:
            raise _UnsureError
        if len(city) > _LINE or any(len(x) > _LINE for x in lines):
            raise _UnsureError
        address: dict[str, Any] = {"kind": "address", "lines": lines, "city": city}
        if (v := get("region")) is not None:
            if len(v) > _LINE:
                raise _UnsureError
            address["region"] = v
        if (v := get("postal_code")) is not None:
            if len(v) > _SHORT:
                raise _UnsureError
            address["postal_code"] = v
        if (v := get("address_country")) is not None:
            if len(v) != 2:
                raise _UnsureError
            address["country"] = v
        contacts.append(_ADDRESS.build(address))
    given["contacts"] = tuple(contacts)
    person: Person = _PERSON.build(given)
    return person


def _clean_bool(text: str | None) -> bool:
    """:func:`_bool` of a stripped cell (``None``: empty or absent)."""
    if text is None:
        return False
    raw = text.lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise _UnsureError
