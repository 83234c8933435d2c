"""Fixtures of the self-service tests: a dispatcher on a SQLite ledger with the fake
clock, and the page's app over it (driven through httpx's ASGI transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.keys import load_keys
from notifysdk.ledger.base import Ledger
from notifysdk.plugins import PluginManager
from notifysdk.selfservice.app import create_app
from notifysdk.selfservice.keys import SelfServiceKeys, load_self_service_keys
from notifysdk.selfservice.settings import SelfServiceSettings
from notifysdk.selfservice.tokens import Purpose, issue
from notifysdk.testing import MockChannel

from .support import channels

DAY = datetime.fromisoformat("2026-01-06T10:00:00+08:00")
BASE = "https://pay.example.com/self-service"


@dataclass
class Page:
    """The app, its client, its dispatcher and what the test needs to drive them."""

    client: httpx.AsyncClient
    dispatcher: Dispatcher
    ledger: Ledger
    keys: SelfServiceKeys
    clock: FakeClock
    sms: MockChannel
    email: MockChannel
    config: SelfServiceSettings

    def token(self, key: str, purpose: Purpose = Purpose.PAGE, days: int = 30) -> str:
        """A link token for notice ``key``."""
        return issue(self.keys, key, purpose, now=self.clock.now(), days=days)


@pytest.fixture
async def make_page(
    tmp_path: Path, notifysdk_plugins: PluginManager, notifysdk_clock: FakeClock
) -> AsyncIterator[Callable[..., Page]]:
    """Build the page (``make_page(ledger_url=None, channel_settings=None, **self-service
    settings)``) over one ledger per test (SQLite in ``tmp_path`` unless ``ledger_url``
    names another)."""
    made: list[Page] = []
    ledgers: list[Ledger] = []
    ledger_keys = load_keys(tmp_path / "keys")
    notifysdk_clock.set(DAY)

    def build(
        ledger_url: str | None = None,
        channel_settings: dict[str, Any] | None = None,
        **config: object,
    ) -> Page:
        if not ledgers:
            url = ledger_url or f"sqlite:///{tmp_path}/ledger.db"
            ledgers.append(open_ledger(url, keys=lambda: ledger_keys))
        sms, email = channels()
        settings = Settings(
            output_dir=tmp_path / "out",
            key_dir=tmp_path / "keys",
            institution_contact="95555",
            channels=channel_settings or {},
        )
        d = Dispatcher(
            settings,
            channels={"sms": sms, "email": email},
            plugins=notifysdk_plugins,
            clock=notifysdk_clock,
            ledger=ledgers[0],
        )
        cfg = SelfServiceSettings(public_base_url=BASE, hotline="95555", **config)
        keys = load_self_service_keys(tmp_path / "keys", environ={})
        app = create_app(d, cfg, keys)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, root_path="/self-service"),
            base_url="https://pay.example.com/self-service",
        )
        page = Page(client, d, ledgers[0], keys, notifysdk_clock, sms, email, cfg)
        made.append(page)
        return page

    yield build
    for p in made:
        await p.client.aclose()
        await p.dispatcher.aclose()
    for ledger in ledgers:
        await ledger.aclose()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the item (the browser fixture saves a screenshot of
    a failed test)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
