"""The approved-template engine both China SMS plugins use: parameters read out of the
rendered message in either placeholder syntax, drift named without quoting the message,
and the opt-out keywords of a reply."""

from __future__ import annotations

import pytest

from notifysdk.plugin import (
    DOLLAR_BRACES,
    NUMBERED_BRACES,
    ApprovedTemplate,
    InvalidInputError,
    TemplateMismatchError,
    is_opt_out,
)

BODY = "张**您好，您的借款已逾期10天，应还¥1,246.80。回复TD退订"


@pytest.mark.parametrize(
    ("syntax", "text", "params"),
    [
        (
            DOLLAR_BRACES,
            "${name}您好，您的借款已逾期${days}天，应还${amount}。回复TD退订",
            "name days amount",
        ),
        (NUMBERED_BRACES, "{1}您好，您的借款已逾期{2}天，应还{3}。回复TD退订", "1 2 3"),
    ],
)
def test_parameters_are_read_back_in_either_syntax(syntax, text, params) -> None:  # type: ignore[no-untyped-def]
    t = ApprovedTemplate.parse("overdue_notice/zh-CN", "SMS_1", text, syntax)
    values = t.extract(BODY, max_chars=35)
    assert list(values) == params.split()
    assert list(values.values()) == ["张**", "10", "¥1,246.80"]
    assert t.render(values) == BODY


def test_drift_is_named_by_the_approved_side_only() -> None:
    t = ApprovedTemplate.parse("overdue_notice/zh-CN", "SMS_1", "${name}您好，请于${date}前还款。")
    with pytest.raises(TemplateMismatchError) as info:
        t.extract(BODY, max_chars=35)
    assert "SMS_1" in str(info.value) and "张" not in str(info.value)


def test_numbered_placeholders_have_no_gaps() -> None:
    with pytest.raises(InvalidInputError, match=r"numbered \{1\}..\{n\}"):
        ApprovedTemplate.parse("k/zh-CN", "T1", "{1}您好{3}", NUMBERED_BRACES)


@pytest.mark.parametrize(
    ("reply", "out"),
    [
        ("退订", True),
        ("ＴＤ", True),
        (" stop ", True),
        ("我要退订", True),
        ("好的", False),
        ("TDX", False),
    ],
)
def test_opt_out_keywords(reply: str, out: bool) -> None:
    assert is_opt_out(reply) is out
