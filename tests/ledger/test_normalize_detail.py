"""``normalize_detail`` (every audit entry's detail) reads back as a JSON round trip
would, with or without its fast path for flat, plain details."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from notifysdk.ledger.audit import normalize_detail


class _Status(StrEnum):
    OK = "ok"


class _Level(IntEnum):
    ONE = 1


def _round_trip(detail: dict[Any, Any]) -> Any:
    return json.loads(json.dumps(detail, default=str, ensure_ascii=False))


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON text and with the very same types throughout."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return json.dumps(a) == json.dumps(b)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from([_Status.OK, _Level.ONE]),
)
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=6
)


@given(st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), _VALUES, max_size=6))
def test_normalize_detail_is_a_json_round_trip(detail: dict[Any, Any]) -> None:
    assert _same(normalize_detail(detail), _round_trip(detail))


def test_enum_values_read_back_as_plain_values() -> None:
    out = normalize_detail({"status": _Status.OK, "level": _Level.ONE})
    assert type(out["status"]) is str and type(out["level"]) is int
