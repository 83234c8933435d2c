"""The content lint: finds prohibited phrases in rendered text, in Chinese and English.

The text is normalized first so that obvious variants are caught: NFKC (full-width
forms), case folding, traditional → simplified for the characters the phrases use,
HTML tags and entities removed. Chinese phrases are matched on a copy with every
separator removed (``坐 牢``, ``坐*牢``); English phrases on the folded text and on a
copy with common letter substitutions undone (``k1ll``, ``a$$``). Both lists run on
every text, whatever its locale, since messages mix languages. Text that quotes
prohibited language rather than using it is skipped: ``<!-- lint: off -->`` …
``<!-- lint: on -->``, and a call script's ``<!-- section: never_say -->`` section.

A finding names the phrase id, its category and the part it was found in, never the
surrounding text (which may carry personal data).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .literals import required_literals
from .phrases import PHRASES, Phrase

__all__ = ["CATEGORIES", "LintFinding", "Linter", "normalize", "strip_quoted"]

CATEGORIES = frozenset(p.category for p in PHRASES)

_TRAD = str.maketrans(
    "斷殺騙廢賤貨傳檢賣車訴訟後負還錢門見賴臉發網單領導親訊錄強執凍結產帳戶銀機關國監獄"
    "詐養貸腎掛媽聯繫敗類豬東種紀該惡責費鐵飛財馬須黴寧潑紅爛罰滅揚對鬥",
    "断杀骗废贱货传检卖车诉讼后负还钱门见赖脸发网单领导亲讯录强执冻结产账户银机关国监狱"
    "诈养贷肾挂妈联系败类猪东种纪该恶责费铁飞财马须霉宁泼红烂罚灭扬对斗",
)
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
_TRAD_CHARS = re.compile("[" + "".join(chr(k) for k in _TRAD) + "]")
_TAG = re.compile(r"<[^>]*>")
_NOT_CJK_OR_ALNUM = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


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


def normalize(text: str) -> str:
    """NFKC, case-folded, traditional characters simplified, HTML stripped."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.translate(_TRAD) if _TRAD_CHARS.search(text) else text


@functools.lru_cache(maxsize=4096)
def _blank(value: str) -> str:
    """A personal value as the normalized text carries it (each is seen many times)."""
    return normalize(value).strip()


@dataclass(frozen=True)
class LintFinding:
    """One prohibited phrase found: which, in which category and in which part."""

    phrase: str
    category: str
    part: str

    def __str__(self) -> str:
        return f"{self.category}: {self.phrase} (in {self.part})"


@dataclass(frozen=True)
class _Compiled:
    phrase: Phrase
    regex: re.Pattern[str]
    literals: frozenset[str] | None
    """Strings one of which every match contains (``None``: no prefilter)."""


def _compile(phrase: Phrase) -> _Compiled:
    source = phrase.pattern
    if phrase.lang == "en":
        source = source.replace(" ?", r"[\W_]*").replace(" ", r"[\W_]+")
    regex = re.compile(source)  # the text is case-folded already
    return _Compiled(phrase, regex, _minimal(required_literals(regex.pattern, regex.flags)))


def _minimal(literals: frozenset[str] | None) -> frozenset[str] | None:
    """Drop a literal that contains another (a text with it has the shorter one too)."""
    if literals is None:
        return None
    return frozenset(a for a in literals if not any(b != a and b in a for b in literals))


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[_Compiled, ...]:
    return tuple(_compile(p) for p in PHRASES)


