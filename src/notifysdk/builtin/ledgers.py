"""Registers the built-in ledger back-ends by URL scheme."""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..ledger.base import LedgerFactory
from ..ledger.memory import MemoryLedger


@hookimpl
def notifysdk_register_ledgers(register: Callable[[str, LedgerFactory], None]) -> None:
    """``memory://``: the in-process ledger."""
    register("memory", MemoryLedger)
