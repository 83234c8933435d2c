"""Label anchoring: a value counts only where a label that names it stands just before it.

Some shapes mean nothing on their own — nine digits, a five-digit number, a date, a word
— but ``SSN 123456789``, ``QQ：12345678``, ``出生日期 1990-03-07`` and ``微信号 zhang_wei88``
say what they are. A :class:`Labelled` pattern finds a label, tolerates what people put
between label and value (spaces, ``:`` / ``：``, ``=``, ``#``, ``-``, ``是``, ``为``, ``is``) and
reports the **value's** span only, so the label stays readable after masking.

A table pasted as text (``name,ssn,dob`` over ``Emily Garcia,536904399,...``) labels its
columns: a value in a column headed by a label counts as labelled (:mod:`.tables`).

Patterns run on :func:`~notifysdk.privacy.text.fold`-ed text. Before any full pattern
runs, the lower-cased text is searched once, for every detector at a time, for the
beginnings of all registered labels (one alternation of literals, far cheaper than the
patterns): a detector none of whose labels is there stops at a set intersection, and
one whose labels are there tries its full pattern only where a label begins.

:func:`standalone` serves the shapes that need no label (``123-45-6789``): it checks
their left edge in Python, which keeps the regular expression fast.
"""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..trie import trie_alternation
from .tables import columns

SEPARATOR = r"[\s:：=#\-是为為\"']{0,4}(?:(?i:is|was|as)[\s:]{1,3})?"
"""What may stand between a label and its value (after folding, ``：`` is ``:``):
JSON's quotes (``"ssn": "536-90-4399"``) and English ``is`` / ``as`` (``read his SSN
as ...``) too."""

_JOIN = r"[\s_-]*"
"""Between the words of a label, and between a label and its suffix (``passport_no``)."""
_WORD_END = r"(?:(?<![A-Za-z])|(?![A-Za-z]))"
"""A label (with its suffix) does not end inside a word: ``SSNs`` and ``wechatmessage``
are no labels, ``WeChatID`` and ``微信zhang_wei`` are."""

STRONG_SEPARATOR = re.compile(r"[:：=是为為]")
"""A separator that says "what follows is the value", unlike a mere space."""


@lru_cache(maxsize=32)
def lowered(folded: str) -> str:
    """``folded`` in lower case, for the label pre-filter only (its length may differ:
    never take a span from it). Cached: every labelled detector asks for the same text."""
    return folded.lower()


def _label_regex(label: str) -> str:
    """One label as a regular expression: words may be joined by spaces, ``_`` or ``-``
    (``date of birth``, ``Social-Security``, ``date_of_birth``), and an ASCII label must
    not start inside a longer word (``tg`` in ``settings``)."""
    words = [re.escape(w) for w in label.split()]
    body = _JOIN.join(words)
    if label[0].isascii() and label[0].isalnum():
        body = r"(?<![A-Za-z0-9])" + body
    return body


_SHORT = 4
"""A first word this short (``id``, ``ni``, ``date``) is part of too many other words to
pre-filter on alone."""


def _first_words(label: str) -> list[str]:
    """What every usual spelling of ``label`` starts with, in lower case: its first word,
    and for a short first word of a longer label, that word and the next word's first
    letter (``id c``, ``id-c``, ``id_c``, ``idc`` for ``ID card``; a label written with
    two spaces or a line break after a short first word is not looked for)."""
    words = label.lower().split()
    if len(words) == 1 or len(words[0]) > _SHORT:
        return [words[0]]
    return [words[0] + joiner + words[1][0] for joiner in (" ", "-", "_", "")]


def _beginnings(labels: Sequence[str]) -> tuple[str, ...]:
    """The beginnings of the labels (the shortest of those that begin alike: ``出生``
    stands for ``出生日期``). Every label starts where one of these is."""
    words: list[str] = []
    for w in sorted({w for label in labels for w in _first_words(label)}, key=len):
        if not any(w.startswith(t) for t in words):
            words.append(w)
    return tuple(sorted(words, key=len, reverse=True))


