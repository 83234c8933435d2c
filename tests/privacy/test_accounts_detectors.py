"""Bank accounts (kind ``bank_account``): IBANs anywhere, other account numbers after an
account label; cards, resident IDs and mobiles stay their own detectors'."""

from __future__ import annotations

import pytest
from labelled_support import assert_round_trip, kinds, values
from stdnum import iban

from notifysdk.privacy.accounts import BankAccountDetector, IbanDetector, is_iban
from notifysdk.privacy.masking import mask_bank_account

IBAN = IbanDetector()
ACCOUNT = BankAccountDetector()


# --- IBAN -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("IBAN DE89 3704 0044 0532 0130 00 paid", "DE89 3704 0044 0532 0130 00"),
        ("to GB29NWBK60161331926819.", "GB29NWBK60161331926819"),
        ("收款IBAN：GB29 NWBK 6016 1331 9268 19，", "GB29 NWBK 6016 1331 9268 19"),
        ("iban: gb29nwbk60161331926819", "gb29nwbk60161331926819"),  # any case after IBAN
        ("FR14 2004 1010 0505 0001 3M02 606 received", "FR14 2004 1010 0505 0001 3M02 606"),
        ("NO9386011117947 ok", "NO9386011117947"),  # the shortest country
        # A word of four capitals after a grouped IBAN is not swallowed.
        ("DE89 3704 0044 0532 0130 00 PAID", "DE89 3704 0044 0532 0130 00"),
        (
            "账户ＤＥ８９３７０４００４４０５３２０１３０００",
            "ＤＥ８９３７０４００４４０５３２０１３０００",
        ),
    ],
)
def test_ibans_as_people_write_them(text: str, value: str) -> None:
    assert values(IBAN, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "DE89 3704 0044 0532 0130 01",  # check digits wrong
        "DE88370400440532013000",
        "XX89370400440532013000",  # no such country
        "tracking SF1234567890123",
        "1Z999AA10123456784",
        "LN202600000001",
        "order AB12345678901234",
        "de89370400440532013000",  # lower case without the label
    ],
)
def test_iban_lookalikes_are_left_alone(text: str) -> None:
    assert values(IBAN, text) == []


def test_iban_check_is_stdnum_mod_97() -> None:
    valid = "GB29NWBK60161331926819"
    assert is_iban(valid) and iban.is_valid(valid)
    for i, c in enumerate(valid[4:], start=4):
        if c.isdigit():  # any one changed digit breaks the mod-97 check
            assert not is_iban(valid[:i] + str((int(c) + 1) % 10) + valid[i + 1 :])


def test_iban_round_trip() -> None:
    assert_round_trip(
        "Refund to IBAN DE89 3704 0044 0532 0130 00 today",
        "DE89 3704 0044 0532 0130 00",
        "IBAN",
        "bank_account",
    )


# --- Account numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("收款账户 1234 5678 9012 3456 789，", "1234 5678 9012 3456 789"),
        ("银行账号：110 123 456 789 012，", "110 123 456 789 012"),
        ("对公账户为12345678901234567890", "12345678901234567890"),
        ("帳號：0123-4567-8901", "0123-4567-8901"),
        ("账户号码 ６２１２３４５６７８９０", "６２１２３４５６７８９０"),
        ("sort code 12-34-56, account 12345678", "12345678"),
        ("Account No.: 00123456789", "00123456789"),
        ("acct #4400 1234 5678", "4400 1234 5678"),
        ("A/C 12345678.", "12345678"),
        ("his account number is 12345678", "12345678"),
        ('{"bank_account_no": "12345678"}', "12345678"),
        ("acct_number=00123456789", "00123456789"),
        ('{"account": {"no": "12345678901", "bank": "x"}}', "12345678901"),
        (
            "时间,账号,户名,金额\n2026-11-08 16:09:55,1018331621232979,何涛燕,人民币94,100.00元",
            "1018331621232979",
        ),
        # 卡号 followed by a number that is not a Luhn card: still an account.
        ("卡号 1234567890123456", "1234567890123456"),
    ],
)
def test_account_numbers_after_a_label(text: str, value: str) -> None:
    assert values(ACCOUNT, text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "订单号 2024031500123",  # no account label
        "工单 12345678 已处理",
        "合同号 12345678901",
        "发票号码 12345678",
        "账户余额 5000元",
        "账号 1234567",  # seven digits
        "账号 2026-03-07 到期",  # a date
        "sort code 12-34-56",
        "账户已冻结，请联系客服",
        "account LN202600000001",  # a loan id
        "account 2024-03-15 10:30",
        "QQ账号 12345678",  # an IM account: the IM detector's
        "微信账号 12345678",
        "账户尾号 1234",
    ],
)
def test_account_lookalikes_are_left_alone(text: str) -> None:
    assert values(ACCOUNT, text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # A Luhn-valid card after 卡号 or 账号 is the card detector's.
        ("卡号 6222 0213 8001 3800", [("card", "6222 0213 8001 3800")]),
        ("银行账号：6228480402564890018", [("card", "6228480402564890018")]),
        # A resident ID or a mobile after 账号 keeps its own kind.
        ("账号 11010519491231002X", [("national_id", "11010519491231002X")]),
        ("支付宝账号 13800138000", [("phone", "13800138000")]),
        ("QQ账号 12345678", [("im_handle", "12345678")]),
    ],
)
def test_numbers_other_detectors_own_are_not_reported_twice(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text, value, label",
    [
        ("请向银行账号：1234 5678 9012 3456 789 转账", "1234 5678 9012 3456 789", "银行账号"),
        ("sort code 12-34-56, account 12345678.", "12345678", "account"),
    ],
)
def test_account_round_trip(text: str, value: str, label: str) -> None:
    assert_round_trip(text, value, label, "bank_account")


@pytest.mark.parametrize(
    "value, mask",
    [
        ("1234 5678 9012 3456 789", "****6789"),
        ("DE89 3704 0044 0532 0130 00", "****3000"),
        ("１２３４５６７８", "****5678"),
        ("12345", "****"),
    ],
)
def test_account_mask_keeps_the_last_four(value: str, mask: str) -> None:
    assert mask_bank_account(value) == mask
