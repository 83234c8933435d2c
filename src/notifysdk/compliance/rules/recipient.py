"""The recipient guard: debt details only to the roles each profile allows.

Per profile and role: ``full`` (allow), ``restrict`` (only the limited-content
variant), ``restrict_if_unreachable`` (cn emergency contacts: only when the debtor
cannot be reached, and then only the limited-content variant), ``location_once`` (US:
a ``location_call`` once per person, anything else denied), ``deny``.

The debtor counts as unreachable when the account is in state ``deceased`` or the
notice carries ``data["debtor_unreachable"] = True`` (set by the caller after an
invalid number or 3 consecutive failed attempts) or ``data["debtor_incapacitated"]``.
"""

from __future__ import annotations

from ...models import AccountState, NoticeKind
from ...policy import Reservation, RuleContext, Vote
from .. import scopes as sc
from ..specs import CALL_MEDIA, RecipientSpec
from .base import EPOCH, FAR_FUTURE, ProfileRule, in_force, line_type, medium_of

__all__ = ["RecipientGuardRule", "debtor_unreachable"]


def debtor_unreachable(ctx: RuleContext) -> bool:
    """True when the debtor cannot be reached (see the module docstring)."""
    data = ctx.notice.data
    return (
        AccountState.DECEASED in ctx.notice.account.states
        or data.get("debtor_unreachable") is True
        or data.get("debtor_incapacitated") is True
    )


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
                out.append(await self._vote(ctx, profile.name, spec))
        return out

    def _restrict(self, ctx: RuleContext, profile: str, spec: RecipientSpec, why: str) -> Vote:
        medium = medium_of(ctx)
        numbers = {"role": ctx.notice.recipient.role.value, "medium": medium}
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

    async def _vote(self, ctx: RuleContext, profile: str, spec: RecipientSpec) -> Vote:
        role = ctx.notice.recipient.role.value
        action = spec.roles.get(role, "deny")
        medium = medium_of(ctx)
        numbers = {"role": role, "action": action}
        if action == "full":
            if role == "debtor" and medium == "voice" and line_type(ctx) in spec.restrict_lines:
                return self._restrict(
                    ctx,
                    profile,
                    spec,
                    f"a voicemail on a {line_type(ctx)} line may be heard by others",
                )
            return Vote.allow(
                self.name,
                profile,
                f"{role} may be told of the debt",
                citation=spec.citation,
                numbers=numbers,
            )
        if action == "restrict":
            return self._restrict(ctx, profile, spec, f"a {role} must not learn of the debt")
        if action == "restrict_if_unreachable":
            if debtor_unreachable(ctx):
                return self._restrict(
                    ctx,
                    profile,
                    spec,
                    f"the debtor cannot be reached; a {role} is never told of the debt",
                )
            return Vote.deny(
                self.name,
                profile,
                f"a {role} may be contacted only when the debtor cannot be reached",
                citation=spec.citation,
                numbers=numbers,
            )
        if action == "location_once":
            return await self._location(ctx, profile, spec, medium)
        return Vote.deny(
            self.name,
            profile,
            f"a {role} may not be contacted about the debt",
            citation=spec.citation,
            numbers=numbers,
        )

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
