"""The known-value index's cheaper builders, held to the slow forms they replace: an
amount's forms from its digits (:func:`~notifysdk.privacy.known_match._plain_forms`),
a Chinese address parsed number by number once its numbers start, its anchors and
matcher dictionaries, and the covering of one matcher by another."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import KnownValues, KnownValuesDetector, addresses, known_match
from notifysdk.privacy.addresses import (
    _LABELS,
    _NAMED,
    _NUM_AT,
    _SEPARATORS,
    BUILDING,
    FLOOR,
    ROAD,
    ROAD_NO,
    ROOM,
    TOWN,
    UNIT,
    ChineseAddress,
    Component,
    EnglishAddress,
    _base,
    _canonical_number,
    parse_chinese,
)
from notifysdk.privacy.normalize import normalize_value
from notifysdk.privacy.numerals import chinese_forms

# -- amounts -----------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 10**15 - 1), st.integers(0, 99))
@example(0, 50)
@example(99, 0)
@example(100, 0)
@example(999, 5)
@example(1000, 0)
@example(5000, 0)
@example(9999, 0)
@example(10000, 0)
@example(1234, 50)
@example(1234, 5)
def test_an_amount_gets_the_forms_of_its_decimal(units: int, cents: int) -> None:
    written = f"{units}.{cents:02d}"
    assert known_match._plain_forms(written) == known_match._decimal_forms(Decimal(written))
    assert known_match._amount_forms.__wrapped__(Decimal(written)) == (
        known_match._decimal_forms(Decimal(written))
    )


def test_other_amounts_keep_their_decimal_forms() -> None:
    for raw in ("1234.5", "3.5E+3", "1E+2", "100", "0.1", "12345678901234567.891", "250"):
        value = Decimal(raw)
        assert known_match._amount_forms.__wrapped__(value) == known_match._decimal_forms(value)


# -- Chinese addresses -------------------------------------------------------------------


def _numeric_ref(numbers: list[tuple[str, str | None]], *, after: int) -> list[Component]:
    out: list[Component] = []
    prev = after
    plain = [BUILDING, UNIT, ROOM] if len(numbers) <= 3 else [BUILDING, UNIT, FLOOR, ROOM]
    for i, (number, label) in enumerate(numbers):
        rest = len(numbers) - i
        if label is None:
            candidates = [r for r in plain if r > prev]
            rank = candidates[-rest] if len(candidates) >= rest else ROOM
            out.append(Component(rank, number=number, labelled=False))
        else:
            ranks = sorted(r for r in _LABELS[label] if r > prev) or [ROOM]
            rank = ranks[-1] if label == "号" and rest == 1 else ranks[0]
            out.append(Component(rank, number=number))
        prev = max(prev, out[-1].rank)
    room = next((c for c in out if c.rank == ROOM), None)
    has_floor = any(c.rank == FLOOR for c in out)
    if room and room.number.isdigit() and len(room.number) >= 3 and not has_floor:
        out.append(Component(FLOOR, number=str(int(room.number) // 100), implied=True))
    return out


def _parse_ref(address: str) -> tuple[Component, ...]:
    """parse_chinese as first written: every position tried in turn."""
    pos, last = 0, -1
    out: list[Component] = []
    numbers: list[tuple[str, str | None]] = []
    while pos < len(address):
        if address[pos] in _SEPARATORS or address[pos] in "，、;；:：()（）":
            pos += 1
            continue
        if not numbers:
            named = None
            for rank, pattern in _NAMED:
                if rank <= last:
                    continue
                m = pattern.match(address, pos)
                if m is not None:
                    named = rank, m.end()
                    break
            if named is not None:
                rank, end = named
                text = address[pos:end]
                pos = end
                base = _base(text, rank)
                forms = (text, base) if base != text and len(base) >= 2 else (text,)
                out.append(Component(rank, forms))
                last = rank
                if rank == ROAD:
                    m = _NUM_AT.match(address, pos)
                    number = _canonical_number(m.group(1)) if m else None
                    if m and number and m.group(2) in (None, "号", "弄"):
                        out.append(Component(ROAD_NO, number=number, labelled=bool(m.group(2))))
                        last, pos = ROAD_NO, m.end()
                continue
        m = _NUM_AT.match(address, pos)
        if m is not None:
            number = _canonical_number(m.group(1))
            if number is not None:
                numbers.append((number, m.group(2)))
            pos = m.end()
            continue
        pos += 1
    out.extend(_numeric_ref(numbers, after=max(last, ROAD_NO)))
    return tuple(sorted(out, key=lambda c: c.rank))


def _matcher_ref(address: str) -> tuple[object, ...] | None:
    """ChineseAddress.of's anchors and dictionaries as first written."""
    comps = _parse_ref(address)
    if len(comps) < 2:
        return None
    anchors: list[str] = []
    for c in comps:
        if c.rank < TOWN:
            continue
        if c.forms:
            anchors.extend(f for f in c.forms if len(f) >= 2)
        elif not c.implied and c.number.isdigit() and int(c.number) >= 10:
            anchors.append(c.number)
            anchors.extend(chinese_forms(int(c.number)))
    if not anchors and any(c.rank >= BUILDING and not c.implied for c in comps):
        anchors.extend(("栋", "幢", "单元", "号楼", "室"))
    forms: dict[str, list[tuple[int, str]]] = {}
    numbers: dict[str, list[Component]] = {}
    for c in comps:
        for form in c.forms:
            forms.setdefault(form[0], []).append((c.rank, form))
        if not c.forms:
            numbers.setdefault(c.number, []).append(c)
    return (
        comps,
        tuple(dict.fromkeys(anchors)),
        {k: tuple(sorted(v, key=lambda e: (e[0], -len(e[1])))) for k, v in forms.items()},
        {k: tuple(v) for k, v in numbers.items()},
    )


