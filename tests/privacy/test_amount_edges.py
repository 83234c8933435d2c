"""Amounts at the edges of what people write: a known amount in a CSV cell, a space
before 万. A third party must learn neither."""

from __future__ import annotations

from notifysdk.privacy import KnownValues, Redactor, default_detectors

REDACTOR = Redactor(default_detectors())
KNOWN = KnownValues.expand((("amount", "22500.00"),))


def masked(text: str, known: KnownValues = KNOWN) -> str:
    return REDACTOR.mask(text, "log", known).text


def test_a_known_amount_between_csv_commas_is_found() -> None:
    row = "CL-2020-9039204,15729119624,22500.00,2026-12-06"
    assert masked(row) == "CL-2020-9039204,157****9624,****,2026-12-06"
    assert masked("a,22500.00,b") == "a,****,b"


def test_a_comma_that_groups_thousands_still_makes_another_number() -> None:
    # 1,225,000 is not 22500 and 22500,000 is not 22500.00.
    assert masked("共22500,000笔") == "共22500,000笔"
    assert masked("金额1,225,000") != "金额1,****"


def test_a_space_before_wan_is_still_money_for_a_third_party() -> None:
    red = REDACTOR.mask("承诺11月22日前还款1.1 万。", "none")
    assert not red.clean and {f.kind for f in red.leaks} == {"amount"}
    assert masked("还款1.1 万元") == "还款****"
    assert masked("今天走了5 万步") == "今天走了5 万步"
