"""The dispatcher: takes a notice through every stage to exactly one recorded outcome.

``prepare`` (profiles → destination → policy → render and privacy → content, see
:mod:`.stages`) → claim with attempt 1 → the channel, with retries and fencing → the
outcome, its attempt and its audit entry in one transaction → event hooks (see
:mod:`.delivery`). Bad input raises a typed error before anything is sent; every other
ending is an :class:`~notifysdk.models.Outcome`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import redaction_logging
from ..channels import Channel, ChannelContext
from ..clock import Clock, SystemClock
from ..config import Settings
from ..errors import ConfigurationError, InvalidInputError, UnknownChannelError
from ..faults import internal_error, run_fault
from ..keys import LedgerKeys, key_created_message, load_settings_keys
from ..ledger.base import AttemptEnd, Ledger
from ..models import Notice, Outcome, OutcomeStatus
from ..plugins import PluginManager, get_plugin_manager
from ..privacy.configured import configured_redactor
from ..ratelimit import build_channel
from ..retry import RetryPolicy
from ..templating import TemplateRenderer
from .context import Prepared
from .delivery import Delivery
from .pool import run_pool
from .recovery import CancelResult, RecoveryReport, cancel, recover, redrive, run_due
from .stages import Pipeline, destination

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
        self.created_key_files: tuple[Path, ...] = ()
        """Key files created when this dispatcher opened its ledger (the first run on
        the embedded default): say where, once (:func:`notifysdk.keys.key_created_message`)."""
        self.renderer = TemplateRenderer(self.registry.template_dirs, self.registry.filters)
        self.redactor = configured_redactor(self.registry.detectors.values(), self.settings)
        redaction_logging.install(self.redactor)
        self.pipeline = Pipeline(
            self.settings, self.registry, self.renderer, self.redactor, lambda: self.ledger
        )
        self.delivery = Delivery(
            pipeline=self.pipeline,
            plugins=self.plugins,
            settings=self.settings,
            retry=self.retry,
            clock=self.clock,
            ledger=lambda: self.ledger,
        )

    # -- resources ---------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger, opened from ``settings.ledger_url`` on first use (a durable one
        with the keys of ``settings.key_dir``, see :mod:`notifysdk.keys`)."""
        if self._ledger is None:
            self._ledger = open_ledger(
                self.settings.ledger_url.get_secret_value(), self.plugins, keys=self._load_keys
            )
        return self._ledger

    def _load_keys(self) -> LedgerKeys:
        keys = load_settings_keys(self.settings)
        self.created_key_files = keys.created
        if keys.created:
            log.warning("%s", key_created_message(keys.created))
        return keys

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
            self._channels[name] = build_channel(factory, ctx)  # + its rate limits
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

    # -- durability (see notifysdk.dispatch.recovery) ------------------------------

    async def recover(self) -> RecoveryReport:
        """Reclaim stale claims and reconcile attempts a crash interrupted (through each
        channel's ``reconcile``; ``settings.on_unknown_delivery`` decides when a channel
        cannot know). Audited. A no-op on a non-durable ledger. Run at ``async with``."""
        return await recover(self)

    async def run_due(
        self, *, now: datetime | None = None, limit: int = 100, concurrency: int = 10
    ) -> list[Outcome]:
        """Send again the deferred notices whose allowed time has come (durable ledger)."""
        return await run_due(self, now=now, limit=limit, concurrency=concurrency)

    async def redrive(self, keys: Iterable[str]) -> list[Outcome]:
        """Send dead-lettered (or failed) notices again, by idempotency key (audited)."""
        return await redrive(self, list(keys))

    async def cancel(
        self, *, key: str | None = None, account_id: str | None = None, reason: str
    ) -> CancelResult:
        """Stop the pending notice ``key``, or every pending notice of ``account_id``,
        with an audited reason (see :func:`notifysdk.dispatch.recovery.cancel`)."""
        return await cancel(self, key=key, account_id=account_id, reason=reason)

    # -- the pipeline ----------------------------------------------------------------

    async def prepare(self, notice: Notice, *, now: datetime | None = None) -> Prepared:
        """Run every stage short of the claim — profiles, destination, policy, render and
        privacy, content — exactly as :meth:`send` does, writing nothing. ``explain``,
        ``preview``, the campaign planner and the benches use this. Raises
        :class:`InvalidInputError` on bad input (an unknown profile, channel or
        template variable, a bad destination)."""
        channel = self.channel(notice.channel)
        return await self.pipeline.prepare(notice, channel, now or self.clock.now())

    def destination(self, notice: Notice) -> str | None:
        """Where ``send`` would deliver ``notice`` (normalized), or ``None`` when the
        recipient has no usable contact point of the channel's kind."""
        return destination(notice, self.channel(notice.channel))

    async def send(self, notice: Notice) -> Outcome:
        """Take one notice to its outcome. Raises :class:`InvalidInputError` on bad input."""
        with redaction_logging.bound_notice(notice):  # logs mask this notice's names too
            return await self._send(notice)

    async def _send(self, notice: Notice) -> Outcome:
        record = await self.ledger.get(notice.idempotency_key)
        if record is not None and record.done and record.outcome is not None:
            return await self.delivery.emit(
                notice, record.outcome.model_copy(update={"duplicate": True})
            )
        prepared = await self.prepare(notice)
        if prepared.outcome is not None:
            return await self.delivery.record(notice, prepared.outcome)
        return await self.delivery.claim_and_send(prepared.context)

    async def record(
        self,
        notice: Notice,
        outcome: Outcome,
        *,
        fence: int | None = None,
        ended: AttemptEnd | None = None,
    ) -> Outcome:
        """Record a decision taken outside the pipeline (a campaign data source's block,
        recovery's verdict on a claim it took over under ``fence``) exactly as the
        pipeline records its own: outcome, attempt end and audit entry in one
        transaction, then the event hooks."""
        return await self.delivery.record(notice, outcome, fence=fence, ended=ended)

    async def emit(self, notice: Notice, outcome: Outcome) -> Outcome:
        """Log an outcome that is not recorded (masked) and call ``notifysdk_on_outcome``."""
        return await self.delivery.emit(notice, outcome)

    def outcome(self, notice: Notice, status: OutcomeStatus, **kw: Any) -> Outcome:
        """An outcome for ``notice`` now, its reason masked (not recorded)."""
        return self.pipeline.outcome(notice, status, self.clock.now(), **kw)

    # -- many notices ------------------------------------------------------------------

    async def send_many(self, notices: Iterable[Notice], *, concurrency: int = 10) -> list[Outcome]:
        """Send many notices, at most ``concurrency`` at once; outcomes in input order.

        One failing notice never stops the others: bad input becomes a ``blocked``
        outcome with rule ``input`` naming the field and the reason.
        """
        items = list(notices)
        results: list[Outcome | None] = [None] * len(items)
        async for index, _notice, outcome in run_pool(
            enumerate(items), concurrency, self.send_safely
        ):
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

        async for _i, notice, outcome in run_pool(numbered(), concurrency, self.send_safely):
            yield notice, outcome

    async def send_safely(self, notice: Notice) -> Outcome:
        """:meth:`send`, with whatever this one notice raises turned into its outcome:
        bad input a ``blocked`` outcome by rule ``input`` (masked like every other
        outcome), anything else a ``failed`` outcome by rule ``internal-error`` naming
        the exception's type (:func:`~notifysdk.faults.internal_error`). Neither is
        recorded: nothing was decided about the notice itself (a failure after the
        claim is recorded under it by the delivery). A fault of the run itself — the
        ledger cannot be reached or written, the disk is full — is raised as
        :class:`~notifysdk.errors.RunFaultError` (a
        :class:`~notifysdk.errors.LedgerUnavailableError` for the ledger)."""
        try:
            return await self.send(notice)
        except InvalidInputError as exc:
            outcome = self.outcome(notice, OutcomeStatus.BLOCKED, rule="input", reason=str(exc))
        except Exception as exc:
            fault = run_fault(exc)
            if fault is not None:
                raise fault from exc
            log.error("notice %s: %s while preparing", notice.idempotency_key, type(exc).__name__)
            outcome = internal_error(notice, exc, self.clock.now(), where="while preparing")
        return await self.delivery.emit(notice, outcome)


def open_ledger(
    url: str,
    plugins: PluginManager | None = None,
    *,
    keys: Callable[[], LedgerKeys] | None = None,
) -> Ledger:
    """Open a ledger by URL through the registered back-ends (``memory://``, ``sqlite:///``).

    ``keys`` loads the ledger's keys (:func:`notifysdk.keys.load_settings_keys`); it is
    called only for a factory that takes a ``keys`` keyword (the durable ones), so the
    memory ledger never creates a key file, and a third-party factory that takes the URL
    alone is called as before."""
    plugins = plugins or get_plugin_manager()
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    factory = plugins.registry().ledgers.get(scheme)
    if factory is None:
        known = ", ".join(sorted(plugins.registry().ledgers)) or "none"
        raise ConfigurationError(f"no ledger back-end for scheme {scheme!r} (known: {known})")
    if keys is not None and _takes_keys(factory):
        keyed: Callable[..., Ledger] = factory
        return keyed(url, keys=keys())
    return factory(url)


def _takes_keys(factory: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a builtin or C callable: URL only
        return False
    p = params.get("keys")
    return p is not None and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
