"""The summary of one campaign run: counts by outcome, by rule, by channel and by stage,
and the deliveries a rule restricted to a limited-content variant.

Counters only, so a run over millions of accounts keeps it small; bad rows and failed
rows are kept (up to :data:`MAX_BAD_ROWS_KEPT` each) with their line numbers so they can
be reported.

A *bad row* was refused by the reader (it is not a valid account); a *failed row* is a
valid account whose processing raised (:class:`RowFailure`): an unexpected exception
while planning or sending one of its notices, or a notice that ended ``failed`` by rule
``internal-error``. Either way the run went on with the next row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..models import INTERNAL_ERROR_RULE, Notice, Outcome, OutcomeStatus, Restriction
from .portfolio import BadRow

__all__ = [
    "MAX_BAD_ROWS_KEPT",
    "PLANNED",
    "WRITTEN_KEYS",
    "RowFailure",
    "Summary",
    "restriction_label",
]

MAX_BAD_ROWS_KEPT = 1000
"""Bad rows listed in a summary; beyond this they are only counted."""

WRITTEN_KEYS: tuple[str, ...] = ("path", "json")
"""Receipt ``detail`` keys naming a file a channel wrote (the capture and letter channels
give ``path``; the call-script channel ``json``, beside its ``.md`` and ``.html``)."""

PLANNED = "planned"
"""The outcome a dry run records for every notice it would send."""


@dataclass(frozen=True, slots=True)
class RowFailure:
    """A valid row whose processing raised: its line, a reason code
    (:data:`~notifysdk.models.INTERNAL_ERROR_RULE` for an unexpected exception, else
    the typed error's code), the reason (the exception's type, or the typed error's
    field and reason) and the ladder stage when known. Never a value of the row."""

    line: int
    code: str
    reason: str
    stage: str | None = None

    def __str__(self) -> str:
        where = f"{self.stage}: " if self.stage else ""
        return f"line {self.line}: {where}{self.reason} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"line": self.line, "code": self.code, "reason": self.reason, "stage": self.stage}


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
    failed_rows: list[RowFailure] = field(default_factory=list)
    """Valid rows whose processing raised (kept up to :data:`MAX_BAD_ROWS_KEPT`)."""
    internal_errors: int = 0
    """Notices that ended ``failed`` by ``internal-error`` (counted in ``by_outcome``
    too, but as failed rows, not in :attr:`failures`)."""
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
    restricted: Counter[str] = field(default_factory=Counter)
    """Deliveries of this run sent as a limited-content variant, by what restricted
    them: ``"RULE (PROFILE): VARIANT"`` → count (:attr:`Outcome.restriction
    <notifysdk.models.Outcome.restriction>`)."""
    by_channel: dict[str, Counter[str]] = field(default_factory=dict)
    """channel → outcome → count."""
    by_stage: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    """Due stages not sent, by reason (already sent earlier in the grace window...)."""
    written: Counter[str] = field(default_factory=Counter)
    """Folder → files written there by channels that write files (capture, letters)."""
    next_due: datetime | None = None
    """The earliest instant a deferred notice may go."""
    _failed_lines: set[int] = field(default_factory=set, repr=False)

    def bad(self, row: BadRow) -> None:
        """Count a refused record (and keep it, up to the limit)."""
        self.rows += 1
        self.bad_row_count += 1
        if len(self.bad_rows) < MAX_BAD_ROWS_KEPT:
            self.bad_rows.append(row)

    def row_failed(self, failure: RowFailure) -> None:
        """Count a valid row whose processing raised (each line once)."""
        if failure.line not in self._failed_lines:
            self._failed_lines.add(failure.line)
            if len(self.failed_rows) < MAX_BAD_ROWS_KEPT:
                self.failed_rows.append(failure)

    @property
    def failed_row_count(self) -> int:
        """Valid rows whose processing raised."""
        return len(self._failed_lines)

    def planned(self, notice: Notice) -> None:
        """Count a notice a dry run would send."""
        self._count(notice, PLANNED)

    def record(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fallback: bool = False,
        explain: bool = False,
        line: int | None = None,
    ) -> None:
        """Count one notice's outcome (of the row at ``line``).

        ``explain``: label a block or deferral with its reason too (for reasons that are
        fixed texts, such as a notice data source's "no appointment booked by call").
        A ``failed`` outcome by ``internal-error`` (this run's, or a duplicate of an
        earlier run's) also counts its row as failed.
        """
        status = outcome.status.value
        if outcome.rule == INTERNAL_ERROR_RULE and outcome.status is OutcomeStatus.FAILED:
            self.internal_errors += 1
            self.by_rule[f"{status}: {INTERNAL_ERROR_RULE} ({outcome.reason or '-'})"] += 1
            if line is not None:
                reason = outcome.reason or "unexpected error"
                self.row_failed(RowFailure(line, INTERNAL_ERROR_RULE, reason, notice.stage))
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
            if outcome.restriction is not None:
                self.restricted[restriction_label(outcome.restriction)] += 1
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

    def merge(self, later: Summary) -> None:
        """Add the summary of the rows that follow this one's in the portfolio (a run
        over several processes merges its chunks in portfolio order): the counters add
        up, and the lists of bad and failed rows go on in order, up to
        :data:`MAX_BAD_ROWS_KEPT` each — exactly what one run over all the rows keeps."""
        self.rows += later.rows
        self.accounts += later.accounts
        self.bad_row_count += later.bad_row_count
        room = MAX_BAD_ROWS_KEPT - len(self.bad_rows)
        self.bad_rows.extend(later.bad_rows[: max(room, 0)])
        for failure in later.failed_rows:
            if failure.line not in self._failed_lines and len(self.failed_rows) < MAX_BAD_ROWS_KEPT:
                self.failed_rows.append(failure)
        self._failed_lines |= later._failed_lines
        self.internal_errors += later.internal_errors
        self.no_stage += later.no_stage
        self.stages_due += later.stages_due
        self.notices += later.notices
        self.new_deliveries += later.new_deliveries
        self.duplicates += later.duplicates
        self.fallbacks += later.fallbacks
        for mine, theirs in (
            (self.by_outcome, later.by_outcome),
            (self.by_rule, later.by_rule),
            (self.restricted, later.restricted),
            (self.by_stage, later.by_stage),
            (self.skipped, later.skipped),
            (self.written, later.written),
        ):
            mine.update(theirs)
        for channel, counts in later.by_channel.items():
            self.by_channel.setdefault(channel, Counter()).update(counts)
        if later.next_due is not None and (self.next_due is None or later.next_due < self.next_due):
            self.next_due = later.next_due

    @property
    def failures(self) -> int:
        """Notices that ended ``failed`` or ``dead_lettered`` (after any fallback),
        less those failed by ``internal-error``: those count as failed rows."""
        return (
            self.by_outcome[OutcomeStatus.FAILED.value]
            + self.by_outcome[OutcomeStatus.DEAD_LETTERED.value]
            - self.internal_errors
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
            "failed_rows": self.failed_row_count,
            "failed_row_details": [r.as_dict() for r in self.failed_rows],
            "no_stage_today": self.no_stage,
            "stages_due": self.stages_due,
            "notices": self.notices,
            "new_deliveries": self.new_deliveries,
            "duplicates": self.duplicates,
            "fallbacks": self.fallbacks,
            "by_outcome": dict(sorted(self.by_outcome.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "restricted": dict(sorted(self.restricted.items())),
            "by_channel": {k: dict(sorted(v.items())) for k, v in sorted(self.by_channel.items())},
            "by_stage": dict(sorted(self.by_stage.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "written": dict(sorted(self.written.items())),
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


def restriction_label(restriction: Restriction) -> str:
    """``"recipient-guard (cn): limited_content"``: the key of :attr:`Summary.restricted`."""
    who = f" ({restriction.profile})" if restriction.profile else ""
    return f"{restriction.rule}{who}: {restriction.variant}"


def _written_path(detail: dict[str, Any]) -> str | None:
    for key in WRITTEN_KEYS:
        value = detail.get(key)
        if isinstance(value, str) and value:
            return value
    return None
