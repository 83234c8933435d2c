"""The notifysdk pytest plugin (entry point ``pytest11``), loaded automatically.

Fixtures:

- ``notifysdk_plugins``: a fresh :class:`~notifysdk.plugins.PluginManager` per test,
  installed as the process-wide one for the test's duration.
- ``register_plugin``: ``register_plugin(obj, name=None)`` registers a plugin for one
  test only.
- ``fake_clock``: a :class:`~notifysdk.clock.FakeClock`; sleeping advances it instantly.
- ``mock_channel``: a factory ``mock_channel(handler=None, **kw)`` for
  :class:`~notifysdk.testing.MockChannel`.
- ``notifysdk_ledger_url``: the URL of the ledger ``dispatcher`` opens for each
  dispatcher it builds. ``memory://`` unless the ini option ``notifysdk_ledger_url`` says
  otherwise (``{tmp_path}`` in it is the test's temporary folder, e.g.
  ``sqlite:///{tmp_path}/ledger.db``); a ``conftest.py`` may override the fixture.
- ``dispatcher``: an async factory ``await dispatcher(*channels, **kw)`` building a
  :class:`~notifysdk.dispatcher.Dispatcher` on the fresh manager, the fake clock, the
  ledger of ``notifysdk_ledger_url`` and a temporary output folder; closed (with the
  ledgers it opened) after the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .channels import Channel
from .clock import FakeClock
from .config import Settings
from .dispatcher import Dispatcher, open_ledger
from .ledger.base import Ledger
from .plugins import PluginManager, set_plugin_manager
from .retry import RetryPolicy
from .testing import MockChannel

LEDGER_URL_INI = "notifysdk_ledger_url"
DEFAULT_LEDGER_URL = "memory://"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini option ``notifysdk_ledger_url`` (default ``memory://``)."""
    parser.addini(
        LEDGER_URL_INI,
        "ledger URL for the notifysdk dispatcher fixture ({tmp_path} is the test's folder)",
        default=DEFAULT_LEDGER_URL,
    )


@pytest.fixture
def notifysdk_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The ledger URL ``dispatcher`` opens: the ``notifysdk_ledger_url`` ini option
    (``memory://`` by default), ``{tmp_path}`` replaced by the test's temporary folder.
    Override this fixture to choose per directory, e.g. a durable SQLite file."""
    url = str(request.config.getini(LEDGER_URL_INI) or DEFAULT_LEDGER_URL)
    return url.replace("{tmp_path}", str(tmp_path))


@pytest.fixture
def notifysdk_plugins() -> Iterator[PluginManager]:
    """A fresh plugin manager, installed process-wide for this test."""
    pm = PluginManager()
    old = set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(old)


@pytest.fixture
def register_plugin(notifysdk_plugins: PluginManager) -> Iterator[Callable[..., str]]:
    """Register a plugin object for the duration of one test."""
    names: list[str] = []

    def register(plugin: object, name: str | None = None) -> str:
        registered = notifysdk_plugins.register(plugin, name)
        names.append(registered)
        return registered

    yield register
    for name in names:
        if notifysdk_plugins.pm.has_plugin(name):
            notifysdk_plugins.unregister(name)


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that only moves when told to (or when something sleeps)."""
    return FakeClock()


@pytest.fixture
def mock_channel(fake_clock: FakeClock) -> Callable[..., MockChannel]:
    """Build :class:`MockChannel` objects sharing the test's fake clock."""

    def build(handler: Any = None, **kwargs: Any) -> MockChannel:
        kwargs.setdefault("clock", fake_clock)
        return MockChannel(handler, **kwargs)

    return build


@pytest.fixture
async def dispatcher(
    notifysdk_plugins: PluginManager,
    fake_clock: FakeClock,
    tmp_path: Path,
    notifysdk_ledger_url: str,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """Build dispatchers wired to the fresh plugin manager, the fake clock and the ledger
    of ``notifysdk_ledger_url`` (dispatchers built in one test share a durable ledger;
    each gets its own ``memory://`` one)."""
    built: list[Dispatcher] = []
    opened: list[Ledger] = []

    def build(*channels: Channel, **kwargs: Any) -> Dispatcher:
        kwargs.setdefault("settings", Settings(output_dir=tmp_path / "out"))
        kwargs.setdefault("plugins", notifysdk_plugins)
        kwargs.setdefault("clock", fake_clock)
        if "ledger" not in kwargs:
            kwargs["ledger"] = open_ledger(notifysdk_ledger_url, kwargs["plugins"])
            opened.append(kwargs["ledger"])
        kwargs.setdefault("retry", RetryPolicy(max_attempts=5, base_seconds=1, cap_seconds=30))
        d = Dispatcher(channels={c.name: c for c in channels}, **kwargs)
        built.append(d)
        return d

    yield build
    for d in built:
        await d.aclose()
    for ledger in opened:
        await ledger.aclose()