@dataclass(frozen=True)
class _Selection:
    """The phrases of some categories and, for their prefilters, which phrases each
    required literal lets through, with the literals indexed by their first character
    (Chinese ones are looked for in the squeezed text, English ones in the folded)."""

    phrases: tuple[_Compiled, ...]
    unfiltered: frozenset[int]
    """Phrases with no prefilter: always searched."""
    gated: Mapping[str, tuple[int, ...]]
    """Required literal → the phrases it lets through."""
    zh_index: Mapping[str, tuple[str, ...]]
    en_index: Mapping[str, tuple[str, ...]]
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

    def index(lang: str) -> dict[str, tuple[str, ...]]:
        by_first: dict[str, set[str]] = {}
        for c in phrases:
            if c.phrase.lang == lang:
                for lit in c.literals or ():
                    by_first.setdefault(lit[0], set()).add(lit)
        return {ch: tuple(sorted(lits)) for ch, lits in by_first.items()}

    en_index = index("en")
    return _Selection(
        phrases,
        frozenset(i for i, c in enumerate(phrases) if c.literals is None),
        {lit: tuple(ids) for lit, ids in gated.items()},
        index("zh"),
        en_index,
        tuple(
            lit for lits in en_index.values() for lit in lits if any(ch in _LEET_KEYS for ch in lit)
        ),
    )


def _present(index: Mapping[str, tuple[str, ...]], text: str) -> set[str]:
    """The indexed literals that occur in ``text``."""
    return {lit for ch in index.keys() & set(text) for lit in index[ch] if lit in text}


def _unleet(text: str) -> str:
    """``text`` with the common letter substitutions undone (``k1ll`` → ``kill``)."""
    for digit, letter in _LEET_PAIRS:
        if digit in text:
            text = text.replace(digit, letter)
    return text


class Linter:
    """Checks texts against the phrase list, limited to some categories.

    Each phrase runs only on a text that contains one of its required literals (see
    :mod:`notifysdk.compliance.literals`): a clean text is cleared by substring checks,
    and a phrase is searched for only where it could match, on the folded text and, when
    the text has characters the letter substitutions change, on the substituted copy.
    """

    def __init__(self, categories: Iterable[str] | None = None) -> None:
        wanted = CATEGORIES if categories is None else frozenset(categories)
        self.categories = wanted
        self._selection = _selection(wanted)

    def check(
        self, text: str, part: str = "body", *, redact: Iterable[str] = ()
    ) -> list[LintFinding]:
        """Every prohibited phrase in ``text``. ``redact`` lists values (names, addresses)
        blanked out first, so a borrower's own name can never trip the lint."""
        norm = normalize(strip_quoted(text))
        for value in redact:
            v = _blank(value)
            if len(v) >= 2:
                norm = norm.replace(v, " ")
        squeezed = _NOT_CJK_OR_ALNUM.sub("", norm)
        # The substituted copy differs from the folded text only where a substitutable
        # character occurs; without one, searching it would repeat the first search.
        leet = _unleet(norm)
        sel = self._selection
        zh = _present(sel.zh_index, squeezed)
        if leet == norm:
            en = en_leet = _present(sel.en_index, norm)
        else:
            # Substitutions only turn characters into letters, so a literal without a
            # substitutable character that occurs in the folded text occurs in the
            # substituted copy too: one look in the copy serves both searches.
            en_leet = _present(sel.en_index, leet)
            en = en_leet | {lit for lit in sel.en_substitutable if lit in norm}
        candidates = set(sel.unfiltered)
        for lit in zh | en_leet | en:
            candidates.update(sel.gated[lit])
        found: list[LintFinding] = []
        for i in sorted(candidates):
            c = sel.phrases[i]
            lits = c.literals
            if c.phrase.lang == "zh":
                hit = (lits is None or not lits.isdisjoint(zh)) and c.regex.search(squeezed)
            else:
                hit = ((lits is None or not lits.isdisjoint(en)) and c.regex.search(norm)) or (
                    leet != norm
                    and (lits is None or not lits.isdisjoint(en_leet))
                    and c.regex.search(leet)
                )
            if hit:
                found.append(LintFinding(c.phrase.id, c.phrase.category, part))
        return found

    def check_parts(
        self, parts: Mapping[str, str | None], *, redact: Iterable[str] = ()
    ) -> list[LintFinding]:
        """Check several named parts (``subject``, ``body``, ``html``)."""
        values = tuple(redact)
        out: list[LintFinding] = []
        for name, text in parts.items():
            if text:
                out.extend(self.check(text, name, redact=values))
        return out
