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

``run_due`` sends each deferred notice whose time has come through the whole pipeline
again, so the rules re-read the account's events (a payment or a dispute recorded since
the deferral stops it), after asking the platform for fresh account data
(``notifysdk_refresh_account``). ``cancel`` stops pending notices, by key or by account,
with an audited reason.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..channels import Attempt, ReconcileResult, ReconcileStatus
from ..errors import ConfigurationError, InvalidInputError, LedgerError
from ..ledger.base import AttemptEnd, NoticeState
from ..ledger.crypto import DataErasedError
from ..ledger.durable import AccountNoticeLedger, DurableLedger, StaleClaim
from ..ledger.sql import SqlLedger, receipt_of
from ..models import Account, Notice, Outcome, OutcomeStatus, Receipt
from ..privacy import KnownValues
from .delivery import reconcile, unknown_policy
from .shield import shielded

if TYPE_CHECKING:
    from .dispatcher import Dispatcher

log = logging.getLogger("notifysdk.dispatch")

CANCELLABLE = frozenset({NoticeState.DEFERRED, NoticeState.PENDING})
"""States ``cancel`` stops: nothing is out and nobody holds the notice."""


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
    """Send again every deferred notice whose time has come (each at most once per
    call), each with its account refreshed by ``notifysdk_refresh_account`` when a
    plugin implements it; the rules re-read the account's events as for any send."""
    ledger = require_durable(dispatcher)
    at = now or dispatcher.clock.now()
    refresh = _refresh_hook(dispatcher)
    seen: set[str] = set()
    outcomes: list[Outcome] = []
    while True:
        batch = [s for s in await ledger.due(at, limit=limit + len(seen)) if s.key not in seen]
        if not batch:
            return outcomes
        seen.update(s.key for s in batch)
        notices = [s.notice for s in batch]
        if refresh is not None:
            notices = await _refreshed(refresh, notices, concurrency)
        outcomes.extend(await dispatcher.send_many(notices, concurrency=concurrency))


def _refresh_hook(dispatcher: Dispatcher) -> Any:
    """The ``notifysdk_refresh_account`` caller, or ``None`` when no plugin implements
    it (then run-due costs nothing more)."""
    caller = dispatcher.plugins.hook.notifysdk_refresh_account
    return caller if caller.get_hookimpls() else None


async def _refreshed(refresh: Any, notices: list[Notice], concurrency: int) -> list[Notice]:
    """``notices`` with their accounts as the platform has them now; a notice whose
    refresh failed is left out (it stays deferred: never sent from a snapshot the
    platform could not confirm)."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(notice: Notice) -> Notice | None:
        async with gate:
            try:
                fresh = refresh(account=notice.account)
                if inspect.isawaitable(fresh):
                    fresh = await fresh
            except Exception as exc:
                log.warning(
                    "notice %s: notifysdk_refresh_account raised %s; left deferred",
                    notice.idempotency_key,
                    type(exc).__name__,
                )
                return None
        if fresh is None:
            return notice
        if not isinstance(fresh, Account) or fresh.account_id != notice.account.account_id:
            log.warning(
                "notice %s: notifysdk_refresh_account answered with another account; left deferred",
                notice.idempotency_key,
            )
            return None
        return notice.model_copy(update={"account": fresh})

    found = await asyncio.gather(*(one(n) for n in notices))
    return [n for n in found if n is not None]


@dataclass(frozen=True)
class CancelResult:
    """What ``cancel`` did: the outcomes it recorded (``blocked``, rule ``cancelled``)
    and, by key, the state of every notice it left as it was (``claimed``: in flight;
    a terminal state: done; ``unknown``: never stored; ``erased``: its account's data
    was erased)."""

    cancelled: tuple[Outcome, ...] = ()
    untouched: Mapping[str, str] = field(default_factory=dict)


async def cancel(
    dispatcher: Dispatcher,
    *,
    key: str | None = None,
    account_id: str | None = None,
    reason: str,
) -> CancelResult:
    """Stop the pending (deferred, or waiting to be sent again) notice ``key``, or every
    pending notice of ``account_id``: each gets a ``blocked`` outcome by rule
    ``cancelled`` with ``reason`` (masked), audited in the outcome's transaction, and
    one ``cancel`` audit entry says what was asked and done. A notice in flight
    (claimed) or done is not touched (``CancelResult.untouched`` names its state)."""
    if (key is None) == (account_id is None):
        raise InvalidInputError("cancel", "give either a key or an account id")
    if not reason or not reason.strip():
        raise InvalidInputError("reason", "a cancellation needs a reason")
    ledger = require_durable(dispatcher)
    candidates: list[tuple[str, NoticeState | None]]
    if key is not None:
        record = await ledger.get(key)
        candidates = [(key, None if record is None else record.state)]
    else:
        assert account_id is not None
        if not isinstance(ledger, AccountNoticeLedger):
            raise ConfigurationError(
                f"{type(ledger).__name__} cannot find an account's notices: cancel by key"
            )
        candidates = list(await ledger.account_notices(account_id))
    cancelled: list[Outcome] = []
    untouched: dict[str, str] = {}
    known: KnownValues | None = None
    for k, state in candidates:
        if state not in CANCELLABLE:
            untouched[k] = "unknown" if state is None else state.value
            continue
        try:
            stored = await ledger.load(k)
        except DataErasedError:
            untouched[k] = "erased"
            continue
        if stored is None:
            untouched[k] = "unknown"
            continue
        notice = stored.notice
        known = KnownValues.from_account(notice.account)
        outcome = dispatcher.outcome(
            notice, OutcomeStatus.BLOCKED, rule="cancelled", reason=f"cancelled: {reason}"
        )
        if await shielded(ledger.finish(notice, outcome)):
            cancelled.append(await dispatcher.emit(notice, outcome))
        else:  # claimed or finished meanwhile (run-due, a worker): leave it to them
            now_record = await ledger.get(k)
            untouched[k] = "unknown" if now_record is None else now_record.state.value
    if known is None:  # nothing cancelled: the names to mask come from what is stored
        known = await _known_for(ledger, key, account_id)
    detail: dict[str, Any] = {
        "by": "key" if key is not None else "account",
        "reason": dispatcher.redactor.mask_for_log(reason, known),
        "cancelled": len(cancelled),
        "untouched": len(untouched),
    }
    if account_id is not None and isinstance(ledger, SqlLedger):
        detail["account_ref"] = ledger.vault.account_ref(account_id)
    await ledger.audit("cancel", key, detail, now=dispatcher.clock.now())
    return CancelResult(tuple(cancelled), untouched)


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


async def _known_for(ledger: Any, key: str | None, account_id: str | None) -> KnownValues:
    """The account's names and numbers from the notice stored under ``key`` (finished or
    not), else from the newest stored notice of ``account_id``; none when nothing is
    stored (or it was erased)."""
    from ..account_events import _stored_known

    if key is not None:
        try:
            stored = await ledger.load(key)
        except DataErasedError:
            stored = None
        if stored is not None:
            return KnownValues.from_account(stored.notice.account)
        return KnownValues()
    assert account_id is not None
    return await _stored_known(ledger, account_id)
