"""An account's own addresses, found however they are written.

A registered address is parsed into components — province, city, district, town,
road, road number, estate, building, unit, floor, room for a Chinese address; flat,
house number, street and postcode for an English one. A text carries the address when
it carries a run of at least two of those components in order, with nothing but
separators between them, and at least one of them finer than the district (南山区科技园路,
科技园路88号, 阳光花园3栋, 3栋2单元202室); numbers match in any numeral form and with
any separator (四单元 = 4单元, 3-2-202 = 3栋2单元202室 = 3单元2层202室), with or
without 号 / 室, with or without the province and city. A run of numbers alone must
include the room, or three numbers, or a label on each (3-2 alone is not an address).

English: the house number and the street (12 Sample Road, 12 Sample Rd.), with the flat
before or after it and the postcode after it when they are there.

Everything works on the normal form of :mod:`.normalize`; nothing is compiled per
account: each address is a few strings and numbers, found with ``str.find`` and
module-level patterns matched where those strings occur.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from .normalize import has_cjk, normalize_value
from .numerals import NUMERAL_CHARS, chinese_forms, parse_number

PROVINCE, CITY, DISTRICT, TOWN, ROAD, ROAD_NO, ESTATE, BUILDING, UNIT, FLOOR, ROOM = range(11)
"""Ranks of the components of a Chinese address, coarse to fine."""
_NUMERIC = frozenset({ROAD_NO, BUILDING, UNIT, FLOOR, ROOM})

_PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 "
    "山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 "
    "广西 西藏 宁夏 新疆 香港 澳门"
)
PROVINCES = tuple(_PROVINCES.split())
"""Provincial-level names, so 广东深圳... parses without 省."""

_NAME = r"[^\s,，、;；:：0-9]"  # a name may hold a Chinese numeral (五华区, 三里屯)
_NAMED: tuple[tuple[int, re.Pattern[str]], ...] = (
    (
        PROVINCE,
        re.compile(
            r"(?:" + "|".join(PROVINCES) + r")(?:省|市|壮族自治区|回族自治区|维吾尔自治区|"
            r"自治区|特别行政区)?|" + _NAME + r"{2,6}?(?:省|自治区)"
        ),
    ),
    (CITY, re.compile(_NAME + r"{1,6}?(?:市|自治州|地区|盟)")),
    (DISTRICT, re.compile(_NAME + r"{1,6}?(?:区|县|旗|市)")),
    (TOWN, re.compile(_NAME + r"{1,8}?(?:街道|镇|乡)")),
    (ROAD, re.compile(_NAME + r"{1,10}?(?:大道|路|街|巷|胡同|道)")),
    (
        ESTATE,
        re.compile(
            rf"(?:(?![{NUMERAL_CHARS}]+\s*(?:号楼|栋|幢|座|单元|号|楼|层|室))"
            r"(?![a-z]\s*(?:号楼|栋|幢|座|单元))[^\s,，、;；:：0-9#()（）/\-]){2,16}"
        ),
    ),
)
"""The named components of a registered address, each tried where the last one ended;
the estate (绿城桂花园, 翠苑一区, 康桥半岛) is whatever name stands before the building
number."""

_NUM_AT = re.compile(
    rf"([0-9]+|[{NUMERAL_CHARS}]+|[a-z](?=\s*(?:号楼|栋|幢|座|单元)))"
    r"\s*(号楼|栋|幢|座|单元|门|层|楼|室|户|号|弄)?"
)
"""A number (or a building letter) and its label: 3栋, 四单元, 202, a座."""

_NUM_START = re.compile(
    rf"(?<![0-9])[0-9]|(?<![{NUMERAL_CHARS}])[{NUMERAL_CHARS}]|[a-z](?=\s*(?:号楼|栋|幢|座|单元))"
)
"""Where a number starts: the only places besides a name where a run can start."""

_LABELS: dict[str | None, frozenset[int]] = {
    "号楼": frozenset({BUILDING}),
    "栋": frozenset({BUILDING}),
    "幢": frozenset({BUILDING}),
    "座": frozenset({BUILDING}),
    "单元": frozenset({UNIT}),
    "门": frozenset({UNIT}),
    "层": frozenset({FLOOR}),
    "楼": frozenset({FLOOR, BUILDING}),
    "室": frozenset({ROOM}),
    "户": frozenset({ROOM}),
    "号": frozenset({ROAD_NO, BUILDING, ROOM}),
    "弄": frozenset({ROAD_NO}),
    None: _NUMERIC,
}

_LABEL_RANKS = {label: tuple(sorted(ranks)) for label, ranks in _LABELS.items()}
_PLAIN_RANKS = (BUILDING, UNIT, ROOM)
_PLAIN_RANKS_FLOOR = (BUILDING, UNIT, FLOOR, ROOM)
"""The ranks of unlabelled numbers in order (3-2-202; 3-2-5-502 has a floor)."""
_RANK = itemgetter(0)
"""A component's rank (its first field)."""
_DIGIT_CHARS = frozenset("0123456789")
_NUMERAL_SET = frozenset(NUMERAL_CHARS)
_SEPARATORS = frozenset(" ,，、-—_/#")
_SKIP = _SEPARATORS | frozenset("，、;；:：()（）")
"""What :func:`parse_chinese` passes over between components."""
_MAX_GAP = 3


