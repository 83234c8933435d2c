"""The content lint: finds prohibited phrases in rendered text, in Chinese and English.

The text is normalized first so that obvious variants are caught: NFKC (full-width
forms), case folding, every Traditional character simplified (OpenCC's ``t2s``
character map, so 判決, 檢察官 and 經偵 read as the phrases spell them), HTML tags and
entities removed. Chinese phrases are matched on a copy with every separator removed
(``坐 牢``, ``坐*牢``), except the few that need punctuation (a sender name in brackets);
English phrases on the folded text and on a copy with common letter substitutions
undone (``k1ll``, ``a$$``). Both lists run on
every text, whatever its locale, since messages mix languages. Text that quotes
prohibited language rather than using it is skipped: ``<!-- lint: off -->`` …
``<!-- lint: on -->``, and a call script's ``<!-- section: never_say -->`` section —
in a template pack and in an agent's call script only: the ``content-lint`` rule lints
every other medium whole (``quoting=False``), since its recipient reads the text between
the markers too.

A finding names the phrase id, its category, the part it was found in and, for
impersonation, which authority was claimed (:mod:`notifysdk.compliance.authority`),
never the surrounding text (which may carry personal data).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..trie import trie_alternation
from .authority import AUTHORITY_PHRASES, citation_for, kind_of
from .literals import required_clauses, required_literals
from .phrases import PHRASES, Phrase

__all__ = ["ALL_PHRASES", "CATEGORIES", "LintFinding", "Linter", "normalize", "strip_quoted"]

ALL_PHRASES: tuple[Phrase, ...] = PHRASES + AUTHORITY_PHRASES
"""The general phrase list and the false-authority phrases: what the lint checks."""

CATEGORIES = frozenset(p.category for p in ALL_PHRASES)

_SIMPLIFIED_AS_PHRASES_SPELL = {ord("帳"): ord("账")}
"""Where the phrases use another Simplified form than OpenCC's first candidate (帳户 →
账户, not 帐户)."""
_LEET_PAIRS = (
    ("0", "o"),
    ("1", "i"),
    ("3", "e"),
    ("4", "a"),
    ("5", "s"),
    ("7", "t"),
    ("@", "a"),
    ("$", "s"),
    ("!", "i"),
)
"""Common letter substitutions: each character stands for a letter (never for another
substitutable character, so the replacements do not chain)."""
_LEET_KEYS = frozenset(k for k, _ in _LEET_PAIRS)
_TAG = re.compile(r"<[^>]*>")
_NOT_CJK_OR_ALNUM = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
"""The separators: what the squeezed copy leaves out."""
_CJK_OR_ALNUM = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
"""The runs the squeezed copy keeps."""


_SKIP = re.compile(
    r"<!--\s*lint:\s*off\s*-->.*?(?:<!--\s*lint:\s*on\s*-->|\Z)"
    r"|<!--\s*section:\s*never_say\s*-->.*?(?=<!--\s*section:|\Z)",
    re.DOTALL | re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """Drop regions that quote prohibited language instead of using it: between
    ``<!-- lint: off -->`` and ``<!-- lint: on -->``, and a call script's
    ``<!-- section: never_say -->`` (the list of what an agent must never say)."""
    if "<!--" not in text:  # every quoted region starts with one
        return text
    return _SKIP.sub(" ", text)


@functools.lru_cache(maxsize=1)
def _traditional() -> tuple[dict[int, int], re.Pattern[str]]:
    """The character map to Simplified and one class matching any character it changes
    (built once, on the first text that is not ASCII)."""
    from ..privacy.normalize import simplified_map  # the privacy package is large

    table = simplified_map() | _SIMPLIFIED_AS_PHRASES_SPELL
    return table, re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


def _simplify(text: str) -> str:
    """``text`` with every Traditional character simplified (same length). Most texts
    have none: one scan of a compiled class clears them."""
    if text.isascii():
        return text
    table, traditional = _traditional()
    return text.translate(table) if traditional.search(text) else text


_WIDE = {
    chr(c): unicodedata.normalize("NFKD", chr(c))
    for c in (0x3000, *range(0xFF01, 0xFFEF))
    if unicodedata.normalize("NFKD", chr(c)) != chr(c)
}
"""The ideographic space and the full- and half-width forms, each mapped to its
compatibility decomposition."""
_HAS_WIDE = re.compile("[\u3000\uff01-\uffee]")
_COMMON_WIDE = tuple((c, _WIDE[c]) for c in "，：！？（）；\u3000")
"""The full-width forms Chinese text is full of: looked for one by one (a search for
any of the others, afterwards, finds none in most texts)."""


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on the usual Chinese text.

    NFKC composes the full compatibility decomposition of the text, so replacing a
    character by its decomposition first changes nothing. After the full-width
    punctuation (，：！) is replaced, most Chinese text is already in NFKC, which the
    quick check confirms at a fortieth of the cost of normalizing it. No decomposition
    is itself a full-width form, so the replacements can be made in any order."""
    if not text.isascii():
        for wide, narrow in _COMMON_WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
        if _HAS_WIDE.search(text) is not None:
            for wide in set(_HAS_WIDE.findall(text)):  # (str.translate costs more than NFKC)
                text = text.replace(wide, _WIDE.get(wide, wide))
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


