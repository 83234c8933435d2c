"""The shortcuts taken on an account's values, held to the slow paths they replace:
:func:`~notifysdk.privacy.normalize.normalize_value` (the normal form of a value without
the text caches) and :func:`~notifysdk.privacy.known.national_number` (a mainland mobile
number's national number without phonenumbers)."""

from __future__ import annotations

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

import notifysdk.privacy.normalize as nz
from notifysdk.privacy import known
from notifysdk.privacy.normalize import normalize, normalize_value
from notifysdk.privacy.text import fold

_VALUE_CHARS = list(
    "张伟張偉欧阳娜國慶科技园路號栋單元室一二三十百千万两〇零"
    "abcXYZ0123456789 .,-·・•‧．\t\n\r\u3000\u00a0"
    "ＡＢＣａｂｃ０１２３，：（）"
    "İ\u212a\u00e9\u0301\\u5f20\\u4f1f\\ud83d\\ude00\\ud800"
)


def _slow_value(value: str) -> str:
    return normalize(value.strip()).text.strip()


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(_VALUE_CHARS), max_size=24))
@example("張 偉")
@example("  ＺＨＡＮＧ\tWei  ")
@example("\\u5f20\\u4f1f")
@example("\\u5F20 \\u4F1F")
@example("\\ud83d\\ude00·\\ud800")
@example("广东省 深圳市·南山区  科技园路 88 號")
@example("İstanbul \u212aelvin")
@example("a\n\nb")
def test_a_value_gets_the_normal_form_of_a_text(value: str) -> None:
    assert normalize_value.__wrapped__(value) == _slow_value(value)


@given(st.text(max_size=12))
def test_any_value_gets_the_normal_form_of_a_text(value: str) -> None:
    assert normalize_value.__wrapped__(value) == _slow_value(value)


def test_a_value_leaves_the_text_caches_alone() -> None:
    text_info, fold_info = normalize.cache_info(), fold.cache_info()
    for value in ("張偉 new value 1", "ＬＮ２０２６ new 2", "科技园路 new 3", "ascii new 4"):
        normalize_value.__wrapped__(value)
    assert normalize.cache_info() == text_info
    assert fold.cache_info() == fold_info


def _parsed(e164: str) -> str:
    """What national_number answered before it had a shortcut."""
    if not e164.strip().startswith("+"):
        return ""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return ""


@settings(max_examples=400, deadline=None)
@given(st.sampled_from("3456789"), st.integers(0, 10**9 - 1))
@example("7", 900000000)  # 179..: CN's carrier-code prefix for parsing
@example("7", 999999999)
@example("3", 800138000)
def test_a_mainland_mobile_number_has_phonenumbers_national_number(second: str, rest: int) -> None:
    e164 = f"+861{second}{rest:09d}"
    assert known.national_number.__wrapped__(e164) == _parsed(e164) == e164[3:]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("+86 0123456789１３-")), min_size=0, max_size=16),
)
@example("+8613800138000 ")
@example(" +8613800138000")
@example("+86138001380001")
@example("+861380013800")
@example("+8612800138000")
@example("+86１3800138000")
@example("+8617900138000")
def test_any_other_string_is_parsed_as_before(value: str) -> None:
    assert known.national_number.__wrapped__(value) == _parsed(value)


def _needs_spacing_ref(text: str) -> bool:
    """normalize._needs_spacing before its printable-text character test."""
    if ("  " in text) if text.isprintable() else (nz._WS_RUN.search(text) is not None):
        return True
    return not text.isascii() and nz._GAP.search(text) is not None


@settings(max_examples=600, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("张伟ab1，. \t\n\u3000\u00a0\u2028\x85\x1c·・•‧．･")),
        max_size=10,
    )
)
@example("张 伟")
@example("张·伟")
@example("张伟，深圳")
@example("张\u3000伟")
def test_the_spacing_test_is_the_search(text: str) -> None:
    assert nz._needs_spacing(text) == _needs_spacing_ref(text)
    assert nz._SPACING.search(text) is not None or not nz._needs_spacing(text)
