"""Registers the built-in ledger back-ends by URL scheme."""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..ledger.base import Ledger, LedgerFactory
from ..ledger.memory import MemoryLedger


def _sqlite(url: str) -> Ledger:
    from ..ledger.sqlite import SqliteLedger

    return SqliteLedger(url)


def _postgres(url: str) -> Ledger:
    from ..ledger.postgres import PostgresLedger

    return PostgresLedger(url)


@hookimpl
def notifysdk_register_ledgers(register: Callable[[str, LedgerFactory], None]) -> None:
    """``memory://`` (in-process), ``sqlite:///path`` (the embedded default) and
    ``postgresql://...`` (several workers or machines; needs psycopg)."""
    register("memory", MemoryLedger)
    register("sqlite", _sqlite)
    register("postgresql", _postgres)
    register("postgres", _postgres)
