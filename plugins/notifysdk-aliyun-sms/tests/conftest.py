"""Fixtures: the loopback Aliyun-shaped server, settings pointing at it (protocol http,
endpoint 127.0.0.1:PORT) and a dispatcher that finds the channel through the
``aliyun-sms`` entry point, on a fake clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.plugins import PluginManager
from notifysdk.retry import RetryPolicy
from notifysdk_aliyun_sms.testing import FakeAliyunSms

ACCESS_KEY_ID = "LTAI5t" + "ExampleKey01"
ACCESS_KEY_SECRET = "secret-" + "x" * 24
SIGN = "Example Bank"

OVERDUE = (
    "${name}您好，您的借款已逾期${days}天，应还${amount}。"
    "请尽快还款或联系我们协商还款计划。回复TD退订"
)
FINAL = (
    "${name}您好，您的借款已逾期${days}天，应还${amount}。请于7日内还款或联系我们协商还款计划，"
    "逾期将按合同收取罚息并可能下调授信额度。回复TD退订"
)
PRE_DUE = "${name}您好，您的借款将于${date}到期，应还${amount}，请按时还款。回复TD退订"
APPROVED = {"SMS_0001": OVERDUE, "SMS_0002": FINAL, "SMS_0003": PRE_DUE}


def templates(**texts: str) -> dict[str, dict[str, dict[str, str]]]:
    """The ``templates`` setting for the three SMS kinds (a kind's text overridable)."""
    codes = {
        "overdue_notice": "SMS_0001",
        "final_demand": "SMS_0002",
        "pre_due_reminder": "SMS_0003",
    }
    return {
        kind: {"zh-CN": {"code": code, "text": texts.get(kind, APPROVED[code])}}
        for kind, code in codes.items()
    }


@pytest.fixture
def fake_clock() -> FakeClock:
    """10:00 in Shanghai on a Monday: inside every contact window."""
    return FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))


@pytest.fixture
async def aliyun_server(fake_clock: FakeClock) -> AsyncIterator[FakeAliyunSms]:
    """The loopback server, verifying every request's signature for the test key."""
    server = FakeAliyunSms(
        access_key_id=ACCESS_KEY_ID,
        access_key_secret=ACCESS_KEY_SECRET,
        templates=dict(APPROVED),
        sign_names=(SIGN,),
        now=fake_clock.now,
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def aliyun_section(aliyun_server: FakeAliyunSms) -> dict[str, Any]:
    """A ``[channels.aliyun-sms]`` section pointing at the loopback server."""
    return {
        "access_key_id": ACCESS_KEY_ID,
        "access_key_secret": ACCESS_KEY_SECRET,
        "sign_name": SIGN,
        "endpoint": aliyun_server.endpoint,
        "protocol": "http",
        "timeout_seconds": 2.0,
        "templates": templates(),
    }


@pytest.fixture
def plugin_manager(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    """A fresh manager loading only this plugin's entry point (and the built-ins)."""
    for name in list(os.environ):
        if name.startswith("ALIBABA_CLOUD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "aliyun-sms")
    return PluginManager()


@pytest.fixture
async def make_dispatcher(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    aliyun_section: dict[str, Any],
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """``make_dispatcher(ledger=None, **section_overrides)``."""
    built: list[Dispatcher] = []

    def build(ledger: Any = None, **overrides: Any) -> Dispatcher:
        d = Dispatcher(
            Settings(
                output_dir=tmp_path / "out",
                channels={"aliyun-sms": {**aliyun_section, **overrides}},
            ),
            plugins=plugin_manager,
            clock=fake_clock,
            ledger=ledger or MemoryLedger(),
            retry=RetryPolicy(
                max_attempts=4, base_seconds=1, cap_seconds=30, max_elapsed_seconds=3600
            ),
        )
        built.append(d)
        return d

    yield build
    for d in built:
        await d.aclose()
