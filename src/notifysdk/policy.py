"""Compliance rules: the contract a rule implements, votes, and how votes combine.

A rule looks at one notice (and, at the ``content`` stage, its rendered message) and
votes. Across every active rule and profile **the strictest vote wins**:
deny > defer (the latest ``until``) > restrict > allow. A rule may also ask the ledger
to *reserve* a slot under a cap; the ledger checks and takes it atomically with the
claim, so two workers can never both take the last slot.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from types import CoroutineType
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from .frozen import fast_init
from .reservations import Reservation as Reservation

if TYPE_CHECKING:
    from .ledger.base import Ledger
    from .models import Message, Notice


class Verdict(IntEnum):
    """A rule's verdict; a higher value is stricter."""

    ALLOW = 0
    RESTRICT = 1
    DEFER = 2
    DENY = 3


@fast_init
@dataclass(frozen=True)
class Vote:
    """One rule's decision about one notice, with everything needed to explain it."""

    verdict: Verdict
    rule: str
    profile: str = "*"
    reason: str = ""
    citation: str = ""
    until: datetime | None = None
    """For DEFER: the next instant the notice is allowed."""
    variant: str | None = None
    """For RESTRICT: the notice kind to render instead (e.g. ``limited_content``)."""
    numbers: Mapping[str, Any] = field(default_factory=dict)
    """The numbers compared (count, limit, local time, window...)."""
    reservations: tuple[Reservation, ...] = ()

    @classmethod
    def allow(cls, rule: str, profile: str = "*", reason: str = "", **kw: Any) -> Vote:
        """An allow vote."""
        return cls(Verdict.ALLOW, rule, profile, reason, **kw)

    @classmethod
    def deny(cls, rule: str, profile: str, reason: str, **kw: Any) -> Vote:
        """A deny (block) vote."""
        return cls(Verdict.DENY, rule, profile, reason, **kw)

    @classmethod
    def defer(cls, rule: str, profile: str, reason: str, until: datetime, **kw: Any) -> Vote:
        """A defer vote with the next allowed instant."""
        return cls(Verdict.DEFER, rule, profile, reason, until=until, **kw)

    @classmethod
    def restrict(cls, rule: str, profile: str, reason: str, variant: str, **kw: Any) -> Vote:
        """A restrict vote: send only the ``variant`` (limited-content) version."""
        return cls(Verdict.RESTRICT, rule, profile, reason, variant=variant, **kw)


@dataclass(frozen=True)
class Profile:
    """A named set of rule parameters (``cn``, ``us-regf``...). Profiles are data."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


@fast_init
@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the notice, the time, the ledger, the active profiles."""

    notice: Notice
    now: datetime
    ledger: Ledger
    profiles: Mapping[str, Profile]
    to: str | None = None
    message: Message | None = None
    """Set at the ``content`` stage: the rendered, masked message."""
    channel_medium: str | None = None
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per-profile parameter overrides from ``Settings.profiles`` (applied by the rules)."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Values several rules derive from the notice (the profiles in force, the plausible
    zones), each kept with the inputs it was computed from so it is computed once per
    notice: the dispatcher hands the same dict to both stages of a notice; a context
    built elsewhere starts with an empty one."""
    channel_traits: Mapping[str, Any] = field(default_factory=dict)
    """What the channel declares about the form it delivers (its ``content_traits``):
    ``carrier_route`` (``"cn"``: through China's domestic carrier ports), ``sign_name``,
    the 【sign】 it adds to every SMS itself (an approved-template channel);
    ``registered_domains``, the link domains registered for it. Empty for a channel that
    declares nothing (the carrier rules read it)."""


@runtime_checkable
class Rule(Protocol):
    """A small, named, cited compliance rule.

    ``profiles`` lists the profiles it belongs to (``"*"`` for all). ``stage`` is
    ``"policy"`` (before rendering) or ``"content"`` (on the rendered message).
    ``evaluate`` returns a :class:`Vote`, ``None`` to abstain, or an awaitable of either.
    """

    name: str
    citation: str
    profiles: frozenset[str]
    stage: Literal["policy", "content"]

    def evaluate(self, ctx: RuleContext) -> Vote | Awaitable[Vote | None] | None:
        """Vote on ``ctx.notice``."""
        ...


@fast_init
@dataclass(frozen=True)
class Decision:
    """The combined result of every vote: the strictest one, and all of them."""

    verdict: Verdict
    deciding: Vote | None
    votes: tuple[Vote, ...]

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        """Every slot the allowing rules asked to reserve."""
        return tuple(r for v in self.votes for r in v.reservations)


def combine(votes: Sequence[Vote]) -> Decision:
    """Strictest wins; among defers the latest ``until`` wins."""
    deciding: Vote | None = None
    for vote in votes:
        if (
            deciding is None
            or vote.verdict > deciding.verdict
            or (
                vote.verdict == deciding.verdict == Verdict.DEFER
                and vote.until is not None
                and (deciding.until is None or vote.until > deciding.until)
            )
        ):
            deciding = vote
    verdict = deciding.verdict if deciding else Verdict.ALLOW
    return Decision(verdict, deciding if verdict != Verdict.ALLOW else None, tuple(votes))


def active_rules(
    rules: Iterable[Rule], profiles: Iterable[str], stage: str
) -> list[tuple[Rule, str]]:
    """The (rule, profile) pairs that apply to a notice running under ``profiles``."""
    names = list(profiles)
    out: list[tuple[Rule, str]] = []
    for rule in rules:
        if rule.stage != stage:
            continue
        if "*" in rule.profiles:
            out.append((rule, "*"))
            continue
        out.extend((rule, p) for p in names if p in rule.profiles)
    return out


def rules_to_run(rules: Iterable[Rule], profiles: Iterable[str], stage: str) -> tuple[Rule, ...]:
    """The rules that vote at ``stage`` for a notice under ``profiles``, each once (a
    rule of several of the profiles still votes once), in registration order."""
    seen: set[int] = set()
    out: list[Rule] = []
    for rule, _profile in active_rules(rules, profiles, stage):
        if id(rule) not in seen:
            seen.add(id(rule))
            out.append(rule)
    return tuple(out)


async def evaluate(
    rules: Iterable[Rule], ctx: RuleContext, stage: Literal["policy", "content"]
) -> Decision:
    """Run every active rule at ``stage`` (each once, even under several profiles)."""
    return await run_rules(rules_to_run(rules, ctx.notice.effective_profiles, stage), ctx)


async def run_rules(rules: Sequence[Rule], ctx: RuleContext) -> Decision:
    """Every vote of ``rules`` (from :func:`rules_to_run`) on ``ctx``, combined."""
    votes: list[Vote] = []
    for rule in rules:
        result = rule.evaluate(ctx)
        # A vote or an abstention needs no look at whether it is awaitable, and an
        # ``async def`` rule's coroutine (most rules) none at inspect's generic checks.
        if type(result) is CoroutineType or (
            result is not None and not isinstance(result, Vote) and inspect.isawaitable(result)
        ):
            result = await result
        if result is not None:
            votes.append(result)
    return combine(votes)
