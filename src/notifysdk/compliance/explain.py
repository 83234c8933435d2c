"""Every rule's vote for one notice at a given instant, and why (``notifysdk explain``).

Runs the same rules the dispatcher runs, at the ``policy`` stage and then on the
rendered message at the ``content`` stage, against a ledger (so counts are real), and
sends and records nothing. Compliance rules report one vote per profile; other rules
their single vote or an abstention.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..dispatcher import Dispatcher
from ..models import Notice
from ..policy import Decision, Rule, RuleContext, Verdict, Vote, active_rules, combine
from .rules.base import ProfileRule

__all__ = ["ExplainedVote", "Explanation", "explain"]

Stage = Literal["policy", "content"]


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
            "reservations": list(self.reservations),
        }


@dataclass(frozen=True)
class Explanation:
    """Everything ``explain`` found for one notice."""

    now: datetime
    to: str | None
    profiles: tuple[str, ...]
    unknown_profiles: tuple[str, ...]
    rows: tuple[ExplainedVote, ...]
    policy: Decision
    content: Decision | None
    note: str = ""

    @property
    def final(self) -> Decision:
        """The decision that would stop or let the notice through."""
        if self.policy.verdict in (Verdict.DENY, Verdict.DEFER) or self.content is None:
            return self.policy
        if self.content.verdict in (Verdict.DENY, Verdict.DEFER):
            return self.content
        return self.policy

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        final = self.final
        deciding = final.deciding
        return {
            "now": self.now.isoformat(),
            "profiles": list(self.profiles),
            "unknown_profiles": list(self.unknown_profiles),
            "decision": {
                "verdict": final.verdict.name.lower(),
                "rule": deciding.rule if deciding else None,
                "profile": deciding.profile if deciding else None,
                "reason": deciding.reason if deciding else None,
                "until": deciding.until.isoformat() if deciding and deciding.until else None,
            },
            "votes": [r.as_dict() for r in self.rows],
            "note": self.note,
        }


def _row(stage: str, vote: Vote) -> ExplainedVote:
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
        rows.extend(_row(stage, v) for v in votes)
    return rows, combine(decisive)


async def explain(dispatcher: Dispatcher, notice: Notice, now: datetime) -> Explanation:
    """Every rule's vote for ``notice`` at ``now`` (``dispatcher.clock`` should stand at
    ``now`` so the rendered message matches)."""
    registry = dispatcher.registry
    names = notice.effective_profiles
    profiles = {p: registry.profiles[p] for p in names if p in registry.profiles}
    unknown = tuple(p for p in names if p not in registry.profiles)
    channel = dispatcher.channel(notice.channel)
    to = dispatcher.destination(notice)
    ctx = RuleContext(
        notice,
        now,
        dispatcher.ledger,
        profiles,
        to=to,
        channel_medium=channel.medium.value,
        overrides=dispatcher.settings.profiles,
    )
    rules = list(registry.rules.values())
    rows, policy = await _stage(rules, ctx, "policy")
    kind = notice.kind.value
    if policy.verdict is Verdict.RESTRICT and policy.deciding and policy.deciding.variant:
        kind = policy.deciding.variant
    if to is None:
        return Explanation(
            now,
            to,
            tuple(profiles),
            unknown,
            tuple(rows),
            policy,
            None,
            "no usable contact point: the content stage was not run",
        )
    message, leak = dispatcher.build_message(notice, kind=kind)
    if message is None:
        return Explanation(
            now,
            to,
            tuple(profiles),
            unknown,
            tuple(rows),
            policy,
            None,
            f"the privacy guard would block it: {leak}",
        )
    cctx = RuleContext(
        notice,
        now,
        dispatcher.ledger,
        profiles,
        to=to,
        message=message,
        channel_medium=channel.medium.value,
        overrides=ctx.overrides,
    )
    crows, content = await _stage(rules, cctx, "content")
    return Explanation(
        now,
        to,
        tuple(profiles),
        unknown,
        tuple(rows + crows),
        policy,
        content,
        f"rendered template {message.metadata.get('template')}",
    )
