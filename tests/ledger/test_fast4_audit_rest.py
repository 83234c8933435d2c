"""The audit hash input written piece by piece (``hashed_rest_at``'s fast path, with the
flat detail's JSON kept per content) is the JSON it has always been."""

from __future__ import annotations

import json
from collections import OrderedDict
from enum import IntEnum, StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.ledger import audit
from notifysdk.ledger.audit import hashed_rest, hashed_rest_at


def definition(at_iso: Any, event: Any, key: Any, detail: Any) -> str:
    """The hash input as first written: the JSON of the whole entry, less its ``[``."""
    return json.dumps(
        [at_iso, event, key, detail], sort_keys=True, default=str, ensure_ascii=False
    )[1:]


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    ONE = 1


texts = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "delivered", 'a"b', "\\", "\n\t", "é 中文", "\u2028", "\x00"]
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.floats(allow_nan=False),
    st.sampled_from([0, 1, 0.0, -0.0, 1.0, True, False, Colour.RED, Level.ONE]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(texts, st.integers(), max_size=2),
)
details = st.dictionaries(texts, values, max_size=10)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(texts, texts, st.none() | texts, details),
        min_size=1,
        max_size=6,
    )
)
def test_hashed_rest_at_is_the_json_of_the_entry(entries: list[Any]) -> None:
    # several entries in a row: what one leaves in the cache must not answer another
    for at_iso, event, key, detail in entries:
        assert hashed_rest_at(at_iso, event, key, detail) == definition(at_iso, event, key, detail)


def test_equal_details_with_other_json_do_not_share_the_cached_text() -> None:
    audit._detail_json.cache_clear()
    seen: list[Any] = [
        {"n": 1},
        {"n": True},
        {"n": 1.0},
        {"n": Level.ONE},
        {"n": 0.0},
        {"n": -0.0},
        {"n": 0},
        {"n": False},
        {"s": "red"},
        {"s": Colour.RED},
        {Colour.RED: 1},
        {"red": 1},
        {1: "x"},
        {True: "x"},
        {1.0: "x"},
        {Level.ONE: "x"},
    ]
    for _round in range(2):
        for detail in seen:
            assert hashed_rest_at("t", "outcome", "k", detail) == definition(
                "t", "outcome", "k", detail
            )


def test_odd_keys_events_and_mappings_take_the_general_path() -> None:
    class Key(str):
        pass

    detail: dict[str, Any] = {"status": "delivered", "attempts": 1, "rule": None}
    cases: list[tuple[Any, Any, Any, Any]] = [
        ("t", "outcome", Key("k"), detail),
        ("t", Key("outcome"), "k", detail),
        (Key("t"), "outcome", None, detail),
        ("t", "outcome", 7, detail),
        ("t", "outcome", "k", OrderedDict(detail)),
        ("t", "outcome", "k", {}),
        ("t", "outcome", "k", {"nested": {"a": [1, 2]}, "b": None}),
        ("t", "outcome", "k", {"at": object()}),
    ]
    for at_iso, event, key, d in cases:
        assert hashed_rest_at(at_iso, event, key, d) == definition(at_iso, event, key, d)


def test_hashed_rest_writes_the_time_as_before() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    for at in (
        datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
    ):
        detail = {"status": "failed", "reason": "x", "attempts": 3}
        assert hashed_rest(at, "outcome", "k", detail) == definition(
            at.isoformat(), "outcome", "k", detail
        )


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.none() | texts, details, st.none() | st.binary(min_size=16, max_size=32))
def test_entry_hash_is_the_hash_of_the_entrys_json(
    prev: str, event: str, key: str | None, detail: dict[str, Any], audit_key: bytes | None
) -> None:
    import hashlib
    import hmac
    from datetime import UTC, datetime

    at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    blob = json.dumps(
        [prev, at.isoformat(), event, key, detail], sort_keys=True, default=str, ensure_ascii=False
    ).encode()
    if audit_key is None:
        expected = hashlib.sha256(blob).hexdigest()
    else:
        kid = audit.audit_key_id(audit_key)
        expected = f"h1:{kid}:{hmac.digest(audit_key, blob, 'sha256').hex()}"
    assert audit.entry_hash(prev, at, event, key, detail, audit_key) == expected