class _Index:
    """The beginnings of every labelled pattern, searched for all at once.

    Each detector searching the text for its own labels would scan it once per detector;
    one alternation of every beginning scans it once for all of them, and a detector
    whose labels are absent stops there. The scan does not report overlapping matches,
    so a word counts as present when any word it may overlap was found (the index is
    conservative: it may send a detector to look for nothing, never skip a label).
    """

    def __init__(self) -> None:
        self._words: list[str] = []
        self._built: _Built | None = None
        self._lock = threading.Lock()

    def add(self, words: Iterable[str]) -> None:
        """Register a pattern's beginnings."""
        with self._lock:
            self._words.extend(w for w in words if w not in self._words)

    def _compiled(self) -> _Built:
        built = self._built
        if built is None or built[0] != len(self._words):
            with self._lock:
                words = list(self._words)
                # Two tries, not one flat alternation: the engine then tries one branch
                # per character instead of every word (5x faster), and Latin first
                # letters, common in any text, do not slow the search for Chinese ones.
                latin = [w for w in words if w[0].isascii()]
                other = [w for w in words if not w[0].isascii()]
                patterns = tuple(re.compile(_trie(ws)) for ws in (latin, other) if ws)
                implied = {a: frozenset(b for b in words if _may_overlap(a, b)) for a in words}
                built = self._built = (len(words), patterns, implied)
        return built

    def present(self, folded: str) -> frozenset[str]:
        """The beginnings that may be in ``folded``."""
        built = self._built
        if built is None or built[0] != len(self._words):
            built = self._compiled()
        return _present(folded, built[0])

    def scan(self, folded: str) -> frozenset[str]:
        """:meth:`present`, uncached."""
        _version, patterns, implied = self._compiled()
        low = lowered(folded)
        found: list[str] = []
        for pattern in patterns:
            found += pattern.findall(low)
        if not found:  # the common case (most texts hold no label)
            return _NONE
        if len(found) == 1:
            return implied[found[0]]
        return frozenset().union(*map(implied.__getitem__, set(found)))


_NONE: frozenset[str] = frozenset()


_Built = tuple[int, tuple[re.Pattern[str], ...], dict[str, frozenset[str]]]
"""(number of words, the search patterns, the words each found word may hide)."""


_trie = trie_alternation
"""The label index's patterns (:func:`~notifysdk.trie.trie_alternation`)."""


def _may_overlap(a: str, b: str) -> bool:
    """True when ``b`` may start inside a match of ``a`` (so the scan, which does not
    overlap its matches, may hide it): ``b`` is in ``a``, or begins with its end."""
    return any(a.startswith(b, k) or b.startswith(a[k:]) for k in range(len(a)))


_INDEX = _Index()


def label_beginnings(folded: str) -> frozenset[str]:
    """The beginnings of registered labels that may be in ``folded`` (computed once per
    text, whichever detector asks first)."""
    return _INDEX.present(folded)


@lru_cache(maxsize=32)
def _present(folded: str, version: int) -> frozenset[str]:
    """The index's answer for ``folded``, once per text for all detectors (``version``,
    the number of registered words, keeps an answer from before a registration out)."""
    return _INDEX.scan(folded)


@dataclass(frozen=True)
class Hit:
    """A labelled value: its label as written, what stood between, and the match of the
    value (``value`` group of a label-and-value match, or a whole match of the value in
    a table cell)."""

    label: str
    sep: str
    match: re.Match[str]
    group: int | str = "value"

    @property
    def start(self) -> int:
        """Where the value starts in the text."""
        return self.match.start(self.group)

    @property
    def end(self) -> int:
        """Where the value ends in the text."""
        return self.match.end(self.group)

    @property
    def value(self) -> str:
        """The value as written."""
        return self.match.group(self.group)


