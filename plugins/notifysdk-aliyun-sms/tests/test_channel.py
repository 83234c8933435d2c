"""The channel alone: the contract, the preview form, settings errors, throttling."""

from __future__ import annotations

from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.plugin import (
    ConfigurationError,
    DeliveryError,
    Medium,
    Message,
    TransientDeliveryError,
)
from notifysdk.testing import check_channel_contract
from notifysdk_aliyun_sms.channel import AliyunSmsChannel, NotMainlandMobileError
from notifysdk_aliyun_sms.errors import ProviderAccountError
from notifysdk_aliyun_sms.settings import AliyunSmsSettings
from notifysdk_aliyun_sms.testing import FakeAliyunSms, Fault

BODY = "【Example Bank】张**您好，您的借款将于1月1日到期，应还¥1.00，请按时还款。回复TD退订\n"


def message(to: str = "+8613800138000", body: str = BODY) -> Message:
    return Message(
        idempotency_key="key-1",
        channel="aliyun-sms",
        medium=Medium.SMS,
        to=to,
        locale="zh-CN",
        body=body,
        metadata={"kind": "pre_due_reminder"},
    )


def channel(section: dict[str, Any], clock: FakeClock, **kw: Any) -> AliyunSmsChannel:
    return AliyunSmsChannel(
        "aliyun-sms", AliyunSmsSettings.load({**section, **kw}, name="aliyun-sms"), clock
    )


async def test_the_channel_keeps_the_contract(
    aliyun_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    await check_channel_contract(channel(aliyun_section, fake_clock))


def test_the_approved_form_shows_what_the_carrier_receives(
    aliyun_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    form = channel(aliyun_section, fake_clock).approved_form(message())
    assert form["template_code"] == "SMS_0003" and form["sign_name"] == "Example Bank"
    assert form["params"] == {"name": "张**", "date": "1月1日", "amount": "¥1.00"}
    assert form["approved_text"].startswith("${name}您好") and form["segments"] == 1


def test_settings_errors_name_the_setting_not_the_value(fake_clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError) as info:
        AliyunSmsSettings.load(
            {"access_key_id": "id", "access_key_secret": "TOPSECRET", "sign_name": "", "x": 1},
            name="aliyun-sms",
        )
    text = str(info.value)
    assert "sign_name" in text and "TOPSECRET" not in text


async def test_a_number_outside_the_mainland_is_refused_before_sending(
    aliyun_section: dict[str, Any], aliyun_server: FakeAliyunSms, fake_clock: FakeClock
) -> None:
    with pytest.raises(NotMainlandMobileError) as info:
        await channel(aliyun_section, fake_clock).send(message(to="+14155552345"))
    assert "4155552345" not in str(info.value)
    assert aliyun_server.requests == []


async def test_balance_exhausted_is_a_configuration_error(
    aliyun_section: dict[str, Any], aliyun_server: FakeAliyunSms, fake_clock: FakeClock
) -> None:
    aliyun_server.fail_next(Fault("isv.AMOUNT_NOT_ENOUGH", "账户余额不足"))
    with pytest.raises(ProviderAccountError) as info:
        await channel(aliyun_section, fake_clock).send(message())
    assert isinstance(info.value, ConfigurationError)
    assert info.value.provider_code == "isv.AMOUNT_NOT_ENOUGH"


async def test_api_throttling_waits_what_the_header_says(
    aliyun_section: dict[str, Any], aliyun_server: FakeAliyunSms, fake_clock: FakeClock
) -> None:
    aliyun_server.fail_next(
        Fault("Throttling.User", "Request was denied", status=429, retry_after_ms=2500)
    )
    with pytest.raises(TransientDeliveryError) as info:
        await channel(aliyun_section, fake_clock).send(message())
    assert info.value.retry_after == 2.5 and info.value.provider_code == "Throttling.User"


async def test_a_refused_connection_is_transient(
    aliyun_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    with pytest.raises(DeliveryError) as info:
        await channel(aliyun_section, fake_clock, endpoint=f"127.0.0.1:{port}").send(message())
    assert type(info.value) is TransientDeliveryError and info.value.provider_code == "connect"


async def test_the_channel_declares_the_sign_and_domains_the_carrier_rules_read(
    aliyun_section: dict[str, Any], fake_clock: FakeClock
) -> None:
    from notifysdk.compliance.profiles import CN
    from notifysdk.compliance.rules.carrier import CarrierLinksRule, CarrierSignRule
    from notifysdk.ledger.memory import MemoryLedger
    from notifysdk.policy import RuleContext, Verdict
    from notifysdk.testing import sample_notice

    ch = channel(aliyun_section, fake_clock, registered_domains=["example.cn"])
    assert ch.content_traits["sign_name"] == "Example Bank"

    def ctx(body: str) -> RuleContext:
        msg = message(body=body)
        return RuleContext(
            sample_notice(channel="aliyun-sms"),
            fake_clock.now(),
            MemoryLedger(),
            {"cn": CN},
            to=msg.to,
            message=msg,
            channel_medium="sms",
            channel_traits=ch.content_traits,
        )

    unsigned = "张**您好，请登录 https://pay.example.cn/x 还款。回复TD退订"
    sign = await CarrierSignRule().evaluate(ctx(unsigned))  # the channel adds 【Example Bank】
    assert sign is not None and sign.verdict is Verdict.ALLOW, sign
    link = await CarrierLinksRule().evaluate(ctx(unsigned))
    assert link is not None and link.verdict is Verdict.ALLOW, link
    other = await CarrierLinksRule().evaluate(ctx("张**您好，请登录 https://pay.example.com 还款"))
    assert other is not None and other.verdict is Verdict.DENY
    await ch.aclose()
