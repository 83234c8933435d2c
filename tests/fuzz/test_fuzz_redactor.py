"""Fuzz the redactor: any text, at any level, with or without known values, is masked
without an exception (the logging filter runs it on every log record, the dispatcher on
every notice, so a crash there fails a send or a caller's ``log.warning``).

Texts are soups of the tokens the detectors read (labels, currency signs, numbers in
every grouping, ID and phone shapes, e-mail pieces, separators) so that the rarer
branches are reached; a money label before a decimal-comma number raised here once.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.channels import Disclosure
from notifysdk.privacy import KnownValues, Level, Redactor, default_detectors

REDACTOR = Redactor(default_detectors())
KNOWN = KnownValues(
    (
        ("name", "张伟"),
        ("phone", "+8613800138000"),
        ("amount", "1234.50"),
        ("address", "上海市浦东新区世纪大道100号"),
        ("national_id", "11010519491231002X"),
    )
)

_WORDS = [
    # money labels, units, multipliers, currencies
    "欠款",
    "应还",
    "共计",
    "余额",
    "第",
    "元",
    "块",
    "万",
    "千",
    "亿",
    "十",
    "百",
    "两",
    "balance",
    "owed",
    "total",
    "amount due",
    "k",
    "m",
    "million",
    "EUR",
    "€",
    "$",
    "¥",
    "￥",
    "US$",
    "HK$",
    "RMB",
    "CNY",
    # phone, ID, card, account and birth-date labels
    "电话",
    "手机",
    "Tel",
    "call",
    "联系",
    "身份证",
    "护照",
    "passport",
    "SSN",
    "NINO",
    "卡号",
    "账号",
    "account",
    "IBAN",
    "出生",
    "DOB",
    "微信",
    "QQ",
    "WeChat",
    # shapes
    "+86",
    "+1",
    "+44",
    "(",
    ")",
    "-",
    "/",
    ".",
    ",",
    "，",
    "：",
    ":",
    "@",
    " at ",
    " dot ",
    "example.com",
    "user",
    "号",
    "路",
    "室",
    "栋",
    "Road",
    "Flat",
    "X",
    "A",
    "DD",
    "PZQ",
    # separators
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "|",
    ";",
    "；",
    "。",
]
_NUMBER = st.one_of(
    st.from_regex(r"\A[0-9]{1,20}\Z", fullmatch=True),
    st.from_regex(r"\A[0-9]{1,3}([.,][0-9]{1,3}){1,4}\Z", fullmatch=True),
    st.from_regex(r"\A[0-9]{2,4}([ -][0-9]{2,4}){1,4}\Z", fullmatch=True),
    st.sampled_from(["13800138000", "11010519491231002X", "6222020000000000000", "1234.50"]),
)
_TOKEN = st.one_of(st.sampled_from(_WORDS), _NUMBER, st.text(max_size=3))
_TEXT = st.lists(_TOKEN, min_size=1, max_size=24).map("".join)
_LEVELS = [*Disclosure, Level.LOG]


@settings(max_examples=1200, deadline=None)
@given(text=_TEXT, level=st.sampled_from(_LEVELS), known=st.booleans())
def test_mask_never_raises(text: str, level: Disclosure | Level, known: bool) -> None:
    red = REDACTOR.mask(text, level, KNOWN if known else None)
    assert isinstance(red.text, str)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_mask_for_log_never_raises(text: str) -> None:
    assert isinstance(REDACTOR.mask_for_log(text, KNOWN), str)
