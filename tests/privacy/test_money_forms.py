"""Money written the way people write it (issue 21): colloquial and Chinese-numeral
forms are amounts, dates, counts, ordinals and versions are not; a third party never
receives one, and the account's own amounts are found even bare."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifysdk.privacy import KnownValues, Level, Redactor, default_detectors
from notifysdk.privacy.known_match import KnownValuesDetector
from notifysdk.privacy.money import MoneyDetector, scan
from notifysdk.privacy.normalize import normalize
from notifysdk.privacy.numerals import chinese_forms, parse_number

REDACTOR = Redactor(default_detectors())
MONEY = MoneyDetector()
NOTHING = KnownValues()


def amounts(text: str) -> list[tuple[str, Decimal]]:
    """(original text, value) of every amount the money detector reads in ``text``."""
    norm = normalize(text)
    out = []
    for a in scan(norm.text):
        start, end = norm.span(a.start, a.end)
        out.append((text[start:end], a.value))
    assert [text[f.start : f.end] for f in MONEY.find(text, NOTHING)] == [v for v, _ in out]
    return out


POSITIVES = [
    ("欠3500块，", "3500块", "3500"),
    ("还了3500块钱", "3500块钱", "3500"),
    ("转了200美元过去", "200美元", "200"),
    ("一共欠了5万", "5万", "50000"),
    ("欠款1.2万元整", "1.2万元整", "12000"),
    ("欠款1.2万元了", "1.2万元", "12000"),
    ("共三千五百元", "三千五百元", "3500"),
    ("计叁仟伍佰元整。", "叁仟伍佰元整", "3500"),
    ("借了两万块给他", "两万块", "20000"),
    ("就五百块钱", "五百块钱", "500"),
    ("他欠一万二，说下周还", "一万二", "12000"),
    ("三千五左右的欠款", "三千五", "3500"),
    ("还了3块5", "3块5", "3.5"),
    ("两块五毛钱", "两块五毛钱", "2.5"),
    ("一千二百三十四元五角六分", "一千二百三十四元五角六分", "1234.56"),
    ("欠5万多", "5万", "50000"),
    ("兩萬塊", "兩萬塊", "20000"),
    ("欠３５００元", "３５００元", "3500"),
    ("人民币5万元", "人民币5万元", "50000"),
    ("应还¥1,246.80，", "¥1,246.80", "1246.80"),
    ("owes $3.5k by Friday", "$3.5k", "3500"),
    ("about 3,500 bucks", "3,500 bucks", "3500"),
    ("paid USD3500 today", "USD3500", "3500"),
    ("paid 3500 usd today", "3500 usd", "3500"),
    ("HK$200 fee", "HK$200", "200"),
    ("€50 fee", "€50", "50"),
    ("£1,200.50 due", "£1,200.50", "1200.50"),
    ("$2 million", "$2 million", "2000000"),
    ("5000英镑", "5000英镑", "5000"),
    ("欠款 3500 元", "3500 元", "3500"),
    ("欠款3600块已让朋友代还", "3600块", "3600"),
    ("客户说欠的8.66万能不能分三期", "8.66万", "86600"),
    ("可以先还7.84万表示诚意", "7.84万", "78400"),
    ("Oluwaseun will pay 200 pounds on 06/29/2025", "200 pounds", "200"),
    ("agreed 2.6k per week", "2.6k", "2600"),
    ("asking for a plan of 1k a month", "1k", "1000"),
    ("can pay 2k on 2 May", "2k", "2000"),
    ("Sarah,ME899200B,£10,468.86", "£10,468.86", "10468.86"),
    ("何軒晨,6205 2229 3732 9757 078,壹万肆仟元整", "壹万肆仟元整", "14000"),
    ("1,234,£5", "£5", "5"),
    ("应还：1,234.50，谢谢", "1,234.50", "1234.50"),
    ("欠款5000还没还", "5000", "5000"),
    ("还了三千五", "三千五", "3500"),
    ("balance: 9,097.87", "9,097.87", "9097.87"),
    ("owes 500 by Friday", "500", "500"),
    ("a principal of 12,000.00", "12,000.00", "12000.00"),
    ("total €2.345,67 due", "€2.345,67", "2345.67"),
    ("5.200,00 € bezahlt", "5.200,00 €", "5200.00"),
    ("100$ only", "100$", "100"),
    ("need 12.5k by Friday", "12.5k", "12500"),
]


@pytest.mark.parametrize("text, value, number", POSITIVES)
def test_money_as_people_write_it(text: str, value: str, number: str) -> None:
    assert amounts(text) == [(value, Decimal(number))]


@pytest.mark.parametrize(
    "text",
    [
        "三月七日回访",
        "提醒了三次",
        "逾期两天",
        "今天走了5万步",
        "粉丝5万，阅读10万",
        "第一单元的电梯",
        "约10:30回电",
        "完成率5%",
        "电话13800138000",
        "version 2.1.3 released",
        "v2.5万",
        "我们一块儿去",
        "买了两块蛋糕",
        "千万别忘了",
        "万一他不接",
        "十万火急",
        "3元素的化合物",
        "二零二四年",
        "a 5k run",
        "公元2024年",
        "逾期10天",
        "三五百人",
        "金额待定",
        "美元汇率走高",
        "****8000元",  # a masked number: nothing left to read
        "第3000元",
        "5万多人参加",
        "三千多年的历史",
        "跑了3000米",
        "a 5k run on Sunday",
        "uploaded 2k photos",
        "the 10k race",
        "Total 3 items",
        "还款2025-03-01到期",
        "欠了3次",
        "共计12项",
        "amount 12.5%",
        "总额1.2.3",
        "余额 0",
        "欠1",
        "balance due 25/12/2026",
        "1,50 and 2,50",
        "a 4k video",
    ],
)
def test_not_money(text: str) -> None:
    assert amounts(text) == []


@pytest.mark.parametrize("text, value, _number", POSITIVES)
def test_a_third_party_is_never_sent_an_amount(text: str, value: str, _number: str) -> None:
    red = REDACTOR.mask(text, Level.NONE)
    assert "amount" in {f.kind for f in red.leaks}  # the leak guard blocks it
    assert value not in red.text  # and it is masked besides


def test_two_amounts_side_by_side() -> None:
    assert amounts("paid $100 $200") == [("$100", Decimal(100)), ("$200", Decimal(200))]
    assert amounts("3500元5000元") == [("3500元", Decimal(3500)), ("5000元", Decimal(5000))]


def test_spans_survive_width_traditional_and_spacing() -> None:
    text = "他說欠 三 千 五 百 元，另欠ＵＳＤ　３５００"
    assert amounts(text) == [("三 千 五 百 元", Decimal(3500)), ("ＵＳＤ　３５００", Decimal(3500))]
    assert REDACTOR.mask_for_log(text) == "他說欠 ****，另欠****"


@pytest.mark.parametrize(
    "run, value",
    [
        ("三千五百", 3500),
        ("叁仟伍佰", 3500),
        ("一万二", 12000),
        ("一万二千三百四十五", 12345),
        ("三千五", 3500),
        ("两百五", 250),
        ("二十五", 25),
        ("十五", 15),
        ("十万", 100000),
        ("一百零五", 105),
        ("一千零五十", 1050),
        ("三千零五", 3005),
        ("一亿二千万", 120000000),
        ("1.2万", 12000),
        ("5万5千", 55000),
        ("1万2", 12000),
        ("三点五万", 35000),
        ("3,500", 3500),
    ],
)
def test_chinese_numerals(run: str, value: int) -> None:
    parsed = parse_number(run)
    assert parsed is not None and parsed.positional and parsed.value == value


@pytest.mark.parametrize(
    "run", ["千万", "万", "万一", "三五百", "三千五六", "三百五千", "亿万", "点五"]
)
def test_malformed_numerals_are_not_numbers(run: str) -> None:
    assert parse_number(run) is None


def test_digit_by_digit_is_a_number_but_not_an_amount() -> None:
    parsed = parse_number("二零二")
    assert parsed is not None and parsed.value == 202 and not parsed.positional
    assert chinese_forms(202) == ("二百零二", "两百零二", "二零二", "二〇二")
    assert chinese_forms(12, by_digit=False) == ("十二",)
    assert chinese_forms(4) == ("四",)


ACCOUNT_AMOUNTS = KnownValues.expand([("amount", "1234.50"), ("amount", "5000.00")])


@pytest.mark.parametrize(
    "text, value",
    [
        ("他说会还1234.5，下周", "1234.5"),
        ("他说会还1,234.50", "1,234.50"),
        ("本金5000还没还", "5000"),
        ("本金五千", "五千"),
        ("一千二百三十四元五角", "一千二百三十四元五角"),
        ("欠1234块5", "1234块5"),
    ],
)
def test_the_accounts_own_amounts_are_found_by_the_known_value_detector(
    text: str, value: str
) -> None:
    found = [text[f.start : f.end] for f in KnownValuesDetector().find(text, ACCOUNT_AMOUNTS)]
    assert value in found
    red = Redactor([KnownValuesDetector()]).mask(text, Level.NONE, ACCOUNT_AMOUNTS)
    assert not red.clean and value not in red.text


@pytest.mark.parametrize(
    "text", ["走了5000步", "第5000名", "15000", "1234.56", "50001", "五千五", "12345.5"]
)
def test_other_numbers_are_not_the_accounts_amounts(text: str) -> None:
    assert list(KnownValuesDetector().find(text, ACCOUNT_AMOUNTS)) == []
