"""Crash recovery, the deferred due list and dead-letter re-drives, on a dispatcher.

The :class:`~notifysdk.dispatch.Dispatcher` methods ``recover``, ``run_due`` and
``redrive`` delegate here, and this module uses only the dispatcher's public methods.
Every decision is written to the audit trail with masked details only (keys, channel
names, attempt numbers, statuses; never a destination).

Recovery, for each stale claim (lease expired, or held by this owner before a restart),
after taking it over with a compare-and-set that raises its fencing token (so two
recovering workers never both act, and the crashed worker could not write any more):

- an attempt that ended with a receipt → the notice was delivered: record it;
- attempts in flight or unknown → ask the channel (``reconcile``): ``sent`` → delivered,
  ``not_sent`` → send it again; ``unknown`` → the configured policy decides:
  ``resend`` (at most one duplicate) or ``hold`` (``dead_lettered`` with rule
  ``recovery-hold`` for an operator to inspect and re-drive; a held notice is not a
  failure, so a campaign does not fall back to another medium);
- nothing in flight → nothing went out: send it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..channels import Attempt, ReconcileResult, ReconcileStatus
from ..errors import ConfigurationError, LedgerError
from ..ledger.base import AttemptEnd
from ..ledger.durable import DurableLedger, StaleClaim
from ..ledger.sql import receipt_of
from ..models import Notice, Outcome, OutcomeStatus, Receipt
from .delivery import reconcile, unknown_policy

if TYPE_CHECKING:
    from .dispatcher import Dispatcher


@dataclass
class RecoveryReport:
    """What one recovery pass found and did."""

    examined: int = 0
    delivered: int = 0
    """Receipted or reconciled as sent: recorded as delivered, nothing re-sent."""
    resent: int = 0
    held: int = 0
    skipped: int = 0
    """Taken over by another worker first, or not rebuildable."""
    outcomes: list[Outcome] = field(default_factory=list)


def durable(dispatcher: Dispatcher) -> DurableLedger | None:
    """The dispatcher's ledger if it is durable (the in-memory one is not)."""
    ledger = dispatcher.ledger
    return ledger if isinstance(ledger, DurableLedger) else None


def require_durable(dispatcher: Dispatcher) -> DurableLedger:
    """The durable ledger, or a configuration error naming what is missing."""
    ledger = durable(dispatcher)
    if ledger is None:
        raise ConfigurationError(
            "this needs a durable ledger (sqlite:/// or postgresql://), not "
            f"{type(dispatcher.ledger).__name__}"
        )
    return ledger


async def recover(dispatcher: Dispatcher) -> RecoveryReport:
    """Reclaim stale claims and reconcile their attempts (see the module docstring)."""
    report = RecoveryReport()
    ledger = durable(dispatcher)
    if ledger is None:
        return report
    owner = dispatcher.settings.owner
    for stale in await ledger.stale_claims(owner=owner, now=dispatcher.clock.now()):
        report.examined += 1
        await _recover_one(dispatcher, ledger, stale, report)
    return report


