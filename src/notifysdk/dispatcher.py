"""The dispatcher: takes a notice through every stage to exactly one outcome.

policy → render → privacy → required content → ledger claim → channel send (with
retries) → record → events. Each stage is a seam filled by plugins (rules, templates,
detectors, channels, ledgers). Bad input raises a typed error before anything is sent;
every other ending is an :class:`~notifysdk.models.Outcome`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import tenacity

from . import hooktrace, redaction_logging
from .channels import Channel, ChannelContext
from .clock import Clock, SystemClock
from .config import Settings
from .errors import (
    ConfigurationError,
    DeliveryError,
    InvalidInputError,
    PermanentDeliveryError,
    UnknownChannelError,
)
from .ledger.base import ClaimStatus, Ledger, NoticeState
from .ledger.recovery import RecoveryReport
from .models import Message, Notice, NoticeKind, Outcome, OutcomeStatus, Receipt
from .plugins import PluginManager, get_plugin_manager
from .policy import Decision, RuleContext, Verdict, evaluate
from .privacy import KnownValues, Redactor, effective_disclosure
from .retry import RetryPolicy
from .templating import TemplateRenderer, notice_context
from .validation import normalize_email, normalize_phone, validate_field

log = logging.getLogger("notifysdk.dispatch")


class Dispatcher:
    """Sends notices. Use as ``async with Dispatcher() as d: await d.send(notice)``."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        plugins: PluginManager | None = None,
        ledger: Ledger | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.settings = settings or Settings.load()
        self.plugins = plugins or get_plugin_manager()
        self.clock: Clock = clock or SystemClock()
        r = self.settings.retry
        self.retry = retry or RetryPolicy(
            max_attempts=r.max_attempts,
            base_seconds=r.base_seconds,
            cap_seconds=r.cap_seconds,
            max_elapsed_seconds=r.max_elapsed_seconds,
        )
        self.registry = self.plugins.registry()
        self._channels: dict[str, Channel] = dict(channels or {})
        self._ledger = ledger
        self._owns_ledger = ledger is None
        self.renderer = TemplateRenderer(self.registry.template_dirs, self.registry.filters)
        self.redactor = Redactor(
            list(self.registry.detectors.values()), public=(self.settings.institution_contact,)
        )
        redaction_logging.install(self.redactor)

    # -- resources ---------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger, opened from ``settings.ledger_url`` on first use."""
        if self._ledger is None:
            self._ledger = open_ledger(self.settings.ledger_url, self.plugins)
        return self._ledger

    def channel(self, name: str) -> Channel:
        """The channel registered as ``name``, built on first use."""
        if name not in self._channels:
            factory = self.registry.channels.get(name)
            if factory is None:
                known = ", ".join(sorted(self.registry.channels)) or "none"
                raise UnknownChannelError(
                    "notice.channel", f"no plugin registered channel {name!r} (known: {known})"
                )
            ctx = ChannelContext(
                name=name,
                clock=self.clock,
                output_dir=self.settings.output_dir,
                settings=self.settings.channels.get(name, {}),
            )
            self._channels[name] = factory(ctx)
        return self._channels[name]

    async def aclose(self) -> None:
        """Close every channel built, and the ledger if this dispatcher opened it."""
        for ch in self._channels.values():
            try:
                await ch.aclose()
            except Exception:  # closing one must not keep the others open
                log.exception("closing channel %s failed", ch.name)
        if self._owns_ledger and self._ledger is not None:
            await self._ledger.aclose()
            self._ledger = None

    async def __aenter__(self) -> Dispatcher:
        if self.settings.recover_on_start:
            await self.recover()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- durability (see notifysdk.ledger.recovery) ------------------------------

    async def recover(self) -> RecoveryReport:
        """Reclaim stale claims and reconcile attempts a crash interrupted (through each
        channel's ``reconcile``; ``settings.on_unknown_delivery`` decides when a channel
        cannot know). Audited. A no-op on a non-durable ledger. Run at ``async with``."""
        from .ledger.recovery import recover

        return await recover(self)

    async def run_due(
        self, *, now: datetime | None = None, limit: int = 100, concurrency: int = 10
    ) -> list[Outcome]:
        """Send again the deferred notices whose allowed time has come (durable ledger)."""
        from .ledger.recovery import run_due

        return await run_due(self, now=now, limit=limit, concurrency=concurrency)

    async def redrive(self, keys: Iterable[str]) -> list[Outcome]:
        """Send dead-lettered (or failed) notices again, by idempotency key (audited)."""
        from .ledger.recovery import redrive

        return await redrive(self, list(keys))

    # -- sending -----------------------------------------------------------------

    async def send(self, notice: Notice) -> Outcome:
        """Take one notice to its outcome. Raises :class:`InvalidInputError` on bad input."""
        with redaction_logging.bound_notice(notice):  # logs mask this notice's names too
            return await self._send(notice)

    async def _send(self, notice: Notice) -> Outcome:
        channel = self.channel(notice.channel)
        to = self._destination(notice, channel)
        now = self.clock.now()
        key = notice.idempotency_key

        record = await self.ledger.get(key)
        if (
            record is not None
            and record.outcome is not None
            and record.state
            not in (
                NoticeState.DEFERRED,
                NoticeState.PENDING,
                NoticeState.CLAIMED,
            )
        ):
            return await self._emit(notice, record.outcome.model_copy(update={"duplicate": True}))

        if to is None:
            return await self._finish(
                notice,
                self._outcome(
                    notice,
                    OutcomeStatus.BLOCKED,
                    rule="no-destination",
                    reason=f"the recipient has no usable {channel.contact_kind} contact point",
                ),
            )

        ctx = RuleContext(
            notice,
            now,
            self.ledger,
            self._profiles(notice),
            to=to,
            channel_medium=channel.medium.value,
            overrides=self.settings.profiles,
        )
        decision = await evaluate(self.registry.rules.values(), ctx, "policy")
        stop = self._stopping_outcome(notice, decision)
        if stop is not None:
            return await self._finish(notice, stop)
        kind = notice.kind.value
        if decision.verdict is Verdict.RESTRICT and decision.deciding and decision.deciding.variant:
            kind = decision.deciding.variant

        message, leak = self._build_message(notice, channel, kind, to, now)
        if message is None:
            return await self._finish(
                notice,
                self._outcome(
                    notice,
                    OutcomeStatus.BLOCKED,
                    rule="privacy",
                    reason=leak,
                ),
            )
        content = await evaluate(
            self.registry.rules.values(),
            RuleContext(
                notice,
                now,
                self.ledger,
                ctx.profiles,
                to=to,
                message=message,
                channel_medium=channel.medium.value,
                overrides=ctx.overrides,
            ),
            "content",
        )
        stop = self._stopping_outcome(notice, content)
        if stop is not None:
            return await self._finish(notice, stop)

        claim = await self.ledger.claim(
            notice,
            owner=self.settings.owner,
            now=now,
            lease_seconds=self.settings.lease_seconds,
            reservations=decision.reservations + content.reservations,
            to=to,
        )
        if claim.status is ClaimStatus.DUPLICATE and claim.outcome is not None:
            return await self._emit(notice, claim.outcome.model_copy(update={"duplicate": True}))
        if claim.status is ClaimStatus.BUSY:
            return await self._emit(
                notice,
                self._outcome(
                    notice,
                    OutcomeStatus.DEFERRED,
                    rule="ledger-claim",
                    until=claim.lease_until,
                    reason="another worker holds the claim on this notice",
                ),
            )
        if claim.status is ClaimStatus.CAP_EXCEEDED and claim.reservation is not None:
            res = claim.reservation
            status = OutcomeStatus.DEFERRED if res.next_free else OutcomeStatus.BLOCKED
            return await self._finish(
                notice,
                self._outcome(
                    notice,
                    status,
                    rule=res.rule,
                    profile=res.profile,
                    until=res.next_free,
                    reason=f"cap reached: {claim.count} of {res.limit} in the window",
                ),
            )
        return await self._finish(notice, await self._deliver(notice, channel, message))

    def _destination(self, notice: Notice, channel: Channel) -> str | None:
        kind = channel.contact_kind
        if notice.to is not None:
            if kind == "phone":
                return validate_field(normalize_phone, notice.to, "notice.to")
            if kind == "email":
                return validate_field(normalize_email, notice.to, "notice.to")
            return notice.to
        if kind == "none":
            return notice.recipient.person.person_id
        for contact in notice.recipient.person.contacts:
            if contact.kind == kind and not contact.opted_out:
                return contact.value
        return None

    def _profiles(self, notice: Notice) -> dict[str, Any]:
        return {
            p: self.registry.profiles[p]
            for p in notice.effective_profiles
            if p in self.registry.profiles
        }

    def _stopping_outcome(self, notice: Notice, decision: Decision) -> Outcome | None:
        vote = decision.deciding
        if vote is None or decision.verdict in (Verdict.ALLOW, Verdict.RESTRICT):
            return None
        status = (
            OutcomeStatus.BLOCKED if decision.verdict is Verdict.DENY else OutcomeStatus.DEFERRED
        )
        return self._outcome(
            notice,
            status,
            rule=vote.rule,
            profile=vote.profile,
            reason=vote.reason,
            until=vote.until,
        )

    def destination(self, notice: Notice) -> str | None:
        """Where ``send`` would deliver ``notice`` (normalized), or ``None`` when the
        recipient has no usable contact point of the channel's kind."""
        return self._destination(notice, self.channel(notice.channel))

    def build_message(
        self, notice: Notice, *, kind: str | None = None
    ) -> tuple[Message | None, str]:
        """Render, mask and leak-check ``notice`` exactly as ``send`` does, sending and
        recording nothing (previews). ``kind`` renders another template kind (a policy's
        limited-content variant). Returns ``(message, "")``, or ``(None, reason)`` when
        the leak guard would block it; raises :class:`InvalidInputError` on bad input."""
        channel = self.channel(notice.channel)
        to = self._destination(notice, channel) or ""
        return self._build_message(notice, channel, kind or notice.kind.value, to, self.clock.now())

    def _build_message(
        self, notice: Notice, channel: Channel, kind: str, to: str, now: datetime
    ) -> tuple[Message | None, str]:
        context = notice_context(
            notice, now=now, institution_contact=self.settings.institution_contact
        )
        rendered = self.renderer.render(
            kind, channel.medium.value, notice.effective_locale, context
        )
        level = effective_disclosure(channel.disclosure, notice.recipient.role, channel.medium)
        known = KnownValues.from_account(notice.account)
        parts: dict[str, str | None] = {}
        leaks: set[str] = set()
        for name, text in (
            ("body", rendered.body),
            ("subject", rendered.subject),
            ("html", rendered.html),
        ):
            if text is None:
                parts[name] = None
                continue
            red = self.redactor.mask(text, level, known)
            parts[name] = red.text
            leaks.update(f.kind for f in red.leaks)
        if leaks:
            role = notice.recipient.role.value
            return None, (
                f"the rendered message carries {', '.join(sorted(leaks))}, which a {role} "
                f"may not receive on {channel.name} (disclosure {level.value})"
            )
        if notice.attachments and level.value != "full":
            return None, (
                f"attachments need full disclosure; {channel.name} to a "
                f"{notice.recipient.role.value} is {level.value}"
            )
        message = Message(
            idempotency_key=notice.idempotency_key,
            channel=channel.name,
            medium=channel.medium,
            to=to,
            locale=rendered.locale,
            subject=parts["subject"],
            body=parts["body"] or "",
            html=parts["html"],
            attachments=notice.attachments,
            metadata={
                "template": rendered.template,
                "kind": kind,
                "disclosure": level.value,
                # the consent on record for the destination (None: not on record)
                "consent": next(
                    (c.consent.value for c in notice.recipient.person.contacts if c.value == to),
                    None,
                ),
            },
        )
        return message, ""

    async def _deliver(self, notice: Notice, channel: Channel, message: Message) -> Outcome:
        key = notice.idempotency_key
        attempts = 0
        receipt: Receipt | None = None
        try:
            async for attempt in self.retry.retrying(self.clock):
                with attempt:
                    attempts += 1
                    receipt = await self._attempt(notice, channel, message, attempts)
        except tenacity.RetryError as exc:
            last = exc.last_attempt.exception()
            return self._outcome(
                notice,
                OutcomeStatus.DEAD_LETTERED,
                attempts=attempts,
                rule="retry",
                reason=f"retries exhausted after {attempts} attempts: {_describe(last)}",
                provider_code=getattr(last, "provider_code", None),
            )
        except PermanentDeliveryError as exc:
            return self._outcome(
                notice,
                OutcomeStatus.FAILED,
                attempts=attempts,
                reason=_describe(exc),
                provider_code=exc.provider_code,
            )
        except (DeliveryError, InvalidInputError) as exc:
            return self._outcome(
                notice,
                OutcomeStatus.FAILED,
                attempts=attempts,
                reason=_describe(exc),
                provider_code=getattr(exc, "provider_code", None),
            )
        except Exception as exc:  # a channel bug: not retried, reported, never silent
            log.error("channel %s raised %s for %s", channel.name, type(exc).__name__, key)
            return self._outcome(
                notice,
                OutcomeStatus.FAILED,
                attempts=attempts,
                reason=f"channel raised an unexpected {type(exc).__name__}",
            )
        assert receipt is not None
        return self._outcome(notice, OutcomeStatus.DELIVERED, attempts=attempts, receipt=receipt)

    async def _attempt(
        self, notice: Notice, channel: Channel, message: Message, number: int
    ) -> Receipt:
        ledger = self.ledger
        att = await ledger.begin_attempt(
            notice.idempotency_key, number=number, to=message.to, now=self.clock.now()
        )
        try:
            receipt = await channel.send(message)
        except asyncio.CancelledError:
            # The provider may or may not have it: leave the claim in flight for recovery.
            await asyncio.shield(
                ledger.end_attempt(att, now=self.clock.now(), error=asyncio.CancelledError())
            )
            raise
        except BaseException as exc:
            await asyncio.shield(ledger.end_attempt(att, now=self.clock.now(), error=exc))
            await self._call_event("notifysdk_on_attempt", notice=notice, attempt=att, error=exc)
            raise
        await asyncio.shield(ledger.end_attempt(att, now=self.clock.now(), receipt=receipt))
        await self._call_event("notifysdk_on_attempt", notice=notice, attempt=att, error=None)
        return receipt

    def _outcome(self, notice: Notice, status: OutcomeStatus, **kw: Any) -> Outcome:
        reason = kw.pop("reason", None)
        if reason:
            reason = self.redactor.mask_for_log(reason, KnownValues.from_account(notice.account))
        return Outcome(
            idempotency_key=notice.idempotency_key,
            status=status,
            channel=notice.channel,
            at=self.clock.now(),
            reason=reason,
            **kw,
        )

    async def _finish(self, notice: Notice, outcome: Outcome) -> Outcome:
        # Shielded: a cancellation must not leave an outcome half-written.
        await asyncio.shield(self._record(notice, outcome))
        return await self._emit(notice, outcome)

    async def _record(self, notice: Notice, outcome: Outcome) -> None:
        await self.ledger.finish(notice, outcome)
        detail = {
            "status": outcome.status.value,
            "channel": outcome.channel,
            "kind": notice.kind.value,
            "role": notice.recipient.role.value,
            "rule": outcome.rule,
            "reason": outcome.reason,
            "attempts": outcome.attempts,
            "provider_code": outcome.provider_code,
            "until": outcome.until.isoformat() if outcome.until else None,
        }
        await self.ledger.audit("outcome", notice.idempotency_key, detail, now=outcome.at)

    async def _emit(self, notice: Notice, outcome: Outcome) -> Outcome:
        log.info(
            "notice %s on %s: %s%s",
            outcome.idempotency_key,
            outcome.channel,
            outcome.status.value,
            f" ({outcome.rule})" if outcome.rule else "",
        )
        await self._call_event("notifysdk_on_outcome", notice=notice, outcome=outcome)
        return outcome

    async def _call_event(self, hook_name: str, **kwargs: Any) -> None:
        # Each implementation on its own, so one that raises (synchronously or from its
        # awaitable) neither stops the others nor escapes into the send.
        caller = getattr(self.plugins.hook, hook_name)
        impls = caller.get_hookimpls()
        if hooktrace.enabled():
            hooktrace.before(hook_name, impls, kwargs)
        for impl in reversed(impls):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("event hook %s of plugin %s raised", hook_name, impl.plugin_name)

    async def send_many(self, notices: Iterable[Notice], *, concurrency: int = 10) -> list[Outcome]:
        """Send many notices, at most ``concurrency`` at once; outcomes in input order.

        One failing notice never stops the others: bad input becomes a ``blocked``
        outcome with rule ``input`` naming the field and the reason.
        """
        items = list(notices)
        results: list[Outcome | None] = [None] * len(items)
        async for index, _notice, outcome in self._run(enumerate(items), concurrency):
            results[index] = outcome
        return [r for r in results if r is not None]

    async def stream(
        self, notices: Iterable[Notice] | AsyncIterable[Notice], *, concurrency: int = 10
    ) -> AsyncIterator[tuple[Notice, Outcome]]:
        """Send notices from a (possibly huge, possibly async) iterable, yielding each
        outcome as it ends; memory stays bounded by ``concurrency``."""

        async def numbered() -> AsyncIterator[tuple[int, Notice]]:
            i = 0
            if isinstance(notices, AsyncIterable):
                async for n in notices:
                    yield i, n
                    i += 1
            else:
                for n in notices:
                    yield i, n
                    i += 1

        async for _i, notice, outcome in self._run(numbered(), concurrency):
            yield notice, outcome

    async def _run(
        self,
        source: Iterable[tuple[int, Notice]] | AsyncIterator[tuple[int, Notice]],
        concurrency: int,
    ) -> AsyncIterator[tuple[int, Notice, Outcome]]:
        if concurrency < 1:
            raise InvalidInputError("concurrency", "must be at least 1")
        queue: asyncio.Queue[tuple[int, Notice, Outcome]] = asyncio.Queue(maxsize=concurrency * 2)
        it: AsyncIterator[tuple[int, Notice]] | None = (
            source if isinstance(source, AsyncIterator) else None
        )
        sync_it = None if it is not None else iter(source)  # type: ignore[arg-type]
        source_lock = asyncio.Lock()
        done = object()

        async def next_item() -> Any:
            async with source_lock:
                if it is not None:
                    try:
                        return await it.__anext__()
                    except StopAsyncIteration:
                        return done
                assert sync_it is not None
                return next(sync_it, done)

        async def worker() -> None:
            while True:
                item = await next_item()
                if item is done:
                    return
                index, notice = item
                await queue.put((index, notice, await self._send_safely(notice)))

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        finished = asyncio.create_task(asyncio.wait(workers))
        try:
            while True:
                getter = asyncio.create_task(queue.get())
                await asyncio.wait({getter, finished}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield getter.result()
                    continue
                getter.cancel()
                while not queue.empty():
                    yield queue.get_nowait()
                for w in workers:
                    if w.exception() is not None:
                        raise w.exception()  # type: ignore[misc]
                return
        finally:
            for w in workers:
                w.cancel()
            finished.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _send_safely(self, notice: Notice) -> Outcome:
        try:
            return await self.send(notice)
        except InvalidInputError as exc:
            # Not recorded in the ledger (nothing was decided about the notice itself),
            # but the reason goes through the same masking as every other outcome.
            outcome = self._outcome(notice, OutcomeStatus.BLOCKED, rule="input", reason=str(exc))
            return await self._emit(notice, outcome)


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    code = getattr(exc, "provider_code", None)
    return f"{type(exc).__name__}{f' [{code}]' if code else ''}: {exc}"


def open_ledger(url: str, plugins: PluginManager | None = None) -> Ledger:
    """Open a ledger by URL through the registered back-ends (``memory://``, ``sqlite:///``)."""
    plugins = plugins or get_plugin_manager()
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    factory = plugins.registry().ledgers.get(scheme)
    if factory is None:
        known = ", ".join(sorted(plugins.registry().ledgers)) or "none"
        raise ConfigurationError(f"no ledger back-end for scheme {scheme!r} (known: {known})")
    return factory(url)


__all__ = ["Dispatcher", "NoticeKind", "open_ledger"]
