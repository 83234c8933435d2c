"""Ledgers: where every claim, attempt, outcome and audit entry is recorded."""

from .base import AuditEntry, Claim, ClaimStatus, Ledger, LedgerFactory, NoticeRecord, NoticeState
from .memory import MemoryLedger

__all__ = [
    "AuditEntry",
    "Claim",
    "ClaimStatus",
    "Ledger",
    "LedgerFactory",
    "MemoryLedger",
    "NoticeRecord",
    "NoticeState",
]