async def _recover_one(
    dispatcher: Dispatcher, ledger: DurableLedger, stale: StaleClaim, report: RecoveryReport
) -> None:
    owner = dispatcher.settings.owner
    key = stale.record.key
    clock = dispatcher.clock
    fence = await ledger.take_over(
        key,
        expected_owner=stale.record.owner,
        owner=owner,
        now=clock.now(),
        lease_seconds=dispatcher.settings.lease_seconds,
    )
    notice = stale.notice
    if fence is None or notice is None:
        report.skipped += 1
        if fence is not None:
            await ledger.audit(
                "recovery",
                key,
                {"decision": "skipped", "why": "the notice was not stored"},
                now=clock.now(),
            )
        return
    attempts = len(stale.record.attempts)
    if stale.delivered is not None:
        await _audit(ledger, dispatcher, key, "receipted", stale.delivered, None)
        report.delivered += 1
        outcome = dispatcher.outcome(
            notice,
            OutcomeStatus.DELIVERED,
            receipt=receipt_of(stale.delivered),
            attempts=attempts,
            rule="recovery",
        )
        report.outcomes.append(await dispatcher.record(notice, outcome, fence=fence))
        return
    unknown: list[Attempt] = []
    for attempt in stale.in_flight:
        result = await reconcile(dispatcher.channel(attempt.channel), attempt)
        if result.status is ReconcileStatus.SENT:
            await _audit(ledger, dispatcher, key, "reconciled_sent", attempt, result)
            receipt = Receipt(
                channel=attempt.channel,
                provider_id=result.provider_id,
                status="reconciled",
                accepted_at=clock.now(),
            )
            report.delivered += 1
            outcome = dispatcher.outcome(
                notice, OutcomeStatus.DELIVERED, receipt=receipt, attempts=attempts, rule="recovery"
            )
            ended = AttemptEnd(attempt, receipt=receipt, reconciled=result.status)
            report.outcomes.append(
                await dispatcher.record(notice, outcome, fence=fence, ended=ended)
            )
            return
        await ledger.mark_attempt(
            attempt,
            status=f"reconciled_{result.status.value}",
            now=clock.now(),
            detail={"provider_id": result.provider_id},
        )
        if result.status is ReconcileStatus.UNKNOWN:
            unknown.append(attempt)
    if unknown:
        policy = unknown_policy(dispatcher.settings, notice.channel)
        await _audit(ledger, dispatcher, key, f"unknown_{policy}", unknown[-1], None, policy=policy)
        if policy == "hold":
            report.held += 1
            outcome = dispatcher.outcome(
                notice,
                OutcomeStatus.DEAD_LETTERED,
                rule="recovery-hold",
                attempts=attempts,
                reason="a crash interrupted delivery and the channel cannot tell whether it "
                "went out; held for review (re-drive to send)",
            )
            report.outcomes.append(await dispatcher.record(notice, outcome, fence=fence))
            return
    elif stale.in_flight:
        await _audit(ledger, dispatcher, key, "reconciled_not_sent", stale.in_flight[-1], None)
    if not await ledger.release(
        key, expected_owner=owner, now=clock.now(), reason="recovered: sending again"
    ):
        report.skipped += 1
        return
    report.resent += 1
    report.outcomes.append(await dispatcher.send(notice))


async def _audit(
    ledger: DurableLedger,
    dispatcher: Dispatcher,
    key: str,
    decision: str,
    attempt: Attempt,
    result: ReconcileResult | None,
    **extra: Any,
) -> None:
    detail: dict[str, Any] = {
        "decision": decision,
        "channel": attempt.channel,
        "attempt": attempt.number,
        **extra,
    }
    if result is not None:
        detail["reconcile"] = result.status.value
    await ledger.audit("recovery", key, detail, now=dispatcher.clock.now())


async def run_due(
    dispatcher: Dispatcher,
    *,
    now: datetime | None = None,
    limit: int = 100,
    concurrency: int = 10,
) -> list[Outcome]:
    """Send again every deferred notice whose time has come (each at most once per call)."""
    ledger = require_durable(dispatcher)
    at = now or dispatcher.clock.now()
    seen: set[str] = set()
    outcomes: list[Outcome] = []
    while True:
        batch = [s for s in await ledger.due(at, limit=limit + len(seen)) if s.key not in seen]
        if not batch:
            return outcomes
        seen.update(s.key for s in batch)
        outcomes.extend(
            await dispatcher.send_many([s.notice for s in batch], concurrency=concurrency)
        )


async def redrive(dispatcher: Dispatcher, keys: Sequence[str]) -> list[Outcome]:
    """Move dead-lettered (or failed) notices back to pending and send them again (the
    ledger audits each re-drive in the same transaction)."""
    ledger = require_durable(dispatcher)
    notices: list[Notice] = []
    for key in keys:
        if not await ledger.requeue(key, now=dispatcher.clock.now(), reason="re-driven"):
            raise LedgerError(f"notice {key} is not dead-lettered or failed, or was not stored")
        stored = await ledger.load(key)
        if stored is not None:
            notices.append(stored.notice)
    return await dispatcher.send_many(notices)
