"""Fixtures for the privacy tests; makes the corpus and scan helpers importable."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Privacy tests run with the built-in plugins only: what they assert does not depend
    on other distributions (and none are imported)."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


@pytest.fixture
def notifysdk_ledger_url(durable_ledger_url: str) -> str:
    """The privacy tests run on both durable ledgers production uses (the shipped
    fixture's default is the in-memory one)."""
    return durable_ledger_url
