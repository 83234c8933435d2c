"""Chinese numerals: 三千五百 = 3500, 叁仟伍佰 = 3500, 一万二 = 12000, 1.2万 = 12000,
四 = 4, 二零二 = 202 (read digit by digit), and back (202 → 二零二, 二百零二, 两百零二).

Written here rather than taken from a library: what the detectors need is a strict
parser of one run of numeral characters that says *no* to anything malformed (三五百,
千万 the adverb, 万 alone), understands the colloquial tail (一万二, 三千五), mixes
Arabic digits in (5万5千, 1万2), and works on normalised (Simplified) text. cn2an, the
well-known package, converts whole sentences leniently and ships a stray ``build/`` tree
and test files in its wheel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    # the financial forms (大写), as they read after Traditional → Simplified
    "壹": 1,
    "贰": 2,
    "叁": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10**4, "亿": 10**8}

NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
"""Every character a Chinese numeral is written with (a regex class body)."""

_TOKEN = re.compile(
    rf"[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?|点[{''.join(DIGITS)}]+|[{NUMERAL_CHARS}]"
)


@dataclass(frozen=True, slots=True, repr=False)
class Parsed:
    """A number read from a run of numerals."""

    value: Decimal
    positional: bool
    """False when read digit by digit (二零二 = 202): a number, not an amount."""
    multiplied: bool
    """True when a unit of 千 or more is written (5万, 三千五): the shape of a sum."""


@lru_cache(maxsize=4096)
def parse_number(run: str) -> Parsed | None:
    """The number ``run`` writes (Arabic, Chinese or both), or ``None`` when it is not
    one well-formed number."""
    tokens = _TOKEN.findall(run)
    if not tokens or "".join(tokens) != run:
        return None
    if len(tokens) > 1 and all(len(t) == 1 and t in DIGITS for t in tokens):
        return Parsed(Decimal("".join(str(DIGITS[t]) for t in tokens)), False, False)
    groups = Decimal(0)  # everything at 亿 and above
    wan = Decimal(0)  # the 万 part below 亿
    section = Decimal(0)  # below 万
    cur: Decimal | None = None
    cur_single = False  # cur is one digit 1..9 (a colloquial tail may multiply it)
    last_small = 0  # the last 十/百/千 in this section (they must decrease)
    last_unit = 0
    zero = False
    multiplied = False
    for tok in tokens:
        if tok in DIGITS:
            digit = DIGITS[tok]
            if cur is not None:
                return None  # two digits in a row after a unit: 三千五六
            if digit == 0:
                zero = True
                continue
            cur, cur_single = Decimal(digit), True
        elif tok[0] == "点":
            if cur is None:
                return None
            cur += Decimal("0." + "".join(str(DIGITS[c]) for c in tok[1:]))
            cur_single = False
        elif tok[0].isdigit():
            if cur is not None:
                return None
            try:
                cur = Decimal(tok.replace(",", ""))
            except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
                return None
            cur_single = len(tok) == 1 and tok != "0"
        elif tok in SMALL_UNITS:
            unit = SMALL_UNITS[tok]
            if cur is None:
                if unit != 10 or section or wan or groups:
                    return None  # 千万 (the adverb), 百 alone; only 十 may stand alone
                cur = Decimal(1)
            if last_small and unit >= last_small:
                return None  # 三百五千
            section += cur * unit
            multiplied = multiplied or unit >= 1000
            cur, cur_single, last_small, last_unit, zero = None, False, unit, unit, False
        else:  # 万 / 亿
            unit = BIG_UNITS[tok]
            if cur is not None:
                section += cur
            if not section:
                return None  # 万 alone, 亿万
            if unit == 10**8:
                groups = (groups + wan + section) * unit
                wan = Decimal(0)
            elif wan:
                return None  # two 万 in one group
            else:
                wan = section * unit
            section, cur, cur_single, last_small, last_unit, zero = (
                Decimal(0),
                None,
                False,
                0,
                unit,
                False,
            )
            multiplied = True
    if cur is not None:
        if cur_single and not zero and last_unit >= 100:
            cur *= last_unit // 10  # 一万二 = 12000, 三千五 = 3500, 两百五 = 250
        section += cur
    return Parsed(groups + wan + section, True, multiplied)


_POSITIONS = ("", "十", "百", "千")


def chinese_forms(n: int, *, by_digit: bool = True) -> tuple[str, ...]:
    """The ways a small whole number (< 10000) is written in Chinese: 202 → 二百零二,
    两百零二, and digit by digit (unless ``by_digit`` is false) 二零二, 二〇二; 4 → 四."""
    if n < 0 or n >= 10000:
        return ()
    names = "零一二三四五六七八九"
    digits = str(n)
    if len(digits) == 1:
        return ("两", names[n]) if n == 2 else (names[n],)
    out: list[str] = []
    zero_pending = False
    for i, ch in enumerate(digits):
        d = int(ch)
        pos = len(digits) - 1 - i
        if d == 0:
            zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        if not (d == 1 and pos == 1 and i == 0):  # 十二, not 一十二
            out.append(names[d])
        out.append(_POSITIONS[pos])
    positional = "".join(out)
    forms = [positional]
    if positional.startswith("二") and len(digits) >= 3:
        forms.append("两" + positional[1:])
    if by_digit:
        read = "".join(names[int(c)] for c in digits)
        forms.extend([read, read.replace("零", "〇")])
    return tuple(dict.fromkeys(forms))
