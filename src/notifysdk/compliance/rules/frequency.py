"""Frequency caps and quiet periods, counted in the ledger per local day.

A cap of ``limit`` per ``days`` covers the ``days`` consecutive local days ending today
("7 calls within 7 consecutive days"). Below the cap, a notice whose medium *is* the
contact (an SMS, an automated call) carries a :class:`~notifysdk.policy.Reservation`
that the ledger checks and takes atomically with the claim; an agent's call script is
only checked, since the call-outcome API records the call itself
(:func:`notifysdk.compliance.scopes.record_call`). At the cap, the vote defers to the
first local day on which the window count drops below the cap, moved into the contact
windows in force.

What a counter counts is the profile's ``call_counts``
(:class:`~notifysdk.compliance.specs.CallCountSpec`). Reg F leaves out calls that never
connect and calls placed within 7 days after the consumer's direct prior consent
(1006.14(b)(3)-(4)): the first are not written under ``call``, and a vote shows both as
``excluded`` (counted in the same window); a call placed now, with a consent on record
that recent (:func:`~notifysdk.compliance.scopes.record_call_consent`), is neither capped
nor held by the quiet period (a cap or quiet period with ``consent_days``), and a notice
that is itself the call is recorded as ``call.consented``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ...models import Account, Person
from ...policy import Reservation, RuleContext, Vote
from .. import scopes as sc
from ..specs import CallCountSpec, CapSpec, QuietSpec
from ..windows import day_bounds, day_start
from .base import (
    EPOCH,
    FAR_FUTURE,
    RECORD_ONLY_LIMIT,
    ProfileRule,
    _memo,
    in_force,
    line_type,
    medium_of,
    shift_into_windows,
    zones_for,
)

__all__ = ["FrequencyCapRule", "QuietPeriodRule", "cap_scope"]


def cap_scope(
    counter: str, per: str, account: Account, person: Person, to: str | None
) -> str | None:
    """The scope a cap counts under for this notice (``None``: not applicable)."""
    if per == "debt":
        return sc.debt_scope(counter, account)
    if per == "debtor":
        return sc.debtor_scope(counter, account, person)
    if per == "person":
        return sc.person_scope(counter, account, person)
    if per == "number":
        return sc.number_scope(counter, to) if to and to.startswith("+") else None
    return None


async def _consent(ctx: RuleContext, days: int | None) -> timedelta | None:
    """How long ago the consumer's consent to calls about this debt was given, when it
    is recent enough (``days``) to exclude a call placed now; else ``None``."""
    if days is None:
        return None
    inputs = (ctx.ledger, ctx.notice.account, ctx.now)
    kept: tuple[timedelta | None] | None = _memo(ctx, "call_consent", inputs)
    if kept is None:
        kept = (await sc.consent_age(ctx.ledger, ctx.notice.account, ctx.now),)
        ctx.memo["call_consent"] = (inputs, kept)
    age = kept[0]
    return age if age is not None and age < timedelta(days=days) else None


def _count_spec(profile: Any, counter: str) -> CallCountSpec | None:
    for spec in profile.params.get("call_counts", ()):
        if spec.counter == counter:
            return spec  # type: ignore[no-any-return]
    return None


def _line_applies(spec: CapSpec, line: str) -> bool:
    if spec.line == "any":
        return True
    return (line == "work") == (spec.line == "work")


async def _next_free(
    ctx: RuleContext, scope: str, zones: tuple[ZoneInfo, ...], limit: int, days: int
) -> datetime:
    for k in range(1, days + 1):
        start, end = day_bounds(ctx.now, zones, k - (days - 1), k)
        if await ctx.ledger.count(scope, start, end) < limit:
            return day_start(ctx.now, zones, k)
    return day_start(ctx.now, zones, days)


def _retry_at(ctx: RuleContext, zones: tuple[ZoneInfo, ...]) -> datetime | None:
    """Where a notice refused at the claim by a full cap goes: tomorrow's first instant
    inside the contact windows. The same for every cap of the notice (each profile's,
    each counter's), so it is computed once per notice and zones."""
    inputs = (ctx.now, ctx.profiles, ctx.overrides, zones)
    kept: dict[str, datetime | None] | None = _memo(ctx, "cap_retry", inputs)
    if kept is None:
        kept = {}
        ctx.memo["cap_retry"] = (inputs, kept)
    medium = medium_of(ctx)
    if medium not in kept:
        kept[medium] = shift_into_windows(ctx, day_start(ctx.now, zones, 1))
    return kept[medium]


class FrequencyCapRule(ProfileRule):
    """Caps per debt, debtor, number or person: Reg F 7-in-7, cn 3 connected calls and
    6 unanswered dials a day, MA 2 per 7/30 days, WA 3 a week, soft message caps."""

    name = "frequency-cap"
    citation = "12 CFR 1006.14(b)(2); NIFA 2024; CBA 2026; 940 CMR 7.04(1)(f); RCW 19.16.250"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """One vote per applicable cap of every profile."""
        notice = ctx.notice
        medium = medium_of(ctx)
        role = notice.recipient.role.value
        profiles = in_force(ctx)
        # The zones and the line type only once a cap applies (most notices have none on
        # their medium: cn caps calls only); the same for every cap of the notice.
        zones: tuple[ZoneInfo, ...] | None = None
        line: str | None = None
        out: list[Vote] = []
        for profile in profiles:
            for spec in profile.params.get("caps", ()):
                if medium not in spec.reserve_media and medium not in spec.check_media:
                    continue
                if role not in spec.roles:
                    continue
                if spec.line != "any":  # (_line_applies needs no line type for "any")
                    if line is None:
                        line = line_type(ctx)
                    if not _line_applies(spec, line):
                        continue
                scope = cap_scope(
                    spec.counter, spec.per, notice.account, notice.recipient.person, ctx.to
                )
                if scope is None:
                    continue
                if zones is None:
                    zones = zones_for(ctx, profiles).zones
                counting = _count_spec(profile, spec.counter)
                out.append(
                    await self._vote(ctx, profile.name, spec, scope, zones, medium, counting)
                )
        return out

    async def _vote(
        self,
        ctx: RuleContext,
        profile: str,
        spec: CapSpec,
        scope: str,
        zones: tuple[ZoneInfo, ...],
        medium: str,
        counting: CallCountSpec | None = None,
    ) -> Vote:
        start, end = day_bounds(ctx.now, zones, -(spec.days - 1), 0)
        used = await ctx.ledger.count(scope, start, end)
        numbers: dict[str, Any] = {
            "cap": spec.id,
            "count": used,
            "limit": spec.limit,
            "days": spec.days,
            "window_start": start.isoformat(),
        }
        if counting is not None and (counting.excluded or counting.consent_days):
            numbers["excluded"] = await _excluded(ctx, spec, counting, start, end)
        age = await _consent(ctx, spec.consent_days)
        if age is not None:
            why = counting.citation if counting is not None else spec.citation
            return self._consented(ctx, profile, spec, scope, medium, age, numbers, why)
        if used >= spec.limit:
            free = await _next_free(ctx, scope, zones, spec.limit, spec.days)
            return _defer_into_window(
                ctx,
                self.name,
                profile,
                spec,
                free,
                f"{spec.id}: {used} of {spec.limit} in {spec.days} day(s) already",
                "cap reached and no contact window follows",
                numbers,
            )
        reservations: tuple[Reservation, ...] = ()
        if medium in spec.reserve_media:
            retry = _retry_at(ctx, zones)
            reservations = (
                Reservation(
                    rule=self.name,
                    profile=profile,
                    scope=scope,
                    limit=spec.limit,
                    window_start=start,
                    window_end=end,
                    next_free=retry,
                    citation=spec.citation,
                ),
            )
        return Vote.allow(
            self.name,
            profile,
            f"{spec.id}: {used} of {spec.limit}",
            citation=spec.citation,
            numbers=numbers,
            reservations=reservations,
        )

    def _consented(
        self,
        ctx: RuleContext,
        profile: str,
        spec: CapSpec,
        scope: str,
        medium: str,
        age: timedelta,
        numbers: dict[str, Any],
        citation: str,
    ) -> Vote:
        """Allow a call placed with the consumer's recent direct consent (not counted:
        a notice that is the call is recorded under ``COUNTER.consented``)."""
        numbers["consent_age_hours"] = round(age.total_seconds() / 3600, 2)
        numbers["consent_days"] = spec.consent_days
        reservations: tuple[Reservation, ...] = ()
        if medium in spec.reserve_media:
            counter, per, ids = sc.parse_scope(scope)
            reservations = (
                Reservation(
                    self.name,
                    profile,
                    sc.scope(f"{counter}.consented", per, *ids),
                    RECORD_ONLY_LIMIT,
                    EPOCH,
                    FAR_FUTURE,
                    None,
                    citation,
                ),
            )
        return Vote.allow(
            self.name,
            profile,
            f"{spec.id}: placed with the consumer's direct consent given "
            f"{numbers['consent_age_hours']} h ago (within {spec.consent_days} days): "
            "not counted",
            citation=citation,
            numbers=numbers,
            reservations=reservations,
        )


async def _excluded(
    ctx: RuleContext, spec: CapSpec, counting: CallCountSpec, start: datetime, end: datetime
) -> dict[str, int]:
    """Placed calls in the cap's window that its citation leaves out, by reason."""
    notice = ctx.notice
    out: dict[str, int] = {}
    for suffix, name in (("excluded", "not_connected"), ("consented", "with_consent")):
        where = cap_scope(
            f"{spec.counter}.{suffix}", spec.per, notice.account, notice.recipient.person, ctx.to
        )
        out[name] = await ctx.ledger.count(where, start, end) if where else 0
    return out


class QuietPeriodRule(ProfileRule):
    """Reg F: no call within 7 days after a telephone conversation (that day is day 1)."""

    name = "quiet-period"
    citation = "12 CFR 1006.14(b)(2)(ii)"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """One vote per applicable quiet period of every profile."""
        notice = ctx.notice
        medium = medium_of(ctx)
        if notice.recipient.role.value not in ("debtor", "guarantor"):
            return []
        profiles = in_force(ctx)
        zones: tuple[ZoneInfo, ...] | None = None  # once a quiet period applies (cn: none)
        out: list[Vote] = []
        for profile in profiles:
            spec: QuietSpec
            for spec in profile.params.get("quiet", ()):
                if medium not in spec.media:
                    continue
                scope = cap_scope(
                    spec.counter, spec.per, notice.account, notice.recipient.person, ctx.to
                )
                assert scope is not None
                if zones is None:
                    zones = zones_for(ctx, profiles).zones
                out.append(await self._vote(ctx, profile.name, spec, scope, zones))
        return out

    async def _vote(
        self,
        ctx: RuleContext,
        profile: str,
        spec: QuietSpec,
        scope: str,
        zones: tuple[ZoneInfo, ...],
    ) -> Vote:
        start, end = day_bounds(ctx.now, zones, -(spec.days - 1), 0)
        events = await ctx.ledger.count(scope, start, end)
        numbers: dict[str, Any] = {"quiet": spec.id, "events": events, "days": spec.days}
        age = await _consent(ctx, spec.consent_days) if events else None
        if age is not None:
            numbers["consent_age_hours"] = round(age.total_seconds() / 3600, 2)
            return Vote.allow(
                self.name,
                profile,
                f"{spec.id}: placed with the consumer's direct consent given "
                f"{numbers['consent_age_hours']} h ago (within {spec.consent_days} days)",
                citation=spec.citation,
                numbers=numbers,
            )
        if not events:
            return Vote.allow(
                self.name,
                profile,
                f"{spec.id}: no {spec.counter} in {spec.days} days",
                citation=spec.citation,
                numbers=numbers,
            )
        day = 0
        for k in range(spec.days):  # the latest day with an event is day 1 of the period
            s, e = day_bounds(ctx.now, zones, -k, -k)
            if await ctx.ledger.count(scope, s, e):
                day = -k
                break
        numbers["day_of_period"] = 1 - day
        return _defer_into_window(
            ctx,
            self.name,
            profile,
            spec,
            day_start(ctx.now, zones, day + spec.days),
            f"{spec.id}: day {1 - day} of {spec.days} after a {spec.counter}",
            "quiet period and no window follows",
            numbers,
        )


def _defer_into_window(
    ctx: RuleContext,
    rule: str,
    profile: str,
    spec: CapSpec | QuietSpec,
    free: datetime,
    reason: str,
    no_window: str,
    numbers: dict[str, Any],
) -> Vote:
    """Defer to the first allowed instant from ``free`` on, or deny when none follows."""
    until = shift_into_windows(ctx, free)
    if until is None:
        return Vote.deny(
            rule, profile, f"{spec.id}: {no_window}", citation=spec.citation, numbers=numbers
        )
    numbers["next_allowed"] = until.isoformat()
    return Vote.defer(rule, profile, reason, until, citation=spec.citation, numbers=numbers)
