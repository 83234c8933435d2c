"""Phone number detectors: Chinese mobiles as people write them (with any separators, in
Chinese digits), and numbers anywhere in the world through phonenumbers'
:class:`~phonenumbers.PhoneNumberMatcher`, plus numbers whose shape alone says nothing
(``2025550143``, ``88881234``) where a phone label stands just before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .findings import Finding, KnownValues
from .labels import lowered
from .mainland import is_mainland_mobile, written_mobile
from .nanp import WRITTEN as NANP_WRITTEN
from .nanp import is_nanp_number
from .prescan import Prescan, may_space, number_stretches
from .text import CASE_ODD, CN_DIGITS, digits_of, fold, has_spaced_runs, spaced_stretches

# +86 / 0086 / (+86) / 86, then 1[3-9]X XXXX XXXX with at most one space or dash
# between any two digits. Not part of a longer group of digits on the left.
_CN_MOBILE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])"
    r"(?:\(?(?:\+|00)?86\)?[ -]?)?"
    r"(1[3-9](?:[ -]?[0-9]){9})"
    r"(?![0-9])"
)
# A stretch that could hold a phone number: digits with the punctuation numbers are
# written with, not glued to a code like ``ORD-`` on its left nor to a mask's four stars
# (``****4567``, ``138****``: Markdown emphasis has at most three). The matcher decides.
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z+])(?<![A-Za-z]-)(?<!\*{4})[(+]{0,2}[0-9][0-9 ().-]{5,24}[0-9]"
    r"(?![0-9])(?!\*{4})"
)
_CONTEXT = 4
"""Characters of context on each side given to the matcher, which looks there for
letters, currency signs and time stamps (``2024-03-15 10:30``) that rule a number out."""


@lru_cache(maxsize=4096)
def is_cn_mobile(digits: str) -> bool:
    """True when 11 digits are a valid mainland mobile number (phonenumbers' metadata;
    read directly where parsing is known to keep the digits, see :mod:`.mainland`)."""
    fast = is_mainland_mobile(digits)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and phonenumbers.is_valid_number(number)


_MOBILE_AREA = re.compile(r"[(+0-9][0-9 ()+-]{9,}[0-9]")
"""Where a mobile number (11+ characters) can be: one character-class scan, far cheaper
than :data:`_CN_MOBILE`, which then runs only inside what it finds.

