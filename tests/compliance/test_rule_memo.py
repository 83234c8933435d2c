"""The per-notice memo of the rules: shared by both stages of a notice, and never
answering for other inputs (a context copied with another notice or other profiles)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from notifysdk.compliance.rules.base import in_force, line_type, zones_for
from notifysdk.dispatch.context import NoticeContext
from notifysdk.dispatcher import Dispatcher
from notifysdk.testing import MockChannel, sample_account, sample_notice


async def _context(d: Dispatcher, **account: Any) -> NoticeContext:
    notice = sample_notice(channel="mock", account=sample_account(**account))
    prepared = await d.prepare(notice)
    return prepared.context


async def test_both_stages_of_a_notice_share_one_memo(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    d = dispatcher(MockChannel())
    ctx = await _context(d)
    policy = ctx.rule_context(d.ledger, {})
    content = ctx.evolve(kind="limited_content").rule_context(d.ledger, {})
    assert policy.memo is content.memo is ctx.memo
    assert "in_force" in ctx.memo and "zones" in ctx.memo  # the rules filled it


async def test_a_copy_with_another_recipient_gets_its_own_zones(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    d = dispatcher(MockChannel())
    shanghai = (await _context(d)).rule_context(d.ledger, {})
    assert zones_for(shanghai).names == ("Asia/Shanghai",)
    other = await _context(d, time_zone="America/New_York", phone="+12125550100", country="US")
    copied = dataclasses.replace(shanghai, notice=other.notice, to=other.to)
    assert copied.memo is shanghai.memo
    assert zones_for(copied).names == ("America/New_York",)
    assert zones_for(shanghai).names == ("Asia/Shanghai",)
    assert line_type(copied) == line_type(shanghai) == "mobile"


async def test_a_copy_with_other_profiles_gets_its_own_profiles_in_force(
    dispatcher: Callable[..., Dispatcher],
) -> None:
    d = dispatcher(MockChannel())
    rc = (await _context(d)).rule_context(d.ledger, {})
    assert [p.name for p in in_force(rc)] == ["cn"]
    us = {"us-regf": d.registry.profiles["us-regf"]}
    assert [p.name for p in in_force(dataclasses.replace(rc, profiles=us))] == ["us-regf"]
    assert [p.name for p in in_force(rc)] == ["cn"]
