"""Text folding shared by the detectors.

People write numbers in full-width digits (１３８００１３８０００), with full-width plus
signs and dashes, no-break or ideographic spaces. :func:`fold` maps each of those
characters to its ASCII twin **one code point for one code point**, so a span found in
the folded text is the same span in the original.
"""

from __future__ import annotations

import re
from functools import lru_cache

# U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E.
_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TABLE.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0x202F: 0x20,  # narrow no-break space
        0x2010: 0x2D,  # hyphen
        0x2011: 0x2D,  # non-breaking hyphen
        0x2012: 0x2D,  # figure dash
        0x2013: 0x2D,  # en dash
        0x2014: 0x2D,  # em dash
        0x2212: 0x2D,  # minus sign
        0xFFE5: 0xA5,  # full-width yen sign -> ¥
    }
)


_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")


@lru_cache(maxsize=32)
def fold(text: str) -> str:
    """``text`` with full-width and look-alike characters mapped to ASCII, same length."""
    if text.isascii() or _FOLDABLE.search(text) is None:  # the common case, much cheaper
        return text
    return text.translate(_TABLE)


def digits_of(text: str) -> str:
    """The ASCII digits of ``text`` (after folding), in order."""
    return "".join(c for c in fold(text) if "0" <= c <= "9")