It is searched only inside the prescan's number stretches of eleven digits or more
(:func:`~.prescan.number_stretches`, already measured: prose costs no scan), from the
first of the spaces, brackets, signs and dashes just before a stretch's first digit to
its last digit. A match is digits and that punctuation ending in a digit, all of it
number punctuation, so it lies in one stretch (from those characters before it on),
has no more digits than the stretch, and a mobile number has eleven; the pattern does
not look around, so the search finds there what a search of the whole text finds."""
_AREA_LEAD = frozenset(" ()+-")
"""The characters of :data:`_MOBILE_AREA` other than digits."""
_MOBILE_HINT = re.compile(r"1[3-9](?:[ -]?[0-9]){9}(?![0-9])")
"""What every match of :data:`_CN_MOBILE` holds (its group 1, and no digit after it):
the detector's gate. Without the look-ahead, eleven digits inside a resident ID or a
card would let half the texts that have one through to a search that finds nothing."""
_MOBILE_LENGTH = frozenset({11})
_MOBILE_SHAPES = frozenset({(3, 4, 4), (4, 4, 3), (3, 8), (7, 4)})
"""How people group a mobile number when they use wider separators (138  0013  8000)."""
_CC_BEFORE = re.compile(r"\(?(?:\+|00)86\)?[ \t]{0,3}(?:[-/.][ \t]{0,3})?$")
"""A country code just before a mobile number (+86, 0086, (+86))."""

_D = f"[0-9{CN_DIGITS}]"
# Eleven digits, Chinese or mixed (一三八零零一三八零零零, 幺三八…, 138零零13八000), at most
# one space or dash between two; the first one (1, 一 or 幺) leads so the scan is cheap.
_CN_NUMERAL_MOBILE = re.compile(rf"[1一幺](?<!{_D}.)(?<!\*{{4}}.)(?:[ -]?{_D}){{10}}(?!{_D})")
_HAS_CN_DIGIT = re.compile(f"[{CN_DIGITS}]")


class ChineseMobileDetector:
    """Mainland mobile numbers: ``13800138000``, ``+86 138 0013 8000``,
    ``0086-138-0013-8000``, ``(+86)13800138000``, full-width digits, wider separators
    (``138  0013  8000``, ``138/0013/8000``) and Chinese digits (``一三八零零一三八零零零``,
    ``幺三八…``, mixed with Arabic ones)."""

    name = "cn-mobile"
    kind = "phone"
    kinds = frozenset({kind})
    """Every kind it reports (the redactor's leak guard skips it where all are allowed)."""

    def may_find(self, scan: Prescan) -> bool:
        """Chinese digits, or eleven digits that :data:`_CN_MOBILE` could read (a 1 and
        then 3–9, as every mainland mobile starts) or that group with wide separators."""
        folded = scan.folded
        if scan.digits >= 11:
            # The hint is digits, spaces and dashes from a digit: it lies in a stretch of
            # eleven digits or more, and no digit follows a stretch's last digit.
            for first, last, digits in number_stretches(folded):
                if digits >= 11 and _MOBILE_HINT.search(folded, first, last) is not None:
                    return True
            if may_space(folded) and has_spaced_runs(folded):
                return True
        return not folded.isascii() and _HAS_CN_DIGIT.search(folded) is not None

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid mobile number in ``text``."""
        folded = fold(text)
        for first, last, count in number_stretches(folded):
            if count < 11:
                continue
            # See _MOBILE_AREA: its matches in this stretch, the sign or bracket before
            # the first digit included.
            lo = first
            while lo and folded[lo - 1] in _AREA_LEAD:
                lo -= 1
            for area in _MOBILE_AREA.finditer(folded, lo, last):
                for m in _CN_MOBILE.finditer(folded, area.start(), area.end() + 1):
                    digits = m.group(1).replace(" ", "").replace("-", "")  # see _CN_MOBILE
                    if is_cn_mobile(digits):
                        yield Finding(self.kind, m.start(), m.end(), self.name)
        for st in spaced_stretches(folded, _MOBILE_LENGTH) if may_space(folded) else ():
            if st.sizes in _MOBILE_SHAPES and is_cn_mobile(st.digits):
                cc = _CC_BEFORE.search(folded, max(0, st.start - 12), st.start)
                yield Finding(self.kind, cc.start() if cc else st.start, st.end, self.name)
        if not folded.isascii() and _HAS_CN_DIGIT.search(folded):
            for m in _CN_NUMERAL_MOBILE.finditer(folded):
                value = m.group()
                if value.isascii():
                    continue  # Arabic digits only: the pattern above had its say
                digits = digits_of(value)
                if is_cn_mobile(digits):
                    yield Finding(self.kind, m.start(), m.end(), self.name)


@lru_cache(maxsize=4096)
def _match_window(window: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Spans of valid numbers in one window (a stretch and its context), trying each
    region in turn."""
    for region in regions:
        spans = tuple(
            (m.start, m.end) for m in PhoneNumberMatcher(window, region, leniency=Leniency.VALID)
        )
        if spans:
            return spans
    return ()


@lru_cache(maxsize=4096)
def _whole_number(stretch: str) -> tuple[int, int] | None:
    """The span of an internationally written stretch (``+44 20 7946 0958``) that is one
    valid number as a whole, parsed directly (much cheaper than the matcher); ``None``
    sends the stretch to the matcher."""
    start = stretch.find("+")
    if start < 0 or start > 1:
        return None
    written = written_mobile(stretch[start:])
    # written_mobile's eleven digits are 1[3-9]... and never 179...: is_mainland_mobile
    # answers, and is_cn_mobile with it (cached: the mobile detector asked the same).
    if written is not None and written[0] and is_cn_mobile(written[1]):
        return (start, len(stretch))  # +86 and a mobile: what parsing would say
    nanp = NANP_WRITTEN.fullmatch(stretch, start)
    if nanp is not None:  # +1 and ten digits: what parsing and validating would say
        return (start, len(stretch)) if is_nanp_number("".join(nanp.groups())) else None
    try:
        number = phonenumbers.parse(stretch[start:], None)
    except phonenumbers.NumberParseException:
        return None
    return (start, len(stretch)) if phonenumbers.is_valid_number(number) else None


_GROUPED_MOBILE = re.compile(r"1[3-9][0-9]([ -])[0-9]{4}\1[0-9]{4}")
"""Eleven digits grouped 3-4-4 by single spaces or dashes (138-0013-8000)."""
_QUIET = " :：,，。、；;！？\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""Characters next to a number the matcher reads as the number's edge: CJK ideographs,
spaces, common punctuation."""
_QUIET_CHAR = re.compile(f"[{_QUIET}]")
_QUIET_CONTEXT = re.compile(f"[{_QUIET}A-Za-z]*")


def _plain_mobile(window: str, start: int, end: int) -> bool:
    """Would the matcher (region CN) report exactly ``window[start:end]``, a valid
    mainland mobile grouped 3-4-4, and nothing else in ``window``? Yes when quiet
    characters stand right next to it and the rest of the context holds no digit, sign
    or bracket (letters only further away): checked against the matcher on 150,000
    generated windows; anything else still goes to the matcher (~40 us a window)."""
    stretch = window[start:end]
    if _GROUPED_MOBILE.fullmatch(stretch) is None:
        return False
    # Eleven digits 1[3-9]...: is_mainland_mobile answers for all but 179..., and
    # is_cn_mobile with it (cached: the mobile detector has just asked the same).
    digits = stretch[:3] + stretch[4:8] + stretch[9:]
    if digits.startswith("179") or not is_cn_mobile(digits):
        return False
    before, after = window[:start], window[end:]
    if before and _QUIET_CHAR.fullmatch(before[-1]) is None:
        return False
    if after and _QUIET_CHAR.fullmatch(after[0]) is None:
        return False
    return _QUIET_CONTEXT.fullmatch(before + after) is not None


_DATE_FIRST = re.compile(r"(?:19|20)[0-9]{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12][0-9]|3[01])")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]{1,2}")
_DATE_LAST = re.compile(r"([0-9]{1,2})\s*([-/.]|\s)\s*([0-9]{1,2})\s*\2\s*((?:19|20)[0-9]{2})")
"""A whole stretch that is a day-first or month-first date (10.10.2000, 03 / 07 / 2026)."""


def _date_last(core: str) -> bool:
    """Does ``core`` read, whole, as a valid DD.MM.YYYY or MM.DD.YYYY date?"""
    m = _DATE_LAST.fullmatch(core)
    if m is None:
        return False
    a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    for day, month in ((a, b), (b, a)):
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


_NOT_DIGITS = str.maketrans("", "", " ().+-")
"""What a candidate (:data:`_CANDIDATE`) holds besides its digits, deleted."""


@lru_cache(maxsize=4096)
def _worth_matching(stretch: str) -> bool:
    """Cheap checks that spare the (slow) matcher stretches that cannot be a number it
    should report: bare digit runs (see the class docstring), too few or too many digits
    for one phone number, stretches that start with a date or are one written day or
    month first (10.10.2000), decimals (88881234.50), and
    stretches across a bracket they do not open (``19900307)138``). Cached: the leak
    guard reads again every candidate it did not mask, and dates and times recur."""
    core = stretch.lstrip("(")
    # Each check alone rules the stretch out, so their order is free: the commonest
    # look-alikes first (a date and time, a bare order number).
    if _DATE_FIRST.match(core) is not None:
        return False
    if (core.isdigit() and not core.startswith("0")) or _DECIMAL.fullmatch(core):
        return False
    if ")" in stretch and stretch.count("(") != stretch.count(")"):
        return False
    digits = len(stretch.translate(_NOT_DIGITS))  # a candidate is ASCII
    international = core.startswith(("+", "00"))
    if digits < 7 or digits > (17 if international else 13):
        return False
    return not _date_last(core)


_DOTTED_CHARS = frozenset("0123456789.")
_DOTTED_PIECE = re.compile(r"[0-9.]+")


def _in_dotted_chain(folded: str, start: int, end: int) -> bool:
    """Does ``folded[start:end]`` touch an IPv4 address, a version or an OID (four or
    more dotted groups)? None is a phone number, whatever the matcher says of
    ``183.155.47.202``; ``+44.20.7946.0958`` (a plus before it), ``1.202.555.0143`` (it
    ends like a number) and ``202.555.0143`` (three groups) are left to the matcher."""
    lo, hi = start, end
    while lo > 0 and folded[lo - 1] in _DOTTED_CHARS:
        lo -= 1
    while hi < len(folded) and folded[hi] in _DOTTED_CHARS:
        hi += 1
    for m in _DOTTED_PIECE.finditer(folded, lo, hi):
        groups = m.group().strip(".").split(".")
        if m.start() > 0 and folded[m.start() - 1] == "+":
            continue
        if len(groups) >= 5:
            return True
        # Four groups: an IP address or a version (108.0.4503.79, 10.0.19045.2965) unless
        # it ends like a phone number, in three or four digits then four (1.202.555.0143).
        if len(groups) == 4 and not (len(groups[3]) == 4 and 3 <= len(groups[2]) <= 4):
            return True
    return False


# -- numbers a phone label vouches for -------------------------------------------------

# A label that says a phone number follows. ASCII words are not part of longer words
# (``tel`` in ``Hotel``, ``phone`` in ``iPhone``); ``号码`` alone is not one (订单号码).
_PHONE_LABEL = (
    r"(?:(?<![A-Za-z])(?:tel(?:ephone)?|phone|ph|mobile|mob|cell(?:phone)?|call(?:ed|ing)?"
    r"|call[ _-]?back|caller|callee|dial(?:l?ed|ing)?|fax|text(?:ed)?|sms|mms|whatsapp"
    r"|voicemail|vm|contact|reach(?:able|ed)?|landline|wrong[ _-]?(?:party|number)"
    r"|msisdn|ani|dnis|hk|hong ?kong)(?![A-Za-z])"
    r"|电话|電話|手机|手機|座机|座機|固话|固話|致电|致電|拨打|撥打|来电|來電|热线|熱線|香港"
    r"|(?:联系|聯繫|聯絡|联络)(?:方式)?)"
)
# What people put between label and number: "Phone: ", "call me at ", "手机号码：",
# a JSON key's quotes ("tel": "…"), "from Hong Kong, number …".
_GLUE = r"(?:[ \t:=#(\-\"'_,.]|number|no|nr|is|at|on|me|us|him|her|号码|號碼|号|號|是|为|為){0,10}"
_LOCAL = r"(?:[0-9]{7,8}|[0-9]{10,11}|[0-9]{3,4}[ -][0-9]{4})"
_LOCAL_SHAPE = re.compile(_LOCAL)
"""How a number a label vouches for may be written; other groupings are the matcher's."""
_LIST = r"[ \t]*(?:[、,;/]|or|and|或|和|及)[ \t]*"
_LABEL_BEFORE = re.compile(rf"{_PHONE_LABEL}{_GLUE}(?:{_LOCAL}{_LIST}){{0,3}}$", re.IGNORECASE)
"""A label just before a number, maybe with other numbers between (电话：88881234、…)."""
_LABEL_HINT = re.compile(
    r"tel|ph|mob|cell|call|dial|fax|text|sms|mms|whatsapp|voicemail|vm|contact|reach"
    r"|landline|wrong|msisdn|ani|dnis|hk|hong|电话|電話|手机|手機|座机|座機|固话|固話|致电|致電"
    r"|拨打|撥打|来电|來電|热线|熱線|香港|联系|聯繫|聯絡|联络",
    re.IGNORECASE,
)
"""What every label of :data:`_PHONE_LABEL` starts with: literals, which the engine
skips to, so a window without one costs one fast search instead of the label pattern
tried at each character."""
_LOWER_HINT = re.compile(_LABEL_HINT.pattern)
"""The same literals (all lower case) matched as written, in the lower-cased text: a
pattern without IGNORECASE keeps the engine's skip to its first characters."""


