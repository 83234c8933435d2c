"""The approved-template match: parameters read out of a rendered body, the first
difference named without quoting the message, parameter bounds, segments."""

from __future__ import annotations

import pytest

from notifysdk.plugin import InvalidInputError
from notifysdk_aliyun_sms.approved import (
    ApprovedTemplate,
    TemplateMismatchError,
    TemplateParamError,
    count_segments,
    split_sign,
)

T = ApprovedTemplate.parse(
    "overdue_notice/zh-CN", "SMS_1", "${name}您好，已逾期${days}天，应还${amount}。回复TD退订"
)


def test_parameters_are_read_back_and_render_to_the_same_text() -> None:
    body = "张**您好，已逾期10天，应还¥1,246.80。回复TD退订"
    values = T.extract(body, max_chars=35)
    assert values == {"name": "张**", "days": "10", "amount": "¥1,246.80"}
    assert T.render(values) == body


def test_a_repeated_placeholder_must_carry_the_same_value() -> None:
    t = ApprovedTemplate.parse("k/zh-CN", "SMS_2", "${a}与${b}，再次${a}")
    assert t.extract("甲与乙，再次甲", max_chars=5) == {"a": "甲", "b": "乙"}
    with pytest.raises(TemplateMismatchError):
        t.extract("甲与乙，再次丙", max_chars=5)


def test_the_first_difference_is_named_from_the_approved_side() -> None:
    with pytest.raises(TemplateMismatchError) as info:
        T.extract("张**您好，已逾期10天，应付¥1,246.80。回复TD退订", max_chars=35)
    text = str(info.value)
    assert "overdue_notice/zh-CN (SMS_1)" in text
    assert "expects '还' after ${days}" in text  # '天，应' matched, '还' did not
    assert "at character 14 of the message" in text and "template text offset 23" in text
    assert "1,246.80" not in text and "张" not in text


def test_a_changed_opening_is_located_by_character() -> None:
    t = ApprovedTemplate.parse("k/zh-CN", "SMS_3", "尊敬的客户${name}，请还款")
    with pytest.raises(TemplateMismatchError) as info:
        t.extract("尊敬的用户王**，请还款", max_chars=35)
    assert "at character 3" in str(info.value) and "'客户'" in str(info.value)


def test_text_after_the_approved_end_is_a_mismatch() -> None:
    with pytest.raises(TemplateMismatchError):
        T.extract("张**您好，已逾期10天，应还¥1。回复TD退订。点击链接", max_chars=35)


def test_empty_and_too_long_parameters_are_typed_errors() -> None:
    with pytest.raises(TemplateParamError) as empty:
        T.extract("您好，已逾期10天，应还¥1。回复TD退订", max_chars=35)
    assert empty.value.field == "template_param.name"
    with pytest.raises(TemplateParamError) as long:
        T.extract("张**您好，已逾期10天，应还¥1,246.80。回复TD退订", max_chars=6)
    assert long.value.field == "template_param.amount" and "9 characters" in str(long.value)


def test_touching_placeholders_are_refused_when_parsed() -> None:
    with pytest.raises(InvalidInputError):
        ApprovedTemplate.parse("k/zh-CN", "SMS_4", "${a}${b}")


def test_the_sign_must_be_the_configured_one() -> None:
    assert split_sign("【Example Bank】正文\n", "Example Bank", T) == "正文"
    assert split_sign("正文", "Example Bank", T) == "正文"
    with pytest.raises(TemplateMismatchError):
        split_sign("【Other Bank】正文", "Example Bank", T)


@pytest.mark.parametrize(("length", "segments"), [(56, 1), (57, 2), (120, 2), (121, 3)])
def test_segments_count_the_sign_seventy_then_sixty_seven(length: int, segments: int) -> None:
    # the sign 【Example Bank】 is 14 characters: 70 is one SMS, 71 two, 134 two, 135 three
    count = count_segments("Example Bank", "字" * length)
    assert count.characters == length + 14 and count.segments == segments
