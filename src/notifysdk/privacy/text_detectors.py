"""Detectors for personal data written as text: email addresses, money amounts, and an
account's own known values (names, addresses, loan ids...) found verbatim."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .findings import Finding, KnownValues
from .text import fold

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"
_MONEY = re.compile(
    rf"(?:(?:CN|US|HK|A|C)?[¥$€£]|(?<![A-Za-z])(?:RMB|CNY|USD|EUR|GBP|HKD)|人民币)\s?(?:{_NUM})(?![0-9])"
    rf"|(?<![0-9.,])(?:{_NUM})\s?(?:万元|元|块钱|(?:CNY|RMB|USD|yuan|dollars?)(?![A-Za-z]))"
)

_CURRENCY = re.compile(r"[¥$€£元]|RMB|CNY|USD|EUR|GBP|HKD|人民币|块钱|yuan|dollar")
"""Any currency marker at all: without one the full pattern is not worth running."""


class EmailDetector:
    """Email addresses (ASCII, full-width folded), next to Chinese text or not."""

    name = "email"
    kind = "email"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every email address in ``text``."""
        if "@" not in text and "\uff20" not in text:
            return
        for m in _EMAIL.finditer(fold(text)):
            yield Finding(self.kind, m.start(), m.end(), self.name)


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


@lru_cache(maxsize=256)
def _known_pattern(
    values: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """One alternation of every known value, longest first; group *i* is ``kinds[i]``."""
    entries = sorted({(fold(v), k) for k, v in values if v}, key=lambda e: -len(e[0]))
    if not entries:
        return None
    pieces: list[str] = []
    kinds: list[str] = []
    for value, kind in entries:
        body = re.escape(value)
        if value.isascii() and any(c.isalpha() for c in value):
            body = f"(?i:{body})"
        if value[0].isalnum() and value[0].isascii():
            body = (r"(?<![0-9])" if value[0].isdigit() else r"(?<![A-Za-z0-9])") + body
        if value[-1].isalnum() and value[-1].isascii():
            body += r"(?![0-9])" if value[-1].isdigit() else r"(?![A-Za-z0-9])"
        pieces.append(f"({body})")
        kinds.append(kind)
    return re.compile("|".join(pieces)), tuple(kinds)


class KnownValuesDetector:
    """Finds an account's own values (names, ids, numbers, addresses, amounts) verbatim;
    Latin names case-insensitively and not inside a longer word."""

    name = "known-values"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every occurrence of every known value."""
        compiled = _known_pattern(known.values)
        if compiled is None:
            return
        pattern, kinds = compiled
        for m in pattern.finditer(fold(text)):
            index = m.lastindex
            if index is not None:
                yield Finding(kinds[index - 1], m.start(), m.end(), self.name)
