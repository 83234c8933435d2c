"""Shared fixtures for the core tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def only_builtin_and_example_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Core tests run with the built-ins and the example plugin only (no first-party
    channel plugins), so what they assert does not depend on other distributions."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "example")
