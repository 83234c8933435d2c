"""The ``profile-overrides`` rule: writes approved loosenings to the audit log.

The first time a ledger sees a notice run under a profile whose overrides loosen a
cited limit, the rule appends one ``profile_override`` audit entry per loosening (path,
old and new value, justification, citation). Every vote also lists them, so
``notifysdk explain`` shows which numbers were loosened and why.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from ...policy import RuleContext, Vote
from .base import ProfileRule, resolved

__all__ = ["ProfileOverridesRule"]


class ProfileOverridesRule(ProfileRule):
    """Audits explicit loosenings of cited limits."""

    name = "profile-overrides"
    citation = "COMPLIANCE.md: loosening past a cited limit needs an explicit, audited override"

    def __init__(self) -> None:
        self._audited: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """An allow per profile with overrides, after auditing new loosenings."""
        out: list[Vote] = []
        overrides = ctx.overrides
        for name, profile in ctx.profiles.items():
            if not overrides.get(name):  # resolves to the profile itself: nothing applied
                continue
            res = resolved(ctx, name, profile)
            if not res.applied:
                continue
            loosened = [a.as_dict() for a in res.loosened]
            if loosened:
                await self._audit_once(ctx, name, loosened)
            out.append(
                Vote.allow(
                    self.name,
                    name,
                    f"{len(res.applied)} override(s), {len(loosened)} loosening a cited limit",
                    citation=self.citation,
                    numbers={"overrides": [a.as_dict() for a in res.applied]},
                )
            )
        return out

    async def _audit_once(
        self, ctx: RuleContext, profile: str, loosened: list[dict[str, Any]]
    ) -> None:
        marker = json.dumps([profile, loosened], sort_keys=True)
        try:
            seen = self._audited.setdefault(ctx.ledger, set())
        except TypeError:  # a ledger that cannot be weakly referenced: audit every time
            seen = set()
        if marker in seen:
            return
        for item in loosened:
            await ctx.ledger.audit(
                "profile_override", None, {"profile": profile, **item}, now=ctx.now
            )
        seen.add(marker)