@dataclass(frozen=True)
class Labelled:
    """A compiled label-anchored pattern (groups ``label``, ``sep`` and ``value``), the
    label and value patterns alone (for tables), and the beginnings of its labels, its
    pre-filter."""

    pattern: re.Pattern[str]
    label_pattern: re.Pattern[str]
    value_pattern: re.Pattern[str]
    triggers: re.Pattern[str]
    """The labels' beginnings, searched for in the lower-cased text."""
    words: frozenset[str]
    """The same beginnings, as words of the shared index."""

    def finditer(self, folded: str) -> Iterator[Hit]:
        """Every labelled value in ``folded``: each label followed by its value, left to
        right, then each value in a table column headed by a label (``ssn`` over
        ``536904399``).

        Text where the shared index finds none of this pattern's beginnings costs a set
        intersection; otherwise the beginnings are searched in the lower-cased text and
        the full pattern is tried only where one starts.
        """
        if self.words.isdisjoint(label_beginnings(folded)):
            return
        seen: set[tuple[int, int]] = set()
        for m in self._inline(folded):
            seen.add(m.span("value"))
            yield Hit(m.group("label"), m.group("sep"), m)
        for column in columns(folded):
            if self.label_pattern.fullmatch(column.header) is None:
                continue
            for start, end in column.cells:
                v = self.value_pattern.fullmatch(folded, start, end)
                if v is not None and v.span() not in seen:
                    yield Hit(column.header, ":", v, 0)

    def _inline(self, folded: str) -> Iterator[re.Match[str]]:
        low = lowered(folded)
        if len(low) != len(folded):  # a rare character lower-cases to two: no shortcut
            yield from self.pattern.finditer(folded)
            return
        hit = self.triggers.search(low)
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
    (a regular expression: ``号码``, ``No.``; spaces, ``_`` or ``-`` may come before it)
    and a ``separator``. ``value_flags`` are inline flags for the value
    alone (``"i"``); ``not_after`` lists words that must not stand just before the label
    (``QQ`` before ``账号``)."""
    alternatives = "|".join(_label_regex(lb) for lb in sorted(labels, key=len, reverse=True))
    guard = "".join(f"(?<!{re.escape(w)})" for w in not_after)
    # Up to two suffixes: ``ID card No.``, ``护照号码``.
    suffix_part = f"(?:{_JOIN}(?:{suffix})){{0,2}}" if suffix else ""
    # JSON nests the suffix: {"account": {"no": "12345678"}}.
    nested = rf"(?:[\"']\s*:\s*\{{\s*[\"'](?i:{suffix}))?" if suffix else ""
    label_part = f"(?i:{guard}(?P<label>(?:{alternatives}){suffix_part}){_WORD_END})"
    value_part = f"(?{value_flags}:{value})" if value_flags else f"(?:{value})"
    pattern = re.compile(f"{label_part}{nested}(?P<sep>{separator})(?P<value>{value_part})")
    words = _beginnings(labels)
    _INDEX.add(words)
    return Labelled(
        pattern,
        re.compile(f"(?i:(?:{alternatives}){suffix_part})"),
        re.compile(value_part),
        re.compile("|".join(re.escape(w) for w in words)),
        frozenset(words),
    )


def is_strong(hit: Hit) -> bool:
    """True when a hit's label says plainly that a value follows: a separator such as
    ``:`` or ``是`` (a table's header counts as one), a label ending in a Chinese
    character (``微信号``, glued to its value as Chinese is written) or in ``ID``; a mere
    space after an English word is weak (``WeChat today``)."""
    return (
        STRONG_SEPARATOR.search(hit.sep) is not None
        or not hit.label[-1].isascii()
        or hit.label[-2:].lower() == "id"
    )


ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


def standalone(
    pattern: re.Pattern[str], folded: str, left: frozenset[str] = ASCII_ALNUM
) -> Iterator[Hit]:
    """Matches of a shape found without a label (``123-45-6789``, ``A123456(3)``) that
    are not glued to a character of ``left`` on their left. The check is made here, not
    by a look-behind in ``pattern``: the regular-expression engine tries a pattern that
    starts with a look-behind at every position, and skips quickly to the candidates of
    one that starts with a character class (5-20 times faster on log lines). ``pattern``
    has a ``value`` group; the hits have no label."""
    for m in pattern.finditer(folded):
        i = m.start()
        if i == 0 or folded[i - 1] not in left:
            yield Hit("", "", m)