@lru_cache(maxsize=16)
def _hint_text(folded: str) -> tuple[str, re.Pattern[str]]:
    """Where to look for :data:`_LABEL_HINT` and with which pattern: the lower-cased
    text (same length, same places) with :data:`_LOWER_HINT` unless ``folded`` holds a
    character of :data:`CASE_ODD` (cached: every candidate of a text asks)."""
    if CASE_ODD.search(folded) is not None:
        return folded, _LABEL_HINT
    return lowered(folded), _LOWER_HINT


_LABEL_LONGEST = 12
"""The most characters a label of :data:`_PHONE_LABEL` spans (``wrong_number``)."""
_AFTER_LABEL = re.compile(r"\n?[ \t:=#(\-\"'_,.、;/0-9abdehimnorstu号码號碼是为為或和及]*", re.I)
"""What :data:`_LABEL_BEFORE` may match after its label, read backwards from where it
ends, case as it is matched: a line break (``$`` matches before one that ends the
text), then the glue (its punctuation and the letters of ``number``, ``no``, ``is``,
``at``, ``on``, ``me``, ``us``, ``him``, ``her``), the listed numbers' digits and
separators (``or``, ``and``)."""


def _label_before(folded: str, start: int) -> bool:
    """Does a phone label stand just before ``start`` (:data:`_LABEL_BEFORE`)? A label
    starts where one of the hint's literals does, so the pattern is matched at each of
    those places (every one, overlapping or not) instead of searched for; only from
    where a label could end in the run of :data:`_AFTER_LABEL` characters just before
    ``start`` (the match's tail lies in it), so prose far before a number costs one
    match of that run, read backwards."""
    hay, hints = _hint_text(folded)
    lo = max(0, start - _LABEL_REACH)
    run = _AFTER_LABEL.match(folded[lo:start][::-1])
    tail = run.end() if run is not None else 0
    hint = hints.search(hay, max(lo, start - tail - _LABEL_LONGEST), start)
    while hint is not None:
        at = hint.start()
        if _LABEL_BEFORE.match(folded, at, start) is not None:
            return True
        hint = hints.search(hay, at + 1, start)
    return False


