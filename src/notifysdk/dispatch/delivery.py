"""From a prepared notice to its recorded outcome: claim, attempts, reconciliation.

The claim records attempt 1 in the same transaction; the outcome, the last attempt's end
and the audit entry are one more (:meth:`Ledger.finish`). In between, every retry first
renews the lease and checks the fencing token (:meth:`Ledger.begin_attempt`), so a
worker that lost its claim never calls the provider again.

An :class:`~notifysdk.errors.AmbiguousDeliveryError` (the provider may have it) is never
retried blindly: the attempt is asked about through the channel's ``reconcile`` at once.
``sent`` → delivered; ``not_sent`` → the retry policy goes on; ``unknown`` →
``on_unknown_delivery``: ``hold`` ends the notice ``dead_lettered`` by ``unknown-hold``
for an operator, ``resend`` lets the retry policy send again (at most one duplicate per
ambiguous attempt).

A transient failure whose Retry-After is as long as the whole retry budget (a
provider's daily limit, a long rate window) ends the notice ``deferred`` by
``retry-after`` until the instant the provider named, never dead-lettered: ``run-due``
sends it then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import tenacity

from ..channels import Attempt, Channel, ReconcileResult, ReconcileStatus, body_digest
from ..clock import Clock
from ..config import Settings
from ..errors import (
    AmbiguousDeliveryError,
    ClaimLostError,
    ConfigurationError,
    DeliveryError,
    InvalidInputError,
    TransientDeliveryError,
)
from ..faults import internal_error, run_fault
from ..ledger.base import AttemptEnd, ClaimStatus, Ledger
from ..models import Message, Notice, Outcome, OutcomeStatus, Receipt
from ..plugins import PluginManager
from ..retry import RetryPolicy
from .context import NoticeContext
from .events import fire_event
from .shield import shielded
from .stages import Pipeline

log = logging.getLogger("notifysdk.dispatch")

UnknownPolicy = Literal["resend", "hold"]


def unknown_policy(settings: Settings, channel: str) -> UnknownPolicy:
    """What to do with an attempt whose fate nobody can tell: the channel's own setting
    (``[channels.NAME] on_unknown_delivery``) or the global one."""
    value = settings.channels.get(channel, {}).get(
        "on_unknown_delivery", settings.on_unknown_delivery
    )
    if value not in ("resend", "hold"):
        raise ConfigurationError(
            f"channels.{channel}.on_unknown_delivery: must be 'resend' or 'hold'"
        )
    policy: UnknownPolicy = value
    return policy


async def reconcile(channel: Channel, attempt: Attempt) -> ReconcileResult:
    """The channel's answer about ``attempt``; a channel that cannot answer knows nothing."""
    try:
        return await channel.reconcile(attempt)
    except Exception as exc:
        return ReconcileResult(ReconcileStatus.UNKNOWN, detail={"error": type(exc).__name__})


class _RetryAfterReconcileError(TransientDeliveryError):
    """An ambiguous attempt the channel reconciled as not sent: safe to retry."""


@dataclass(slots=True)
class _Run:
    """What one notice's attempts have left to record."""

    fence: int
    attempt: Attempt
    pending: AttemptEnd | None = None
    """The last attempt's end when it is not written yet: a receipt, a permanent failure
    or a held ambiguous attempt, which the outcome's transaction writes. A failure that
    may be retried is written at once."""
    count: int = 0