class Component(NamedTuple):
    """One component of a registered address (a tuple: an address has a dozen, built
    for every new account, and a tuple is built and hashed in C)."""

    rank: int
    forms: tuple[str, ...] = ()
    """Named components: how a text may write it (南山区, 南山)."""
    number: str = ""
    """Numeric components: the number in canonical form (digits, or a letter)."""
    labelled: bool = True
    """False for a registered number without a label (…3-2-202): it takes any label."""
    implied: bool = False
    """The floor a room number implies (202 → 2), not written in the address."""

    def __repr__(self) -> str:
        return object.__repr__(self)  # never the address


_new = tuple.__new__
"""Builds a :class:`Component` from its five fields in order, as its constructor does
but without reading arguments by name (a parse builds a dozen)."""

_NAMED_AFTER = {
    last: tuple((rank, pattern) for rank, pattern in _NAMED if rank > last)
    for last in range(-1, ROOM + 1)
}
"""The named patterns finer than each rank (and all of them after none, ``-1``)."""

_PLAIN_ABOVE = {
    few: tuple(
        tuple(r for r in (_PLAIN_RANKS if few else _PLAIN_RANKS_FLOOR) if r > prev)
        for prev in range(-1, ROOM + 1)
    )
    for few in (True, False)
}
"""The ranks an unlabelled number may take after rank ``prev`` (at ``prev + 1``), with
three numbers or fewer (``True``) and with more."""

_LABEL_ABOVE = {
    label: tuple(
        (ranks[0], ranks[-1])
        for ranks in (
            [r for r in _LABEL_RANKS[label] if r > prev] or [ROOM] for prev in range(-1, ROOM + 1)
        )
    )
    for label in _LABELS
    if label is not None
}
"""The first and last rank a labelled number may take after rank ``prev`` (at
``prev + 1``; the room when none is left)."""


@lru_cache(maxsize=4096)
def _canonical_number(raw: str) -> str | None:
    if raw.isascii() and raw.isalpha():
        return raw
    parsed = parse_number(raw)
    if parsed is None or parsed.value != parsed.value.to_integral_value():
        return None
    return str(int(parsed.value))


_LONG_SUFFIXES = (
    "新区",
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "自治区",
    "特别行政区",
    "自治州",
)


def _base(text: str, rank: int) -> str:
    """A province, city or district without its suffix (广东省 → 广东)."""
    if rank > DISTRICT:
        return text
    for suffix in _LONG_SUFFIXES if text.endswith(_LONG_SUFFIXES) else ():
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text[:-1] if text[-1] in "省市区县" else text


