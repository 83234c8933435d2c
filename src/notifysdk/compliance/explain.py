"""Every rule's vote for one notice at a given instant, and why (``notifysdk explain``).

Runs the same rules the dispatcher runs, at the ``policy`` stage and then on the
rendered message at the ``content`` stage, against a ledger (so counts are real), and
sends and records nothing. Compliance rules report one vote per profile; other rules
their single vote or an abstention.

Each row carries the record its vote read (the vote's ``numbers``: counts in the
ledger's history, the account events, the location sources, the reachability record),
with every string in it and the reason passed through the SDK's redactor with the
account's own names and numbers known, so a rule that put a number or a name there by
mistake is still masked in the table and in ``--json``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ..dispatch.context import NoticeContext
from ..dispatch.dispatcher import Dispatcher
from ..dispatch.stages import build_message
from ..models import Message, Notice, Outcome, OutcomeStatus
from ..policy import Decision, Profile, Rule, RuleContext, Verdict, Vote, active_rules, combine
from ..reference.wording import RequirementHelp, vote_help
from .rules.base import ProfileRule

if TYPE_CHECKING:
    from ..models import Account
    from ..privacy import Redactor

__all__ = [
    "ExplainedVote",
    "Explanation",
    "content_votes",
    "explain",
    "masked_rows",
    "shown_scope",
]

Stage = Literal["policy", "content"]


_HASHED = frozenset({"debt", "number", "address"})
"""Kinds of scope whose last id is an unkeyed pseudonym (``scopes.pseudonym``: of a loan
id, a phone number, an address)."""


def shown_scope(text: str) -> str:
    """``text`` (a scope, maybe followed by `` (limit N)``) with its unkeyed pseudonyms
    as ``*``: a truncated SHA-256 of a loan id or a phone number is found again by
    trying the few values its format allows, so it is kept inside the ledger (which
    stores scopes keyed) and never shown."""
    scope, sep, rest = text.partition(" ")
    parts = scope.split(":")
    if len(parts) >= 3 and parts[1] in _HASHED:
        parts[-1] = "*"
    return ":".join(parts) + sep + rest


@dataclass(frozen=True)
class ExplainedVote:
    """One row: a rule's vote (or abstention) under one profile at one stage."""

    stage: str
    rule: str
    profile: str
    verdict: str
    reason: str = ""
    citation: str = ""
    until: datetime | None = None
    variant: str | None = None
    numbers: Mapping[str, Any] = field(default_factory=dict)
    reservations: tuple[str, ...] = ()
    wording: RequirementHelp | None = None
    """For a ``required-content`` vote: the wording it looks for (a sample sentence and
    the patterns) and its citation."""

    @property
    def shown_reservations(self) -> tuple[str, ...]:
        """The reservations as an operator sees them (``--json`` and the table): each
        scope's unkeyed pseudonym of a loan id, number or address as ``*``
        (:func:`shown_scope`)."""
        return tuple(shown_scope(r) for r in self.reservations)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "stage": self.stage,
            "rule": self.rule,
            "profile": self.profile,
            "verdict": self.verdict,
            "reason": self.reason,
            "citation": self.citation,
            "until": self.until.isoformat() if self.until else None,
            "variant": self.variant,
            "numbers": dict(self.numbers),
            "reservations": list(self.shown_reservations),
            "wording": self.wording.as_dict() if self.wording is not None else None,
        }


@dataclass(frozen=True)
class Explanation:
    """Everything ``explain`` found for one notice."""

    now: datetime
    to: str | None
    profiles: tuple[str, ...]
    rows: tuple[ExplainedVote, ...]
    policy: Decision
    content: Decision | None
    note: str = ""
    outcome: Outcome | None = None
    """The outcome the pipeline stopped at (``blocked``/``deferred``), not recorded;
    ``None`` when a send would go on to the claim."""

    @property
    def final(self) -> Decision:
        """The decision that would stop or let the notice through."""
        if self.policy.verdict in (Verdict.DENY, Verdict.DEFER) or self.content is None:
            return self.policy
        if self.content.verdict in (Verdict.DENY, Verdict.DEFER):
            return self.content
        return self.policy

    @property
    def verdict(self) -> str:
        """What a send would do: ``allow``, ``restrict``, ``defer`` or ``deny`` (a block
        by the privacy guard or a missing destination is ``deny``)."""
        if self.outcome is not None:
            return "defer" if self.outcome.status is OutcomeStatus.DEFERRED else "deny"
        return self.final.verdict.name.lower()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        deciding = self.final.deciding
        stop = self.outcome
        return {
            "now": self.now.isoformat(),
            "profiles": list(self.profiles),
            "decision": {
                "verdict": self.verdict,
                "rule": stop.rule if stop else deciding.rule if deciding else None,
                "profile": stop.profile if stop else deciding.profile if deciding else None,
                "reason": stop.reason if stop else deciding.reason if deciding else None,
                "until": (
                    stop.until.isoformat()
                    if stop and stop.until
                    else deciding.until.isoformat()
                    if deciding and deciding.until
                    else None
                ),
            },
            "votes": [r.as_dict() for r in self.rows],
            "note": self.note,
        }


