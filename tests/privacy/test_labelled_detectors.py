"""Label anchoring, dates of birth (kind ``birth_date``) and IM handles (``im_handle``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from labelled_support import assert_round_trip, kinds, values

from notifysdk.privacy.birth_dates import BirthDateDetector, is_birth_date
from notifysdk.privacy.im_handles import ImHandleDetector
from notifysdk.privacy.labels import _trie, labelled
from notifysdk.privacy.masking import mask_birth_date, mask_im_handle
from notifysdk.privacy.tables import columns

BIRTH = BirthDateDetector()
IM = ImHandleDetector()

# --- the label helper -----------------------------------------------------------------

CODE = labelled(("code", "编号"), r"[0-9]{4}(?![0-9])", suffix=r"\s*no\.?")


def spans(text: str) -> list[str]:
    return [h.value for h in CODE.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        *("code 1234", "Code: 1234", "CODE=1234", "编号：1234", "编号是1234", "编号为 1234"),
        *("code-1234", "code no. 1234", "code #1234", "code is 1234", "编号\n1234"),
    ],
)
def test_separators_between_label_and_value(text: str) -> None:
    assert spans(text) == ["1234"]


@pytest.mark.parametrize(
    "text",
    ["barcode 1234", "codes 1234", "code ab 1234", "编号不详 1234", "code 12345", "code      1234"],
)
def test_a_label_must_stand_right_before_its_value(text: str) -> None:
    assert spans(text) == []


def test_spans_are_the_values_and_every_label_is_found() -> None:
    text = "code 1111, 编号2222 and Code: 3333"
    found = list(CODE.finditer(text))
    assert [h.value for h in found] == ["1111", "2222", "3333"]
    assert [text[h.start : h.end] for h in found] == ["1111", "2222", "3333"]


def test_a_label_that_fails_does_not_hide_one_inside_it() -> None:
    # The first word search finds 编号 once; a failed try moves on by one character.
    overlapping = labelled(("生日", "出生"), r"[0-9]{4}(?![0-9])")
    assert [h.value for h in overlapping.finditer("出生日1990")] == ["1990"]


@given(st.lists(st.text("abc号码", min_size=1, max_size=4), min_size=1, max_size=8), st.data())
def test_the_label_trie_finds_exactly_its_words(words: list[str], data: st.DataObject) -> None:
    pattern = re.compile(_trie(words))
    for w in words:
        assert pattern.fullmatch(w)
    text = data.draw(st.text("abc号码 ", max_size=30))
    assert set(pattern.findall(text)) <= set(words)


def test_the_shared_label_scan_does_not_hide_overlapping_labels() -> None:
    # One scan for every detector's labels reports 甲乙 and moves past it; 乙丙, which
    # starts inside it, must still be looked for.
    first = labelled(("甲乙",), r"[a-z]{4}")
    second = labelled(("乙丙",), r"[0-9]{4}")
    text = "甲乙丙 1234"
    assert [h.value for h in first.finditer(text)] == []
    assert [h.value for h in second.finditer(text)] == ["1234"]


def test_a_pattern_made_after_a_text_was_scanned_still_finds_its_label() -> None:
    text = "戊己 5678"
    assert spans(text) == []  # the text is scanned (and the answer cached)
    late = labelled(("戊己",), r"[0-9]{4}")
    assert [h.value for h in late.finditer(text)] == ["5678"]


def test_text_whose_lower_case_is_longer_falls_back_to_a_full_search() -> None:
    text = "İİ code 1234"  # 'İ'.lower() is two characters
    assert len(text.lower()) != len(text)
    assert spans(text) == ["1234"]


# --- dates of birth -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("出生日期：1990-03-07，", "1990-03-07"),
        ("生日是1990年3月7日。", "1990年3月7日"),
        ("出生于1990/3/7", "1990/3/7"),
        ("生于 1990.03.07", "1990.03.07"),
        ("出生日期 19900307", "19900307"),
        ("生于一九九〇年三月七日", "一九九〇年三月七日"),
        ("出生于一九八八年十二月二十七日", "一九八八年十二月二十七日"),
        ("出生年月：1990年3月", "1990年3月"),
        ("出生日期：１９９０－０３－０７", "１９９０－０３－０７"),
        ("DOB: 07/03/1990", "07/03/1990"),
        ("D.O.B. 03/27/1990", "03/27/1990"),  # only month-first can be right
        ("DOB (DD/MM/YYYY): 07/03/1990", "07/03/1990"),
        ("date of birth - 7 March 1990", "7 March 1990"),
        ("Date-of-birth: 7th of March, 1990", "7th of March, 1990"),
        ("born on March 7, 1990", "March 7, 1990"),
        ("born Sept. 7 1990", "Sept. 7 1990"),
        ("birthday is 1990-03-07", "1990-03-07"),
        ("born in March 1990", "March 1990"),
        ('{"date_of_birth": "1990-03-07"}', "1990-03-07"),
        ("dob=1990-03-07&x=1", "1990-03-07"),
        ("ocr: birth=1963年5月10日 conf=0.98", "1963年5月10日"),
        ("read his date of birth as 23 Sep 1964; verified", "23 Sep 1964"),
        ("name,ssn,dob,phone\nEmily Garcia,827275459,17 April 1979,5122173499", "17 April 1979"),
        ("序号,客户,生日,微信\n1,邓颖波,1973年03月28日,dengyingbo3134", "1973年03月28日"),
    ],
)
def test_birth_dates_as_people_write_them(text: str, value: str) -> None:
    assert values(BIRTH, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "还款日 2026-03-07",  # a date that is not a birth date
        "due date 2026-03-07",
        "2026-03-07T10:30:00Z GET /api 200",
        "出生地北京，2026-03-07还款",
        "生日快乐！2026-03-07",
        "birthday promo ends 2026-03-07",
        "出生日期 1990-02-30",  # no such day
        "出生日期 1990-13-01",
        "DOB 31/31/1990",
        "出生日期 1899-12-31",  # before 1900
        "生日3月7日",  # no year
        "born in 1990",  # a year alone
        "出生证明编号 20260307001",
        "出生日期 110101199003071234",  # a resident ID, not a date
    ],
)
def test_birth_date_lookalikes_are_left_alone(text: str) -> None:
    assert values(BIRTH, text) == []


def test_a_birth_date_cannot_be_in_the_future() -> None:
    today = date(2026, 3, 7)
    assert is_birth_date(2026, 3, 7, today)
    assert not is_birth_date(2026, 3, 8, today)
    tomorrow = date.today() + timedelta(days=1)
    assert values(BIRTH, f"DOB {tomorrow.isoformat()}") == []


@pytest.mark.parametrize(
    "text, value, label",
    [
        ("客户出生日期：1990-03-07，已核实", "1990-03-07", "出生日期"),
        ("Customer DOB: 7 March 1990.", "7 March 1990", "DOB"),
    ],
)
def test_birth_date_round_trip(text: str, value: str, label: str) -> None:
    assert_round_trip(text, value, label, "birth_date")


def test_birth_date_mask_tells_nothing() -> None:
    assert mask_birth_date("1990-03-07") == mask_birth_date("一九九〇年三月七日") == "****-**-**"


# --- IM handles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("微信号：zhang_wei88", "zhang_wei88"),
        ("加微信zhangwei1990", "zhangwei1990"),
        ("微信 wxid_abc12345", "wxid_abc12345"),
        ("wx: zw1990", "zw1990"),
        ("WeChat ID: zhangwei", "zhangwei"),  # a plain word after a plain label
        ("WeChat zhangwei88", "zhangwei88"),
        ("WeChat: zhangwei", "zhangwei"),
        ("WeChatID: zhangwei", "zhangwei"),
        ('{"wechat_id":"zhang_wei88"}', "zhang_wei88"),
        ("qq_number: 12345678", "12345678"),
        ("微信号是１２３４５６７８", "１２３４５６７８"),  # an old QQ-number WeChat id
        ("QQ：12345678", "12345678"),
        ("QQ号 123456789。", "123456789"),
        ("qq 12345", "12345"),
        ("抖音号 zw_1990", "zw_1990"),
        ("抖音：1234567890", "1234567890"),
        ("快手号 zw_1990", "zw_1990"),
        ("加薇信zw1990", "zw1990"),
        ("Instagram: @zw_1990", "@zw_1990"),
        ("TG @zhangwei", "@zhangwei"),
        ("Telegram: zhang_wei", "zhang_wei"),
        ("https://t.me/zhangwei", "zhangwei"),
        ("LINE ID: zw.1990", "zw.1990"),
        ("WhatsApp 9123 4567", "9123 4567"),  # not a phone number the phone detectors know
        ('{"tw_id":"R229153934","line":"lifenglan.98"}', "lifenglan.98"),
        ("序号,客户,微信\n1,邓颖波,dengyingbo3134", "dengyingbo3134"),
    ],
)
def test_im_handles_after_the_service_name(text: str, value: str) -> None:
    assert values(IM, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "订单号 12345678",  # a QQ-looking number without an IM label
        "12345678",
        "QQ群 12345678",
        "QQ 1234",  # too short
        "QQ 012345678",
        "微信同号",
        "微信已添加",
        "contact him on WeChat tomorrow",  # a plain word after a plain label
        "WeChat message sent",
        "wechatmessage 12345678",
        "微信 13800138000",  # a mobile: the phone detector's
        "WhatsApp +852 9123 4567",
        "QQ 12345678@qq.com",  # an email address: the email detector's
        "wx.config({debug: true})",
        "error at line 12345",
        '{"file": "a.py", "line": 1234}',
        "客户,微信\n张三,已添加",  # a column labelled 微信 holding no handle
        "settings tg 12345",
        "TG 12345",
    ],
)
def test_im_lookalikes_are_left_alone(text: str) -> None:
    assert values(IM, text) == []


def test_every_row_of_a_labelled_column() -> None:
    text = "序号,客户,微信,QQ\n1,邓颖波,dengyingbo3134,678195879\n2,李四,lisi_88,12345\n"
    assert values(IM, text) == ["dengyingbo3134", "lisi_88", "678195879", "12345"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("微信 13800138000", [("phone", "13800138000")]),
        ("QQ 13800138000", [("phone", "13800138000")]),
        ("WhatsApp +852 9123 4567", [("phone", "+852 9123 4567")]),
        ("QQ 12345678@qq.com", [("email", "12345678@qq.com")]),
        ("QQ：12345678，手机13800138000", [("im_handle", "12345678"), ("phone", "13800138000")]),
    ],
)
def test_im_handles_are_not_reported_as_another_kind(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text, value, label",
    [
        ("客户微信号：zhang_wei88，已加好友", "zhang_wei88", "微信号"),
        ("QQ：12345678。", "12345678", "QQ"),
        ("Telegram: @zhangwei.", "@zhangwei", "Telegram"),
    ],
)
def test_im_round_trip(text: str, value: str, label: str) -> None:
    assert_round_trip(text, value, label, "im_handle")


@pytest.mark.parametrize(
    "value, mask", [("zhang_wei88", "z***"), ("12345678", "1***"), ("@zhangwei", "@***")]
)
def test_im_mask_keeps_the_first_character(value: str, mask: str) -> None:
    assert mask_im_handle(value) == mask


# --- tables ---------------------------------------------------------------------------


def cells(text: str) -> dict[str, list[str]]:
    return {c.header: [text[s:e] for s, e in c.cells] for c in columns(text)}


def test_a_table_pairs_each_header_cell_with_the_cells_under_it() -> None:
    assert cells("a,b\n1,2\n3,4") == {"a": ["1", "3"], "b": ["2", "4"]}
    assert cells("a\tb\n1\t2") == {"a": ["1"], "b": ["2"]}
    assert cells("a | b\n 1 | 2 ") == {"a": ["1"], "b": ["2"]}


def test_quotes_are_stripped_and_a_quoted_delimiter_does_not_split() -> None:
    assert cells('name,note\n"Smith, J","x"') == {"name": ["Smith, J"], "note": ["x"]}


def test_a_table_ends_at_a_line_with_fewer_cells() -> None:
    assert cells("a,b\n1,2\nfree text\n3,4") == {"a": ["1"], "b": ["2"]}


def test_a_line_with_more_cells_is_still_a_row() -> None:
    assert cells("time,amount\n10:30,94,100.00")["time"] == ["10:30"]


def test_no_table_in_one_line_or_without_delimiters() -> None:
    assert columns("a,b,c") == ()
    assert columns("first line\nsecond line") == ()
