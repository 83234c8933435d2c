"""SMS segment counting: GSM-7 or UCS-2, the way carriers split long texts.

A text made only of GSM 03.38 characters is sent as GSM-7: 160 septets fit in one
segment, 153 per part when it is split (the rest of each part carries the
concatenation header). Characters of the extension table (``^{}\\[~]|€`` and form
feed) take two septets (an escape and the character) and are never split across two
parts. Any other character (Chinese, for one) switches the whole text to UCS-2:
70 UTF-16 code units in one segment, 67 per part; a character outside the Basic
Multilingual Plane (most emoji) takes two code units and is never split either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 basic character set (one septet each; the escape code excluded)."""

GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
"""The GSM 03.38 extension table (two septets each: escape + character)."""

Encoding = Literal["GSM-7", "UCS-2"]

_NON_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENSION))) + "]")
_GSM7_EXT = re.compile("[" + re.escape("".join(sorted(GSM7_EXTENSION))) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SegmentCount:
    """How a text travels as SMS.

    ``units`` are septets (GSM-7) or UTF-16 code units (UCS-2); ``segments`` the number
    of SMS parts; ``characters`` the number of Unicode code points.
    """

    encoding: Encoding
    segments: int
    units: int
    characters: int

    def as_detail(self) -> dict[str, object]:
        """The count as a receipt detail (no text, only numbers)."""
        return {
            "encoding": self.encoding,
            "segments": self.segments,
            "units": self.units,
            "characters": self.characters,
        }


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` has a GSM-7 encoding."""
    return _NON_GSM7.search(text) is None


def _unit_sizes(text: str, encoding: Encoding) -> list[int]:
    wide = GSM7_EXTENSION if encoding == "GSM-7" else None
    if wide is not None:
        return [2 if ch in wide else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count_segments(text: str) -> SegmentCount:
    """Count the SMS segments ``text`` needs (an empty text still takes one)."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    single, part = _LIMITS[encoding]
    wide = len((_GSM7_EXT if encoding == "GSM-7" else _ASTRAL).findall(text))
    units = len(text) + wide
    if units <= single:
        return SegmentCount(encoding, 1, units, len(text))
    if not wide:
        return SegmentCount(encoding, -(-units // part), units, len(text))
    # Pack greedily: a two-unit character never straddles a part boundary.
    segments, used = 1, 0
    for size in _unit_sizes(text, encoding):
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return SegmentCount(encoding, segments, units, len(text))
