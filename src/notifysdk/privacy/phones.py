"""Phone number detectors: Chinese mobiles as people write them, and numbers anywhere in
the world through phonenumbers' :class:`~phonenumbers.PhoneNumberMatcher`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .findings import Finding, KnownValues
from .text import fold

# +86 / 0086 / (+86) / 86, then 1[3-9]X XXXX XXXX with at most one space or dash
# between any two digits. Not part of a longer group of digits on the left.
_CN_MOBILE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])"
    r"(?:\(?(?:\+|00)?86\)?[ -]?)?"
    r"(1[3-9](?:[ -]?[0-9]){9})"
    r"(?![0-9])"
)
# A stretch that could hold a phone number: digits with the punctuation numbers are
# written with, not glued to a code like ``ORD-`` on its left. The matcher then decides.
_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z+])(?<![A-Za-z]-)[(+]{0,2}[0-9][0-9 ().-]{5,24}[0-9](?![0-9])"
)
_CONTEXT = 4
"""Characters of context on each side given to the matcher, which looks there for
letters, currency signs and time stamps (``2024-03-15 10:30``) that rule a number out."""


@lru_cache(maxsize=4096)
def is_cn_mobile(digits: str) -> bool:
    """True when 11 digits are a valid mainland mobile number (phonenumbers' metadata)."""
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and phonenumbers.is_valid_number(number)


class ChineseMobileDetector:
    """Mainland mobile numbers: ``13800138000``, ``+86 138 0013 8000``,
    ``0086-138-0013-8000``, ``(+86)13800138000``, full-width digits."""

    name = "cn-mobile"
    kind = "phone"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid mobile number in ``text``."""
        for m in _CN_MOBILE.finditer(fold(text)):
            digits = re.sub(r"[^0-9]", "", m.group(1))
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
    try:
        number = phonenumbers.parse(stretch[start:], None)
    except phonenumbers.NumberParseException:
        return None
    return (start, len(stretch)) if phonenumbers.is_valid_number(number) else None


_DATE_FIRST = re.compile(r"(?:19|20)[0-9]{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12][0-9]|3[01])")


def _worth_matching(stretch: str) -> bool:
    """Cheap checks that spare the (slow) matcher stretches that cannot be a number it
    should report: bare digit runs (see the class docstring), too few or too many digits
    for one phone number, and stretches that start with a date."""
    core = stretch.lstrip("(")
    if core.isdigit() and not core.startswith("0"):
        return False
    digits = sum(c.isdigit() for c in stretch)
    international = core.startswith(("+", "00"))
    if digits < 7 or digits > (17 if international else 13):
        return False
    return _DATE_FIRST.match(core) is None


class PhoneNumberDetector:
    """Phone numbers of any country, found by phonenumbers' matcher (leniency VALID: the
    number must be valid and written with its national prefix where one is expected).

    Running the matcher over whole texts is slow, so a regular expression first picks
    the stretches that could hold a number. A bare run of digits with no ``+``, no
    separator and no leading trunk ``0`` is left alone: order numbers look like that,
    and Chinese mobiles written that way are the :class:`ChineseMobileDetector`'s.
    """

    name = "phone-number"
    kind = "phone"

    def __init__(self, regions: Sequence[str] = ("CN", "US", "GB")) -> None:
        self.regions = tuple(regions)

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every valid phone number in ``text``."""
        folded = fold(text)
        for m in _CANDIDATE.finditer(folded):
            stretch = m.group()
            if not _worth_matching(stretch):
                continue
            whole = _whole_number(stretch)
            if whole is not None:
                yield Finding(self.kind, m.start() + whole[0], m.start() + whole[1], self.name)
                continue
            lo = max(0, m.start() - _CONTEXT)
            window = folded[lo : m.end() + _CONTEXT]
            for start, end in _match_window(window, self.regions):
                if lo + end > m.start() and lo + start < m.end():
                    yield Finding(self.kind, lo + start, lo + end, self.name)