_NANP_CUE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:at|on|to|from|via|number|num|no|nr)[\s:=#.\"'-]{0,3}$|#[\s:]?$",
    re.IGNORECASE,
)
"""Weaker evidence, enough for a valid North American number of ten digits: ``at``,
``to``, ``number``, ``#`` (a Unix time stamp starts with 1, no area code does)."""
_LABEL_AFTER = re.compile(
    r"[ \t]*[(（\[](?:HK|Hong Kong|香港|mobile|cell|tel|home|手机|手機)[)）\]]", re.I
)
"""A label in brackets just after a number: ``5369 6375 (HK)``."""
_LABEL_FIELD = re.compile(_PHONE_LABEL, re.IGNORECASE)
_LABEL_REACH = 80
_NOT_A_PHONE_AFTER = re.compile(
    r"\.[0-9]|,[0-9]{3}(?![0-9])|[A-Za-z]|[ \t]?[%元块万亿年月日号次个件笔条天时分秒]"
)
"""What, right after it, makes a number an amount, a count, a date or a code."""
_OTHER_LABEL_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?:invoice|order|tracking|waybill|ticket|serial|sn|ref(?:erence)?"
    r"|case|account|acct|loan|policy)"
    r"(?:[ _-]?(?:no|number|id))?(?![A-Za-z])"
    r"|(?:订单|訂單|運單|运单|发票|發票|单|單|流水|工单|快递|编号|編號|序列)(?:号码?|號碼?)?)"
    r"[\s:=#\"'_.-]{0,4}$",
    re.IGNORECASE,
)
"""A label that says the number after it is something else (an invoice, an order)."""


