"""Rules of the call-script plugin.

- ``callscript-structure`` (content stage): a call script has the right sections in the
  right order. A script to the debtor checks identity before anything about the debt
  (right-party contact: CONC 7.9; FDCPA 1692c(b)); a location call has no debt sections
  (Reg F 1006.10); a voicemail is exactly one limited-content message (1006.2(j)).
- ``ledger-account-state`` (policy stage): states set by call outcomes (a dispute) stop
  contact as the profiles say, before the lender has updated ``Account.states``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from notifysdk.plugin import (
    AccountState,
    AccountStateRule,
    Medium,
    RuleContext,
    TemplateError,
    Verdict,
    Vote,
)

from .outcomes import state_active
from .script import structure_problems
from .sections import parse_sections


class CallScriptStructure:
    """Deny a call script whose sections are missing, out of order or disclose too early."""

    name = "callscript-structure"
    citation = "FCA CONC 7.9 (identity before disclosure); Reg F 1006.10, 1006.2(j); FDCPA 1692c(b)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "content"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Check the rendered script's structure; abstain for other media."""
        msg = ctx.message
        if msg is None or msg.medium is not Medium.CALL_SCRIPT:
            return None
        kind = str(msg.metadata.get("kind", ctx.notice.kind.value))
        try:
            problems = structure_problems(kind, parse_sections(msg.body))
        except TemplateError as exc:
            problems = [exc.reason]
        if problems:
            return Vote.deny(
                self.name, "*", "call script: " + "; ".join(problems), citation=self.citation
            )
        return Vote.allow(self.name)


LEDGER_STATES: tuple[AccountState, ...] = (AccountState.DISPUTE,)
"""Account states that the call-outcome API can set in the ledger."""


class LedgerAccountState:
    """Apply the profiles' account-state rules to states set by call outcomes.

    The compliance engine's ``account-state`` rule reads ``Account.states``, which the
    lender maintains. A dispute reported on a call is in the ledger at once; this rule
    adds such states to the account and asks the engine's rule, so a dispute holds
    collection from the moment it is recorded, for the roles and kinds each profile says.
    """

    name = "ledger-account-state"
    citation = "12 CFR 1006.38(d)(2); FCA CONC 7.14.3; CBA 2026 (as the profiles cite)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Deny when a state recorded in the ledger stops this notice under a profile."""
        account = ctx.notice.account
        added = {
            s
            for s in LEDGER_STATES
            if s not in account.states and await state_active(ctx.ledger, account, s.value, ctx.now)
        }
        if not added:
            return None
        updated = account.model_copy(update={"states": account.states | added})
        inner = replace(ctx, notice=ctx.notice.model_copy(update={"account": updated}))
        for vote in await AccountStateRule().votes(inner):
            if vote.verdict is Verdict.DENY:
                return Vote.deny(
                    self.name,
                    vote.profile,
                    f"{vote.reason} (recorded by a call outcome)",
                    citation=vote.citation,
                    numbers=vote.numbers,
                )
        return Vote.allow(
            self.name,
            "*",
            "no recorded state stops this notice",
            numbers={"states": sorted(s.value for s in added)},
        )
