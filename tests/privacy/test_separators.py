"""Resident IDs, cards and mobiles split by wider separators (two spaces, a slash, a dot,
a spaced dash, mixes), mobiles in Chinese digits — and the dates, IP addresses and
versions those separators must not turn into numbers (issue 21)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from notifysdk.privacy import KnownValues, Redactor, default_detectors
from notifysdk.privacy.phones import is_cn_mobile
from notifysdk.privacy.text import digits_of, fold_digits

REDACTOR = Redactor(default_detectors())


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.find(text)]


def _resident_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


ID = _resident_id("11010119900307123")  # 110101199003071233
ID_X = "11010519491231002X"
CARD = "6222021380013800"  # Luhn-valid 6-series, 16 digits
assert ric.is_valid(ID) and ric.is_valid(ID_X) and luhn.is_valid(CARD)


def _group(value: str, sizes: tuple[int, ...], seps: tuple[str, ...]) -> str:
    out, i = [], 0
    for n, sep in zip(sizes, (*seps, ""), strict=True):
        out.append(value[i : i + n] + sep)
        i += n
    return "".join(out)


def _full_width(s: str) -> str:
    return s.translate({c: c + 0xFEE0 for c in map(ord, "0123456789/.")})


@pytest.mark.parametrize(
    "value",
    [
        _group(ID, (6, 8, 4), ("/", "/")),
        _group(ID, (6, 8, 4), ("  ", "  ")),
        _group(ID, (6, 8, 4), (".", ".")),
        _group(ID, (6, 8, 4), (" / ", " - ")),
        _group(ID, (6, 4, 4, 4), ("  ", " ", "-")),  # mixed
        _group(ID_X, (6, 8, 4), ("/", "/")),  # the check digit X
        _full_width(_group(ID, (6, 8, 4), ("/", "/"))),
    ],
)
@pytest.mark.parametrize("template", ["身份证{}，已核对", "ID on file: {}; thanks.", "证件号：{}"])
def test_resident_ids_with_wide_separators(value: str, template: str) -> None:
    text = template.format(value)
    assert found(text) == [("national_id", value)]


@pytest.mark.parametrize(
    "value",
    [
        _group(CARD, (4, 4, 4, 4), ("  ", "  ", "  ")),
        _group(CARD, (4, 4, 4, 4), ("/", "/", "/")),
        _group(CARD, (4, 4, 4, 4), (" - ", " - ", " - ")),
        _group(CARD, (4, 4, 4, 4), (" ", "  ", "-")),
        _full_width(_group(CARD, (4, 4, 4, 4), ("  ", "  ", "  "))),
    ],
)
@pytest.mark.parametrize("template", ["卡号{}已冻结", "Card {} was declined."])
def test_cards_with_wide_separators(value: str, template: str) -> None:
    text = template.format(value)
    assert found(text) == [("card", value)]


@pytest.mark.parametrize(
    "value",
    [
        "138  0013  8000",
        "138/0013/8000",
        "138.0013.8000",
        "138 / 0013 / 8000",
        "138 0013  8000",
        "1380  0138  000",
        "+86  138  0013  8000",
        "(+86) 138/0013/8000",
        "１３８／００１３／８０００",
    ],
)
@pytest.mark.parametrize("template", ["手机：{}，请回电", "Please call {} before Friday."])
def test_mobiles_with_wide_separators(value: str, template: str) -> None:
    text = template.format(value)
    assert found(text) == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    [
        "还款日 2026/03/07，已提醒",
        "日期2026.03.07 10:30",
        "due 03/07/2026 and 2026/03/08",
        "client 10.0.0.138 connected from 192.168.10.23",
        "version 10.0.19045.2965 installed",
        "App 2.13.1380.0138 build",
        "路径 /api/v2/138/0013 返回 404",
        "区间 1380.0013 至 1380.8000",
        "score 1.38 / 0.13 / 80.00",
        "身份证 110101/19900307/1234 有误",  # wrong check digit
        "卡号 6222/0213/8001/3801",  # fails Luhn
    ],
)
def test_wide_separators_make_nothing_of_dates_ips_and_versions(text: str) -> None:
    assert found(text) == []


def test_a_dotted_chain_is_never_cut_into_a_number() -> None:
    # 138.0013.8000 would be a mobile, but here it is the tail of a longer dotted chain.
    assert found("trace 1.138.0013.8000 ok") == []
    assert found("ver 138.0013.8000.1 ok") == []


@pytest.mark.parametrize(
    "value",
    [
        "一三八零零一三八零零零",
        "幺三八零零幺三八零零零",
        "一三八〇〇一三八〇〇〇",
        "138零零13八000",
        "一三八 零零一三 八零零零",
        "一三八-零零一三-八零零零",
    ],
)
@pytest.mark.parametrize("template", ["客户说手机是{}，晚上打", "号码{}。", "mobile {} (spoken)"])
def test_mobiles_in_chinese_digits(value: str, template: str) -> None:
    text = template.format(value)
    assert found(text) == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    [
        "一二三四五六七八九十",
        "第一三八零零一三八零零零一期",  # twelve digits: not a mobile
        "一二零零一三八零零零零",  # 120...: no mobile prefix
        "他说一三八零零一三八零",  # ten digits
        "三三两两，一一道来",
    ],
)
def test_chinese_digit_lookalikes_are_left_alone(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "prefix, value, suffix",
    [
        ("身份证 ", "110101/19900307/1233", " 已核"),
        ("卡号 ", "6222  0213  8001  3800", " 已冻结"),
        ("Call ", "138/0013/8000", " now."),
        ("手机", "一三八零零一三八零零零", "，晚上打"),
        ("手机", "138零零13八000", "请回电"),
    ],
)
def test_redaction_round_trip(prefix: str, value: str, suffix: str) -> None:
    red = REDACTOR.mask(prefix + value + suffix, "log")
    assert red.clean
    assert value not in red.text
    assert red.text.startswith(prefix) and red.text.endswith(suffix)
    assert REDACTOR.find(red.text) == []  # the mask is not found again
    masked = digits_of(red.text[len(prefix) : len(red.text) - len(suffix)])
    assert digits_of(value)[3:-4] not in masked  # at most 138****8000 remains


def test_a_known_mobile_written_in_chinese_digits_is_masked_at_every_level() -> None:
    known = KnownValues(values=(("phone", "+8613800138000"),))
    red = REDACTOR.mask("电话一三八零零一三八零零零", "limited", known)
    assert red.text == "电话****8000"


_SEPS = st.sampled_from(["  ", "/", ".", " / ", " - ", "\t", " -", "- "])


@given(
    st.sampled_from(["138", "139", "150", "186", "199", "177"]),
    st.integers(0, 10**8 - 1),
    _SEPS,
    _SEPS,
)
def test_any_valid_mobile_with_any_wide_separators_is_found(
    prefix: str, rest: int, a: str, b: str
) -> None:
    number = f"{prefix}{rest:08d}"
    value = f"{number[:3]}{a}{number[3:7]}{b}{number[7:]}"
    text = f"手机{value}谢谢"
    hits = found(text)
    assert (("phone", value) in hits) == is_cn_mobile(number)


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.sampled_from(["/", ".", "-", " / ", "  "]),
    st.sampled_from(["%Y{0}%m{0}%d", "%d{0}%m{0}%Y", "%m{0}%d{0}%Y"]),
)
@example(date(2000, 10, 10), ".", "%d{0}%m{0}%Y")  # once read as a phone number
def test_dates_with_any_separator_are_never_numbers(day: date, sep: str, form: str) -> None:
    assert found(f"到期日{day.strftime(form.format(sep))}，请还款") == []
    assert found(f"Due {day.strftime(form.format(sep))} at the latest.") == []


@given(st.text(alphabet="零〇一幺二三四五六七八九0123456789 -中x", max_size=40))
def test_fold_digits_keeps_every_span(text: str) -> None:
    assert len(fold_digits(text)) == len(text)