_PLAIN_PUNCTUATION = "、。《》「」『』【】“”‘’¥—·"


@functools.lru_cache(maxsize=1)
def _not_plain() -> re.Pattern[str]:
    """A class matching any character but the plain ones: ASCII, and the CJK Unified
    Ideographs and common Chinese punctuation that are their own NFKD, case fold and
    Simplified form and combine with nothing (built once, on the first text that is not
    ASCII). NFKC decomposes, reorders and composes: none of that changes a text of
    plain characters (the tests check that no composition pairs two of them), case
    folding keeps it plain, and no plain character is Traditional."""
    table, _ = _traditional()
    plain = list(range(0x80))
    for c in (*range(0x4E00, 0xA000), *map(ord, _PLAIN_PUNCTUATION)):
        ch = chr(c)
        if (
            c not in table
            and unicodedata.normalize("NFKD", ch) == ch
            and ch.casefold() == ch
            and not unicodedata.combining(ch)
        ):
            plain.append(c)
    spans: list[list[int]] = []
    for c in sorted(plain):
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return re.compile(
        "[^"
        + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in spans)
        + "]"
    )


def normalize(text: str) -> str:
    """NFKC, case-folded, traditional characters simplified, HTML stripped."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:  # what html.unescape looks for first
        text = html.unescape(text)
    if text.isascii():  # already NFKC, nothing Traditional
        return text.casefold()
    for wide, narrow in _COMMON_WIDE:  # as _nfkc begins
        if wide in text:
            text = text.replace(wide, narrow)
    if _not_plain().search(text) is None:  # one scan instead of _nfkc's and _simplify's
        return text.casefold()
    return _simplify(_nfkc(text).casefold())


def _blank(value: str) -> str:
    """A personal value as the normalized text carries it.

    An ASCII value without ``<`` or ``&`` is only case-folded by :func:`normalize` (no
    tag, no entity, already NFKC, nothing Traditional): folded here, it costs less than
    a cache miss, and most such values (addresses, e-mail addresses) are another
    account's each time."""
    if value.isascii() and "<" not in value and "&" not in value:
        return value.casefold().strip()
    return _blank_other(value)


@functools.lru_cache(maxsize=4096)
def _blank_other(value: str) -> str:
    """:func:`_blank` of any other value (names in Chinese are seen many times)."""
    return normalize(value).strip()


@dataclass(frozen=True)
class LintFinding:
    """One prohibited phrase found: which, in which category and in which part."""

    phrase: str
    category: str
    part: str
    kind: str | None = field(default=None, compare=False)
    """For impersonation: the authority claimed (``court``, ``procuratorate``,
    ``police``, ``government``), when the phrase names one."""

    @property
    def citation(self) -> str | None:
        """The sources of an impersonation finding's prohibition (``None`` for the other
        categories, whose citation is the profile's)."""
        return citation_for(self.kind) if self.kind is not None else None

    def __str__(self) -> str:
        what = f"{self.category} ({self.kind})" if self.kind else self.category
        return f"{what}: {self.phrase} (in {self.part})"


@dataclass(frozen=True)
class _Compiled:
    phrase: Phrase
    regex: re.Pattern[str]
    literals: frozenset[str] | None
    """Strings one of which every match contains (``None``: no prefilter)."""
    squeezed: bool
    """Searched on the copy without separators (Chinese phrases), else on the folded
    text and its letter-substituted copy."""
    kind: str | None
    """The authority an impersonation phrase claims."""
    also: tuple[str | re.Pattern[str], ...] = ()
    """Further sets of strings every match contains one of each of (besides one of
    ``literals``), each as its one string or a search for any of them: checked on the
    text before the phrase's own search, once ``literals`` let the phrase through."""


_MAX_ALSO = 8
"""A further clause with more strings than this is not checked (the ``in`` checks would
cost about what the search does)."""