@lru_cache(maxsize=4096)
def _labelled_phone(digits: str, grouped: bool) -> bool:
    """Is a number written after a phone label one? Ten digits: a valid North American
    number (2025550143) or a mainland 400/800 line; eleven: 1 and a North American
    number; eight: a valid Hong Kong number (91234567, 23456789); seven or eight: a
    mainland local number without its area code (88881234), which starts with 2–8.
    Eight digits in one block that read as a date (20260307) are a date."""
    n = len(digits)
    if n == 10:
        return _us_number(digits) or (digits[:3] in ("400", "800") and _valid(digits, "CN"))
    if n == 11:
        return digits[0] == "1" and _us_number(digits[1:])
    if n == 8 and not grouped and _is_date(digits):
        return False
    # A local number from 2-8 whatever Hong Kong's metadata says: parsing (~10 us)
    # decides only eight digits that start otherwise (91234567).
    if digits[0] in "2345678":
        return True
    return n == 8 and _valid(digits, "HK")


def _us_number(national: str) -> bool:
    """``_valid(digits, "US")`` of ten ASCII digits, or of eleven whose first is 1 and
    ``national`` the other ten, unparsed: parsing with region US keeps ten digits as
    the national number (nine would be too short to strip a 1 from), and takes the
    country code 1 off eleven (too long for it) and then keeps the ten; a national
    number starting with 0 or 1 is never valid, any other is what
    :func:`~.nanp.is_nanp_number` decides (the validity, and the region is then one of
    country code 1's). Some five times cheaper than parsing; checked against it on
    120,000 generated numbers (and by ``tests/privacy/test_detectors_fast_paths.py``)."""
    return national[0] in "23456789" and is_nanp_number(national)


