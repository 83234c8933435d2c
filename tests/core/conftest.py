"""Shared fixtures for the core tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notifysdk.plugins import set_plugin_manager


@pytest.fixture(autouse=True)
def only_builtin_and_example_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Core tests run with the built-ins and the example plugin only (no first-party
    channel plugins), so what they assert does not depend on other distributions. A
    process-wide plugin manager a core test creates under that restriction is dropped
    after it (the previous one comes back), so later suites never inherit it."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "example")
    old = set_plugin_manager(None)
    yield
    set_plugin_manager(old)
