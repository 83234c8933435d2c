"""A ledger that cannot be written or opened raises the SDK's typed error to every caller
(a direct Dispatcher.send, a script), not a raw driver exception."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from notifysdk.errors import LedgerUnavailableError
from notifysdk.ledger.runner import typed_error
from notifysdk.ledger.sqlite import SqliteLedger


def test_driver_faults_become_ledger_unavailable_and_others_stay() -> None:
    fault = typed_error(sqlite3.OperationalError("attempt to write a readonly database"))
    assert isinstance(fault, LedgerUnavailableError)
    assert isinstance(fault.__cause__, sqlite3.OperationalError)
    unique = sqlite3.IntegrityError("UNIQUE constraint failed")
    assert typed_error(unique) is unique
    bug = ValueError("a bug in an operation")
    assert typed_error(bug) is bug


def test_a_ledger_in_a_folder_that_cannot_exist_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LedgerUnavailableError):
        SqliteLedger(f"sqlite:///{blocker}/ledger.db")


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    junk = tmp_path / "ledger.db"
    junk.write_bytes(b"this is not a database file at all" * 200)
    with pytest.raises(LedgerUnavailableError):
        SqliteLedger(f"sqlite:///{junk}")