def _valid(digits: str, region: str) -> bool:
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and (
        phonenumbers.region_code_for_number(number) == region
        or (region == "US" and number.country_code == 1)
    )


def _is_date(digits: str) -> bool:
    """Is an eight-digit number a YYYYMMDD date (19xx or 20xx)?"""
    if digits[:2] not in ("19", "20"):
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def _labelled_local(folded: str, start: int, end: int) -> bool:
    """Is the bare stretch ``folded[start:end]`` a number a phone label vouches for?
    (Shape, then what follows it, then a label — before it, in brackets after it, or
    heading its CSV column — then :func:`_labelled_phone`.)"""
    stretch = folded[start:end]
    return _LOCAL_SHAPE.fullmatch(stretch) is not None and _vouched(folded, start, end, stretch)


def _vouched(folded: str, start: int, end: int, stretch: str) -> bool:
    """:func:`_labelled_local` of a ``stretch`` (``folded[start:end]``) of the shape."""
    digits = stretch.replace(" ", "").replace("-", "")
    free = not _NOT_A_PHONE_AFTER.match(folded, end)
    if not (
        _LABEL_AFTER.match(folded, end)
        or (free and _label_before(folded, start))
        or _csv_column_is_phone(folded, start, end)
        or (free and len(digits) == 10 and _nanp_cue(folded, start))
    ):
        return False
    return _labelled_phone(digits, len(digits) != len(stretch))


def _nanp_cue(folded: str, start: int) -> bool:
    """A weak cue (see :data:`_NANP_CUE_BEFORE`) not itself part of another label
    (``case number``, ``order #``)."""
    cue = _NANP_CUE_BEFORE.search(folded, max(0, start - 12), start)
    if cue is None:
        return False
    return _OTHER_LABEL_BEFORE.search(folded, max(0, cue.start() - 24), cue.start()) is None


_CSV_HEADER_REACH = 50
"""How many rows up a CSV cell's header may be."""


def csv_header_top(folded: str, ls: int) -> int:
    """The start of the first line of the block of comma lines above line start ``ls``
    (at most :data:`_CSV_HEADER_REACH` lines up): where a CSV cell's header is looked
    for. ``ls`` itself when the line above has no comma."""
    top = ls
    for _ in range(_CSV_HEADER_REACH):
        if top == 0:
            break
        above = folded.rfind("\n", 0, top - 1) + 1
        if "," not in folded[above : top - 1]:
            break
        top = above
    return top


