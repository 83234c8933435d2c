"""China's carrier content rules (``carrier-sign``, ``carrier-optout``, ``carrier-links``)
on the delivered form of an SMS: through a dispatcher on free text, and on a rule
context with a channel's declared traits (what an approved-template channel adds)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.profiles import CN, US_REGF
from notifysdk.compliance.rules.carrier import (
    CarrierLinksRule,
    CarrierOptOutRule,
    CarrierSignRule,
    links,
)
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message, Notice, NoticeKind, OutcomeStatus
from notifysdk.policy import Profile, RuleContext, Verdict, Vote
from notifysdk.testing import sample_notice

from .conftest import cn_account, notice_for, us_account, utc

FREETEXT = Path(__file__).parent / "freetext"
SHANGHAI_TEN = utc("2026-01-05T10:00:00+08:00")
BODY = "Example Bank提醒：张**您好，您的借款已逾期10天，应还¥1,246.80。请尽快还款。回复TD退订"


class FreeText:
    """Templates that render ``data.text`` as is."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register ``tests/compliance/freetext``."""
        register(FREETEXT)


@pytest.fixture
def free(
    build: Callable[..., Dispatcher], register_plugin: Callable[..., str], fake_clock: FakeClock
) -> Dispatcher:
    register_plugin(FreeText(), "carrier-freetext")
    fake_clock.set(SHANGHAI_TEN)
    return build()


def _ctx(
    body: str,
    *,
    profile: Profile = CN,
    traits: Mapping[str, Any] | None = None,
    to: str = "+8613800138000",
    kind: NoticeKind = NoticeKind.OVERDUE_NOTICE,
) -> RuleContext:
    notice = sample_notice(kind=kind)
    message = Message(
        idempotency_key=notice.idempotency_key,
        channel="aliyun-sms",
        medium=Medium.SMS,
        to=to,
        locale="zh-CN",
        body=body,
        metadata={"kind": kind.value},
    )
    return RuleContext(
        notice,
        SHANGHAI_TEN,
        MemoryLedger(),
        {profile.name: profile},
        to=to,
        message=message,
        channel_medium="sms",
        channel_traits=traits or {},
    )


async def content_votes(d: Dispatcher, notice: Notice) -> list[Vote]:
    """The content stage's votes of the carrier rules (an allowed notice included)."""
    prepared = await d.prepare(notice)
    content = prepared.context.content
    assert content is not None, prepared.outcome
    return [v for v in content.votes if v.rule.startswith("carrier-")]


def _with(profile: Profile, key: str, **changes: Any) -> Profile:
    """A lender's copy of ``profile`` with one carrier spec changed."""
    params = dict(profile.params)
    params[key] = dataclasses.replace(params[key], **changes)
    return Profile(f"{profile.name}-lender", params, profile.description)


def _denied(vote: Vote | None, rule: str) -> Vote:
    assert vote is not None and vote.verdict is Verdict.DENY, vote
    assert vote.rule == rule
    return vote


# -- carrier-sign -------------------------------------------------------------------


async def test_a_signed_body_is_allowed_with_the_citation() -> None:
    vote = await CarrierSignRule().evaluate(
        _ctx(f"【Example Bank】{BODY}", traits={"carrier_route": "cn"})
    )
    assert vote is not None and vote.verdict is Verdict.ALLOW, vote
    assert "794号" in vote.citation and vote.numbers["cn"]["sign"] == "body"


class LenderProfile:
    """A lender's copy of ``cn`` naming its plain ``sms`` gateway as a domestic route."""

    @hookimpl
    def notifysdk_register_profiles(self, register: Callable[[Profile], None]) -> None:
        """Register ``cn-lender``."""
        register(_with(CN, "carrier_sign", channels=frozenset({"sms"})))


