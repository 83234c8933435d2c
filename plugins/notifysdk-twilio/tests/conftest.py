"""Fixtures: a loopback Twilio-shaped server, settings pointing at it, a dispatcher that
finds the channels through the ``twilio`` entry point, on a fake clock."""

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
from notifysdk_twilio.testing import (
    FakeTwilioServer,
    OpenAPIChecker,
    find_spec,
    missing_spec_message,
)

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "tok-" + "s3cr3t" * 5
SENDER = "+14155552345"


@pytest.fixture
def fake_clock() -> FakeClock:
    """10:00 in Shanghai on a Monday: inside every contact window."""
    return FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))


def _spec_or_skip() -> OpenAPIChecker:
    """The checker; without the file: a failure under ``CI=true`` (CI never runs the
    server half-checked), a skip naming the missing file elsewhere."""
    if find_spec() is None:
        msg = missing_spec_message()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — required under CI=true", pytrace=False)
        pytest.skip(msg)
    return OpenAPIChecker.from_file()


@pytest.fixture(scope="session")
def oai_checker() -> OpenAPIChecker:
    """The checker built from Twilio's OpenAPI; skips (fails under CI=true) when absent."""
    return _spec_or_skip()


@pytest.fixture
async def twilio_server(
    fake_clock: FakeClock, oai_checker: OpenAPIChecker
) -> AsyncIterator[FakeTwilioServer]:
    """The loopback server, checking every request against Twilio's OpenAPI description
    (never half-checked: without the file the test skips, or fails under CI=true)."""
    server = FakeTwilioServer(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, checker=oai_checker, now=fake_clock.now
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def twilio_section(twilio_server: FakeTwilioServer) -> dict[str, Any]:
    """A ``[channels.twilio-*]`` section pointing at the loopback server."""
    return {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "from": SENDER,
        "base_url": twilio_server.base_url,
        "status_callback": "https://hooks.example.com/twilio/status",
    }


@pytest.fixture
def no_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TWILIO_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("TWILIO_"):
            monkeypatch.delenv(name)


@pytest.fixture
def plugin_manager(monkeypatch: pytest.MonkeyPatch, no_twilio_env: None) -> PluginManager:
    """A fresh manager loading only this plugin's entry point (and the built-ins)."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "twilio")
    return PluginManager()


@pytest.fixture
async def make_dispatcher(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    twilio_section: dict[str, Any],
    tmp_path: Path,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """``make_dispatcher(**section_overrides)``: channels built from config by the plugin."""
    built: list[Dispatcher] = []

    def build(**overrides: Any) -> Dispatcher:
        section = {**twilio_section, **overrides}
        d = Dispatcher(
            Settings(
                output_dir=tmp_path / "out",
                channels={"twilio-sms": section, "twilio-voice": section},
            ),
            plugins=plugin_manager,
            clock=fake_clock,
            ledger=MemoryLedger(),
            retry=RetryPolicy(max_attempts=5, base_seconds=1, cap_seconds=30),
        )
        built.append(d)
        return d

    yield build
    for d in built:
        await d.aclose()
