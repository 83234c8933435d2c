"""What a task carries and what a worker reports back, and how both are sealed.

A **job** is one ladder stage for one recipient: its notices in medium order (the
first, then the fallbacks tried when the previous one ends in a ``fallback_on``
outcome), each with the version-1 key it may have been sent under before an upgrade.
Its id is the first notice's idempotency key. A task carries up to
``[worker] batch`` jobs, each sealed (:mod:`.payload`): the task's own arguments are
the run's id and the jobs' ids and tokens — no personal data in clear.

A **report** says how a job ended, one :class:`Step` per notice tried: either
*recorded* (its outcome is in the ledger, which the planner reads: the ledger is the
source of truth) or, for the outcomes the dispatcher deliberately does not record
(bad input, a data source's block, an error before the claim), the masked outcome
itself; or a *skip* (sent under its version-1 key earlier today).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..keys import LedgerKeys
from ..models import Notice, Outcome
from .payload import open_token, seal

__all__ = ["Job", "Step", "open_job", "open_report", "seal_job", "seal_report"]

JOB = "job"
REPORT = "report"


@dataclass(frozen=True)
class Job:
    """One stage's notices for one recipient, in medium order."""

    notices: tuple[Notice, ...]
    legacy_keys: tuple[str | None, ...] = ()
    """Per notice, its version-1 key (``None``: none to check)."""
    fallback_on: tuple[str, ...] = ()
    """The ladder's ``fallback_on`` (empty: the first notice only)."""
    now: str | None = None
    """The planner's instant (ISO 8601) when it runs at a chosen one (``run --now``):
    the worker sends the job as of then, the clock running on from it."""

    @property
    def id(self) -> str:
        """The first notice's idempotency key."""
        return self.notices[0].idempotency_key


@dataclass(frozen=True)
class Step:
    """How one notice of a job ended."""

    key: str
    recorded: bool = False
    outcome: Outcome | None = None
    """The masked outcome, when it is not in the ledger (``recorded`` is false)."""
    explain: bool = False
    """A data source's block: the summary labels it with its reason."""
    skipped: str | None = None
    """A reason the notice was not sent (already done under its version-1 key)."""

    def as_json(self) -> dict[str, object]:
        """A JSON-ready view."""
        doc: dict[str, object] = {"k": self.key}
        if self.recorded:
            doc["r"] = 1
        if self.outcome is not None:
            doc["o"] = self.outcome.model_dump(mode="json")
        if self.explain:
            doc["e"] = 1
        if self.skipped:
            doc["s"] = self.skipped
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Step:
        """The step :meth:`as_json` wrote."""
        raw = doc.get("o")
        return cls(
            key=str(doc["k"]),
            recorded=bool(doc.get("r")),
            outcome=None if raw is None else Outcome.model_validate(raw),
            explain=bool(doc.get("e")),
            skipped=None if doc.get("s") is None else str(doc["s"]),
        )


@dataclass
class Report:
    """A settled job: its id and steps."""

    job_id: str
    steps: list[Step] = field(default_factory=list)


def seal_job(keys: LedgerKeys, job: Job) -> str:
    """The job as a broker token."""
    doc = {
        "n": [n.model_dump_json() for n in job.notices],
        "l": list(job.legacy_keys),
        "f": list(job.fallback_on),
        "t": job.now,
    }
    return seal(keys, JOB, job.id, json.dumps(doc, separators=(",", ":")).encode())


def open_job(keys: LedgerKeys, job_id: str, token: str) -> Job:
    """The job a token from :func:`seal_job` holds."""
    doc = json.loads(open_token(keys, JOB, job_id, token))
    notices = tuple(Notice.model_validate_json(n) for n in doc["n"])
    legacy = tuple(doc.get("l") or (None,) * len(notices))
    return Job(notices, legacy, tuple(doc.get("f") or ()), doc.get("t"))


def seal_report(keys: LedgerKeys, job_id: str, steps: Sequence[Step]) -> str:
    """A settled job's steps as a broker token (a masked outcome is sealed too: it
    names the account's notice)."""
    data = json.dumps([s.as_json() for s in steps], separators=(",", ":")).encode()
    return seal(keys, REPORT, job_id, data)


def open_report(keys: LedgerKeys, job_id: str, token: str) -> Report:
    """The report a token from :func:`seal_report` holds."""
    docs = json.loads(open_token(keys, REPORT, job_id, token))
    return Report(job_id, [Step.from_json(d) for d in docs])