async def test_an_unsigned_sms_on_a_domestic_plain_gateway_is_blocked(
    build: Callable[..., Dispatcher], register_plugin: Callable[..., str], fake_clock: FakeClock
) -> None:
    register_plugin(LenderProfile(), "carrier-lender-profile")
    register_plugin(FreeText(), "carrier-freetext")
    fake_clock.set(SHANGHAI_TEN)
    free = build()
    account = cn_account(profiles=("cn-lender",))
    out = await free.send(notice_for(account, "sms", data={"text": BODY}))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "carrier-sign")
    assert out.profile == "cn-lender" and "no 【sign】" in (out.reason or "")
    assert free.channel("sms").sent == []
    signed = await free.send(notice_for(account, "sms", data={"text": f"【Example Bank】{BODY}"}))
    assert signed.status is OutcomeStatus.DELIVERED, signed.reason


async def test_a_channel_declaring_no_domestic_route_is_not_signed_by_the_rule(
    free: Dispatcher,
) -> None:
    # capture-sms, Twilio and test doubles declare nothing: the carriers sign nothing
    # they carry, so the rule abstains (make run's capture output is unchanged).
    notice = notice_for(cn_account(), "sms", data={"text": BODY})
    assert [v.rule for v in await content_votes(free, notice)] == []
    assert (await free.send(notice)).status is OutcomeStatus.DELIVERED


async def test_an_unsigned_sms_to_a_us_number_is_not_the_carriers_business(
    free: Dispatcher, fake_clock: FakeClock
) -> None:
    fake_clock.set(utc("2026-01-05T12:00:00-05:00"))
    text = (
        "Example Bank: please pay. This is an attempt to collect a debt and any "
        "information obtained will be used for that purpose. Reply STOP to opt out."
    )
    assert await content_votes(free, notice_for(us_account(), "sms", data={"text": text})) == []


async def test_the_channels_own_sign_counts_for_an_unsigned_body() -> None:
    vote = await CarrierSignRule().evaluate(_ctx(BODY, traits={"sign_name": "示例银行"}))
    assert vote is not None and vote.verdict is Verdict.ALLOW, vote
    assert vote.numbers["cn"]["sign"] == "channel"
    gateway = _ctx(BODY, traits={"carrier_route": "cn"})  # a route that adds no sign
    _denied(await CarrierSignRule().evaluate(gateway), "carrier-sign")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (f"【示例银行】{BODY}【催收部】", "after the sign"),
        (f"{BODY}【示例银行】", "after the sign"),  # a sign at the end is not the sign
        (f"【{'示' * 17}】{BODY}", "17 characters"),
        (f"【示】{BODY}", "1 characters"),
    ],
)
async def test_a_misplaced_or_misshapen_sign_is_blocked(body: str, why: str) -> None:
    ctx = _ctx(body, traits={"carrier_route": "cn"})
    vote = _denied(await CarrierSignRule().evaluate(ctx), "carrier-sign")
    assert why in vote.reason and "[evidence S]" in vote.citation


async def test_a_stray_bracket_is_blocked_even_when_the_channel_signs() -> None:
    ctx = _ctx(f"{BODY}【注意】", traits={"sign_name": "示例银行"})
    _denied(await CarrierSignRule().evaluate(ctx), "carrier-sign")


async def test_sign_rules_abstain_off_their_ground() -> None:
    route = {"carrier_route": "cn"}
    assert await CarrierSignRule().evaluate(_ctx(BODY, profile=US_REGF, traits=route)) is None
    assert await CarrierSignRule().evaluate(_ctx(BODY, to="+85291234567", traits=route)) is None
    assert await CarrierSignRule().evaluate(_ctx(BODY)) is None  # no domestic route


# -- carrier-optout -----------------------------------------------------------------


