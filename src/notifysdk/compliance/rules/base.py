"""What every compliance rule shares: the profiles in force, zones, local days, merging
per-profile votes into one.

A compliance rule is registered once for every profile (``profiles = {"*"}``) and reads
its numbers from ``ctx.profiles`` (with ``ctx.overrides`` applied), so a lender's own
profile works with the same rules. :meth:`ProfileRule.votes` returns one vote per
profile (what ``notifysdk explain`` prints); :meth:`ProfileRule.evaluate` returns the
strictest, naming the profile that decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ...models import EmailContact, PhoneContact
from ...policy import Profile, Reservation, RuleContext, Verdict, Vote, combine
from ..overrides import ResolvedProfile, resolve
from ..specs import WindowSpec, ZoneSpec
from ..windows import in_window, next_allowed, workday_checker
from ..zones import PlausibleZones, plausible_zones

__all__ = [
    "EPOCH",
    "FAR_FUTURE",
    "DirectVoteRule",
    "ProfileRule",
    "SyncVoteRule",
    "in_force",
    "line_type",
    "medium_of",
    "shift_into_windows",
    "zones_for",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
RECORD_ONLY_LIMIT = 2**31 - 1
"""A reservation limit no count reaches: the reservation only records the contact."""


def _memo(ctx: RuleContext, key: str, inputs: tuple[Any, ...]) -> Any:
    """The value kept under ``key`` in ``ctx.memo`` when it was computed from these very
    ``inputs`` (compared by identity), else ``None``."""
    kept = ctx.memo.get(key)
    if kept is None:
        return None
    was, value = kept
    if len(was) != len(inputs):
        return None
    for a, b in zip(was, inputs, strict=True):  # a loop: a generator cost more than the rest
        if a is not b:
            return None
    return value


def in_force(ctx: RuleContext) -> list[Profile]:
    """The profiles in force for this notice, overrides applied, in the notice's order."""
    # Asked about ten times per notice: the memo's identity check is written out here.
    profiles, overrides = ctx.profiles, ctx.overrides
    memo = ctx.memo.get("in_force")
    if memo is not None:
        (was_profiles, was_overrides), kept = memo
        if was_profiles is profiles and was_overrides is overrides:
            return list(kept)
    # A profile without overrides resolves to itself: no ResolvedProfile built for it.
    kept = tuple(
        resolved(ctx, name, profile).profile if overrides.get(name) else profile
        for name, profile in profiles.items()
    )
    ctx.memo["in_force"] = ((profiles, overrides), kept)
    return list(kept)


def resolved(ctx: RuleContext, name: str, profile: Profile) -> ResolvedProfile:
    """One profile with its overrides applied (a ConfigurationError when they loosen a
    cited limit without a justification)."""
    return resolve(profile, ctx.overrides.get(name))


def medium_of(ctx: RuleContext) -> str:
    """The medium the notice goes out on (``sms``, ``email``, ``voice``...)."""
    if ctx.message is not None:
        # _value_: the str .value returns, without the enum property's descriptor call
        # (a dozen reads per notice)
        value: str = ctx.message.medium._value_
        return value
    return ctx.channel_medium or ""


def _default_zones(profiles: Sequence[Profile]) -> tuple[str, ...]:
    names: list[str] = []
    for p in profiles:
        spec = p.params.get("zones")
        if isinstance(spec, ZoneSpec):
            names.extend(spec.default_zones)
    return tuple(dict.fromkeys(names)) or ("UTC",)


def zones_for(ctx: RuleContext, profiles: Sequence[Profile] | None = None) -> PlausibleZones:
    """The recipient's plausible zones (profile defaults when nothing is known)."""
    profiles = in_force(ctx) if profiles is None else profiles
    default = _default_zones(profiles)
    person = ctx.notice.recipient.person
    inputs = (person, ctx.to)
    kept: dict[tuple[str, ...], PlausibleZones] | None = _memo(ctx, "zones", inputs)
    if kept is None:
        kept = {}
        ctx.memo["zones"] = (inputs, kept)
    zones = kept.get(default)
    if zones is None:
        zones = kept[default] = plausible_zones(person, ctx.to, default)
    return zones


def line_type(ctx: RuleContext) -> str:
    """``work`` for a work number or work email, else the phone's line type, else
    ``personal``."""
    person = ctx.notice.recipient.person
    inputs = (person, ctx.to)
    kept: str | None = _memo(ctx, "line_type", inputs)
    if kept is None:
        kept = _line_type(person.contacts, ctx.to)
        ctx.memo["line_type"] = (inputs, kept)
    return kept


def _line_type(contacts: Sequence[Any], to: str | None) -> str:
    # The first phone at ``to`` decides, else a work email at it. The kind is looked at
    # before the value: a postal address builds its value on every read.
    for contact in contacts:
        if isinstance(contact, PhoneContact):
            if contact.value == to:
                return contact.line_type
        elif isinstance(contact, EmailContact) and contact.is_work and contact.value == to:
            return "work"
    return "personal"


def _windows(profiles: Sequence[Profile], medium: str) -> list[WindowSpec]:
    out = []
    for p in profiles:
        spec = p.params.get("window")
        if isinstance(spec, WindowSpec) and medium in spec.media:
            out.append(spec)
    return out


def allowed_everywhere(
    instant: datetime, zones: Sequence[ZoneInfo], specs: Sequence[WindowSpec], medium: str
) -> bool:
    """True when ``instant`` is inside every window in force."""
    return all(in_window(instant, zones, s.start, s.end, workday_for(s, medium)) for s in specs)


