"""The recipient guard: debt details only to the roles each profile allows.

Per profile and role: ``full`` (allow), ``restrict`` (only the limited-content
variant), ``restrict_if_unreachable`` (cn emergency contacts: only when the debtor
cannot be reached, and then only the limited-content variant), ``location_once`` (US:
a ``location_call`` once per person, anything else denied), ``deny``.

Whether the debtor can be reached is derived from the record under the profile's
``reachability`` spec (:mod:`notifysdk.compliance.reachability`: invalid-number results
and ``number_invalid`` events, runs of failed attempts, a recent conversation, the
``deceased`` state or event; ``data["debtor_incapacitated"]`` stays the caller's word).
``data["debtor_unreachable"]`` no longer decides anything: the vote says it was ignored.
An emergency contact who refused on a recorded call (outcome ``refused``) is not
contacted again (cn: "stop if they refuse"). Each vote's ``numbers`` carry the record
read (``reachability``: counts, the last conversation, number sources).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ...models import NoticeKind
from ...policy import Reservation, RuleContext, Vote
from .. import scopes as sc
from ..reachability import Reachability, reachability
from ..specs import CALL_MEDIA, ReachabilitySpec, RecipientSpec
from .base import EPOCH, FAR_FUTURE, ProfileRule, _memo, in_force, line_type, medium_of
from .states import recorded_events

__all__ = ["RecipientGuardRule", "debtor_reachability", "debtor_unreachable"]


async def debtor_reachability(ctx: RuleContext, spec: ReachabilitySpec | None) -> Reachability:
    """What the record says about reaching the notice's debtor under ``spec`` (computed
    once per notice and spec)."""
    inputs = (ctx.ledger, ctx.notice.account, ctx.now, spec)
    kept: Reachability | None = _memo(ctx, f"reachability:{id(spec)}", inputs)
    if kept is None:
        kept = await reachability(
            ctx.ledger,
            ctx.notice.account,
            ctx.now,
            spec,
            incapacitated=ctx.notice.data.get("debtor_incapacitated") is True,
            events=await recorded_events(ctx),
        )
        ctx.memo[f"reachability:{id(spec)}"] = (inputs, kept)
    return kept


async def debtor_unreachable(ctx: RuleContext, spec: ReachabilitySpec | None) -> bool:
    """True when the record says the debtor cannot be reached (see the module docstring)."""
    return (await debtor_reachability(ctx, spec)).unreachable


class RecipientGuardRule(ProfileRule):
    """Only allowed roles learn of the debt; others get the limited variant or nothing."""

    name = "recipient-guard"
    citation = "12 CFR 1006.6(d)(1), 1006.10, 1006.2(j); GB/T 45251-2025; CBA 2026; CONC 7.9"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """One vote per profile with a recipient policy."""
        out: list[Vote] = []
        for profile in in_force(ctx):
            spec = profile.params.get("recipients")
            if isinstance(spec, RecipientSpec):
                reach = profile.params.get("reachability")
                out.append(await self._vote(ctx, profile.name, spec, reach))
        return out

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain (one
        profile's allow alone: the vote :meth:`strictest` makes of it, built once
        instead of twice)."""
        voting = [
            (profile, spec)
            for profile in in_force(ctx)
            if isinstance(spec := profile.params.get("recipients"), RecipientSpec)
        ]
        if len(voting) != 1:
            return self.strictest(await self.votes(ctx))
        profile, spec = voting[0]
        reach = profile.params.get("reachability")
        vote, final = await self._decide(ctx, profile.name, spec, reach, True)
        return vote if final else self.strictest([vote])

    def _restrict(
        self,
        ctx: RuleContext,
        profile: str,
        spec: RecipientSpec,
        why: str,
        record: dict[str, Any] | None = None,
    ) -> Vote:
        medium = medium_of(ctx)
        numbers: dict[str, Any] = {"role": ctx.notice.recipient.role.value, "medium": medium}
        numbers.update(record or {})
        if medium not in spec.variant_media:
            return Vote.deny(
                self.name,
                profile,
                f"{why}, and the limited-content variant may not be sent on {medium}",
                citation=spec.citation,
                numbers=numbers,
            )
        return Vote.restrict(
            self.name,
            profile,
            f"{why}: limited content only",
            spec.variant,
            citation=spec.citation,
            numbers=numbers,
        )

    async def _vote(
        self,
        ctx: RuleContext,
        profile: str,
        spec: RecipientSpec,
        reach: ReachabilitySpec | None,
    ) -> Vote:
        vote, _ = await self._decide(ctx, profile, spec, reach, False)
        return vote

    async def _decide(
        self,
        ctx: RuleContext,
        profile: str,
        spec: RecipientSpec,
        reach: ReachabilitySpec | None,
        alone: bool,
    ) -> tuple[Vote, bool]:
        """The profile's vote; with ``alone`` (the only profile voting), an allow comes
        as :meth:`strictest` returns it, and the flag says so."""
        role = ctx.notice.recipient.role.value
        action = spec.roles.get(role, "deny")
        medium = medium_of(ctx)
        numbers: dict[str, Any] = {"role": role, "action": action}
        if action == "full":
            if role == "debtor" and medium == "voice" and line_type(ctx) in spec.restrict_lines:
                return self._restrict(
                    ctx,
                    profile,
                    spec,
                    f"a voicemail on a {line_type(ctx)} line may be heard by others",
                ), False
            if alone:  # what strictest() makes of the allow below
                reason = f"{role} may be told of the debt"
                return self.sole_allow(profile, reason, spec.citation, numbers), True
            return Vote.allow(
                self.name,
                profile,
                f"{role} may be told of the debt",
                citation=spec.citation,
                numbers=numbers,
            ), False
        if action == "restrict":
            return self._restrict(ctx, profile, spec, f"a {role} must not learn of the debt"), False
        if action == "restrict_if_unreachable":
            return await self._if_unreachable(ctx, profile, spec, reach, numbers), False
        if action == "location_once":
            return await self._location(ctx, profile, spec, medium), False
        return Vote.deny(
            self.name,
            profile,
            f"a {role} may not be contacted about the debt",
            citation=spec.citation,
            numbers=numbers,
        ), False

    async def _location(
        self, ctx: RuleContext, profile: str, spec: RecipientSpec, medium: str
    ) -> Vote:
        role = ctx.notice.recipient.role.value
        if ctx.notice.kind is not NoticeKind.LOCATION_CALL or medium not in CALL_MEDIA:
            return Vote.deny(
                self.name,
                profile,
                f"with a {role}, only a location call is allowed, and the debt is never mentioned",
                citation=spec.citation,
                numbers={"role": role, "kind": ctx.notice.kind.value},
            )
        scope = sc.person_scope(
            sc.Counter.LOCATION, ctx.notice.account, ctx.notice.recipient.person
        )
        used = await ctx.ledger.count(scope, EPOCH, FAR_FUTURE)
        numbers = {"role": role, "location_calls": used, "limit": 1}
        if used >= 1:
            return Vote.deny(
                self.name,
                profile,
                "a location call is made once per person",
                citation=spec.citation,
                numbers=numbers,
            )
        reservations: tuple[Reservation, ...] = ()
        if medium == "voice":
            reservations = (
                Reservation(self.name, profile, scope, 1, EPOCH, FAR_FUTURE, None, spec.citation),
            )
        return Vote.allow(
            self.name,
            profile,
            "first location call to this person",
            citation=spec.citation,
            numbers=numbers,
            reservations=reservations,
        )

    async def _if_unreachable(
        self,
        ctx: RuleContext,
        profile: str,
        spec: RecipientSpec,
        reach: ReachabilitySpec | None,
        numbers: dict[str, Any],
    ) -> Vote:
        role = numbers["role"]
        found = await debtor_reachability(ctx, reach)
        record: dict[str, Any] = {"reachability": found.as_numbers()}
        if "debtor_unreachable" in ctx.notice.data:
            record["ignored"] = "data.debtor_unreachable (the record decides)"
        citation = reach.citation if reach is not None else spec.citation
        refused = sc.person_scope(
            sc.Counter.REFUSED, ctx.notice.account, ctx.notice.recipient.person
        )
        refusals = await ctx.ledger.count(refused, EPOCH, ctx.now + _TICK)
        record["refused_before"] = refusals
        if refusals:
            return Vote.deny(
                self.name,
                profile,
                f"this {role} refused on a recorded call: not contacted again",
                citation=spec.citation,
                numbers={**numbers, **record},
            )
        if found.unreachable:
            return self._restrict(
                ctx,
                profile,
                spec,
                f"the debtor cannot be reached ({_why(found)}); a {role} is never told of the debt",
                {**record, "reachability_citation": citation},
            )
        return Vote.deny(
            self.name,
            profile,
            f"a {role} may be contacted only when the debtor cannot be reached ({_why(found)})",
            citation=spec.citation,
            numbers={**numbers, **record, "reachability_citation": citation},
        )


_TICK = timedelta(microseconds=1)


def _why(r: Reachability) -> str:
    """The decisive part of the record, in words (no personal data)."""
    if r.because == "consecutive_failures":
        return f"{r.consecutive_failures} consecutive failed attempts, {r.failed_attempts} needed"
    if r.because == "all_numbers_invalid":
        return f"all {r.phone_numbers} phone number(s) invalid on record"
    if r.because == "connected_recently":
        assert r.last_connected is not None
        return (
            f"spoken with at {r.last_connected.isoformat()}, within "
            f"{r.connected_within_days} day(s)"
        )
    if r.because in ("deceased", "incapacitated"):
        return f"the debtor is {r.because}"
    if r.because == "no_reachability_rule":
        return "no reachability rule in this profile; only the account states decide"
    if not r.history:
        return "this ledger cannot order the contact record"
    return (
        f"{r.consecutive_failures} of {r.failed_attempts} consecutive failed attempts, "
        f"{r.invalid_numbers} of {r.phone_numbers} number(s) invalid"
    )