async def test_collection_notices_need_no_opt_out_wording_under_cn() -> None:
    assert CN.params["carrier_optout"].kinds == frozenset()
    assert "31号" in CN.params["carrier_optout"].citation
    assert await CarrierOptOutRule().evaluate(_ctx("【示例银行】请尽快还款。")) is None


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("【示例银行】会员专享优惠。拒收请回复R", Verdict.ALLOW),
        ("【示例银行】会员专享优惠。退订回T", Verdict.ALLOW),
        ("【示例银行】会员专享优惠。回T退订", Verdict.ALLOW),
        ("【示例银行】会员专享优惠。回复TD退订", Verdict.ALLOW),
        ("【示例银行】会员专享优惠。", Verdict.DENY),
        ("【示例银行】会员专享优惠。请回复", Verdict.DENY),
    ],
)
async def test_a_lender_listing_a_kind_requires_the_wording(body: str, verdict: Verdict) -> None:
    lender = _with(CN, "carrier_optout", kinds=frozenset({"pre_due_reminder"}))
    ctx = _ctx(body, profile=lender, kind=NoticeKind.PRE_DUE_REMINDER)
    vote = await CarrierOptOutRule().evaluate(ctx)
    assert vote is not None and vote.verdict is verdict, vote
    assert "31号" in vote.citation
    other = _ctx(body, profile=lender, kind=NoticeKind.OVERDUE_NOTICE)
    assert await CarrierOptOutRule().evaluate(other) is None


# -- carrier-links ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("请登录 https://pay.Example.cn/p?id=7 还款", ["pay.example.cn"]),
        ("详情见t.cn/A6x8还款", ["t.cn"]),
        ("访问example.com.cn或http://www.example.org", ["example.com.cn", "www.example.org"]),
        ("应还¥1,246.80，请联系 borrower1@example.cn", []),
        ("Dear Mr.Smith, version 2.0 of the plan.", []),
        ("请尽快还款。回复TD退订", []),
    ],
)
def test_links_are_found_with_their_hosts_only(text: str, hosts: list[str]) -> None:
    assert links(text) == hosts


async def test_a_link_to_an_unregistered_domain_is_blocked_naming_the_host_only() -> None:
    body = "【示例银行】请登录 https://pay.example.cn/p/13800138000 还款"
    vote = _denied(await CarrierLinksRule().evaluate(_ctx(body)), "carrier-links")
    assert "pay.example.cn" in vote.reason and "13800138000" not in vote.reason
    assert "none registered" in vote.reason and "ICP" in vote.citation
    assert "[evidence P]" in vote.citation


async def test_a_link_to_a_registered_domain_or_its_subdomain_passes() -> None:
    body = "【示例银行】请登录 https://pay.example.cn/p 或 example.cn 还款"
    channel = await CarrierLinksRule().evaluate(
        _ctx(body, traits={"registered_domains": ("example.cn",)})
    )
    assert channel is not None and channel.verdict is Verdict.ALLOW, channel
    lender = _with(CN, "carrier_links", registered_domains=("Example.CN",))
    profile = await CarrierLinksRule().evaluate(_ctx(body, profile=lender))
    assert profile is not None and profile.verdict is Verdict.ALLOW, profile
    lookalike = _ctx("【示例银行】请登录 https://example.cn.evil.top 还款", profile=lender)
    _denied(await CarrierLinksRule().evaluate(lookalike), "carrier-links")


async def test_no_link_no_vote() -> None:
    assert await CarrierLinksRule().evaluate(_ctx(f"【示例银行】{BODY}")) is None


async def test_every_shipped_zh_cn_sms_passes_on_a_domestic_plain_gateway(
    build: Callable[..., Dispatcher], fake_clock: FakeClock, register_plugin: Callable[..., str]
) -> None:
    register_plugin(LenderProfile(), "carrier-lender-profile")
    fake_clock.set(SHANGHAI_TEN)
    d = build()
    account = cn_account(profiles=("cn-lender",))
    for kind in (NoticeKind.OVERDUE_NOTICE, NoticeKind.FINAL_DEMAND, NoticeKind.PRE_DUE_REMINDER):
        carrier = await content_votes(d, notice_for(account, "sms", kind=kind))
        assert carrier and all(v.verdict is Verdict.ALLOW for v in carrier), carrier
