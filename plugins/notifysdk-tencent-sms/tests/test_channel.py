"""The channel alone: the contract, the preview form, settings errors, transport errors."""

from __future__ import annotations

from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.plugin import (
    ConfigurationError,
    DeliveryError,
    Medium,
    Message,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.testing import check_channel_contract
from notifysdk_tencent_sms.approved import ApprovedTemplate
from notifysdk_tencent_sms.channel import TencentSmsChannel
from notifysdk_tencent_sms.settings import TencentSmsSettings
from notifysdk_tencent_sms.testing import FakeTencentSms, Fault

BODY = "【Example Bank】张**您好，您的借款将于1月1日到期，应还¥1.00，请按时还款。回复TD退订\n"


def message(body: str = BODY) -> Message:
    return Message(
        idempotency_key="key-1",
        channel="tencent-sms",
        medium=Medium.SMS,
        to="+8613800138000",
        locale="zh-CN",
        body=body,
        metadata={"kind": "pre_due_reminder"},
    )


def channel(section: dict[str, Any], clock: FakeClock, **kw: Any) -> TencentSmsChannel:
    return TencentSmsChannel(
        "tencent-sms", TencentSmsSettings.load({**section, **kw}, name="tencent-sms"), clock
    )


async def test_the_channel_keeps_the_contract(
    tencent_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    await check_channel_contract(channel(tencent_section, fake_clock))


async def test_the_approved_form_lists_the_parameters_in_placeholder_order(
    tencent_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    ch = channel(tencent_section, fake_clock)
    form = ch.approved_form(message())
    assert form["template_code"] == "100003" and form["params"] == ["张**", "1月1日", "¥1.00"]
    await ch.aclose()


def test_placeholders_must_be_numbered_without_gaps() -> None:
    with pytest.raises(Exception, match="without gaps"):
        ApprovedTemplate.parse("k/zh-CN", "1", "{1}，{3}")
    t = ApprovedTemplate.parse("k/zh-CN", "1", "{2}先，{1}后，{2}再")
    values = t.extract("乙先，甲后，乙再", max_chars=12)
    assert t.param_set(values) == ["甲", "乙"]


def test_settings_errors_name_the_setting_not_the_value() -> None:
    with pytest.raises(ConfigurationError) as info:
        TencentSmsSettings.load(
            {"secret_id": "id", "secret_key": "TOPSECRET", "sign_name": "s"}, name="tencent-sms"
        )
    assert "sms_sdk_app_id" in str(info.value) and "TOPSECRET" not in str(info.value)


async def test_a_blacklisted_number_is_a_permanent_opt_out(
    tencent_section: dict[str, Any], tencent_server: FakeTencentSms, fake_clock: FakeClock
) -> None:
    tencent_server.fail_next(Fault("FailedOperation.PhoneNumberInBlacklist"))
    ch = channel(tencent_section, fake_clock)
    with pytest.raises(PermanentDeliveryError) as info:
        await ch.send(message())
    assert info.value.opt_out is True
    await ch.aclose()


async def test_a_refused_connection_is_transient(
    tencent_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ch = channel(tencent_section, fake_clock, endpoint=f"127.0.0.1:{port}")
    with pytest.raises(DeliveryError) as info:
        await ch.send(message())
    assert type(info.value) is TransientDeliveryError and info.value.provider_code == "connect"
    await ch.aclose()
