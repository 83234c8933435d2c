"""Chinese address matchers built lazily (issue 13): an account registers its address in
several forms and keeps only those no other covers, so what finding needs is built at
the first find. Held here to the matcher as first built (everything in ``of``), and
equality to the dataclass's (components and anchors)."""

from __future__ import annotations

import itertools
import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy.addresses import (
    _LABELS,
    BUILDING,
    FLOOR,
    ROAD_NO,
    ROOM,
    TOWN,
    UNIT,
    ChineseAddress,
    Component,
    _finest_longest,
    _number_anchors,
    _numeric_components,
    parse_chinese,
)
from notifysdk.privacy.normalize import normalize_value

_WORDS = (
    "广东省 深圳市 深圳 南山区 科技园路 88号 八十八号 阳光花园 3栋 三栋 2单元 二单元 202室 "
    "二零二 3-2-202 12号楼 a座 5楼 5层 1002 弄 12弄 新疆维吾尔自治区 乌鲁木齐市 天山区 "
    "街道 镇 胡同 大道 cn 518000 一 十 零 五 市 区 县 号 室 幢 单元 栋 层 楼 五华区 三里屯 "
    "翠苑一区 浦东新区 北京 北京市 朝阳区 建国路 1 23 4567 三亚市"
)
_PIECES = [*_WORDS.split(), *",，、;：()#-/ "]


def _eager(address: str) -> tuple[object, ...] | None:
    """ChineseAddress.of as it was before the lookups were lazy: (components, anchors,
    forms by first character, numbers)."""
    comps = parse_chinese(address)
    if len(comps) < 2:
        return None
    anchors: list[str] = []
    forms: dict[str, list[tuple[int, str]]] = {}
    numbers: dict[str, list[Component]] = {}
    for c in comps:
        rank, names, number = c.rank, c.forms, c.number
        if names:
            for form in names:
                forms.setdefault(form[0], []).append((rank, form))
            if rank >= TOWN:
                anchors.extend(f for f in names if len(f) >= 2)
            continue
        numbers.setdefault(number, []).append(c)
        if rank >= TOWN and not c.implied and number.isdigit() and int(number) >= 10:
            anchors.extend(_number_anchors(number))
    if not anchors and any(c.rank >= BUILDING and not c.implied for c in comps):
        anchors.extend(("栋", "幢", "单元", "号楼", "室"))
    return (
        comps,
        tuple(dict.fromkeys(anchors)),
        {
            k: (v[0],) if len(v) == 1 else tuple(sorted(v, key=_finest_longest))
            for k, v in forms.items()
        },
        {k: tuple(v) for k, v in numbers.items()},
    )


def _address(pieces: list[str]) -> str:
    return normalize_value("".join(pieces))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
@example(["广东省", "深圳市", "南山区", "科技园路", "88号", "阳光花园", "3栋", "2单元", "202室"])
@example(["阳光花园", "3栋", "，", "深圳", "，", "518000", "，", "cn"])
def test_a_lazy_matcher_is_the_matcher_as_first_built(pieces: list[str]) -> None:
    address = _address(pieces)
    matcher = ChineseAddress.of(address)
    ref = _eager(address)
    if ref is None:
        assert matcher is None
        return
    assert matcher is not None
    assert matcher._built is None  # nothing built before it is asked for
    assert (matcher.components, matcher.anchors, matcher._forms, matcher._numbers) == ref
    assert matcher._built is not None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=12),
    st.lists(st.sampled_from(_PIECES), max_size=16),
)
@example(["科技园路", "88号", "3栋", "2单元", "202室"], ["科技园路", "88号", "3-2-202", "，"])
def test_a_lazy_matcher_finds_what_the_eager_one_finds(
    pieces: list[str], text_pieces: list[str]
) -> None:
    address = _address(pieces)
    text = _address(text_pieces) + " " + address
    fresh = ChineseAddress.of(address)
    if fresh is None:
        return
    built = ChineseAddress.of(address)
    assert built is not None
    assert built.anchors == _eager(address)[1]  # type: ignore[index]
    before = fresh.find(text)  # builds on first use
    assert fresh.find(text) == before == built.find(text)


def test_matchers_are_equal_exactly_when_the_dataclass_said_so() -> None:
    rng = random.Random(13)
    values = [
        _address([rng.choice(_PIECES) for _ in range(rng.randrange(2, 9))]) for _ in range(600)
    ]
    values += ["科技园路88号3栋2单元202室", "科技园路88号3栋2单元202室", "科技园路88号3-2-202"]
    matchers = [m for v in values if (m := ChineseAddress.of(v)) is not None]
    pairs = [(a, b) for a in matchers[:150] for b in matchers[:150]]
    pairs += list(itertools.pairwise(matchers))
    equal = 0
    for a, b in pairs:
        same = (a.components, a.anchors) == (b.components, b.anchors)
        assert (a == b) is same
        assert (a != b) is not same
        if same:
            equal += 1
            assert hash(a) == hash(b)
            assert len({a: None, b: None}) == 1
    assert equal > len(matchers[:150])  # each with itself, and some twins
    assert ChineseAddress.of("科技园路88号3栋") != ("科技园路88号3栋",)


def _numeric_ref(numbers: list[tuple[str, str | None]], *, after: int) -> list[Component]:
    """_numeric_components as first written (list comprehensions, keyword components)."""
    out: list[Component] = []
    prev = after
    plain = [BUILDING, UNIT, ROOM] if len(numbers) <= 3 else [BUILDING, UNIT, FLOOR, ROOM]
    room: Component | None = None
    has_floor = False
    for i, (number, label) in enumerate(numbers):
        rest = len(numbers) - i
        if label is None:
            candidates = [r for r in plain if r > prev]
            rank = candidates[-rest] if len(candidates) >= rest else ROOM
            c = Component(rank, number=number, labelled=False)
        else:
            ranks = sorted(r for r in _LABELS[label] if r > prev) or [ROOM]
            rank = ranks[-1] if label == "号" and rest == 1 else ranks[0]
            c = Component(rank, number=number)
        out.append(c)
        if rank == ROOM and room is None:
            room = c
        elif rank == FLOOR:
            has_floor = True
        prev = max(prev, rank)
    if room and room.number.isdigit() and len(room.number) >= 3 and not has_floor:
        out.append(Component(FLOOR, number=str(int(room.number) // 100), implied=True))
    return out


_LABEL_OR_NONE = st.sampled_from([None, *(label for label in _LABELS if label is not None)])


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["3", "12", "202", "1502", "a", "7", "1002"]), _LABEL_OR_NONE),
        max_size=7,
    ),
    st.integers(-1, ROOM),
)
@example([("12", "号"), ("1002", "室")], ROAD_NO)
@example([("3", None), ("2", None), ("5", None), ("502", None)], ROAD_NO)
def test_numbers_take_the_ranks_they_took_as_first_written(
    numbers: list[tuple[str, str | None]], after: int
) -> None:
    got = _numeric_components(numbers, after=after)
    ref = _numeric_ref(numbers, after=after)
    assert got == ref
    assert [type(c) for c in got] == [Component] * len(ref)
    assert [c._asdict() for c in got] == [c._asdict() for c in ref]
