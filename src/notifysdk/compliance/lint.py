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

from .phrases import PHRASES, Phrase

__all__ = ["CATEGORIES", "LintFinding", "Linter", "normalize", "strip_quoted"]

CATEGORIES = frozenset(p.category for p in PHRASES)

_TRAD = str.maketrans(
    "斷殺騙廢賤貨傳檢賣車訴訟後負還錢門見賴臉發網單領導親訊錄強執凍結產帳戶銀機關國監獄"
    "詐養貸腎掛媽聯繫敗類豬東種紀該惡責費鐵飛財馬須黴寧潑紅爛罰滅揚對鬥",
    "断杀骗废贱货传检卖车诉讼后负还钱门见赖脸发网单领导亲讯录强执冻结产账户银机关国监狱"
    "诈养贷肾挂妈联系败类猪东种纪该恶责费铁飞财马须霉宁泼红烂罚灭扬对斗",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
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
    return _SKIP.sub(" ", text)


def normalize(text: str) -> str:
    """NFKC, case-folded, traditional characters simplified, HTML stripped."""
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.translate(_TRAD)


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


def _compile(phrase: Phrase) -> _Compiled:
    source = phrase.pattern
    if phrase.lang == "en":
        source = source.replace(" ?", r"[\W_]*").replace(" ", r"[\W_]+")
    return _Compiled(phrase, re.compile(source))  # the text is case-folded already


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[_Compiled, ...]:
    return tuple(_compile(p) for p in PHRASES)


@functools.lru_cache(maxsize=64)
def _selection(
    categories: frozenset[str],
) -> tuple[tuple[_Compiled, ...], re.Pattern[str] | None, re.Pattern[str] | None]:
    """The phrases of some categories, plus one alternation per language: clean text (the
    common case) is cleared by two searches instead of one per phrase."""
    phrases = tuple(c for c in _compiled() if c.phrase.category in categories)

    def union(lang: str) -> re.Pattern[str] | None:
        parts = [c.regex.pattern for c in phrases if c.phrase.lang == lang]
        if not parts:
            return None
        body = "|".join(f"(?:{p})" for p in parts)
        # A cheap gate in front of the alternation: English phrases start at a word
        # boundary; Chinese ones at a character some phrase uses.
        if lang == "en":
            return re.compile(rf"\b(?:{body})")
        chars = sorted({ch for p in parts for ch in p if "\u3400" <= ch <= "\u9fff"})
        return re.compile(rf"(?=[{''.join(chars)}s])(?:{body})")  # s: the latin "sb" insult

    return phrases, union("zh"), union("en")


class Linter:
    """Checks texts against the phrase list, limited to some categories."""

    def __init__(self, categories: Iterable[str] | None = None) -> None:
        wanted = CATEGORIES if categories is None else frozenset(categories)
        self.categories = wanted
        self._phrases, self._zh, self._en = _selection(wanted)

    def check(
        self, text: str, part: str = "body", *, redact: Iterable[str] = ()
    ) -> list[LintFinding]:
        """Every prohibited phrase in ``text``. ``redact`` lists values (names, addresses)
        blanked out first, so a borrower's own name can never trip the lint."""
        norm = normalize(strip_quoted(text))
        for value in redact:
            v = normalize(value).strip()
            if len(v) >= 2:
                norm = norm.replace(v, " ")
        squeezed = _NOT_CJK_OR_ALNUM.sub("", norm)
        leet = norm.translate(_LEET)
        zh_hit = self._zh is not None and self._zh.search(squeezed) is not None
        en_hit = self._en is not None and (
            self._en.search(norm) is not None
            or (leet != norm and self._en.search(leet) is not None)
        )
        if not (zh_hit or en_hit):
            return []
        found: list[LintFinding] = []
        for c in self._phrases:
            if c.phrase.lang == "zh":
                hit = c.regex.search(squeezed)
            else:
                hit = c.regex.search(norm) or c.regex.search(leet)
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
