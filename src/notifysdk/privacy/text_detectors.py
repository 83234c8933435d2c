"""Detectors for personal data written as text: email addresses, money amounts, and an
account's own known values (names, addresses, loan ids...) found verbatim."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import lru_cache

from .emails import EmailDetector  # noqa: F401
from .findings import Finding, KnownValues
from .text import fold

_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"
_MONEY = re.compile(
    rf"(?:(?:CN|US|HK|A|C)?[¥$€£]|(?<![A-Za-z])(?:RMB|CNY|USD|EUR|GBP|HKD)|人民币)\s?(?:{_NUM})(?![0-9])"
    rf"|(?<![0-9.,])(?:{_NUM})\s?(?:万元|元|块钱|(?:CNY|RMB|USD|yuan|dollars?)(?![A-Za-z]))"
)

_CURRENCY = re.compile(r"[¥$€£元]|RMB|CNY|USD|EUR|GBP|HKD|人民币|块钱|yuan|dollar")
"""Any currency marker at all: without one the full pattern is not worth running."""


class MoneyDetector:
    """Money amounts with a currency sign, code or word (¥1,234.50, 1234元, USD 20):
    a third party must not learn that any amount is owed, known to us or not."""

    name = "money"
    kind = "amount"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every amount in ``text``."""
        folded = fold(text)
        if _CURRENCY.search(folded) is None:
            return
        for m in _MONEY.finditer(folded):
            yield Finding(self.kind, m.start(), m.end(), self.name)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
"""Lower-cases ASCII letters only, so positions in the text never shift."""


def _guard(ch: str) -> str | None:
    """The characters that must not touch a value that starts or ends with ``ch``."""
    if not (ch.isascii() and ch.isalnum()):
        return None
    return string.digits if ch.isdigit() else string.ascii_letters + string.digits


@lru_cache(maxsize=1024)
def _known_needles(
    values: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, str, bool, str | None, str | None], ...]:
    """(needle, kind, case-insensitive, left guard, right guard), longest first."""
    entries = sorted({(fold(v), k) for k, v in values if v}, key=lambda e: -len(e[0]))
    out = []
    for value, kind in entries:
        ci = value.isascii() and any(c.isalpha() for c in value)
        needle = value.translate(_ASCII_LOWER) if ci else value
        out.append((needle, kind, ci, _guard(value[0]), _guard(value[-1])))
    return tuple(out)


class KnownValuesDetector:
    """Finds an account's own values (names, ids, numbers, addresses, amounts) verbatim;
    Latin names case-insensitively and not inside a longer word.

    Plain substring search rather than one compiled alternation: every account has its
    own values, and compiling a regex per account cost more than the whole search.
    """

    name = "known-values"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every occurrence of every known value."""
        needles = _known_needles(known.values)
        if not needles:
            return
        folded = fold(text)
        lowered: str | None = None
        for needle, kind, ci, left, right in needles:
            if ci:
                if lowered is None:
                    lowered = folded.translate(_ASCII_LOWER)
                hay = lowered
            else:
                hay = folded
            at = hay.find(needle)
            while at != -1:
                end = at + len(needle)
                if not (
                    (left and at > 0 and hay[at - 1] in left)
                    or (right and end < len(hay) and hay[end] in right)
                ):
                    yield Finding(kind, at, end, self.name)
                at = hay.find(needle, at + 1)