def _csv_column_is_phone(folded: str, start: int, end: int) -> bool:
    """Is ``folded[start:end]`` a whole CSV cell (quotes aside) whose column header
    names a phone (``phone``, ``called``, ``座机``)? The header is the first line of the
    block of comma-separated lines the cell is in, and has no digit."""
    ls = folded.rfind("\n", 0, start) + 1
    if ls == 0:  # the first line: no header above it
        return False
    le = folded.find("\n", end)
    line = folded[ls : len(folded) if le == -1 else le]
    column = folded.count(",", ls, start)
    cells = line.split(",")
    if len(cells) < 2 or cells[column].strip(" \t\"'") != folded[start:end]:
        return False
    top = csv_header_top(folded, ls)
    if top == ls:
        return False
    header = folded[top : folded.find("\n", top)].split(",")
    if column >= len(header) or any(c.isdigit() for c in ",".join(header)):
        return False
    return _LABEL_FIELD.search(header[column]) is not None


def _candidates(folded: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`_CANDIDATE` that have seven digits or more, found only
    inside the stretches of :func:`~.prescan.number_stretches` (a candidate is one, maybe
    with ``(+`` before it): the pattern starts with look-behinds, so searching the whole
    text tries it at every character. What it finds there is what a whole search finds
    (a match cannot cross the character that ends a stretch)."""
    done = 0
    for lo, hi, _digits in number_stretches(folded):
        # + 4: the look-aheads read past the last digit (``****`` after it).
        for m in _CANDIDATE.finditer(folded, max(done, lo - 2), hi + 4):
            if m.start() >= hi:
                break
            yield m
        done = hi


class PhoneNumberDetector:
    """Phone numbers of any country, found by phonenumbers' matcher (leniency VALID: the
    number must be valid and written with its national prefix where one is expected).

    Running the matcher over whole texts is slow, so a regular expression first picks
    the stretches that could hold a number. A bare run of digits with no ``+``, no
    separator and no leading trunk ``0`` is left alone: order numbers look like that,
    and Chinese mobiles written that way are the :class:`ChineseMobileDetector`'s —
    unless a phone label (``Phone:``, ``call me at``, ``电话：``, ``座机``, ``香港``) stands
    just before it: then a valid North American number (``2025550143``), a Hong Kong
    number without ``+852`` and a mainland number without its area code (``88881234``,
    ``6688 1234``) count too. IPv4 addresses and version strings never do.
    """

    name = "phone-number"
    kind = "phone"
    kinds = frozenset({kind})
    """Every kind it reports (the redactor's leak guard skips it where all are allowed)."""

    def may_find(self, scan: Prescan) -> bool:
        """Seven digits at least (what both the labelled and the matched paths need)."""
        return scan.digits >= 7

    def __init__(self, regions: Sequence[str] = ("CN", "US", "GB")) -> None:
        self.regions = tuple(regions)
        self._cn_first = self.regions[:1] == ("CN",)
        """The matcher tries CN first, so a plain mainland mobile needs no matcher."""

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid phone number in ``text``."""
        folded = fold(text)
        for m in _candidates(folded):
            stretch = m.group()
            # The shape first, inline: most candidates (dates, IDs, cards) fail it, and
            # then no label can vouch for them.
            if _LOCAL_SHAPE.fullmatch(stretch) and _vouched(folded, m.start(), m.end(), stretch):
                yield Finding(self.kind, m.start(), m.end(), self.name)
                continue
            if not _worth_matching(stretch):
                continue
            if stretch.isdigit() and _OTHER_LABEL_BEFORE.search(
                folded, max(0, m.start() - 24), m.start()
            ):
                continue  # 发票 015329133431: an invoice number, whatever its shape
            dotted = "." in stretch
            whole = _whole_number(stretch)
            if whole is not None:
                start, end = m.start() + whole[0], m.start() + whole[1]
                if not (dotted and _in_dotted_chain(folded, start, end)):
                    yield Finding(self.kind, start, end, self.name)
                continue
            lo = max(0, m.start() - _CONTEXT)
            window = folded[lo : m.end() + _CONTEXT]
            here = (m.start() - lo, m.end() - lo)
            if self._cn_first and _plain_mobile(window, *here):
                spans: tuple[tuple[int, int], ...] = (here,)
            else:
                spans = _match_window(window, self.regions)
            for start, end in spans:
                if lo + end > m.start() and lo + start < m.end():
                    if dotted and _in_dotted_chain(folded, lo + start, lo + end):
                        continue
                    yield Finding(self.kind, lo + start, lo + end, self.name)
