"""JSON from outside, parsed and checked within the bounds of :mod:`notifysdk.limits`.

``json.loads`` recurses once per nesting level (a line of 100 000 ``[`` raises
``RecursionError``), turns a 5 000-digit number into a ``ValueError`` and accepts
``NaN``. :func:`loads` refuses all of these with the SDK's typed error before or while
parsing; :func:`check_value` walks a Python value (``Notice.data``) without recursion
and refuses what the ledger could not store as JSON or what is too deep or too large.
Every error names the field and the bound, never the value.
"""

from __future__ import annotations

import enum
import json
import re
import uuid
from collections.abc import Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from .errors import InvalidInputError, LimitExceededError
from .limits import MAX_JSON_DEPTH, MAX_NOTICE_DATA_CHARS, MAX_NUMBER_CHARS

__all__ = ["check_value", "loads"]

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_LONG_NUMBER = f"a number longer than {MAX_NUMBER_CHARS} characters (MAX_NUMBER_CHARS)"
_SCALARS = (str, int, float, bool, type(None), Decimal, date, time, timedelta, uuid.UUID)


class _RefusedError(ValueError):
    """Raised from inside ``json.loads`` by a hook: the reason says why."""

    def __init__(self, reason: str, *, limit: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def _depth(text: str) -> int:
    """The deepest nesting of ``text``'s arrays and objects (strings skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_CHARS:
            raise _RefusedError(_LONG_NUMBER)
        return kind(text)

    return parse


def _constant(name: str) -> Any:
    raise _RefusedError(f"{name} is not JSON", limit=False)


def loads(text: str, field: str = "<json>", *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse one JSON document, refusing nesting deeper than ``max_depth``, numbers
    longer than :data:`~notifysdk.limits.MAX_NUMBER_CHARS` characters and ``NaN`` or
    ``Infinity`` (:class:`~notifysdk.errors.LimitExceededError` or
    :class:`~notifysdk.errors.InvalidInputError` naming ``field``). The caller bounds
    the text's length first."""
    # Cheap pre-filter: fewer brackets than the bound cannot nest past it.
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise LimitExceededError(field, f"nested deeper than {max_depth} levels (MAX_JSON_DEPTH)")
    try:
        return json.loads(
            text,
            parse_int=_number(int),
            parse_float=_number(float),
            parse_constant=_constant,
        )
    except _RefusedError as exc:
        cls = LimitExceededError if exc.limit else InvalidInputError
        raise cls(field, exc.reason) from None
    except json.JSONDecodeError as exc:
        # exc.msg is the parser's wording ("Expecting value"), with no part of the text.
        raise InvalidInputError(field, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:  # unreachable past the depth check; kept as the last guard
        raise LimitExceededError(
            field, f"nested deeper than {max_depth} levels (MAX_JSON_DEPTH)"
        ) from None


def check_value(
    value: Any,
    field: str,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_chars: int = MAX_NOTICE_DATA_CHARS,
    max_chars_name: str = "MAX_NOTICE_DATA_CHARS",
) -> None:
    """Refuse ``value`` unless it is JSON-like (mappings with string keys, lists and
    tuples, strings, numbers, booleans, ``None``, decimals, dates, times, UUIDs and
    enums), nested at most ``max_depth`` deep and at most ``max_chars`` in size (the
    characters of its strings and keys, 8 for any other value). Iterative: a value
    nested a million deep costs no recursion."""
    size = 0
    stack: list[tuple[Any, int, str]] = [(value, 0, field)]
    while stack:
        cur, depth, path = stack.pop()
        if isinstance(cur, str):
            size += len(cur)
        elif isinstance(cur, Mapping | list | tuple):
            if depth >= max_depth:
                raise LimitExceededError(
                    path, f"nested deeper than {max_depth} levels (MAX_JSON_DEPTH)"
                )
            if isinstance(cur, Mapping):
                for key, item in cur.items():
                    if not isinstance(key, str):
                        raise InvalidInputError(path, "keys must be strings")
                    size += len(key)
                    stack.append((item, depth + 1, f"{path}.{key}" if _plain(key) else path))
            else:
                stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(cur))
        elif isinstance(cur, int) and not isinstance(cur, bool) and cur.bit_length() > 128:
            raise LimitExceededError(path, _LONG_NUMBER)
        elif isinstance(cur, (*_SCALARS, enum.Enum)):
            size += 8
        else:
            raise InvalidInputError(path, "not a JSON value (string, number, list, mapping...)")
        if size > max_chars:
            raise LimitExceededError(
                field, f"larger than {max_chars} characters ({max_chars_name})"
            )


def _plain(key: str) -> bool:
    """A key that looks like a field name (not data put where a key belongs)."""
    return _KEY.fullmatch(key) is not None
