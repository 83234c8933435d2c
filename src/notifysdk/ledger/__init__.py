"""Ledgers: where every claim, attempt, outcome and audit entry is recorded.

``memory://`` (in-process), ``sqlite:///path`` (the embedded, durable default) and
``postgresql://...`` (several workers). The durable ones implement
:class:`DurableLedger` (recovery, due list, dead letters, audit verify and purge).
"""

from .base import AuditEntry, Claim, ClaimStatus, Ledger, LedgerFactory, NoticeRecord, NoticeState
from .durable import (
    DurableLedger,
    PurgeReport,
    StaleClaim,
    StoredNotice,
    Transition,
    VerifyReport,
)
from .memory import MemoryLedger

__all__ = [
    "AuditEntry",
    "Claim",
    "ClaimStatus",
    "DurableLedger",
    "Ledger",
    "LedgerFactory",
    "MemoryLedger",
    "NoticeRecord",
    "NoticeState",
    "PurgeReport",
    "StaleClaim",
    "StoredNotice",
    "Transition",
    "VerifyReport",
]
