"""The known-value index assembled from per-value entries (cached per value), held to
the index as first written: every value normalised and parsed in place, the needles
sorted from their (text, kind) keys, each name's detector chosen among the Han names,
every set of matchers put through the pairwise covering loop."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import KnownValues, known_match
from notifysdk.privacy.addresses import Address, ChineseAddress, EnglishAddress, address_matchers
from notifysdk.privacy.known_match import (
    _GUARDS,
    DETECTOR,
    KnownIndex,
    _amount_forms,
    _amount_value,
    _detector_of,
    _Needle,
    _uncovered,
)
from notifysdk.privacy.names import WORD_GIVEN_NAMES
from notifysdk.privacy.normalize import has_cjk, normalize_value


def reference_index(values: tuple[tuple[str, str], ...]) -> KnownIndex:
    """:func:`~notifysdk.privacy.known_match.index_of` as first written."""
    plain: dict[tuple[str, str], None] = {}
    given_names: dict[str, None] = {}
    amounts: dict[Decimal, None] = {}
    found: dict[Address, None] = {}
    for kind, value in values:
        if kind == "amount":
            amount = _amount_value(value)
            if amount is not None and amount > 0:
                amounts[amount] = None
                continue
        norm = normalize_value(value)
        if not norm:
            continue
        if kind == "name" and has_cjk(norm) and (len(norm) == 1 or norm in WORD_GIVEN_NAMES):
            given_names[norm] = None
            continue
        if kind == "address":
            for matcher in address_matchers(value):
                found[matcher] = None
            if len(norm) < 4:
                continue
        if len(norm) >= 2:
            plain[(norm, kind)] = None
    han_names = [t for t, k in plain if k == "name" and has_cjk(t)]
    guard = _GUARDS.get
    needles = tuple(
        _Needle(
            text,
            kind,
            guard(text[0]),
            guard(text[-1]),
            _detector_of(text, kind, han_names) if han_names and kind == "name" else DETECTOR,
        )
        for text, kind in sorted(plain, key=lambda e: len(e[0]), reverse=True)
    )
    forms = tuple(group for a in amounts for group in _amount_forms(a))
    return KnownIndex(
        needles, tuple(given_names), frozenset(amounts), forms, _uncovered(list(found))
    )


def _address(a: Address) -> object:
    if isinstance(a, EnglishAddress):
        return ("en", tuple(a))
    assert isinstance(a, ChineseAddress)
    return ("zh", a.components, a.anchors, a._forms, a._numbers)


def canonical(index: KnownIndex) -> object:
    """Everything an index holds, matchers by their fields (their repr hides them)."""
    return (
        tuple(tuple(n) for n in index.needles),
        index.given,
        index.amounts,
        index.amount_forms,
        tuple(_address(a) for a in index.addresses),
    )


_VALUES = {
    "name": [
        "张伟",
        "伟",
        "张伟强",
        "伟强",
        "欧阳娜娜",
        "娜娜",
        "国庆",
        "李国庆",
        "阿依·古丽",
        "古丽",
        "Alex Smith",
        "Smith",
        "Al",
        "x",
        " 張偉 ",
        "",
    ],
    "amount": ["1234.50", "1234.5", "5000.00", "5000", "0.00", "12.30", "三千五百元", "-3", "abc"],
    "address": [
        "12 Sample Road",
        "12 Sample Road, London, SW1A 1AA, GB",
        "Flat 3, 12 Sample Road",
        "12 Sample Road, Flat 3, London, GB",
        "3/12 Sample Rd",
        "广东省深圳市南山区科技园路88号3栋2单元202室",
        "南山区科技园路88号",
        "3栋2单元202室",
        "深圳市南山区科技园路88号",
        "abc",
        "88号",
    ],
    "phone": ["+8613800138000", "13800138000", "1"],
    "loan_id": ["LN202600000001", "CL-2023-1807783"],
    "email": ["borrower@example.com", "Zhang.Wei@Mail.CN"],
    "national_id": ["110101199003077777", "A1234563"],
}
_PAIRS = [(k, v) for k, vs in _VALUES.items() for v in vs]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PAIRS), max_size=14))
@example([("name", "张伟强"), ("name", "伟强"), ("name", "张伟")])
@example([("address", "12 Sample Road"), ("address", "12 Sample Road, London, SW1A 1AA, GB")])
@example([("address", "12 Sample Road, London, SW1A 1AA, GB"), ("address", "12 Sample Road")])
@example([("address", "Flat 3, 12 Sample Road"), ("address", "12 Sample Road, Flat 3, London, GB")])
@example(
    [
        ("address", "广东省深圳市南山区科技园路88号3栋2单元202室"),
        ("address", "南山区科技园路88号"),
        ("address", "12 Sample Road"),
    ]
)
@example([("amount", "1234.50"), ("amount", "1234.5"), ("amount", "0.00"), ("amount", "abc")])
def test_the_index_is_the_index_as_first_written(pairs: list[tuple[str, str]]) -> None:
    values = tuple(pairs)
    expected = canonical(reference_index(values))
    assert canonical(known_match.index_of.__wrapped__(values)) == expected
    assert canonical(known_match.index_of(values)) == expected  # entries cached by now
    known_match._entry.cache_clear()
    assert canonical(known_match.index_of.__wrapped__(values)) == expected


def test_an_account_s_index_is_the_index_as_first_written() -> None:
    from notifysdk.testing import sample_account

    for n in (1, 2, 12, 3000):
        for locale in ("zh-CN", "en-GB"):
            values = KnownValues.from_account(sample_account(n, locale=locale)).values
            got = canonical(known_match.index_of.__wrapped__(values))
            assert got == canonical(reference_index(values))
