"""Fixtures: the loopback Tencent-shaped server, settings pointing at it (protocol http,
endpoint 127.0.0.1:PORT) and a dispatcher that finds the channel through the
``tencent-sms`` entry point, on a fake clock."""

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
from notifysdk_tencent_sms.testing import FakeTencentSms

SECRET_ID = "AKID" + "Example0123456789"
SECRET_KEY = "key-" + "y" * 28
APP_ID = "1400000001"
SIGN = "Example Bank"

OVERDUE = "{1}您好，您的借款已逾期{2}天，应还{3}。请尽快还款或联系我们协商还款计划。回复TD退订"
FINAL = (
    "{1}您好，您的借款已逾期{2}天，应还{3}。请于7日内还款或联系我们协商还款计划，"
    "逾期将按合同收取罚息并可能下调授信额度。回复TD退订"
)
PRE_DUE = "{1}您好，您的借款将于{2}到期，应还{3}，请按时还款。回复TD退订"
APPROVED = {"100001": OVERDUE, "100002": FINAL, "100003": PRE_DUE}


def templates(**texts: str) -> dict[str, dict[str, dict[str, str]]]:
    """The ``templates`` setting for the three SMS kinds (a kind's text overridable)."""
    codes = {"overdue_notice": "100001", "final_demand": "100002", "pre_due_reminder": "100003"}
    return {
        kind: {"zh-CN": {"code": code, "text": texts.get(kind, APPROVED[code])}}
        for kind, code in codes.items()
    }


@pytest.fixture
def fake_clock() -> FakeClock:
    """10:00 in Shanghai on a Monday: inside every contact window."""
    return FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))


@pytest.fixture
async def tencent_server(fake_clock: FakeClock) -> AsyncIterator[FakeTencentSms]:
    """The loopback server, verifying every request's TC3 signature for the test key."""
    server = FakeTencentSms(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        sms_sdk_app_id=APP_ID,
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
def tencent_section(tencent_server: FakeTencentSms) -> dict[str, Any]:
    """A ``[channels.tencent-sms]`` section pointing at the loopback server."""
    return {
        "secret_id": SECRET_ID,
        "secret_key": SECRET_KEY,
        "sms_sdk_app_id": APP_ID,
        "sign_name": SIGN,
        "endpoint": tencent_server.endpoint,
        "protocol": "http",
        "timeout_seconds": 2.0,
        "templates": templates(),
    }


@pytest.fixture
def plugin_manager(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    """A fresh manager loading only this plugin's entry point (and the built-ins)."""
    for name in list(os.environ):
        if name.startswith("TENCENTCLOUD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "tencent-sms")
    return PluginManager()


@pytest.fixture
async def make_dispatcher(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    tencent_section: dict[str, Any],
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """``make_dispatcher(ledger=None, retry=None, **section_overrides)``."""
    built: list[Dispatcher] = []

    def build(ledger: Any = None, retry: RetryPolicy | None = None, **overrides: Any) -> Dispatcher:
        d = Dispatcher(
            Settings(
                output_dir=tmp_path / "out",
                channels={"tencent-sms": {**tencent_section, **overrides}},
            ),
            plugins=plugin_manager,
            clock=fake_clock,
            ledger=ledger or MemoryLedger(),
            retry=retry
            or RetryPolicy(
                max_attempts=4, base_seconds=1, cap_seconds=30, max_elapsed_seconds=3600
            ),
        )
        built.append(d)
        return d

    yield build
    for d in built:
        await d.aclose()
