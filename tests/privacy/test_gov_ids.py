"""Government numbers other than the mainland resident ID: SSN, NINO, HK/Macao/Taiwan
IDs, passports and travel permits (kind ``national_id``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from labelled_support import assert_round_trip, kinds, values

from notifysdk.privacy.gov_ids import (
    HongKongIdDetector,
    MacaoIdDetector,
    PassportDetector,
    TaiwanIdDetector,
    UkNinoDetector,
    UsSsnDetector,
    is_hkid,
    is_nino,
    is_ssn,
    is_taiwan_id,
)
from notifysdk.privacy.masking import mask_national_id

SSN = UsSsnDetector()
NINO = UkNinoDetector()
HK = HongKongIdDetector()
MO = MacaoIdDetector()
TW = TaiwanIdDetector()
PASSPORT = PassportDetector()

# --- SSN ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("SSN 536-90-4399 on file", "536-90-4399"),
        ("ref 536-90-4399.", "536-90-4399"),  # the dashed shape needs no label
        ("SSN: 536904399.", "536904399"),
        ("Social Security No. 536 90 4399", "536 90 4399"),
        ("social-security number #536904399", "536904399"),
        ("美国社会安全号码：536904399，", "536904399"),
        ("社安号为５３６－９０－４３９９。", "５３６－９０－４３９９"),
        ('{"ssn":"536904399"}', "536904399"),  # JSON
        ("ssn_no='536904399'", "536904399"),
        ("Customer read his SSN as 536904399 and", "536904399"),
    ],
)
def test_ssns_as_people_write_them(text: str, value: str) -> None:
    assert values(SSN, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "订单号536904399已发货",  # nine digits without a label
        "ref 536904399",
        "SSN 666-90-4399",  # area 666 is never issued
        "SSN 936-90-4399",  # nor 9xx
        "SSN 536-00-4399",  # group 00
        "SSN 536-90-0000",  # serial 0000
        "SSN 078-05-1120",  # the Woolworth wallet card
        "ORD-536-90-4399",  # part of a longer code
        "536-90-4399-01",
        "SSNs 536904399",  # not the label
        "phone 415-555-2671",
        "2026-03-07 10:30",
    ],
)
def test_ssn_lookalikes_are_left_alone(text: str) -> None:
    assert values(SSN, text) == []


@pytest.mark.parametrize(
    "text, detector, expected",
    [
        ("name,ssn,dob\nEmily Garcia,536904399,1990-03-07", SSN, ["536904399"]),
        ("name,ssn\nA,536 90 4399\nB,536904398\n", SSN, ["536 90 4399", "536904398"]),
        ("客户，澳门身份证，护照\n谢阳怡，5675126(4)，E03266176", MO, ["5675126(4)"]),
        ("客户，澳门身份证，护照\n谢阳怡，5675126(4)，E03266176", PASSPORT, ["E03266176"]),
        ('case\tpassport\n3538\t"577461469"', PASSPORT, ["577461469"]),
        # Without a label over it, a column of digits is nobody's.
        ("name,ref\nEmily Garcia,536904399", SSN, []),
        ("客户,编号,护照\n谢阳怡,5675126(4),E03266176", MO, []),
    ],
)
def test_a_label_heading_a_table_column_labels_its_cells(
    text: str, detector: UsSsnDetector | MacaoIdDetector | PassportDetector, expected: list[str]
) -> None:
    assert values(detector, text) == expected


def test_ssn_rules_come_from_stdnum() -> None:
    assert is_ssn("536904399")
    assert not is_ssn("000904399") and not is_ssn("53690439") and not is_ssn("53690439x")


def test_ssn_round_trip() -> None:
    assert_round_trip("Customer SSN: 536-90-4399, verified", "536-90-4399", "SSN", "national_id")


# --- NINO -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("NI number: AB 12 34 56 C", "AB 12 34 56 C"),
        ("his NINO is ab123456c.", "ab123456c"),
        ("National Insurance No. JG103759A", "JG103759A"),
        ("NI no AB123456", "AB123456"),  # the suffix may be left out after a label
        ("客户英国国民保险号：ＡＢ１２３４５６Ｃ。", "ＡＢ１２３４５６Ｃ"),
        ("see AB 12 34 56 C", "AB 12 34 56 C"),  # capitals, with its suffix: no label needed
        ("记录AB123456C。", "AB123456C"),
    ],
)
def test_ninos_as_people_write_them(text: str, value: str) -> None:
    assert values(NINO, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "code ab123456c",  # lower case needs a label
        "AB123456",  # no suffix, no label
        "NINO DA123456C",  # D is never a first letter
        "NINO AO123456C",  # O is never a second letter
        "NINO GB123456A",  # GB is not allocated
        "NINO AB123456E",  # suffixes are A-D
        "SKU XAB123456C",
        "tracking SF1234567890123",
        "1Z999AA10123456784",
    ],
)
def test_nino_lookalikes_are_left_alone(text: str) -> None:
    assert values(NINO, text) == []


def test_nino_prefix_rules() -> None:
    assert is_nino("JG103759A") and is_nino("JG103759")
    assert not is_nino("NK103759A") and not is_nino("QQ123456C") and not is_nino("JG10375A")


def test_nino_round_trip() -> None:
    assert_round_trip("NI number: AB 12 34 56 C.", "AB 12 34 56 C", "NI number", "national_id")


# --- Hong Kong ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("身份证 A123456(3)，", "A123456(3)"),
        ("持香港身份證C668668（9）辦理", "C668668（9）"),
        ("HKID: C6686689", "C6686689"),  # no brackets after a label
        ("HKID no. c668668(9)", "c668668(9)"),
        ("ID card AB987654(3).", "AB987654(3)"),
        ("ID-card no. A1234563", "A1234563"),  # unbracketed: found through its label
        ("香港身份证号码：Ａ１２３４５６（３）", "Ａ１２３４５６（３）"),
        ("copy of A123456 (3) attached", "A123456 (3)"),  # the bracketed form anywhere
    ],
)
def test_hong_kong_ids_as_people_write_them(text: str, value: str) -> None:
    assert values(HK, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "身份证 A123456(4)",  # wrong check digit
        "copy of A1234563",  # unbracketed needs a label
        "订单 A123456(3)X",
        "Item B123456(7) shipped",  # wrong check digit
        "HKID: A12345(3)",
    ],
)
def test_hong_kong_lookalikes_are_left_alone(text: str) -> None:
    assert values(HK, text) == []


@given(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
)
def test_exactly_one_hkid_check_character(letters: str, digits: str) -> None:
    assert sum(is_hkid(letters + digits + c) for c in "0123456789A") == 1


def test_hong_kong_round_trip() -> None:
    assert_round_trip("香港身份证：A123456(3)，已核对", "A123456(3)", "香港身份证", "national_id")


# --- Macao ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("澳门身份证 1234567(8)，", "1234567(8)"),
        ("澳門居民身份證號碼：5123456（7）", "5123456（7）"),
        ("Macau ID 1/234567/8", "1/234567/8"),
        ("Macao ID no: 71234567", "71234567"),
        ("BIR 1234567 (8)", "1234567 (8)"),
        ("Macau ID card No. 1234567(8)", "1234567(8)"),  # two suffixes
    ],
)
def test_macao_ids_after_a_label(text: str, value: str) -> None:
    assert values(MO, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "编号 1234567(8)",  # no label: no check digit to go by
        "澳门身份证 2234567(8)",  # first digit is 1, 5 or 7
        "澳门身份证 123456(8)",
        "澳门身份证 12345678901",
        "澳门身份证已过期",
    ],
)
def test_macao_lookalikes_are_left_alone(text: str) -> None:
    assert values(MO, text) == []


def test_macao_round_trip() -> None:
    assert_round_trip("澳门身份证：1234567(8)。", "1234567(8)", "澳门身份证", "national_id")


# --- Taiwan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("台湾身份证 A123456789，", "A123456789"),
        ("身分證字號：A123456789", "A123456789"),
        ("ID A123456789 on file", "A123456789"),  # with its check digit, no label needed
        ("統一證號 A800000014", "A800000014"),  # new-style resident certificate
        ("居留證 AC01234567", "AC01234567"),  # old-style resident certificate
        ("台湾身份证：Ａ１２３４５６７８９", "Ａ１２３４５６７８９"),
        ("身分證 a123456789", "a123456789"),
    ],
)
def test_taiwan_ids_as_people_write_them(text: str, value: str) -> None:
    assert values(TW, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "ID A123456788",  # wrong check digit
        "code A800000014",  # resident certificates need a label
        "code AC01234567",
        "批次 A202403151",  # a letter and a year-month: a batch code
        "SKU XA123456789",
        "A1234567890",
        "LN202600000001",
    ],
)
def test_taiwan_lookalikes_are_left_alone(text: str) -> None:
    assert values(TW, text) == []


@given(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.sampled_from("1289ABCD"),
    st.text("0123456789", min_size=7, max_size=7),
)
def test_exactly_one_taiwan_check_digit(letter: str, second: str, digits: str) -> None:
    assert sum(is_taiwan_id(letter + second + digits + c) for c in "0123456789") == 1


def test_taiwan_round_trip() -> None:
    assert_round_trip("台湾身份证：A123456789。", "A123456789", "台湾身份证", "national_id")


# --- Passports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("护照号码：E12345678，", "E12345678"),
        ("护照G12345678", "G12345678"),
        ("Passport No. 123456789", "123456789"),
        ("passport #: EA1234567", "EA1234567"),
        ("持因公护照PE1234567出境", "PE1234567"),
        ("港澳通行证 C12345678", "C12345678"),
        ("回乡证号码 H1234567801", "H1234567801"),
        ("台胞证 12345678。", "12345678"),
        ("護照號碼為Ｋ１２３４５６７８", "Ｋ１２３４５６７８"),
        ("passport_no=E12345678&name=x", "E12345678"),
        ('{"passportNumber": "E12345678"}', "E12345678"),
    ],
)
def test_passports_after_a_label(text: str, value: str) -> None:
    assert values(PASSPORT, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "E12345678",  # no label
        "passport photo uploaded",
        "护照已过期",
        "passport expired 2030-01-01",
        "护照有效期至2030年1月1日",
        "护照 12345",  # too short
        "passport 123456789012",  # too long
        "订单号E12345678",
    ],
)
def test_passport_lookalikes_are_left_alone(text: str) -> None:
    assert values(PASSPORT, text) == []


def test_passport_round_trip() -> None:
    assert_round_trip("客户护照号：E12345678，已拍照", "E12345678", "护照号", "national_id")


# --- Interplay and masks --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # The mainland ID is the resident-ID detector's alone, after any ID label.
        ("身份证11010519491231002X", [("national_id", "11010519491231002X")]),
        ("护照 11010519491231002X", [("national_id", "11010519491231002X")]),
        # A mobile after a passport label stays a phone.
        ("护照 13800138000", [("phone", "13800138000")]),
        ("SSN 536904399 手机13800138000", [("national_id", "536904399"), ("phone", "13800138000")]),
        ("v2.10.3 192.168.1.10 工单 123456789 合同 HT20260307001", []),
    ],
)
def test_no_double_reports_and_no_false_ids(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "value", ["536-90-4399", "536904399", "A123456(3)", "1/234567/8", "AB 12 34 56 C", "E12345678"]
)
def test_the_mask_has_one_shape_whatever_the_length(value: str) -> None:
    mask = mask_national_id(value)
    assert len(mask) == 18 and mask.count("*") == 16
    assert mask[0] == value[0] and mask[-1] == [c for c in value if c.isalnum()][-1]