class Delivery:
    """Claims a prepared notice, runs its attempts and records its outcome."""

    def __init__(
        self,
        *,
        pipeline: Pipeline,
        plugins: PluginManager,
        settings: Settings,
        retry: RetryPolicy,
        clock: Clock,
        ledger: Callable[[], Ledger],
    ) -> None:
        self.pipeline = pipeline
        self.plugins = plugins
        self.settings = settings
        self.retry = retry
        self.clock = clock
        self.ledger = ledger

    async def claim_and_send(self, ctx: NoticeContext) -> Outcome:
        """Claim ``ctx.notice`` (reserving its cap slots), deliver it, record the outcome."""
        assert ctx.message is not None and ctx.to is not None
        notice = ctx.notice
        claim = await self.ledger().claim(
            notice,
            owner=self.settings.owner,
            now=ctx.now,
            lease_seconds=self.settings.lease_seconds,
            reservations=ctx.reservations,
            to=ctx.to,
            digest=body_digest(ctx.message.body),
        )
        if claim.status is ClaimStatus.DUPLICATE and claim.outcome is not None:
            return await self.emit(notice, claim.outcome.model_copy(update={"duplicate": True}))
        if claim.status is ClaimStatus.BUSY:
            return await self.emit(notice, self._busy(notice, claim.lease_until))
        if claim.status is ClaimStatus.CAP_EXCEEDED and claim.reservation is not None:
            res = claim.reservation
            status = OutcomeStatus.DEFERRED if res.next_free else OutcomeStatus.BLOCKED
            return await self.record(
                notice,
                ctx.restricted(
                    self.pipeline.outcome(
                        notice,
                        status,
                        self.clock.now(),
                        rule=res.rule,
                        profile=res.profile,
                        until=res.next_free,
                        reason=f"cap reached: {claim.count} of {res.limit} in the window",
                    )
                ),
            )
        assert claim.attempt is not None
        run = _Run(claim.fence, claim.attempt)
        try:
            outcome = await self._attempts(notice, ctx.channel, ctx.message, run)
        except ClaimLostError:
            # Another worker took the claim over while we waited to retry: it owns the
            # notice now, so we neither call the provider nor write anything.
            return await self.emit(notice, self._lost(notice))
        except Exception as exc:
            if run_fault(exc) is not None:
                raise  # the run stops; recovery reconciles the claim left in flight
            # Anything else after the claim ends the notice failed under the claim, so
            # it is never left claimed (and the next run does not meet it again).
            log.error("notice %s: %s after the claim", notice.idempotency_key, type(exc).__name__)
            outcome = internal_error(
                notice, exc, self.clock.now(), where="after the claim", attempts=run.count
            )
            run.pending = run.pending or AttemptEnd(run.attempt, error=exc)
        try:
            return await self.record(
                notice, ctx.restricted(outcome), fence=run.fence, ended=run.pending
            )
        except ClaimLostError:
            return await self.emit(notice, self._lost(notice))

    def _busy(self, notice: Notice, until: Any) -> Outcome:
        return self.pipeline.outcome(
            notice,
            OutcomeStatus.DEFERRED,
            self.clock.now(),
            rule="ledger-claim",
            until=until,
            reason="another worker holds the claim on this notice",
        )

    def _lost(self, notice: Notice) -> Outcome:
        return self.pipeline.outcome(
            notice,
            OutcomeStatus.DEFERRED,
            self.clock.now(),
            rule="ledger-claim",
            reason="another worker took the claim on this notice over; it sends it",
        )

    async def _attempts(
        self, notice: Notice, channel: Channel, message: Message, run: _Run
    ) -> Outcome:
        new = self.pipeline.outcome
        start = self.clock.now()
        try:
            # The common case (the first attempt goes through) never builds a tenacity
            # controller; a transient failure hands over to one (outside the except
            # block, so later errors do not chain to the first).
            failed: TransientDeliveryError | None = None
            try:
                receipt = await self._attempt(notice, channel, message, run)
            except TransientDeliveryError as exc:
                failed = exc
            if failed is not None:
                receipt = await self._retries(notice, channel, message, run, failed, start)
            if receipt is None:  # reconciled unknown under the 'hold' policy
                return new(
                    notice,
                    OutcomeStatus.DEAD_LETTERED,
                    self.clock.now(),
                    attempts=run.count,
                    rule="unknown-hold",
                    reason="the provider may have accepted the message and the "
                    "channel cannot tell; held for review (re-drive to send)",
                )
            return new(
                notice,
                OutcomeStatus.DELIVERED,
                self.clock.now(),
                attempts=run.count,
                receipt=receipt,
            )
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            until = self.retry.defer_until(last, self.clock)
            if until is not None:
                # The provider's own reset (a daily limit, a long rate window) is past
                # any wait the policy makes in-process: the due list sends it then.
                return new(
                    notice,
                    OutcomeStatus.DEFERRED,
                    self.clock.now(),
                    attempts=run.count,
                    rule="retry-after",
                    until=until,
                    reason=f"the provider asked to wait until {until.isoformat()}, past "
                    f"the retry budget: {_describe(last)}",
                    provider_code=getattr(last, "provider_code", None),
                )
            return new(
                notice,
                OutcomeStatus.DEAD_LETTERED,
                self.clock.now(),
                attempts=run.count,
                rule="retry",
                reason=f"retries exhausted after {run.count} attempts: {_describe(last)}",
                provider_code=getattr(last, "provider_code", None),
            )
        except ClaimLostError:
            raise
        except (DeliveryError, InvalidInputError) as exc:
            return new(
                notice,
                OutcomeStatus.FAILED,
                self.clock.now(),
                attempts=run.count,
                reason=_describe(exc),
                provider_code=getattr(exc, "provider_code", None),
            )
        except Exception as exc:  # a channel bug: not retried, reported, never silent
            if run_fault(exc) is not None:  # a full disk, a read-only folder: not its bug
                raise
            log.error(
                "channel %s raised %s for %s",
                channel.name,
                type(exc).__name__,
                notice.idempotency_key,
            )
            return new(
                notice,
                OutcomeStatus.FAILED,
                self.clock.now(),
                attempts=run.count,
                reason=f"channel raised an unexpected {type(exc).__name__}",
            )

    async def _retries(
        self,
        notice: Notice,
        channel: Channel,
        message: Message,
        run: _Run,
        failed: TransientDeliveryError,
        start: datetime,
    ) -> Receipt | None:
        """Attempts 2.. under the retry policy, after attempt 1 failed with ``failed``:
        tenacity sees that failure as its own first attempt (same waits, same budget
        from ``start``, same :class:`tenacity.RetryError` when it gives up)."""
        first: TransientDeliveryError | None = failed
        async for attempt in self.retry.retrying(self.clock, start=start):
            with attempt:
                if first is not None:
                    exc, first = first, None
                    raise exc
                return await self._attempt(notice, channel, message, run)
        raise AssertionError("unreachable: tenacity yields until an attempt returns")

    async def _attempt(
        self, notice: Notice, channel: Channel, message: Message, run: _Run
    ) -> Receipt | None:
        """One call to the provider; ``None`` when an ambiguous attempt is held."""
        if run.count:  # a retry: renew the lease and check the fence before calling again
            run.attempt = await self.ledger().begin_attempt(
                notice.idempotency_key,
                fence=run.fence,
                to=message.to,
                now=self.clock.now(),
                lease_seconds=self.settings.lease_seconds,
                digest=body_digest(message.body),
            )
        run.count += 1
        att = run.attempt
        try:
            receipt = await channel.send(message)
        except AmbiguousDeliveryError as exc:
            return await self._ambiguous(notice, channel, run, exc)
        except asyncio.CancelledError:
            # The provider may or may not have it: leave the claim in flight for recovery.
            # A claim lost meanwhile must not turn the cancellation into another error.
            with contextlib.suppress(ClaimLostError):
                await self._end_now(AttemptEnd(att, error=asyncio.CancelledError()), run)
            raise
        except BaseException as exc:
            run.pending = AttemptEnd(att, error=exc)
            if isinstance(exc, TransientDeliveryError):
                # A retry may follow after a long wait: the ledger must say now that this
                # attempt failed (nothing is out), so neither another worker nor recovery
                # after a crash takes it for one in flight.
                await self._end_now(run.pending, run)
            for result in fire_event(
                self.plugins,
                "notifysdk_on_attempt",
                {"notice": notice, "attempt": att, "error": exc},
            ):
                await result
            raise
        run.pending = AttemptEnd(att, receipt=receipt)
        # fire_event, not call_event: no coroutine per event when nothing is awaitable
        for result in fire_event(
            self.plugins, "notifysdk_on_attempt", {"notice": notice, "attempt": att, "error": None}
        ):
            await result
        return receipt

    async def _end_now(self, ended: AttemptEnd, run: _Run) -> None:
        """Write an attempt's end at once (not with the outcome)."""
        run.pending = None
        await shielded(self.ledger().end_attempt(ended, now=self.clock.now(), fence=run.fence))

    async def _ambiguous(
        self, notice: Notice, channel: Channel, run: _Run, exc: AmbiguousDeliveryError
    ) -> Receipt | None:
        att = run.attempt
        for pending in fire_event(
            self.plugins, "notifysdk_on_attempt", {"notice": notice, "attempt": att, "error": exc}
        ):
            await pending
        result = await reconcile(channel, att)
        if result.status is ReconcileStatus.SENT:
            receipt = Receipt(
                channel=att.channel,
                provider_id=result.provider_id,
                status="reconciled",
                accepted_at=self.clock.now(),
                detail={"reconciled": True, **dict(result.detail)},
            )
            run.pending = AttemptEnd(att, receipt=receipt, reconciled=result.status)
            return receipt
        run.pending = AttemptEnd(att, error=exc, reconciled=result.status)
        if result.status is ReconcileStatus.NOT_SENT:
            why = "reconciled: not sent"
        elif unknown_policy(self.settings, channel.name) == "hold":
            return None  # the outcome's transaction writes the held attempt's end
        else:
            why = "unknown; resending by policy"
        # A retry follows: write the end now, as for any attempt that may be retried.
        await self._end_now(run.pending, run)
        raise _RetryAfterReconcileError(f"{exc} — {why}", provider_code=exc.provider_code)

    async def record(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fence: int | None = None,
        ended: AttemptEnd | None = None,
    ) -> Outcome:
        """Write ``outcome`` (with its audit entry and the last attempt's end) in one
        transaction, then tell the event hooks. Shielded: a cancellation must not leave
        an outcome half-written."""
        await shielded(self.ledger().finish(notice, outcome, fence=fence, ended=ended))
        return await self.emit(notice, outcome)

    async def emit(self, notice: Notice, outcome: Outcome) -> Outcome:
        """Log the outcome (masked) and call ``notifysdk_on_outcome``."""
        if log.isEnabledFor(logging.INFO):  # what log.info asks first, before its arguments
            log.info(
                "notice %s on %s: %s%s",
                outcome.idempotency_key,
                outcome.channel,
                outcome.status._value_,  # the str .value returns, without the descriptor
                f" ({outcome.rule})" if outcome.rule else "",
            )
        for result in fire_event(
            self.plugins, "notifysdk_on_outcome", {"notice": notice, "outcome": outcome}
        ):
            await result
        return outcome


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    code = getattr(exc, "provider_code", None)
    return f"{type(exc).__name__}{f' [{code}]' if code else ''}: {exc}"
