"""The summary of one campaign run: counts by outcome, by rule, by channel and by stage.

Counters only, so a run over millions of accounts keeps it small; bad rows are kept (up
to :data:`MAX_BAD_ROWS_KEPT`) with their line numbers so they can be reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..models import Notice, Outcome, OutcomeStatus
from .portfolio import BadRow

__all__ = ["MAX_BAD_ROWS_KEPT", "PLANNED", "WRITTEN_KEYS", "Summary"]

MAX_BAD_ROWS_KEPT = 1000
"""Bad rows listed in a summary; beyond this they are only counted."""

WRITTEN_KEYS: tuple[str, ...] = ("path", "json")
"""Receipt ``detail`` keys naming a file a channel wrote (the capture and letter channels
give ``path``; the call-script channel ``json``, beside its ``.md`` and ``.html``)."""

PLANNED = "planned"
"""The outcome a dry run records for every notice it would send."""


@dataclass
class Summary:
    """Everything a run did, as counters."""

    dry_run: bool = False
    now: datetime | None = None
    rows: int = 0
    """Records read (valid and bad)."""
    accounts: int = 0
    """Valid accounts."""
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_row_count: int = 0
    no_stage: int = 0
    """Accounts with no stage due today."""
    stages_due: int = 0
    notices: int = 0
    """Notices sent (or, in a dry run, planned), fallbacks included."""
    new_deliveries: int = 0
    """Delivered in this run (not a duplicate of an earlier run)."""
    duplicates: int = 0
    """Notices whose key the ledger already held as done: nothing was sent."""
    fallbacks: int = 0
    """Notices sent on a fallback medium after the previous one failed."""
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    """``"blocked: RULE"`` / ``"deferred: RULE"`` → count."""
    by_channel: dict[str, Counter[str]] = field(default_factory=dict)
    """channel → outcome → count."""
    by_stage: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    """Due stages not sent, by reason (already sent earlier in the grace window...)."""
    written: Counter[str] = field(default_factory=Counter)
    """Folder → files written there by channels that write files (capture, letters)."""
    next_due: datetime | None = None
    """The earliest instant a deferred notice may go."""

    def bad(self, row: BadRow) -> None:
        """Count a refused record (and keep it, up to the limit)."""
        self.rows += 1
        self.bad_row_count += 1
        if len(self.bad_rows) < MAX_BAD_ROWS_KEPT:
            self.bad_rows.append(row)

    def planned(self, notice: Notice) -> None:
        """Count a notice a dry run would send."""
        self._count(notice, PLANNED)

    def record(
        self, notice: Notice, outcome: Outcome, *, fallback: bool = False, explain: bool = False
    ) -> None:
        """Count one notice's outcome.

        ``explain``: label a block or deferral with its reason too (for reasons that are
        fixed texts, such as a notice data source's "no appointment booked by call").
        """
        status = outcome.status.value
        self._count(notice, status)
        if fallback:
            self.fallbacks += 1
        if outcome.duplicate:
            self.duplicates += 1
        elif outcome.status is OutcomeStatus.DELIVERED:
            self.new_deliveries += 1
            if outcome.receipt is not None:
                path = _written_path(outcome.receipt.detail)
                if path:
                    self.written[str(Path(path).parent)] += 1
        if outcome.status in (OutcomeStatus.BLOCKED, OutcomeStatus.DEFERRED):
            label = f"{status}: {outcome.rule or 'unspecified'}"
            if (outcome.rule == "input" or explain) and outcome.reason:
                # Bad input is named by its typed error (field: reason, never a value).
                label += f" ({outcome.reason[:120]})"
            self.by_rule[label] += 1
        until = outcome.until if outcome.status is OutcomeStatus.DEFERRED else None
        if until is not None and (self.next_due is None or until < self.next_due):
            self.next_due = until

    def _count(self, notice: Notice, status: str) -> None:
        self.notices += 1
        self.by_outcome[status] += 1
        self.by_channel.setdefault(notice.channel, Counter())[status] += 1
        if notice.stage:
            self.by_stage[notice.stage] += 1

    @property
    def failures(self) -> int:
        """Notices that ended ``failed`` or ``dead_lettered`` (after any fallback)."""
        return (
            self.by_outcome[OutcomeStatus.FAILED.value]
            + self.by_outcome[OutcomeStatus.DEAD_LETTERED.value]
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (``notifysdk run --json``)."""
        return {
            "dry_run": self.dry_run,
            "now": self.now.isoformat() if self.now else None,
            "rows": self.rows,
            "accounts": self.accounts,
            "bad_rows": self.bad_row_count,
            "bad_row_details": [r.as_dict() for r in self.bad_rows],
            "no_stage_today": self.no_stage,
            "stages_due": self.stages_due,
            "notices": self.notices,
            "new_deliveries": self.new_deliveries,
            "duplicates": self.duplicates,
            "fallbacks": self.fallbacks,
            "by_outcome": dict(sorted(self.by_outcome.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "by_channel": {k: dict(sorted(v.items())) for k, v in sorted(self.by_channel.items())},
            "by_stage": dict(sorted(self.by_stage.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "written": dict(sorted(self.written.items())),
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


def _written_path(detail: dict[str, Any]) -> str | None:
    for key in WRITTEN_KEYS:
        value = detail.get(key)
        if isinstance(value, str) and value:
            return value
    return None