def parse_chinese(address: str) -> tuple[Component, ...]:
    """The components of a Chinese address in normal form, coarse to fine."""
    pos, last, size = 0, -1, len(address)
    out: list[Component] = []
    numbers: list[tuple[str, str | None]] = []
    while pos < size:  # the names, up to the first number after them
        if address[pos] in _SKIP:
            pos += 1
            continue
        named, rank = None, last
        for finer, pattern in _NAMED_AFTER[last]:
            named = pattern.match(address, pos)
            if named is not None:
                rank = finer
                break
        if named is not None:
            end = named.end()
            text = address[pos:end]
            pos = end
            base = _base(text, rank) if rank <= DISTRICT else text
            forms = (text, base) if base != text and len(base) >= 2 else (text,)
            out.append(_new(Component, (rank, forms, "", True, False)))
            last = rank
            if rank == ROAD:
                m = _NUM_AT.match(address, pos)
                number = _canonical_number(m.group(1)) if m else None
                if m and number and m.group(2) in (None, "号", "弄"):
                    road_no = (ROAD_NO, (), number, bool(m.group(2)), False)
                    out.append(_new(Component, road_no))
                    last, pos = ROAD_NO, m.end()
            continue
        m = _NUM_AT.match(address, pos)
        if m is None:
            pos += 1
            continue
        pos = m.end()
        number = _canonical_number(m.group(1))
        if number is not None:
            numbers.append((number, m.group(2)))
            break
    # After a number only numbers are read: each where the last one ended or at the
    # next place one matches (no separator starts one).
    for m in _NUM_AT.finditer(address, pos) if numbers else ():
        number = _canonical_number(m.group(1))
        if number is not None:
            numbers.append((number, m.group(2)))
    out.extend(_numeric_components(numbers, after=max(last, ROAD_NO)))
    return tuple(sorted(out, key=_RANK))


