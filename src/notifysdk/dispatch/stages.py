"""The stages short of the claim, and ``prepare``, which runs them.

profiles → destination → policy → render (with privacy) → content. Each stage is a small
function of the :class:`Pipeline` (the services it needs) and a
:class:`~notifysdk.dispatch.context.NoticeContext`; it returns the next context or the
:class:`~notifysdk.models.Outcome` that ends the notice there. Bad input raises a typed
:class:`~notifysdk.errors.InvalidInputError` instead. Nothing here writes to the ledger
(rules only read it), so ``send``, ``explain``, ``preview``, the campaign planner and the
benches all run exactly this code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..channels import Channel
from ..compliance.overrides import resolve
from ..config import Settings
from ..errors import UnknownProfileError
from ..ledger.base import Ledger
from ..models import (
    Message,
    Notice,
    Outcome,
    OutcomeStatus,
    Restriction,
    Role,
    _message,
    _outcome,
)
from ..plugins import Registry
from ..policy import Decision, Profile, Rule, Verdict, Vote, rules_to_run, run_rules
from ..privacy import KnownValues, Redactor, effective_disclosure
from ..privacy.html_mask import mask_html
from ..templating import TemplateRenderer, notice_context
from ..validation import normalize_email, normalize_phone, validate_field
from .context import NoticeContext, Prepared

Stage = Callable[["Pipeline", NoticeContext], Awaitable[NoticeContext | Outcome]]


@dataclass
class Pipeline:
    """The services the stages use. A dispatcher owns one; ``ledger`` is a callable so
    the ledger is opened only when a stage first needs it."""

    settings: Settings
    registry: Registry
    renderer: TemplateRenderer
    redactor: Redactor
    ledger: Callable[[], Ledger]
    _rules: dict[tuple[tuple[str, ...], str], tuple[Rule, ...]] = field(
        default_factory=dict, init=False, repr=False
    )
    _senders: dict[tuple[str, ...], str | None] = field(
        default_factory=dict, init=False, repr=False
    )
    _profiles: dict[tuple[str, ...], dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False
    )
    _levels: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False)

    def rules(self, profiles: tuple[str, ...], stage: str) -> tuple[Rule, ...]:
        """The registered rules that vote at ``stage`` under ``profiles`` (kept per
        profiles and stage: the registry does not change while a dispatcher runs)."""
        key = (profiles, stage)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = rules_to_run(self.registry.rules.values(), profiles, stage)
        return found

    def outcome(
        self,
        notice: Notice,
        status: OutcomeStatus,
        now: datetime,
        *,
        known: KnownValues | None = None,
        **kw: Any,
    ) -> Outcome:
        """An outcome for ``notice``, its reason masked like a log line (every outcome
        is built here, so none carries personal data); ``known``: the account's values
        when already collected."""
        reason = kw.pop("reason", None)
        if reason:
            values = known if known is not None else KnownValues.from_account(notice.account)
            reason = self.redactor.mask_for_log(reason, values)
        # without re-validating values already exact (models._outcome)
        return _outcome(notice.idempotency_key, status, notice.channel, now, reason, kw)

    def stopping(self, ctx: NoticeContext, decision: Decision) -> Outcome | None:
        """The ``blocked`` or ``deferred`` outcome of a deny or defer decision."""
        vote = decision.deciding
        if vote is None or decision.verdict in (Verdict.ALLOW, Verdict.RESTRICT):
            return None
        status = (
            OutcomeStatus.BLOCKED if decision.verdict is Verdict.DENY else OutcomeStatus.DEFERRED
        )
        return self.outcome(
            ctx.notice,
            status,
            ctx.now,
            known=ctx.known,
            rule=vote.rule,
            profile=vote.profile,
            reason=vote.reason,
            until=vote.until,
            restriction=ctx.restriction,
        )

    def restriction(self, ctx: NoticeContext, vote: Vote) -> Restriction:
        """What a RESTRICT ``vote`` with a variant did to the notice, its reason masked
        as an outcome's is (the outcomes of the notice carry it)."""
        reason = self.redactor.mask_for_log(vote.reason, ctx.known) if vote.reason else None
        return Restriction(
            variant=vote.variant or "", rule=vote.rule, profile=vote.profile, reason=reason
        )

    def profile_sender(self, names: tuple[str, ...], profiles: Mapping[str, Profile]) -> str | None:
        """The ``neutral_sender`` of the first of ``names`` whose profile (overrides
        applied) has one: ``None`` for the institution's own name, ``""`` when none has
        the parameter. Kept per ``names``: the settings do not change while a dispatcher
        runs."""
        if names in self._senders:
            return self._senders[names]
        found: str | None = ""
        for name in names:
            params = resolve(profiles[name], self.settings.profiles.get(name)).profile.params
            if "neutral_sender" in params:
                value = params["neutral_sender"]
                found = value if isinstance(value, str) and value else None
                break
        self._senders[names] = found
        return found

    async def prepare(self, notice: Notice, channel: Channel, now: datetime) -> Prepared:
        """Run every stage short of the claim; see :class:`Prepared`."""
        ctx = NoticeContext(notice=notice, channel=channel, now=now)
        for stage in STAGES:
            result = await stage(self, ctx)
            if isinstance(result, Outcome):
                return Prepared(ctx, result)
            ctx = result
        return Prepared(ctx)


