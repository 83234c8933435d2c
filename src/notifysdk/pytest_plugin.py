"""The notifysdk pytest plugin (entry point ``pytest11``), loaded automatically.

Fixtures (each named ``notifysdk_…`` so it cannot clash with a project's own; the short
names of earlier releases — ``register_plugin``, ``fake_clock``, ``mock_channel``,
``dispatcher`` — still work as aliases for one release):

- ``notifysdk_plugins``: a fresh :class:`~notifysdk.plugins.PluginManager` per test,
  installed as the process-wide one for the test's duration.
- ``notifysdk_register_plugin``: ``notifysdk_register_plugin(obj, name=None)`` registers
  a plugin for one test only and returns its name. A plugin the manager already loaded
  (an installed plugin's module, from its entry point) is left as it is: its name is
  returned.
- ``notifysdk_clock``: a :class:`~notifysdk.clock.FakeClock`; sleeping advances it
  instantly, so retry tests never wait.
- ``notifysdk_mock_channel``: a factory ``notifysdk_mock_channel(handler=None, **kw)``
  for :class:`~notifysdk.testing.MockChannel` on the test's clock.
- ``notifysdk_http_receiver``: a :class:`~notifysdk.testing_receiver.LoopbackReceiver`
  (a real HTTP server on loopback that records requests and answers queued replies),
  closed after the test.
- ``notifysdk_ledger_url``: the URL of the ledger ``notifysdk_dispatcher`` opens for each
  dispatcher it builds. ``memory://`` unless the ini option ``notifysdk_ledger_url`` says
  otherwise (``{tmp_path}`` in it is the test's temporary folder, e.g.
  ``sqlite:///{tmp_path}/ledger.db``); a ``conftest.py`` may override the fixture.
- ``notifysdk_dispatcher``: a factory, ``d = notifysdk_dispatcher(*channels, **kw)`` (a
  plain call, not awaited), building a :class:`~notifysdk.dispatcher.Dispatcher` on the
  fresh manager, the fake clock, the ledger of ``notifysdk_ledger_url`` and a temporary
  output folder; closed (with the ledgers it opened) after the test. The fixture is
  asynchronous (it closes dispatchers with ``await``) and declared through
  pytest-asyncio, so it works in its ``strict`` mode (the default) and in ``auto`` mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

try:  # declared through pytest-asyncio, an async fixture works in its strict mode too
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - without pytest-asyncio no async test runs
    _async_fixture = pytest.fixture  # type: ignore[assignment]

from .channels import Channel
from .clock import FakeClock
from .config import Settings
from .dispatcher import Dispatcher, open_ledger
from .ledger.base import Ledger
from .plugins import PluginManager, set_plugin_manager
from .retry import RetryPolicy
from .testing import MockChannel
from .testing_receiver import LoopbackReceiver

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
def notifysdk_register_plugin(
    notifysdk_plugins: PluginManager,
) -> Iterator[Callable[..., str]]:
    """Register a plugin object for the duration of one test; returns its name. An
    object the manager already has (an installed plugin, loaded from its entry point)
    is not registered twice: its name is returned and it stays after the test."""
    names: list[str] = []

    def register(plugin: object, name: str | None = None) -> str:
        notifysdk_plugins.load()
        existing = notifysdk_plugins.pm.get_name(plugin)
        if existing is not None:
            return existing
        registered = notifysdk_plugins.register(plugin, name)
        names.append(registered)
        return registered

    yield register
    for name in names:
        if notifysdk_plugins.pm.has_plugin(name):
            notifysdk_plugins.unregister(name)


@pytest.fixture
def notifysdk_clock() -> FakeClock:
    """A clock that only moves when told to (or when something sleeps)."""
    return FakeClock()


@pytest.fixture
def notifysdk_mock_channel(notifysdk_clock: FakeClock) -> Callable[..., MockChannel]:
    """Build :class:`MockChannel` objects sharing the test's fake clock."""

    def build(handler: Any = None, **kwargs: Any) -> MockChannel:
        kwargs.setdefault("clock", notifysdk_clock)
        return MockChannel(handler, **kwargs)

    return build


@pytest.fixture
def notifysdk_http_receiver() -> Iterator[LoopbackReceiver]:
    """A real HTTP server on ``127.0.0.1`` for a channel under test to post to."""
    with LoopbackReceiver() as receiver:
        yield receiver


@_async_fixture
async def notifysdk_dispatcher(
    notifysdk_plugins: PluginManager,
    notifysdk_clock: FakeClock,
    tmp_path: Path,
    notifysdk_ledger_url: str,
) -> AsyncIterator[Callable[..., Dispatcher]]:
    """Build dispatchers (``d = notifysdk_dispatcher(*channels, **kw)``, not awaited)
    wired to the fresh plugin manager, the fake clock and the ledger of
    ``notifysdk_ledger_url`` (dispatchers built in one test share a durable ledger; each
    gets its own ``memory://`` one)."""
    fake_clock = notifysdk_clock
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


# The names of earlier releases, kept for one release.


@pytest.fixture
def register_plugin(notifysdk_register_plugin: Callable[..., str]) -> Callable[..., str]:
    """Deprecated alias of ``notifysdk_register_plugin``."""
    return notifysdk_register_plugin


@pytest.fixture
def fake_clock(notifysdk_clock: FakeClock) -> FakeClock:
    """Deprecated alias of ``notifysdk_clock``."""
    return notifysdk_clock


@pytest.fixture
def mock_channel(
    notifysdk_mock_channel: Callable[..., MockChannel],
) -> Callable[..., MockChannel]:
    """Deprecated alias of ``notifysdk_mock_channel``."""
    return notifysdk_mock_channel


@pytest.fixture
def dispatcher(notifysdk_dispatcher: Callable[..., Dispatcher]) -> Callable[..., Dispatcher]:
    """Deprecated alias of ``notifysdk_dispatcher``."""
    return notifysdk_dispatcher
