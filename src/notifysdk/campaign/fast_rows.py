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

__all__ = ["construct", "fast_account"]

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