_WORDS = (
    "广东省 深圳市 深圳 南山区 科技园路 88号 八十八号 阳光花园 3栋 三栋 2单元 二单元 202室 "
    "二零二 3-2-202 12号楼 a座 B座 5楼 5层 1002 弄 12弄 新疆维吾尔自治区 乌鲁木齐市 天山区 "
    "街道 镇 乡 胡同 大道 巷 cn 613480 一 十 百 两 〇 零 点 五 x 市 区 县 旗 州 自治州 盟 地区 "
    "号 室 户 门 幢 单元 栋 层 楼 五华区 三里屯 翠苑一区 康桥半岛 工业园区 浦东新区 香港 "
    "特别行政区 北京 北京市 朝阳区 建国路 1 23 4567 89012 3.5 一点五"
)
_PIECES = [*_WORDS.split(), *",，、;；:：()（）#-/— "]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
@example(["阳光花园", "3栋", "，", "深圳", "，", "613480", "，", "cn"])
@example(["科技园路", "88号", "1002", "x", "3-2-202", "，", "五华区"])
@example(["3", "-", "2", "-", "5", "-", "502"])
def test_a_chinese_address_parses_as_position_by_position(pieces: list[str]) -> None:
    address = normalize_value("".join(pieces))
    assert parse_chinese(address) == _parse_ref(address)
    matcher = ChineseAddress.of(address)
    ref = _matcher_ref(address)
    if ref is None:
        assert matcher is None
    else:
        assert matcher is not None
        assert (matcher.components, matcher.anchors, matcher._forms, matcher._numbers) == ref


def test_covering_is_inclusion_of_components_and_the_first_of_equals_stays() -> None:
    rng = random.Random(5)
    values = ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(2, 10))) for _ in range(400)]
    values += ["广东省深圳市南山区科技园路88号3栋2单元202室", "科技园路88号3栋2单元202室"]
    values += ["12 Sample Road, London, SW1A 1AA", "12 Sample Road", "Flat 3, 12 Sample Rd"]
    matchers = [m for v in values for m in addresses.address_matchers(v)]
    for a in matchers[:120]:
        for b in matchers[:120]:
            if isinstance(a, ChineseAddress) and isinstance(b, ChineseAddress):
                assert a.covers(b) == (set(b.components) <= set(a.components))
    for _ in range(300):
        group = rng.sample(matchers, rng.randrange(0, 7))
        group += rng.sample(group, min(len(group), 2))  # equal matchers twice
        ref = tuple(
            a
            for i, a in enumerate(group)
            if not any(
                j != i and known_match._covers(b, a) and (not known_match._covers(a, b) or j < i)
                for j, b in enumerate(group)
            )
        )
        assert known_match._uncovered(group) == ref
        assert [id(a) for a in known_match._uncovered(group)] == [id(a) for a in ref]


def test_no_component_shows_its_value_in_its_repr() -> None:
    matcher = ChineseAddress.of(normalize_value("科技园路88号阳光花园3栋"))
    english = EnglishAddress.of(normalize_value("12 Sample Road"))
    assert matcher is not None and english is not None
    shown = " ".join(repr(c) for c in matcher.components)
    shown += repr(known_match._Needle("张伟", "name", None, None))
    for value in ("科技园", "阳光", "张伟", "name"):  # no digits: hex ids
        assert value not in shown


def test_find_reuses_an_index_only_for_the_very_same_values() -> None:
    text = "张伟 and 李娜 owe 1,234.50; LN202600000001 / LN202600000002"
    accounts = [
        KnownValues.expand([("name", "张伟"), ("loan_id", "LN202600000001")]),
        KnownValues.expand([("name", "李娜"), ("amount", "1234.50")]),
    ]
    accounts += [KnownValues(tuple(accounts[1].values)), KnownValues(accounts[0].values[:1])]
    detector = KnownValuesDetector()

    def fresh(known: KnownValues) -> list[tuple[str, int, int]]:
        known_match._last_index = None
        return [(f.kind, f.start, f.end) for f in detector.find(text, known)]

    expected = [fresh(k) for k in accounts]
    assert expected[0] != expected[1] and expected[0] != expected[3]
    for i in [0, 1, 0, 0, 2, 1, 3, 0, 3]:
        assert [(f.kind, f.start, f.end) for f in detector.find(text, accounts[i])] == expected[i]
