"""Dates of birth (kind ``birth_date``), found only in birth context.

A date alone is a due date, a log time stamp or a 还款日; after ``出生日期``, ``生日``,
``生于``, ``DOB`` or ``born`` it is a date of birth. The date may be written as people
write it — ``1990-03-07``, ``1990/3/7``, ``1990.03.07``, ``19900307``, ``1990年3月7日``,
``一九九〇年三月七日``, ``07/03/1990``, ``7 March 1990``, ``March 7, 1990``, or a year and
month (``1990年3月``, ``1990-03``) — and must be a real day between 1900 and today.
A day and month with no year (``生日3月7日``) is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from .findings import Finding, KnownValues
from .labels import labelled
from .numerals import parse_number
from .prescan import Prescan
from .text import fold

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?i:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_CN_DIGITS = "零一二三四五六七八九〇"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
_ORD = r"(?:st|nd|rd|th)?"

_FORMS = {
    # 1990-03-07, 1990/3/7, 1990.03.07
    "ymd": r"(?P<y1>(?:19|20)[0-9]{2})(?P<s1>[-/.])(?P<m1>[0-9]{1,2})(?P=s1)(?P<d1>[0-9]{1,2})"
    r"(?![0-9])",
    # 1990年3月7日, 1990 年 03 月 07 号
    "cn": r"(?P<y2>(?:19|20)[0-9]{2})\s?年\s?(?P<m2>[0-9]{1,2})\s?月\s?(?P<d2>[0-9]{1,2})"
    r"(?![0-9])\s?[日号號]?",
    # 一九九〇年三月七日
    "cnnum": rf"(?P<y3>[{_CN_DIGITS}]{{4}})年(?P<m3>{_CN_SMALL})月(?P<d3>{_CN_SMALL})[日号號]",
    # 07/03/1990, 7.3.1990 (day first, unless the first number cannot be a day... or month)
    "dmy": r"(?P<a4>[0-9]{1,2})(?P<s4>[-/.])(?P<b4>[0-9]{1,2})(?P=s4)(?P<y4>(?:19|20)[0-9]{2})"
    r"(?![0-9])",
    # 7 March 1990, 7th of March, 1990
    "dMy": rf"(?P<d5>[0-9]{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m5>{_MONTH}),?\s+"
    r"(?P<y5>(?:19|20)[0-9]{2})(?![0-9])",
    # March 7, 1990 / Mar 7th 1990
    "Mdy": rf"(?P<m6>{_MONTH})\s+(?P<d6>[0-9]{{1,2}}){_ORD},?\s+(?P<y6>(?:19|20)[0-9]{{2}})"
    r"(?![0-9])",
    # 19900307
    "compact": r"(?P<y7>(?:19|20)[0-9]{2})(?P<m7>[01][0-9])(?P<d7>[0-3][0-9])(?![0-9])",
    # 1990年3月, 1990-03, March 1990
    "cnym": r"(?P<y8>(?:19|20)[0-9]{2})\s?年\s?(?P<m8>[0-9]{1,2})\s?月(?!\s?[0-9])",
    "ym": r"(?P<y9>(?:19|20)[0-9]{2})(?P<s9>[-/.])(?P<m9>[0-9]{1,2})(?![0-9]|(?P=s9)[0-9])",
    "My": rf"(?P<m10>{_MONTH})\s+(?P<y10>(?:19|20)[0-9]{{2}})(?![0-9])",
}

_BIRTH = labelled(
    (
        "出生日期",
        "出生年月日",
        "出生年月",
        "出生于",
        "出生於",
        "出生",
        "生日",
        "生于",
        "生於",
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "birth",
        "dob",
        "d.o.b.",
        "born",
    ),
    "|".join(f"(?P<{name}>{form})" for name, form in _FORMS.items()),
    # 出生日期为 / born on / DOB (dd/mm/yyyy):
    suffix=r"(?:日期|时间|時間|on|in|\((?:dd|mm|yyyy|yy|[-/.])+\))",
)


def _cn_number(text: str) -> int:
    """一九九〇 → 1990 (digit by digit); 七 → 7, 十二 → 12, 二十七 → 27; 0 when the
    numeral is not one number (the date check then rejects it)."""
    parsed = parse_number(text)
    return int(parsed.value) if parsed is not None else 0


def _ymd(m: re.Match[str]) -> tuple[int, int, int] | None:
    """(year, month, day) of a match of the date forms (day 1 for a year and month),
    or ``None``."""
    g = m.group
    if g("ymd"):
        return int(g("y1")), int(g("m1")), int(g("d1"))
    if g("cn"):
        return int(g("y2")), int(g("m2")), int(g("d2"))
    if g("cnnum"):
        return _cn_number(g("y3")), _cn_number(g("m3")), _cn_number(g("d3"))
    if g("dmy"):
        a, b = int(g("a4")), int(g("b4"))
        # Day first (07/03/1990) unless only month-first can be right (03/27/1990).
        return (int(g("y4")), a, b) if a <= 12 < b else (int(g("y4")), b, a)
    if g("dMy"):
        return int(g("y5")), _MONTHS[g("m5").rstrip(".").lower()], int(g("d5"))
    if g("Mdy"):
        return int(g("y6")), _MONTHS[g("m6").rstrip(".").lower()], int(g("d6"))
    if g("compact"):
        return int(g("y7")), int(g("m7")), int(g("d7"))
    if g("cnym"):
        return int(g("y8")), int(g("m8")), 1
    if g("ym"):
        return int(g("y9")), int(g("m9")), 1
    if g("My"):
        return int(g("y10")), _MONTHS[g("m10").rstrip(".").lower()], 1
    return None


def is_birth_date(year: int, month: int, day: int, today: date | None = None) -> bool:
    """True for a real day from 1900-01-01 up to ``today``."""
    try:
        return date(1900, 1, 1) <= date(year, month, day) <= (today or date.today())
    except ValueError:
        return False


class BirthDateDetector:
    """Dates of birth after a birth label (``出生日期``, ``生日``, ``生于``, ``DOB``,
    ``Date of birth``, ``born (on)``): the date's span only."""

    name = "birth-date"
    kind = "birth_date"

    def may_find(self, scan: Prescan) -> bool:
        """A birth label."""
        return scan.labelled(_BIRTH)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every labelled date of birth in ``text``."""
        for h in _BIRTH.finditer(fold(text)):
            ymd = _ymd(h.match)
            if ymd is not None and is_birth_date(*ymd):
                yield Finding(self.kind, h.start, h.end, self.name)