@lru_cache(maxsize=1)
def _redactor() -> Redactor:
    from ..privacy import Redactor, default_detectors

    return Redactor(default_detectors())


def _mask_value(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {str(k): _mask_value(v, mask) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask_value(v, mask) for v in value]
    return value


def masked_rows(rows: Iterable[ExplainedVote], account: Account) -> list[ExplainedVote]:
    """``rows`` with every string of their ``numbers`` and their reasons masked (the
    built-in detectors, and ``account``'s own names and numbers)."""
    from ..privacy import KnownValues

    known = KnownValues.from_account(account)
    redactor = _redactor()
    cache: dict[str, str] = {}

    def mask(text: str) -> str:
        if text not in cache:
            cache[text] = redactor.mask_for_log(text, known)
        return cache[text]

    return [replace(r, reason=mask(r.reason), numbers=_mask_value(r.numbers, mask)) for r in rows]


def _row(stage: str, vote: Vote, profiles: Mapping[str, Profile]) -> ExplainedVote:
    return ExplainedVote(
        stage,
        vote.rule,
        vote.profile,
        vote.verdict.name.lower(),
        vote.reason,
        vote.citation,
        vote.until,
        vote.variant,
        vote.numbers,
        tuple(f"{r.scope} (limit {r.limit})" for r in vote.reservations),
        vote_help(profiles, vote),
    )


async def _stage(
    rules: Iterable[Rule], ctx: RuleContext, stage: Stage
) -> tuple[list[ExplainedVote], Decision]:
    rows: list[ExplainedVote] = []
    decisive: list[Vote] = []
    all_rules = [r for r in rules if r.stage == stage]
    active = {id(r) for r, _ in active_rules(all_rules, ctx.notice.effective_profiles, stage)}
    for rule in all_rules:
        if id(rule) not in active:
            rows.append(
                ExplainedVote(
                    stage, rule.name, "-", "inactive", "not in these profiles", rule.citation
                )
            )
            continue
        if isinstance(rule, ProfileRule):
            votes = await rule.votes(ctx)
            result = await rule.evaluate(ctx) if votes else None
        else:
            single = rule.evaluate(ctx)
            result = await single if inspect.isawaitable(single) else single
            votes = [result] if result is not None else []
        if result is not None:
            decisive.append(result)
        if not votes:
            rows.append(
                ExplainedVote(stage, rule.name, "-", "abstain", "does not apply", rule.citation)
            )
        rows.extend(_row(stage, v, ctx.profiles) for v in votes)
    return rows, combine(decisive)


async def content_votes(
    dispatcher: Dispatcher, ctx: NoticeContext, message: Message
) -> tuple[list[ExplainedVote], Decision]:
    """Every content rule's vote (or abstention) on ``message`` rendered for ``ctx``'s
    notice, and their combined decision (``notifysdk preview`` shows them)."""
    rules = list(dispatcher.registry.rules.values())
    cctx = ctx.evolve(message=message).rule_context(dispatcher.ledger, dispatcher.settings.profiles)
    rows, decision = await _stage(rules, cctx, "content")
    return masked_rows(rows, ctx.notice.account), decision


async def explain(dispatcher: Dispatcher, notice: Notice, now: datetime) -> Explanation:
    """Every rule's vote for ``notice`` at ``now``, and the verdict a send would reach.

    The verdict comes from :meth:`Dispatcher.prepare` (the same stages a send runs, so
    explain and send never disagree); the rows list each rule's vote (or abstention) on
    the context each stage saw. Raises :class:`~notifysdk.errors.InvalidInputError` as a
    send would (an unknown profile, channel or template variable)."""
    prepared = await dispatcher.prepare(notice, now=now)
    ctx = prepared.context
    rules = list(dispatcher.registry.rules.values())
    overrides = dispatcher.settings.profiles
    ledger = dispatcher.ledger
    rows: list[ExplainedVote] = []
    policy = ctx.policy
    if ctx.to is not None:
        rows, policy = await _stage(rules, ctx.rule_context(ledger, overrides), "policy")
        rows = masked_rows(rows, notice.account)
    content = None
    outcome = prepared.outcome
    message = ctx.message
    if message is None and ctx.to is not None and ctx.policy is None:
        # Stopped by a policy rule: the content rules' votes on what it would say are
        # still worth showing (rendered by the send's own code; the verdict stays).
        message, _ = build_message(dispatcher.pipeline, ctx)
    if message is not None:
        crows, content = await content_votes(dispatcher, ctx, message)
        rows += crows
        note = f"rendered template {message.metadata.get('template')}"
        if ctx.policy is None:
            note += " (stopped at the policy stage; content votes shown for review)"
    elif outcome is not None and outcome.rule == "no-destination":
        note = "no usable contact point: no rule was run"
    elif outcome is not None and outcome.rule == "privacy":
        note = f"the privacy guard would block it: {outcome.reason}"
    else:
        note = "stopped at the policy stage: the content stage was not run"
    return Explanation(
        now,
        ctx.to,
        tuple(ctx.profiles),
        tuple(rows),
        policy or Decision(Verdict.ALLOW, None, ()),
        content,
        note,
        outcome=outcome,
    )