def resolve_profiles(profiles: tuple[str, ...], pipe: Pipeline) -> dict[str, Any]:
    """The registered profiles for ``profiles`` (or the settings' ``default_profiles``
    when it is empty). Fails closed: a code no plugin registered, or no profile at all,
    raises :class:`UnknownProfileError` naming ``account.profiles``."""
    known = pipe.registry.profiles
    names = profiles or tuple(pipe.settings.default_profiles)
    if not names:
        raise UnknownProfileError(
            "account.profiles",
            "names no compliance profile and settings.default_profiles is empty "
            f"(known: {', '.join(sorted(known)) or 'none'})",
        )
    unknown = [p for p in names if p not in known]
    if unknown:
        raise UnknownProfileError(
            "account.profiles",
            f"no plugin registered profile {unknown[0]!r} "
            f"(known: {', '.join(sorted(known)) or 'none'})",
        )
    return {p: known[p] for p in names}


async def profiles_stage(pipe: Pipeline, ctx: NoticeContext) -> NoticeContext | Outcome:
    """Resolve the notice's profiles, failing closed; collect the account's own values
    once, for every later stage's masking."""
    notice = ctx.notice
    names = notice.effective_profiles
    # kept per profile codes (a few per deployment) once resolved: the registry does
    # not change while a dispatcher runs; an empty tuple (the settings' defaults) and
    # a failure are never kept. Each context gets its own dict, as before.
    found = pipe._profiles.get(names) if names else None
    if found is None:
        found = resolve_profiles(names, pipe)
        if names:
            pipe._profiles[names] = found
    return ctx.evolve(profiles=dict(found), known=KnownValues.from_account(notice.account))


def destination(notice: Notice, channel: Channel) -> str | None:
    """Where ``notice`` goes on ``channel`` (normalized), or ``None`` when the recipient
    has no usable contact point of the channel's kind."""
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


async def destination_stage(pipe: Pipeline, ctx: NoticeContext) -> NoticeContext | Outcome:
    """Find the destination; none → ``blocked`` by ``no-destination``."""
    to = destination(ctx.notice, ctx.channel)
    if to is None:
        return pipe.outcome(
            ctx.notice,
            OutcomeStatus.BLOCKED,
            ctx.now,
            rule="no-destination",
            reason=f"the recipient has no usable {ctx.channel.contact_kind} contact point",
        )
    return ctx.evolve(to=to)


async def _decide(
    pipe: Pipeline, ctx: NoticeContext, stage: Literal["policy", "content"]
) -> tuple[Decision, Outcome | None]:
    """Every active rule's vote at ``stage``, and the outcome when they stop the notice."""
    decision = await run_rules(
        pipe.rules(ctx.notice.effective_profiles, stage),
        ctx.rule_context(pipe.ledger(), pipe.settings.profiles),
    )
    return decision, pipe.stopping(ctx, decision)


async def policy_stage(pipe: Pipeline, ctx: NoticeContext) -> NoticeContext | Outcome:
    """Every active rule votes before rendering; a restrict picks the variant to render."""
    decision, stop = await _decide(pipe, ctx, "policy")
    if stop is not None:
        return stop
    deciding = decision.deciding
    if decision.verdict is Verdict.RESTRICT and deciding is not None and deciding.variant:
        return ctx.evolve(
            policy=decision, kind=deciding.variant, restriction=pipe.restriction(ctx, deciding)
        )
    # _value_ (here and in _build): the str .value returns, without the enum
    # property's descriptor call (several per notice)
    return ctx.evolve(policy=decision, kind=ctx.notice.kind._value_)


async def render_stage(pipe: Pipeline, ctx: NoticeContext) -> NoticeContext | Outcome:
    """Render, mask by role × medium, and block anything the channel may not carry."""
    level = _level_of(pipe, ctx)
    message, leak = _build(pipe, ctx, level)
    if message is None:
        return pipe.outcome(
            ctx.notice,
            OutcomeStatus.BLOCKED,
            ctx.now,
            rule="privacy",
            reason=leak,
            known=ctx.known,
            restriction=ctx.restriction,
        )
    return ctx.evolve(message=message, disclosure=level)


async def content_stage(pipe: Pipeline, ctx: NoticeContext) -> NoticeContext | Outcome:
    """The content rules vote on the rendered message (required lines, lint)."""
    decision, stop = await _decide(pipe, ctx, "content")
    return stop if stop is not None else ctx.evolve(content=decision)


STAGES: tuple[Stage, ...] = (
    profiles_stage,
    destination_stage,
    policy_stage,
    render_stage,
    content_stage,
)
"""The stages short of the claim, in order."""


def _level(ctx: NoticeContext) -> Any:
    channel = ctx.channel
    return effective_disclosure(channel.disclosure, ctx.notice.recipient.role, channel.medium)


