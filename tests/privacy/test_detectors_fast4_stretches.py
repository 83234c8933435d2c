"""Fast paths of issue 13 (fourth pass) held to their slow definitions: the number
detectors read wide-separator runs only where a number stretch could hold one
(:func:`~notifysdk.privacy.prescan.may_space`), the mobile gate looks for its hint only
inside stretches of eleven digits, and the phone detector reuses the cached mobile
verdict and a cheaper digit count where the uncached ones were asked before."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import phones
from notifysdk.privacy.mainland import is_mainland_mobile, written_mobile
from notifysdk.privacy.prescan import may_space, number_stretches
from notifysdk.privacy.text import fold, has_spaced_runs, spaced_stretches

_PIECES = (
    "0",
    "1",
    "13",
    "138",
    "0013",
    "8000",
    "2026",
    "03",
    "110101",
    "19900307",
    "1234",
    "6222",
    "X",
    "x",
    " ",
    "  ",
    "   ",
    "\t",
    "-",
    " - ",
    "- ",
    " -",
    "/",
    ".",
    ". ",
    "(",
    ")",
    "+",
    "+86 ",
    "a",
    "Tel:",
    "号",
    "，",
    "\n",
    "\u3000",
    "１",
    "－",
)
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=24).map("".join)
_LENGTHS = (frozenset({11}), frozenset({15, 18}), frozenset(range(13, 20)))


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
@example("138  0013  8000")
@example("110101/19900307/1234")
@example("6222\t0213\t8001\t3800")
@example("138 - 0013 - 8000")
@example("2026.03.07.1234567")
@example("(+86) 138 0013 8000")
def test_may_space_never_hides_a_spaced_run(text: str) -> None:
    folded = fold(text)
    if not may_space(folded):
        assert not has_spaced_runs(folded), text
        for lengths in _LENGTHS:
            assert spaced_stretches(folded, lengths) == [], text


def test_may_space_sees_the_wide_separators() -> None:
    for text in (
        "138  0013  8000",
        "110101/19900307/1234",
        "6222\t0213\t8001\t3800",
        "138 -0013 8000",
    ):
        assert may_space(fold(text)) and has_spaced_runs(fold(text)), text
    for text in ("138 0013 8000", "138-0013-8000", "2026/03/07", "1234  5678"):
        assert not may_space(fold(text)), text


_HINT_FIRST = re.compile(r"1[3-9](?:[ -]?[0-9]){9}(?![0-9])")


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
@example("138 0013 8000")
@example("13800138000 5")
@example("213800138000")
@example("1380013800012")
def test_the_mobile_hint_read_in_stretches_is_the_whole_search(text: str) -> None:
    folded = fold(text)
    whole = _HINT_FIRST.search(folded) is not None
    inside = any(
        d >= 11 and phones._MOBILE_HINT.search(folded, a, b) is not None
        for a, b, d in number_stretches(folded)
    )
    assert inside == whole, text


_ELEVEN = st.from_regex(r"\A1[3-9][0-9]{9}\Z", fullmatch=True)


@settings(max_examples=800, deadline=None)
@given(_ELEVEN)
@example("17912345678")
@example("13800138000")
@example("19912345678")
def test_the_cached_mobile_verdict_is_the_direct_one(digits: str) -> None:
    # _plain_mobile's test, as first written and as now written.
    assert (is_mainland_mobile(digits) is True) == (
        not digits.startswith("179") and phones.is_cn_mobile(digits)
    )
    # _whole_number's test: written_mobile never answers for 179....
    written = written_mobile("+86 " + digits)
    if written is not None:
        assert bool(is_mainland_mobile(written[1])) == phones.is_cn_mobile(written[1])


@settings(max_examples=800, deadline=None)
@given(st.from_regex(r"\A[(+]{0,2}[0-9][0-9 ().-]{5,24}[0-9]\Z", fullmatch=True))
def test_worth_matching_as_first_written(stretch: str) -> None:
    digits = sum(map(str.isdigit, stretch))
    assert len(stretch.translate(phones._NOT_DIGITS)) == digits
    assert phones._worth_matching(stretch) == phones._worth_matching.__wrapped__(stretch)