def _also(
    regex: re.Pattern[str], literals: frozenset[str] | None
) -> tuple[str | re.Pattern[str], ...]:
    """The clauses of :func:`required_clauses` that the literals do not already imply
    (a text with one of ``literals`` has one of such a clause's strings in it too): a
    clause of one string as that string, a longer one as a search for any of them."""
    out: list[frozenset[str]] = []
    for clause in required_clauses(regex.pattern, regex.flags):
        small = _minimal(clause)
        assert small is not None
        if len(small) > _MAX_ALSO:
            continue
        if literals is not None and all(any(b in a for b in small) for a in literals):
            continue
        if small not in out:
            out.append(small)
    return tuple(next(iter(c)) if len(c) == 1 else re.compile(trie_alternation(c)) for c in out)


def _compile(phrase: Phrase) -> _Compiled:
    source = phrase.pattern
    if phrase.lang == "en":
        source = source.replace(" ?", r"[\W_]*").replace(" ", r"[\W_]+")
    regex = re.compile(source)  # the text is case-folded already
    literals = _minimal(required_literals(regex.pattern, regex.flags))
    return _Compiled(
        phrase,
        regex,
        literals,
        phrase.lang == "zh" and not phrase.folded,
        kind_of(phrase.id) if phrase.category == "impersonation" else None,
        _also(regex, literals),
    )


def _has_all(clauses: tuple[str | re.Pattern[str], ...], text: str) -> bool:
    """Whether ``text`` has one string of each clause (a text that lacks all of one
    clause's strings cannot match)."""
    for clause in clauses:
        if isinstance(clause, str):
            if clause not in text:
                return False
        elif clause.search(text) is None:
            return False
    return True


def _minimal(literals: frozenset[str] | None) -> frozenset[str] | None:
    """Drop a literal that contains another (a text with it has the shorter one too)."""
    if literals is None:
        return None
    return frozenset(a for a in literals if not any(b != a and b in a for b in literals))


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[_Compiled, ...]:
    return tuple(_compile(p) for p in ALL_PHRASES)


@dataclass(frozen=True)
class _Literals:
    """A set of required literals, found in a text by one compiled search: the literals
    as a trie-shaped alternation (at each position the engine follows one branch per
    character), and for each literal the literals it contains."""

    regex: re.Pattern[str] | None
    """Matches, at each position, the longest literal starting there (``None``: no
    literals)."""
    within: Mapping[str, frozenset[str]]
    """Literal → the literals that occur in it (itself among them)."""
    first: re.Pattern[str] | None = None
    """Any first character of a literal, when a text is looked at literal by literal
    (``None``: searched with the trie)."""
    starting: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """First character → the literals starting with it."""

    @classmethod
    def of(cls, literals: Iterable[str], *, by_first: bool = False) -> _Literals:
        """The finder for ``literals`` (none empty); ``by_first``: a text is looked at
        literal by literal, for the literals starting with one of its characters
        (Chinese literals: the trie's first branch has a hundred alternatives, tried in
        turn at every position holding one of them, which costs more at any length)."""
        lits = frozenset(literals)
        regex = re.compile(trie_alternation(lits)) if lits else None
        within = {a: frozenset(b for b in lits if b in a) for a in lits}
        if not (by_first and lits):
            return cls(regex, within)
        starting: dict[str, list[str]] = {}
        for lit in sorted(lits):
            starting.setdefault(lit[0], []).append(lit)
        first = re.compile("[" + "".join(re.escape(c) for c in sorted(starting)) + "]")
        return cls(regex, within, first, {c: tuple(v) for c, v in starting.items()})

    def present(self, text: str) -> set[str]:
        """The literals that occur in ``text``.

        A search returns the leftmost position where some literal starts and, there,
        the longest one; every other literal starting there is a prefix of it, so the
        literals it contains cover that position, and the next search starts one
        character on. With a first-character class, ``text`` is instead checked for each
        literal starting with one of its characters: every literal it holds does."""
        found: set[str] = set()
        if self.regex is None:
            return found
        if self.first is not None:
            starting = self.starting
            for c in set(self.first.findall(text)):
                for lit in starting[c]:
                    if lit in text:
                        found.add(lit)
            return found
        search, within = self.regex.search, self.within
        m = search(text)
        while m is not None:
            found |= within[m.group()]
            m = search(text, m.start() + 1)
        return found


@dataclass(frozen=True)
class _Selection:
    """The phrases of some categories and, for their prefilters, which phrases each
    required literal lets through, with finders for the literals (Chinese ones are
    looked for in the squeezed text, English ones in the folded)."""

    phrases: tuple[_Compiled, ...]
    unfiltered: frozenset[int]
    """Phrases with no prefilter: always searched."""
    gated: Mapping[str, tuple[int, ...]]
    """Required literal → the phrases it lets through."""
    zh: _Literals
    """Literals of the phrases searched on the squeezed copy."""
    en: _Literals
    """Literals of the phrases searched on the folded text (English ones, and the
    Chinese ones that need punctuation)."""
    en_substitutable: tuple[str, ...]
    """English literals with a character the letter substitutions change (looked for in
    the folded text even when the substituted copy is searched)."""


