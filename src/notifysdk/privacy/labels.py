"""Label anchoring: a value counts only where a label that names it stands just before it.

Some shapes mean nothing on their own — nine digits, a five-digit number, a date, a word
— but ``SSN 123456789``, ``QQ：12345678``, ``出生日期 1990-03-07`` and ``微信号 zhang_wei88``
say what they are. A :class:`Labelled` pattern finds a label, tolerates what people put
between label and value (spaces, ``:`` / ``：``, ``=``, ``#``, ``-``, ``是``, ``为``, ``is``) and
reports the **value's** span only, so the label stays readable after masking.

Patterns run on :func:`~notifysdk.privacy.text.fold`-ed text. Before the full pattern
runs, the lower-cased text is searched for the labels' first words (an alternation of
literals, far cheaper than the full pattern): text without a label costs that search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

SEPARATOR = r"[\s:：=#\-是为為]{0,4}(?:(?i:is|was)[\s:]{1,3})?"
"""What may stand between a label and its value (after folding, ``：`` is ``:``),
English ``is`` included (``his SSN is 536-90-4399``)."""

STRONG_SEPARATOR = re.compile(r"[:：=是为為]")
"""A separator that says "what follows is the value", unlike a mere space."""


@lru_cache(maxsize=32)
def lowered(folded: str) -> str:
    """``folded`` in lower case, for the label pre-filter only (its length may differ:
    never take a span from it). Cached: every labelled detector asks for the same text."""
    return folded.lower()


def _label_regex(label: str) -> str:
    """One label as a regular expression: words may be joined by spaces, ``_`` or ``-``
    (``date of birth``, ``Social-Security``), and an ASCII label must not be part of a
    longer word (``tg`` in ``settings``, ``ssn`` in ``SSNs``)."""
    words = [re.escape(w) for w in label.split()]
    body = r"[\s_-]*".join(words)
    if label[0].isascii() and label[0].isalnum():
        body = r"(?<![A-Za-z0-9])" + body
    if label[-1].isascii() and label[-1].isalnum():
        body += r"(?![A-Za-z])"
    return body


def _triggers(labels: Sequence[str]) -> re.Pattern[str]:
    """A pattern for the lower-cased first word of every label (the shortest of those
    that begin alike: ``出生`` stands for ``出生日期``). Every label starts where one of
    these matches, so the full pattern is only ever tried there."""
    words: list[str] = []
    for w in sorted({label.split()[0].lower() for label in labels}, key=len):
        if not any(w.startswith(t) for t in words):
            words.append(w)
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class Labelled:
    """A compiled label-anchored pattern (groups ``label``, ``sep`` and ``value``) and the
    pattern of its labels' first words, its pre-filter."""

    pattern: re.Pattern[str]
    triggers: re.Pattern[str]

    def finditer(self, folded: str) -> Iterator[re.Match[str]]:
        """Every label-and-value match in ``folded``, left to right, not overlapping.

        The first words are searched in the lower-cased text (one literal search: no
        label, no further work), and the full pattern is tried only where one starts.
        """
        low = lowered(folded)
        hit = self.triggers.search(low)
        if hit is None:
            return
        if len(low) != len(folded):  # a rare character lower-cases to two: no shortcut
            yield from self.pattern.finditer(folded)
            return
        while hit is not None:
            m = self.pattern.match(folded, hit.start())
            if m is None:
                hit = self.triggers.search(low, hit.start() + 1)
                continue
            yield m
            hit = self.triggers.search(low, m.end())


def labelled(
    labels: Sequence[str],
    value: str,
    *,
    suffix: str = "",
    separator: str = SEPARATOR,
    value_flags: str = "",
    not_after: Sequence[str] = (),
) -> Labelled:
    """A pattern for ``value`` (a regular expression) right after one of ``labels``
    (plain text, matched case-insensitively, longest first), an optional label ``suffix``
    (``号码``, ``No.``) and a ``separator``. ``value_flags`` are inline flags for the value
    alone (``"i"``); ``not_after`` lists words that must not stand just before the label
    (``QQ`` before ``账号``)."""
    alternatives = "|".join(_label_regex(lb) for lb in sorted(labels, key=len, reverse=True))
    guard = "".join(f"(?<!{re.escape(w)})" for w in not_after)
    suffix_part = f"(?:{suffix})?" if suffix else ""
    label_part = f"(?i:{guard}(?P<label>(?:{alternatives}){suffix_part}))"
    value_part = f"(?{value_flags}:{value})" if value_flags else f"(?:{value})"
    pattern = re.compile(f"{label_part}(?P<sep>{separator})(?P<value>{value_part})")
    return Labelled(pattern, _triggers([*labels]))


def is_strong(m: re.Match[str]) -> bool:
    """True when a match's label says plainly that a value follows: a separator such as
    ``:`` or ``是``, a label ending in a Chinese character (``微信号``, glued to its value
    as Chinese is written) or in ``ID``; a mere space after an English word is weak
    (``WeChat today``)."""
    label = m.group("label")
    return (
        STRONG_SEPARATOR.search(m.group("sep")) is not None
        or not label[-1].isascii()
        or label[-2:].lower() == "id"
    )


def any_label(patterns: Sequence[Labelled]) -> re.Pattern[str]:
    """One pre-filter for several labelled patterns (a detector with one pattern per
    service checks them all with a single search of the lower-cased text)."""
    return re.compile("|".join(p.triggers.pattern for p in patterns))
