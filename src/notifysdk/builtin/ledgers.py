"""Registers the built-in ledger back-ends by URL scheme.

Each back-end is imported when a dispatcher opens a ledger of its scheme (psycopg only
for ``postgresql://``), never when the plugin registers. The durable factories take the
ledger's keys (``keys=``, see :func:`notifysdk.dispatch.dispatcher.open_ledger`); the
memory ledger never touches a disk and takes none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..keys import LedgerKeys
    from ..ledger.base import Ledger, LedgerFactory


def _memory(url: str = "memory://") -> Ledger:
    from ..ledger.memory import MemoryLedger

    return MemoryLedger(url)


def _sqlite(url: str, keys: LedgerKeys | None = None) -> Ledger:
    from ..ledger.sqlite import SqliteLedger

    return SqliteLedger(url, keys=keys)


def _postgres(url: str, keys: LedgerKeys | None = None) -> Ledger:
    from ..ledger.postgres import PostgresLedger

    ledger = PostgresLedger(url)
    if keys is not None:
        ledger.use_keys(keys)
    return ledger


@hookimpl
def notifysdk_register_ledgers(register: Callable[[str, LedgerFactory], None]) -> None:
    """``memory://`` (in-process), ``sqlite:///path`` (the embedded default) and
    ``postgresql://...`` (several workers or machines; needs psycopg)."""
    register("memory", _memory)
    register("sqlite", _sqlite)
    register("postgresql", _postgres)
    register("postgres", _postgres)