def _numeric_components(numbers: list[tuple[str, str | None]], *, after: int) -> list[Component]:
    """Ranks for the numbers after the names: by label where there is one, in order
    where there is none (3-2-202 → building, unit, room)."""
    out: list[Component] = []
    prev = after
    count = len(numbers)
    plain = _PLAIN_ABOVE[count <= 3]
    room: Component | None = None
    has_floor = False
    for i, (number, label) in enumerate(numbers):
        rest = count - i
        if label is None:
            candidates = plain[prev + 1]
            rank = candidates[-rest] if len(candidates) >= rest else ROOM
            c = _new(Component, (rank, (), number, False, False))
        else:
            first, final = _LABEL_ABOVE[label][prev + 1]
            # 12号1002室: 号 is the building when more follows, the room when last
            rank = final if label == "号" and rest == 1 else first
            c = _new(Component, (rank, (), number, True, False))
        out.append(c)
        if rank == ROOM and room is None:
            room = c
        elif rank == FLOOR:
            has_floor = True
        if rank > prev:
            prev = rank
    if room and room.number.isdigit() and len(room.number) >= 3 and not has_floor:
        out.append(_new(Component, (FLOOR, (), str(int(room.number) // 100), True, True)))
    return out


def _finest_longest(entry: tuple[int, str]) -> tuple[int, int]:
    return entry[0], -len(entry[1])


def _number_anchors(number: str) -> tuple[str, ...]:
    """A registered number (digits) and its Chinese forms (十二, 二零二...)."""
    n = int(number)
    return (number, *_chinese_forms(n)) if n < 10000 else (number,)  # none above


@lru_cache(maxsize=10000)
def _chinese_forms(n: int) -> tuple[str, ...]:
    """:func:`~.numerals.chinese_forms` of a number below 10,000, the only ones that
    have any (kept for all of them: building, floor, room and road numbers are that
    small, so nearly every account has some that an earlier account had)."""
    return chinese_forms(n)


_Lookups = tuple[
    tuple[str, ...], dict[str, tuple[tuple[int, str], ...]], dict[str, tuple[Component, ...]]
]


def _lookups_of(comps: tuple[Component, ...]) -> _Lookups:
    """The anchors, named forms and numbers of an address of components ``comps`` (see
    :class:`ChineseAddress`)."""
    # A run holds a component finer than the district: only those need finding (the
    # window reaches back to the coarser ones). The labels (栋, 单元...) only when nothing
    # else would do: they are in every address, ours or not.
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
        tuple(dict.fromkeys(anchors)),
        {
            k: (v[0],) if len(v) == 1 else tuple(sorted(v, key=_finest_longest))
            for k, v in forms.items()
        },
        {k: tuple(v) for k, v in numbers.items()},
    )


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class ChineseAddress:
    """A registered Chinese address, ready to be found in normal-form text.

    What finding it needs (:attr:`anchors` and the components by first character and
    by number) is built when it is first needed: an account's address is registered in
    several forms (the address, each of its lines, province first), and the forms that
    another covers are only compared by their components, never searched for. Equal
    components make equal matchers (the rest follows from them)."""

    components: tuple[Component, ...]
    _set: frozenset[Component] = field(init=False)
    """The components, for :meth:`covers`."""
    _built: _Lookups | None = field(init=False)
    """:func:`_lookups_of` the components, once asked for."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.components))
        object.__setattr__(self, "_built", None)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChineseAddress) and other.__class__ is self.__class__:
            return self.components == other.components
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.components)

    def _lookups(self) -> _Lookups:
        built = self._built
        if built is None:  # two threads may both build it: the same value
            built = _lookups_of(self.components)
            object.__setattr__(self, "_built", built)
        return built

    @property
    def anchors(self) -> tuple[str, ...]:
        """Strings one of which occurs wherever the address does (the pre-filter)."""
        return self._lookups()[0]

    @property
    def _forms(self) -> dict[str, tuple[tuple[int, str], ...]]:
        """(rank, form) of the named components, by the form's first character."""
        return self._lookups()[1]

    @property
    def _numbers(self) -> dict[str, tuple[Component, ...]]:
        """The numeric components, by number."""
        return self._lookups()[2]

    @classmethod
    def of(cls, address: str) -> ChineseAddress | None:
        """The matcher for ``address`` (normal form), or ``None`` when it has fewer than
        two components."""
        comps = parse_chinese(address)
        if len(comps) < 2:
            return None
        return cls(comps)

    def covers(self, other: ChineseAddress) -> bool:
        """True when every component of ``other`` is one of ours (then finding ours
        finds everything ``other`` would)."""
        return other._set <= self._set

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (normal form) that carry this address."""
        windows: list[list[int]] = []
        size = len(text)
        anchors, forms, numbers = self._lookups()
        for anchor in anchors:
            at = text.find(anchor)
            if at == -1:
                continue
            digits = _DIGIT_CHARS if anchor[0] in _DIGIT_CHARS else _NUMERAL_SET
            bare = anchor[0] in digits  # a number: the 202 in 2026 is not one
            while at != -1:
                end = at + len(anchor)
                if not bare or not (
                    (at and text[at - 1] in digits) or (end < size and text[end] in digits)
                ):
                    windows.append([max(0, at - 24), min(size, end + 40)])
                at = text.find(anchor, at + 1)
        if not windows:
            return []
        windows.sort()
        merged = [windows[0]]
        for w in windows[1:]:
            if w[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], w[1])
            else:
                merged.append(w)
        spans: list[tuple[int, int]] = []
        for start, end in merged:
            # never start inside a number: 13栋 is not building 3
            while start > 0 and (text[start - 1].isdigit() or text[start - 1] in NUMERAL_CHARS):
                start -= 1
            spans.extend(self._runs(text, start, end, forms, numbers))
        return spans

    def _token(
        self,
        text: str,
        q: int,
        prev: int,
        forms: dict[str, tuple[tuple[int, str], ...]],
        numbers: dict[str, tuple[Component, ...]],
    ) -> tuple[int, int, bool] | None:
        """(rank, end, labelled) of a component of this address at ``q`` finer than
        ``prev``; a floor that is not registered is passed over with rank ``-1``."""
        if q >= len(text):
            return None
        for rank, form in forms.get(text[q], ()):
            if rank > prev and text.startswith(form, q):
                return rank, q + len(form), True
        m = _NUM_AT.match(text, q)
        if m is None:
            return None
        if q and m.group(1)[0].isdigit() and text[q - 1].isdigit():
            return None
        number = _canonical_number(m.group(1))
        label = m.group(2)
        classes = _LABELS[label]
        for c in numbers.get(number or "", ()):
            if c.rank > prev and (not c.labelled or c.rank in classes):
                return c.rank, m.end(), label is not None
        if label in ("层", "楼") and number is not None and prev >= 0:
            return -1, m.end(), True  # 2层 between 3单元 and 202室, not registered
        return None

    def _starts(self, text: str, start: int, end: int) -> list[int]:
        """The places in ``text[start:end]`` where a component may start."""
        starts = [m.start() for m in _NUM_START.finditer(text, start, end)]
        for c in self.components:
            for form in c.forms:
                at = text.find(form, start, end)
                while at != -1:
                    starts.append(at)
                    at = text.find(form, at + 1, end)
        return sorted(set(starts))

    def _runs(
        self,
        text: str,
        start: int,
        end: int,
        forms: dict[str, tuple[tuple[int, str], ...]],
        numbers: dict[str, tuple[Component, ...]],
    ) -> Iterator[tuple[int, int]]:
        done = start
        for q in self._starts(text, start, end):
            if q < done:
                continue
            first = self._token(text, q, -1, forms, numbers)
            if first is None:
                continue
            ranks, labels = [first[0]], [first[2]]
            run_end, prev = first[1], first[0]
            while True:
                p, gap = run_end, 0
                while p < len(text) and text[p] in _SEPARATORS and gap < _MAX_GAP:
                    p, gap = p + 1, gap + 1
                nxt = self._token(text, p, prev, forms, numbers)
                if nxt is None:
                    break
                if nxt[0] != -1:
                    ranks.append(nxt[0])
                    labels.append(nxt[2])
                    prev = nxt[0]
                run_end = nxt[1]
            if _accepts(ranks, labels):
                yield q, run_end
                done = run_end


def _accepts(ranks: list[int], labels: list[bool]) -> bool:
    """A run is the address when it has two components, one finer than the district;
    numbers alone only with the room, three of them, or a label on each."""
    if len(ranks) < 2 or max(ranks) < TOWN:
        return False
    if min(ranks) >= ROAD_NO and ESTATE not in ranks:
        return ROOM in ranks or len(ranks) >= 3 or all(labels)
    return True


_EN_TYPES = {
    "road": "road",
    "rd": "road",
    "street": "street",
    "st": "street",
    "avenue": "avenue",
    "ave": "avenue",
    "av": "avenue",
    "lane": "lane",
    "ln": "lane",
    "drive": "drive",
    "dr": "drive",
    "boulevard": "boulevard",
    "blvd": "boulevard",
    "court": "court",
    "ct": "court",
    "place": "place",
    "pl": "place",
    "square": "square",
    "sq": "square",
    "terrace": "terrace",
    "ter": "terrace",
    "close": "close",
    "crescent": "crescent",
    "cres": "crescent",
    "way": "way",
    "highway": "highway",
    "hwy": "highway",
    "parkway": "parkway",
    "pkwy": "parkway",
    "gardens": "gardens",
    "gdns": "gardens",
    "grove": "grove",
    "row": "row",
}
"""Street types and their abbreviations (Rd, St, Ave...), to one canonical name."""

_TYPES = "|".join(sorted(_EN_TYPES, key=len, reverse=True))
_FLAT = r"(?:flat|apt|apartment|unit|suite|ste|room|rm)\.?\s*#?\s*([0-9]+[a-z]?|[a-z])"
_UK_POST = r"[a-z]{1,2}[0-9][a-z0-9]?\s?[0-9][a-z]{2}"
_US_ZIP = r"[0-9]{5}(?:-[0-9]{4})?"
_EN_PARSE = re.compile(
    rf"(?:{_FLAT}\s*,?\s*)?(?:([0-9]+[a-z]?)\s*[/-]\s*)?([0-9]+[a-z]?)\s*,?\s+"
    rf"([a-z][a-z'.-]*(?:\s+[a-z][a-z'.-]*)*?)\s+({_TYPES})\b"
)
_EN_POST = re.compile(rf"(?<![a-z0-9])(?:{_UK_POST}|{_US_ZIP})(?![a-z0-9])")
_EN_TYPE_AT = re.compile(rf"\s+({_TYPES})\b\.?")
_EN_BEFORE = re.compile(
    rf"(?:(?:{_FLAT}|#\s*([0-9]+[a-z]?))\s*,?\s*)?(?:([0-9]+[a-z]?)\s*[/-]\s*)?"
    r"([0-9]+[a-z]?)\s*,?\s+$"
)
_EN_COMMA = re.compile(r"\s*,?\s*")
_EN_AFTER_FLAT = re.compile(rf"\s*,?\s*{_FLAT}(?![a-z0-9])")
_EN_AFTER_POST = re.compile(
    rf"\s*,?\s*(?:[a-z][a-z .'-]{{1,30}}?\s*,?\s*)?({_UK_POST}|{_US_ZIP})(?![a-z0-9])"
)


class EnglishAddress(NamedTuple):
    """A registered English address: house number, street, flat, postcode (a tuple,
    like :class:`Component`: built for every new account)."""

    number: str
    street: str
    street_type: str
    flat: str = ""
    postcode: str = ""
    city: str = ""

    def __repr__(self) -> str:
        return object.__repr__(self)  # never the address

    @classmethod
    def of(cls, address: str) -> EnglishAddress | None:
        """The matcher for ``address`` (normal form), or ``None`` without a house number
        and a street."""
        m = _EN_PARSE.search(address)
        if m is None:
            return None
        rest = address[m.end() :]
        flat_before, flat_number, number, street, street_type = m.groups()
        street_type = _EN_TYPES[street_type]
        if not rest:  # a bare line (12 sample road): no flat after it, no postcode or city
            # built from its fields in order, as the constructor does (a new account
            # registers an address and its lines)
            return _new(
                cls, (number, street, street_type, flat_before or flat_number or "", "", "")
            )
        after = _EN_AFTER_FLAT.match(rest)
        flat = flat_before or flat_number or (after.group(1) if after else "")
        if after:
            rest = rest[after.end() :]
        post = _EN_POST.search(rest)
        city = ""
        for c in rest.split(","):
            # A postcode holds no comma: none in ``rest``, none in any piece of it.
            chunk = (c if post is None else _EN_POST.sub("", c)).strip(" .")
            if chunk.replace(" ", "").isalpha() and len(chunk) > 2:
                city = chunk
                break
        postcode = post.group(0).replace(" ", "") if post else ""
        return _new(cls, (number, street, street_type, flat, postcode, city))

    def covers(self, other: EnglishAddress) -> bool:
        """True when ``other`` is this address with less written (no postcode, no
        city): finding ours finds everything ``other`` would."""
        same = (self.number, self.street, self.street_type, self.flat) == (
            other.number,
            other.street,
            other.street_type,
            other.flat,
        )
        return same and other.postcode in ("", self.postcode) and other.city in ("", self.city)

    @property
    def anchors(self) -> tuple[str, ...]:
        """The street name: it occurs wherever the address does."""
        return (self.street,)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (normal form) that carry this address."""
        spans: list[tuple[int, int]] = []
        at = text.find(self.street)
        while at != -1:
            span = self._at(text, at)
            if span is not None:
                spans.append(span)
            at = text.find(self.street, at + 1)
        return spans

    def _at(self, text: str, at: int) -> tuple[int, int] | None:
        if at and text[at - 1].isalnum():
            return None
        typed = _EN_TYPE_AT.match(text, at + len(self.street))
        if typed is None or _EN_TYPES[typed.group(1)] != self.street_type:
            return None
        before = _EN_BEFORE.search(text, max(0, at - 40), at)
        if before is None or before.group(4) != self.number:
            return None
        start = before.start()
        flat = before.group(1) or before.group(2) or before.group(3)
        if flat and self.flat and flat != self.flat:
            start = before.start(4)  # another flat in our building: not part of ours
        end = typed.end()
        after = _EN_AFTER_FLAT.match(text, end)
        if after is not None and (not self.flat or after.group(1) == self.flat):
            end = after.end()
        if self.city:
            city = _EN_COMMA.match(text, end)
            if city is not None and text.startswith(self.city, city.end()):
                tail = city.end() + len(self.city)
                if tail >= len(text) or not text[tail].isalnum():
                    end = tail
        post = _EN_AFTER_POST.match(text, end)
        if post is not None and self.postcode and post.group(1).replace(" ", "") == self.postcode:
            end = post.end()
        return start, end


Address = ChineseAddress | EnglishAddress
"""A matcher for one registered address."""


def address_matchers(value: str) -> tuple[Address, ...]:
    """The matchers for one registered address, in any language (none when it cannot
    be parsed: then only its verbatim form is looked for)."""
    return normal_address_matchers(normalize_value(value))


def normal_address_matchers(norm: str) -> tuple[Address, ...]:
    """:func:`address_matchers` of an address already in normal form."""
    if has_cjk(norm):
        zh = ChineseAddress.of(norm)
        return (zh,) if zh else ()
    en = EnglishAddress.of(norm)
    return (en,) if en else ()