@functools.lru_cache(maxsize=64)
def _selection(categories: frozenset[str]) -> _Selection:
    phrases = tuple(c for c in _compiled() if c.phrase.category in categories)
    gated: dict[str, list[int]] = {}
    for i, c in enumerate(phrases):
        for lit in c.literals or ():
            gated.setdefault(lit, []).append(i)

    def literals(squeezed: bool) -> list[str]:
        return sorted({lit for c in phrases if c.squeezed == squeezed for lit in c.literals or ()})

    en = literals(squeezed=False)
    return _Selection(
        phrases,
        frozenset(i for i, c in enumerate(phrases) if c.literals is None),
        {lit: tuple(ids) for lit, ids in gated.items()},
        _Literals.of(literals(squeezed=True), by_first=True),
        _Literals.of(en),
        tuple(lit for lit in en if any(ch in _LEET_KEYS for ch in lit)),
    )


def _unleet(text: str) -> str:
    """``text`` with the common letter substitutions undone (``k1ll`` → ``kill``)."""
    for digit, letter in _LEET_PAIRS:
        if digit in text:
            text = text.replace(digit, letter)
    return text


class Linter:
    """Checks texts against the phrase list, limited to some categories.

    Each phrase runs only on a text that contains one of its required literals (see
    :mod:`notifysdk.compliance.literals`): a clean text is cleared by one search for them,
    and a phrase is searched for only where it could match, on the folded text and, when
    the text has characters the letter substitutions change, on the substituted copy.
    """

    def __init__(self, categories: Iterable[str] | None = None) -> None:
        wanted = CATEGORIES if categories is None else frozenset(categories)
        self.categories = wanted
        self._selection = _selection(wanted)

    def check(
        self,
        text: str,
        part: str = "body",
        *,
        redact: Iterable[str] = (),
        quoting: bool = True,
    ) -> list[LintFinding]:
        """Every prohibited phrase in ``text``. ``redact`` lists values (names, addresses)
        blanked out first, so a borrower's own name can never trip the lint.
        ``quoting=False`` lints the regions :func:`strip_quoted` drops too: a message
        the recipient reads (an SMS, an e-mail) shows them, and only an agent's call
        script quotes what must never be said."""
        norm = normalize(strip_quoted(text) if quoting else text)
        for value in redact:
            v = _blank(value)
            if len(v) >= 2:
                norm = norm.replace(v, " ")
        # The runs kept, joined: what deleting every run between them leaves, for less.
        squeezed = "".join(_CJK_OR_ALNUM.findall(norm))
        # The substituted copy differs from the folded text only where a substitutable
        # character occurs; without one, searching it would repeat the first search.
        leet = _unleet(norm)
        sel = self._selection
        zh = sel.zh.present(squeezed)
        if leet == norm:
            en = en_leet = sel.en.present(norm)
        else:
            # Substitutions only turn characters into letters, so a literal without a
            # substitutable character that occurs in the folded text occurs in the
            # substituted copy too: one look in the copy serves both searches.
            en_leet = sel.en.present(leet)
            en = en_leet | {lit for lit in sel.en_substitutable if lit in norm}
        candidates = set(sel.unfiltered)
        for lit in zh | en_leet | en:
            candidates.update(sel.gated[lit])
        found: list[LintFinding] = []
        for i in sorted(candidates):
            c = sel.phrases[i]
            lits = c.literals
            also = c.also
            if c.squeezed:
                hit = (
                    (lits is None or not lits.isdisjoint(zh))
                    and (not also or _has_all(also, squeezed))
                    and c.regex.search(squeezed)
                )
            else:
                hit = (
                    (lits is None or not lits.isdisjoint(en))
                    and (not also or _has_all(also, norm))
                    and c.regex.search(norm)
                ) or (
                    leet != norm
                    and (lits is None or not lits.isdisjoint(en_leet))
                    and (not also or _has_all(also, leet))
                    and c.regex.search(leet)
                )
            if hit:
                found.append(LintFinding(c.phrase.id, c.phrase.category, part, c.kind))
        return found

    def check_parts(
        self,
        parts: Mapping[str, str | None],
        *,
        redact: Iterable[str] = (),
        quoting: bool = True,
    ) -> list[LintFinding]:
        """Check several named parts (``subject``, ``body``, ``html``)."""
        values = tuple(redact)
        out: list[LintFinding] = []
        for name, text in parts.items():
            if text:
                out.extend(self.check(text, name, redact=values, quoting=quoting))
        return out
