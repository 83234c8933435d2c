"""Registers the built-in ledger back-ends by URL scheme.

Each back-end is imported when a dispatcher opens a ledger of its scheme (psycopg only
for ``postgresql://``), never when the plugin registers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..ledger.base import Ledger, LedgerFactory


def _memory(url: str = "memory://") -> Ledger:
    from ..ledger.memory import MemoryLedger

    return MemoryLedger(url)


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
    register("memory", _memory)
    register("sqlite", _sqlite)
    register("postgresql", _postgres)
    register("postgres", _postgres)