def _level_of(pipe: Pipeline, ctx: NoticeContext) -> Any:
    """:func:`_level`, kept per (channel level, role, medium) and their types (a level
    given as text equals its member but may come back as given): a function of those
    and the privacy module's tables, which do not change while a dispatcher runs."""
    channel = ctx.channel
    disclosure, role, medium = channel.disclosure, ctx.notice.recipient.role, channel.medium
    key = (disclosure, role, medium, type(disclosure), type(medium))
    level = pipe._levels.get(key)
    if level is None:
        level = pipe._levels[key] = effective_disclosure(disclosure, role, medium)
    return level


def build_message(pipe: Pipeline, ctx: NoticeContext) -> tuple[Message | None, str]:
    """Render ``ctx.kind`` (or the notice's kind), mask every part and leak-check it:
    ``(message, "")``, or ``(None, reason)`` when the leak guard blocks it."""
    return _build(pipe, ctx, _level(ctx))


def neutral_sender(pipe: Pipeline, ctx: NoticeContext) -> str:
    """The ``neutral_sender`` a limited-content variant names instead of the lender.

    To the debtor: the institution's name (the debtor knows the lender, and every
    message to the debtor states it: ``institution-identity``). To anyone else: the
    restricting profile's ``neutral_sender``, else that of the first profile in force
    with one, overrides applied; a profile's ``None`` is the institution's own name
    (``""``: no profile has the parameter, the template falls back to the locale's)."""
    if ctx.notice.recipient.role is Role.DEBTOR:
        return ctx.notice.account.institution
    first = ctx.restriction.profile if ctx.restriction is not None else None
    names = tuple(ctx.profiles)
    if first is not None and first in ctx.profiles:
        names = (first, *names)
    found = pipe.profile_sender(names, ctx.profiles)
    return ctx.notice.account.institution if found is None else found


def self_service_url(pipe: Pipeline, ctx: NoticeContext) -> str:
    """The debtor's self-service link for this notice (empty without a public base URL,
    and for anyone but the debtor: the page is about the debt, and whoever else holds the
    message must not be pointed to it)."""
    if ctx.notice.recipient.role is not Role.DEBTOR:
        return ""
    link_for = _LINK_FOR[0] if _LINK_FOR else _load_link_for()
    return link_for(pipe.settings, ctx.notice, ctx.now)


_LINK_FOR: list[Callable[[Settings, Notice, datetime], str]] = []
""":func:`notifysdk.selfservice.links.link_for`, once imported (an import statement in
:func:`self_service_url` ran the import machinery for every notice)."""


def _load_link_for() -> Callable[[Settings, Notice, datetime], str]:
    from ..selfservice.links import link_for  # the page's keys load only when it is on

    _LINK_FOR.append(link_for)
    return link_for


def _build(pipe: Pipeline, ctx: NoticeContext, level: Any) -> tuple[Message | None, str]:
    notice, channel = ctx.notice, ctx.channel
    kind = ctx.kind or notice.kind._value_
    to = ctx.to or ""
    context = notice_context(
        notice,
        now=ctx.now,
        institution_contact=pipe.settings.institution_contact,
        neutral_sender=neutral_sender(pipe, ctx),
        self_service_url=self_service_url(pipe, ctx),
    )
    rendered = pipe.renderer.render(
        kind, channel.medium._value_, notice.effective_locale, context, channel=channel.name
    )
    # body, subject, html in turn (each part that is there), masked: HTML on the
    # unescaped text (privacy/html_mask.py)
    redactor, known = pipe.redactor, ctx.known
    leaked: tuple[Any, ...] = ()
    body = rendered.body
    if body is not None:
        red = redactor.mask(body, level, known)
        body, leaked = red.text, red.leaks
    subject = rendered.subject
    if subject is not None:
        red = redactor.mask(subject, level, known)
        subject = red.text
        if red.leaks:
            leaked = (*leaked, *red.leaks)
    html = rendered.html
    if html is not None:
        red = mask_html(redactor, html, level, known)
        html = red.text
        if red.leaks:
            leaked = (*leaked, *red.leaks)
    if leaked:
        leaks = {f.kind for f in leaked}
        return None, (
            f"the rendered message carries {', '.join(sorted(leaks))}, which a "
            f"{notice.recipient.role._value_} may not receive on {channel.name} "
            f"(disclosure {level.value})"
        )
    if notice.attachments and level.value != "full":
        return None, (
            f"attachments need full disclosure; {channel.name} to a "
            f"{notice.recipient.role._value_} is {level.value}"
        )
    # the consent on record for the destination (None: not on record)
    consent = None
    for contact in notice.recipient.person.contacts:
        if contact.value == to:
            consent = contact.consent._value_
            break
    message = _message(
        notice.idempotency_key,
        channel.name,
        channel.medium,
        to,
        rendered.locale,
        subject,
        body or "",
        html,
        notice.attachments,
        {
            "template": rendered.template,
            "kind": kind,
            "disclosure": level._value_,
            "consent": consent,
        },
    )
    return message, ""
