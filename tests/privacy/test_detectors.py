"""The built-in detectors, one behaviour at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifysdk.privacy import (
    Finding,
    KnownValues,
    Redactor,
    default_detectors,
    merge_findings,
)
from notifysdk.privacy.text import fold
from notifysdk.testing import sample_account

REDACTOR = Redactor(default_detectors())


def kinds(text: str, known: KnownValues | None = None) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.find(text, known)]


@pytest.mark.parametrize(
    "text, value",
    [
        ("身份证11010519491231002X，请核对", "11010519491231002X"),
        ("身份证11010519491231002x。", "11010519491231002x"),
        ("ID 110105 19491231 002X on file", "110105 19491231 002X"),
        ("证件号１１０１０５１９４９１２３１００２Ｘ", "１１０１０５１９４９１２３１００２Ｘ"),
        ("旧证110105491231002号", "110105491231002"),
    ],
)
def test_resident_ids_in_every_written_form(text: str, value: str) -> None:
    assert kinds(text) == [("national_id", value)]


@pytest.mark.parametrize(
    "text",
    [
        "身份证110105194912310021，请核对",  # wrong check digit
        "编号110105194913310021X",  # month 13
        "编号990105194912310026",  # no such province
        "旧证110105491331002号",  # month 13 in a 15-digit number
    ],
)
def test_resident_id_lookalikes_are_left_alone(text: str) -> None:
    assert [k for k, _ in kinds(text)] == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("请拨打13800138000联系", "13800138000"),
        ("手机138 0013 8000。", "138 0013 8000"),
        ("手机138-0013-8000。", "138-0013-8000"),
        ("电话+86 138 0013 8000，", "+86 138 0013 8000"),
        ("电话0086-13800138000，", "0086-13800138000"),
        ("电话(+86)13800138000，", "(+86)13800138000"),
        ("电话１３８００１３８０００，", "１３８００１３８０００"),
        ("Call +1 415-555-2671 now", "+1 415-555-2671"),
        ("Call (415) 555-2671 now", "(415) 555-2671"),
        ("座机010-62345678转", "010-62345678"),
        ("UK +44 20 7946 0958.", "+44 20 7946 0958"),
    ],
)
def test_phone_numbers_as_people_write_them(text: str, value: str) -> None:
    assert kinds(text) == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    [
        "订单号2024031500123已发货",
        "日期2024-03-15 10:30:00",
        "ORD-505338-2480 shipped",
        "号码12012345678无效",  # not a mobile prefix
        "共138001380条",  # too short
    ],
)
def test_phone_lookalikes_are_left_alone(text: str) -> None:
    assert [k for k, _ in kinds(text)] == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("卡号6222021380013800128请核对", "6222021380013800128"),
        ("card 4111 1111 1111 1111 expired", "4111 1111 1111 1111"),
        ("卡号4111-1111-1111-1111，", "4111-1111-1111-1111"),
        ("卡号６２２２ ０２１３ ８００１ ３８００ 2次", "６２２２ ０２１３ ８００１ ３８００"),
        ("Amex 3782 822463 10005.", "3782 822463 10005"),
    ],
)
def test_card_numbers_grouped_or_not(text: str, value: str) -> None:
    assert kinds(text) == [("card", value)]


def test_card_failing_luhn_or_without_issuer_is_left_alone() -> None:
    assert kinds("号码4111 1111 1111 1112，") == []
    # After a card or account label it is still an account number, masked as one.
    assert kinds("卡号4111 1111 1111 1112，") == [("bank_account", "4111 1111 1111 1112")]
    assert kinds("流水号2024031512345678") == []  # 16 digits, no issuer starts with 2024


def test_emails_next_to_chinese_text() -> None:
    text = "邮箱zhang.wei+loan@mail.example.cn谢谢"
    assert kinds(text) == [("email", "zhang.wei+loan@mail.example.cn")]


def test_amounts_with_a_currency() -> None:
    assert [k for k, _ in kinds("应还¥1,246.80，另计12元手续费")] == ["amount", "amount"]
    assert kinds("逾期10天") == []


def test_known_values_found_verbatim_latin_names_case_insensitively() -> None:
    account = sample_account(1, locale="en")
    known = KnownValues.from_account(account)
    text = f"Dear ALEX SMITH, re {account.loan_id}: Smith owes; Smithson does not."
    found = kinds(text, known)
    assert ("name", "ALEX SMITH") in found
    assert ("loan_id", account.loan_id) in found
    assert ("name", "Smith") in found
    assert all(v != "Smithson" for _, v in found)


def test_public_values_are_not_personal_data() -> None:
    redactor = Redactor(default_detectors(), public=["400-820-8820", "+86 10 6234 5678"])
    text = "热线400-820-8820，或010-62345678"
    assert redactor.find(text) == []
    assert kinds(text) != []


def test_overlapping_findings_merge_into_the_wider_span() -> None:
    merged = merge_findings([Finding("phone", 5, 15, "a"), Finding("card", 0, 10, "b")])
    assert merged == [Finding("card", 0, 15, "b")]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_fold_keeps_every_span(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(
    st.lists(
        st.sampled_from(["张伟", "13800138000", "6222021380013800", "，", " ", "x", "1"]),
        max_size=12,
    )
)
def test_log_masking_leaves_nothing_detectable(parts: list[str]) -> None:
    text = "".join(parts)
    masked = REDACTOR.mask_for_log(text)
    assert REDACTOR.find(masked) == []
