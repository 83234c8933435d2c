"""A channel's declared content traits reach the content rules through the dispatcher
(``RuleContext.channel_traits``): the carrier rules see a domestic route, its sign and its
registered link domains on a real dispatch, not only when a test builds the context."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Medium, OutcomeStatus
from notifysdk.testing import MockChannel

from .conftest import cn_account, notice_for, utc

HERE = Path(__file__).parent
NOON = utc("2026-01-05T12:00:00+08:00")


class FreeText:
    """Templates that render ``data.text`` as is."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register ``tests/compliance/freetext``."""
        register(HERE / "freetext")


class DomesticGateway(MockChannel):
    """A plain domestic SMS gateway that says what it is, as a provider channel does."""

    def __init__(self, traits: Mapping[str, Any], **kw: Any) -> None:
        super().__init__(name="sms", medium=Medium.SMS, **kw)
        self.content_traits = traits


@pytest.fixture
def send(
    dispatcher: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    register_plugin: Callable[..., str],
) -> Callable[..., Any]:
    register_plugin(FreeText(), "compliance-freetext")
    fake_clock.set(NOON)

    async def go(traits: Mapping[str, Any], text: str) -> tuple[Any, DomesticGateway]:
        channel = DomesticGateway(traits, clock=fake_clock)
        d = dispatcher(channel)
        account = cn_account()
        text = text.format(inst=account.institution)
        out = await d.send(notice_for(account, "sms", data={"text": text}))
        return out, channel

    return go


async def test_a_domestic_route_without_a_sign_of_its_own_needs_one_in_the_body(
    send: Callable[..., Any],
) -> None:
    out, sms = await send({"carrier_route": "cn"}, "您在{inst}的借款已逾期，请尽快还款。")
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "carrier-sign"), out.reason
    assert sms.sent == []
    signed = "【示例银行】您在{inst}的借款已逾期，请尽快还款。"
    out, sms = await send({"carrier_route": "cn"}, signed)
    assert out.status is OutcomeStatus.DELIVERED, out.reason


async def test_a_channel_that_signs_itself_needs_no_sign_in_the_body(
    send: Callable[..., Any],
) -> None:
    out, sms = await send({"sign_name": "示例银行"}, "您在{inst}的借款已逾期，请尽快还款。")
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert len(sms.sent) == 1


async def test_links_to_the_channels_registered_domain_go_others_do_not(
    send: Callable[..., Any],
) -> None:
    traits = {"sign_name": "示例银行", "registered_domains": ("pay.example.cn",)}
    text = "您在{inst}的借款已逾期，请登录 https://{host}/r 处理。"
    out, _ = await send(traits, text.replace("{host}", "pay.example.cn"))
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    out, sms = await send(traits, text.replace("{host}", "other.example.com"))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "carrier-links"), out.reason
    assert "other.example.com" in (out.reason or "") and "/r" not in (out.reason or "")
    assert sms.sent == []