def workday_for(spec: WindowSpec, medium: str) -> Any:
    if spec.holiday_calendar and medium in spec.holiday_media:
        return workday_checker(spec.holiday_calendar)
    return None


def shift_into_windows(ctx: RuleContext, instant: datetime) -> datetime | None:
    """The first instant at or after ``instant`` inside every contact window in force
    (the intersection over profiles and plausible zones), ``None`` if there is none."""
    profiles = in_force(ctx)
    medium = medium_of(ctx)
    specs = _windows(profiles, medium)
    if not specs:
        return instant
    zones = zones_for(ctx, profiles).zones
    at: datetime | None = instant
    for _ in range(16):  # each pass moves forward to a later opening; few passes needed
        moved = False
        for s in specs:
            assert at is not None
            nxt = next_allowed(at, zones, s.start, s.end, workday_for(s, medium))
            if nxt is None:
                return None
            if nxt != at:
                at, moved = nxt, True
        if not moved:
            return at
    return None


def windows_in_force(
    ctx: RuleContext, profiles: Sequence[Profile] | None = None
) -> list[tuple[Profile, WindowSpec]]:
    """(profile, window) pairs that apply to this notice's medium (``profiles``: the
    profiles in force, when the caller has them already)."""
    medium = medium_of(ctx)
    return [
        (p, s)
        for p in (in_force(ctx) if profiles is None else profiles)
        for s in _windows([p], medium)
    ]


def dedupe_reservations(votes: Sequence[Vote]) -> tuple[Reservation, ...]:
    """One reservation per scope (two would record the same contact twice): keep the
    lowest limit; the others were already checked by count."""
    best: dict[str, Reservation] = {}
    for vote in votes:
        for res in vote.reservations:
            kept = best.get(res.scope)
            if kept is None or res.limit < kept.limit:
                best[res.scope] = res
    return tuple(best.values())


class ProfileRule:
    """Base of the compliance rules: one vote per profile, the strictest returned."""

    name: str = ""
    citation: str = ""
    profiles: frozenset[str] = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Every profile's vote (empty: the rule abstains)."""
        raise NotImplementedError

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain."""
        return self.strictest(await self.votes(ctx))

    def sole_allow(
        self, profile: str, reason: str, citation: str | None, numbers: dict[str, Any]
    ) -> Vote:
        """What :meth:`strictest` returns for the one vote ``Vote.allow(self.name,
        profile, reason, citation=citation, numbers=numbers)`` (no reservations), built
        directly: a rule whose only voting profile allows returns it from ``evaluate``."""
        return Vote(
            Verdict.ALLOW,
            self.name,
            profile,
            reason,
            citation or "",
            numbers={profile: numbers} if numbers else {},
        )

    def strictest(self, votes: Sequence[Vote]) -> Vote | None:
        """What :meth:`evaluate` returns for these votes of :meth:`votes`."""
        if not votes:
            return None
        if len(votes) == 1:  # one profile: what the general case gives, built directly
            vote = votes[0]
            if vote.verdict is not Verdict.ALLOW:
                return vote
            kept = vote.reservations
            return Vote(
                Verdict.ALLOW,
                self.name,
                vote.profile,
                vote.reason or "",
                vote.citation or "",
                numbers={vote.profile: dict(vote.numbers)} if vote.numbers else {},
                # one vote's one reservation (or none) is what deduplicating keeps
                reservations=kept
                if type(kept) is tuple and len(kept) < 2
                else dedupe_reservations(votes),
            )
        decision = combine(votes)
        if decision.verdict is not Verdict.ALLOW and decision.deciding is not None:
            return decision.deciding
        numbers = {v.profile: dict(v.numbers) for v in votes if v.numbers}
        return Vote.allow(
            self.name,
            "+".join(dict.fromkeys(v.profile for v in votes)),
            "; ".join(v.reason for v in votes if v.reason),
            citation="; ".join(dict.fromkeys(v.citation for v in votes if v.citation)),
            numbers=numbers,
            reservations=dedupe_reservations(votes),
        )


class SyncVoteRule(ProfileRule):
    """A profile rule whose votes await nothing (a carrier rule reads the message and
    its profiles only): a subclass implements :meth:`_votes_now`, and :meth:`votes` and
    :meth:`evaluate` each run it in their one coroutine (rather than ``evaluate``
    awaiting a ``votes`` coroutine)."""

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Every profile's vote (empty: the rule abstains)."""
        return self._votes_now(ctx)

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain."""
        return self.strictest(self._votes_now(ctx))

    def _votes_now(self, ctx: RuleContext) -> list[Vote]:
        """:meth:`votes`, computed without awaiting anything."""
        raise NotImplementedError


class DirectVoteRule(ProfileRule):
    """A profile rule that, when evaluating, may build the vote :meth:`strictest` would
    make of its one profile's vote directly, instead of a vote and then its copy.

    A subclass implements :meth:`_votes`; :meth:`votes` (what ``explain`` prints) and
    :meth:`evaluate` both come from it."""

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Every profile's vote (empty: the rule abstains)."""
        votes = await self._votes(ctx, False)
        assert isinstance(votes, list)
        return votes

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain."""
        votes = await self._votes(ctx, True)
        return votes if isinstance(votes, Vote) else self.strictest(votes)

    async def _votes(self, ctx: RuleContext, evaluating: bool) -> list[Vote] | Vote:
        """:meth:`votes`; with ``evaluating``, it may return instead the one vote
        :meth:`strictest` returns for them."""
        raise NotImplementedError


def next_day(instant: datetime) -> datetime:
    """A day later (for messages)."""
    return instant + timedelta(days=1)
