"""pydantic's validation errors as the SDK's, with no input value in them.

pydantic's messages may quote the input (``Input tag '+8613800138000' found using
'kind'…``), its error objects keep it (``input_value=…`` in ``str(exc)``), and an
unknown key of a row lands in the error's path. None of that may reach a user, a log or
a summary: the input is a debtor's personal data. This module turns a
:class:`pydantic.ValidationError` into :class:`~notifysdk.errors.FieldProblem`\\ s — a
field path and a reason built from the error's *type* and pydantic's schema facts
(``max_length``, the expected tags), never from the input — and those into the matching
:class:`~notifysdk.errors.InvalidInputError` subclass.

It knows nothing about any one model: :func:`field_problems` serves the models
(:func:`as_input_error`), and any other reader of outside input that validates with
pydantic (settings, plugin configuration) can build its own error from the same
problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic

from . import errors

__all__ = ["as_input_error", "error_class", "field_path", "field_problems", "safe_reason"]

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
    "identifier": errors.InvalidIdentifierError,
    "limit": errors.LimitExceededError,
    "string_too_long": errors.LimitExceededError,
    "too_long": errors.LimitExceededError,
    "int_parsing_size": errors.LimitExceededError,
    "recursion_loop": errors.LimitExceededError,
}

OWN_ERROR_TYPES = frozenset(
    {"phone_number", "email", "amount", "currency", "locale", "time_zone", "identifier", "limit"}
    | {"text", "json_value", "naive_datetime"}
)
"""The types of the ``PydanticCustomError``\\ s the SDK's validators raise: their
messages are the SDK's own wording, which never quotes a value."""

# Reasons for pydantic's error types, from the error's context (schema facts) only.
_REASONS: dict[str, str] = {
    "missing": "field is required",
    "extra_forbidden": "unknown field",
    "timezone_aware": "datetime must carry a time zone (naive datetimes are refused)",
    "finite_number": "amount must be a finite number",
    "decimal_parsing": "amount must be a decimal number",
    "string_too_long": "longer than {max_length} characters",
    "string_too_short": "shorter than {min_length} character(s)",
    "too_long": "more than {max_length} items",
    "too_short": "fewer than {min_length} item(s)",
    "int_parsing_size": "integer too large to parse",
    "recursion_loop": "nested too deeply (or refers to itself)",
    "union_tag_invalid": "unknown kind (expected one of {expected_tags})",
    "union_tag_not_found": "cannot tell the kind: {discriminator} is missing",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
    "get_attribute_error": "cannot read this field from the object given",
    "value_error": "invalid value",
    "assertion_error": "invalid value",
}

# pydantic types whose message is built from the schema alone (pydantic-core's wording:
# "Input should be a valid integer", "Input should be a valid date in the format
# YYYY-MM-DD, month value is outside expected range"...): they never quote the input.
_SCHEMA_ONLY_PREFIXES = (
    "bool_",
    "bytes_",
    "date_",
    "datetime_",
    "decimal_",
    "dict_",
    "float_",
    "frozen_",
    "int_",
    "is_",
    "iterable_",
    "json_",
    "list_",
    "model_",
    "set_",
    "string_",
    "time_",
    "timezone_",
    "tuple_",
    "url_",
    "uuid_",
    "dataclass_",
    "arguments_",
    "callable_",
    "frozen_set_",
    "greater_than",
    "less_than",
    "multiple_of",
    "needs_python_object",
    "no_such_attribute",
    "none_required",
    "complex_",
)

_UNION_TAGS = frozenset({"phone", "email", "address"})
"""The discriminator tags of :data:`~notifysdk.models.ContactPoint`, which pydantic puts
in the error path (``debtor.contacts.0.phone.value``); the path drops them."""

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
"""What a field name looks like. A key that does not (``+8613800138000``, ``王芳``) is
data put where a key belongs, and is shown as ``<key>``."""


def field_path(loc: Iterable[int | str], prefix: str = "") -> str:
    """A dotted path (``debtor.contacts[2].value``) for pydantic's ``loc``, prefixed;
    union tags and pydantic's validator labels are dropped, and a key that is not a
    field name is shown as ``<key>``."""
    parts: list[str] = [prefix] if prefix else []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            continue
        if item in _UNION_TAGS or "[" in item or "(" in item:
            continue  # "phone", "function-after[check(), str]": not a field
        name = item if _KEY.fullmatch(item) else "<key>"
        parts.append(f".{name}" if parts else name)
    return "".join(parts) or "<root>"


def safe_reason(error: Mapping[str, Any], *, own_messages: bool = False) -> str:
    """Why pydantic refused a value, from the error's type and schema context only.

    ``own_messages``: the schema's validators that raise ``ValueError`` or
    ``AssertionError`` are the caller's own code, whose messages quote no value; their
    message is used (pydantic's ``Value error,`` prefix dropped). Otherwise such a
    message, which may be anyone's, becomes ``invalid value``.
    """
    etype = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if etype in OWN_ERROR_TYPES:
        return str(error.get("msg", "invalid value"))
    if own_messages and etype in ("value_error", "assertion_error"):
        msg = str(error.get("msg", ""))
        for lead in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(lead)
        return msg or "invalid value"
    template = _REASONS.get(etype)
    if template is not None:
        try:
            return template.format(**{k: _schema_fact(v) for k, v in ctx.items()})
        except (KeyError, IndexError, ValueError):
            return template.split(" (", 1)[0].split(" {", 1)[0]
    if etype.startswith(_SCHEMA_ONLY_PREFIXES):
        return str(error.get("msg", "invalid value"))
    return f"invalid value ({etype or 'unknown problem'})"


def _schema_fact(value: Any) -> str:
    if isinstance(value, int | float | str):
        return str(value)[:200]
    return "a value of the schema"


def error_class(code: str) -> type[errors.InvalidInputError]:
    """The :class:`~notifysdk.errors.InvalidInputError` subclass for a problem code."""
    return _ERROR_CLASSES.get(code, errors.InvalidInputError)


def field_problems(
    exc: pydantic.ValidationError, prefix: str = "", *, own_messages: bool = False
) -> list[errors.FieldProblem]:
    """Every problem of ``exc`` as a field path and a reason, with no input value
    (``own_messages``: see :func:`safe_reason`).

    A nested model whose own constructor already raised the SDK's error (its problems
    carry their paths) is re-rooted under the field that holds it.
    """
    problems: list[errors.FieldProblem] = []
    for err in exc.errors(include_input=False, include_url=False):
        path = field_path(err["loc"], prefix)
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, errors.InvalidInputError):
            for p in inner.problems:
                sub = p.field.split(".", 1)[1] if "." in p.field else ""
                joined = f"{path}.{sub}" if sub and not sub.startswith("[") else f"{path}{sub}"
                problems.append(errors.FieldProblem(joined, p.reason, p.code))
            continue
        reason = safe_reason(err, own_messages=own_messages)
        problems.append(errors.FieldProblem(path, reason, err["type"]))
    return problems or [errors.FieldProblem(prefix or "<root>", "invalid value")]


def as_input_error(exc: pydantic.ValidationError, prefix: str = "") -> errors.InvalidInputError:
    """``exc`` as the :class:`~notifysdk.errors.InvalidInputError` subclass of its first
    problem, naming every field and reason, never a value. Raise it outside the
    ``except`` block that caught ``exc`` (or ``from None``): pydantic's error keeps the
    input, and must not ride along as ``__context__``."""
    problems = field_problems(exc, prefix)
    first = problems[0]
    return error_class(first.code)(first.field, first.reason, problems=problems)
