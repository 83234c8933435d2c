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


@pytest.fixture(params=["sqlite", "postgresql"])
def notifysdk_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The privacy tests run on both durable ledgers production uses (the shipped
    fixture's default is the in-memory one): a SQLite file, and a fresh PostgreSQL
    database."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return url
    return f"sqlite:///{tmp_path}/ledger.db"
