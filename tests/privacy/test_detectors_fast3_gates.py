"""Fast paths of issue 13 held to their slow definitions: the money gate's multiplier
look-ahead and the mobile gate's digit look-ahead never hide what ``find`` finds, and
the e-mail and IBAN patterns rewritten to start with one character class (the engine
skips to it) match exactly what the patterns as first written did."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import ChineseMobileDetector, KnownValues, MoneyDetector, accounts, emails
from notifysdk.privacy.money import _GATE_CURRENCY_OR_MULTIPLIER, _GATE_WORD_BEFORE
from notifysdk.privacy.prescan import Prescan

_NO_VALUES = KnownValues()

_MONEY_WORDS = (
    "5 12 3,500 1.5 ０ 2024-03-05 三 五千 点 "
    "k K \u212a m M mn MN bn thousand Million grand grands mk km kg "
    "meeting Meeting month million billions thousands grandma known bnb "
    "usd eur euro yuan dollars pay paid a week by "
    "İ ı ſ é É . · ： = , 你好 块 元"
)
_MONEY_PIECES = tuple(_MONEY_WORDS.split(" "))
_SEPARATORS = ("", " ", "  ", "\t", "\n", "\u3000", "\xa0", "·", ".")


@settings(max_examples=600)
@given(st.lists(st.sampled_from(_MONEY_PIECES), min_size=1, max_size=8), st.data())
@example(["5", "\u212a"], None)
@example(["İ", "5", "m", "\u212a"], None)
@example(["2024-03-05", "Meeting"], None)
@example(["5", "mn"], None)
def test_the_money_gate_never_hides_a_multiplied_amount(
    pieces: list[str], data: st.DataObject | None
) -> None:
    seps = [data.draw(st.sampled_from(_SEPARATORS)) for _ in pieces] if data else [""] * len(pieces)
    text = "".join(p + s for p, s in zip(pieces, seps, strict=True))
    detector = MoneyDetector()
    if not detector.may_find(Prescan(text, _NO_VALUES)):
        assert list(detector.find(text, _NO_VALUES)) == [], text


def test_the_multiplier_look_ahead_only_narrows_the_gate() -> None:
    # Every match of the narrow pattern is one of the wide one (a superset check would
    # be wrong the other way round), and the look-ahead rules out a word going on.
    for low in ("5 k", "5k.", "5 mn", "12 million,", "3 grand", "5 usd", "5 euros", "1 bn"):
        assert _GATE_CURRENCY_OR_MULTIPLIER.search(low) is not None, low
        assert _GATE_WORD_BEFORE.search(low) is not None, low
    for low in ("2024-03-05. meeting", "5 months", "5 kg", "3 grandma", "1 bnb"):
        assert _GATE_CURRENCY_OR_MULTIPLIER.search(low) is None, low
        assert _GATE_WORD_BEFORE.search(low) is not None, low


_SPELT_AT_FIRST = re.compile(r"[aA][tT](?<=[ \t\[({<][aA][tT])(?=[ \t\])}>])|艾特")
"""The spelt-out ``@`` as first written (an alternation, tried at every character)."""
_IBAN_FIRST = re.compile(
    r"(?P<value>[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)"
    r"(?![A-Za-z0-9]))"
)
"""The bare IBAN as first written (a repeat first, which the engine cannot skip to)."""


def _spans(pattern: re.Pattern[str], text: str, pos: int = 0) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text, pos)]


@settings(max_examples=800)
@given(
    st.lists(st.sampled_from([*"aAtT艾特 \t[](){}<>@x.", "at", " at ", "艾特"])).map("".join),
    st.integers(0, 3),
)
@example("li [at] qq.com", 0)
@example("a艾特t at艾 特", 1)
def test_the_spelt_at_pattern_matches_as_first_written(text: str, pos: int) -> None:
    assert _spans(emails._SPELT_AT, text, pos) == _spans(_SPELT_AT_FIRST, text, pos)


@settings(max_examples=800)
@given(
    st.lists(
        st.sampled_from([*"ABGDEXZ0123456789 a", "GB29", "NWBK", "6016", " 1331"]), max_size=30
    ).map("".join)
)
@example("GB29NWBK60161331926819")
@example("DE89 3704 0044 0532 0130 00")
@example("XGB29 NWBK 6016 1331 9268 19a")
def test_the_iban_pattern_matches_as_first_written(text: str) -> None:
    assert _spans(accounts._IBAN, text) == _spans(_IBAN_FIRST, text)
    found = accounts._IBAN.search(text)
    first = _IBAN_FIRST.search(text)
    assert (found and found.group("value")) == (first and first.group("value"))


_MOBILE_WORDS = (
    "138 0013 8000 13800138000 1 3 8 0 9 00 86 +86 (+86) 0086 110105 19900307 1234 6222 "
    "X x - -- / . ( ) + 一 三 八 零 幺 联系 电话 a"
)
_MOBILE_PIECES = tuple(_MOBILE_WORDS.split(" "))


@settings(max_examples=800)
@given(
    st.lists(st.sampled_from(_MOBILE_PIECES), min_size=1, max_size=10),
    st.lists(st.sampled_from(["", "", " ", "-", "  "]), min_size=10, max_size=10),
)
@example(["110105", "19900307", "1234"], [""] * 10)
@example(["+86", "138", "0013", "8000"], [" "] * 10)
@example(["8613800138000"], [""] * 10)
def test_the_mobile_gate_never_hides_a_mobile(pieces: list[str], seps: list[str]) -> None:
    text = "".join(p + s for p, s in zip(pieces, seps, strict=False))
    detector = ChineseMobileDetector()
    if not detector.may_find(Prescan(text, _NO_VALUES)):
        assert list(detector.find(text, _NO_VALUES)) == [], text
