"""The money detector's gate (``may_find``) says ``False`` only where the scan would find
no amount: texts put together from the pieces amounts are written with (labels, codes,
words, marks, numerals, Traditional forms, escapes, the separators normalising drops
or merges) and from pieces that are not money."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy import KnownValues, MoneyDetector
from notifysdk.privacy.money import may_hold_money
from notifysdk.privacy.prescan import Prescan
from notifysdk.privacy.text import fold

_WORDS = (
    "金额 欠款 欠了 应还 應還 待还 还款 余额 餘額 本金 利息 合计 总额 借款 转账 欠 "
    "amount Amount due BALANCE total owed outstanding interest of "
    "usd USD ｕｓｄ rmb CNY hkd yuan dollars bucks quid pounds Euros "
    "k K \u212a m M mn bn thousand Million grand pay paid a month "
    "$ US$ hk$ ＄ ¥ ￥ € £ 元 块 塊 块钱 圆 圓 毛 角 币 幣 人民币 人民幣 港币 美元 美金 英镑 "
    "千 仟 万 萬 亿 億 一 两 兩 三 十 百 五千 点 點五 第 整 钱 錢 次 步 粉丝 人 元素 "
    "5 12 3,500 1.5 1.234,50 ０ １２ v2 * ： : = · ． . İ \\u5143 \\u4e07 "
    "abc hello 你好 客户"
)
_PIECES = tuple(_WORDS.split(" "))
_SPACES = ("", " ", "  ", "\t", "\n", "\u3000", "\xa0", "·", ".")


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8), st.data())
@example(["欠", "款", "·", "五千"], None)
@example(["5", "\u212a"], None)
@example(["amount", "due", "：", "usd", "12"], None)
def test_the_gate_never_hides_an_amount(pieces: list[str], data: st.DataObject | None) -> None:
    seps = [data.draw(st.sampled_from(_SPACES)) for _ in pieces] if data else [" "] * len(pieces)
    text = "".join(p + s for p, s in zip(pieces, seps, strict=True))
    detector = MoneyDetector()
    if not detector.may_find(Prescan(text, KnownValues())):
        assert list(detector.find(text, KnownValues())) == []


def test_the_gate_lets_amounts_through_and_skips_plain_text() -> None:
    for text in ("应还：1,234.50", "3500块钱", "USD 20", "agreed 2.6k", "兩萬塊", "\\u00a5 5"):
        assert may_hold_money(text, fold(text))
    for text in ("Order #12345678 shipped on 2024-03-05.", "您好，您的借款已逾期5天，请尽快还款。"):
        assert not may_hold_money(text, fold(text))
