"""States that stop contact, opt-outs on record, and the credit-report pre-notice.

- ``account-state``: ``Account.states`` (cease, attorney, dispute, bankruptcy, deceased,
  time-barred) deny per profile, for the roles and kinds each profile lists. A notice
  with ``data["cease_exception"]`` set to one of the permitted notices (``termination``,
  ``remedy_may``, ``remedy_will``) may still go after a cease request where the profile
  allows it (12 CFR 1006.6(c)(1)).
- ``ledger-opt-out``: an opt-out written to the ledger
  (:func:`notifysdk.compliance.scopes.record_optout`, e.g. a Twilio STOP) blocks that
  medium at that number or address; ``*`` blocks every medium. An opt-in recorded later
  (:func:`notifysdk.compliance.scopes.record_optin`, e.g. an SMS ``START``) reopens it;
  an opt-out and an opt-in at the same instant leave it blocked.
- ``credit-report-prenotice``: a notice that performs the credit-report step
  (``notice.stage == "credit_report"`` or ``data["credit_report"] is True``) needs a
  delivered ``credit_report_prenotice`` for the same debt on record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from ...models import NoticeKind
from ...policy import RuleContext, Vote
from .. import scopes as sc
from ..specs import StateSpec
from .base import EPOCH, ProfileRule, in_force, medium_of

__all__ = [
    "AccountStateRule",
    "CreditReportPrenoticeRule",
    "LedgerOptOutRule",
    "prior_credit_notice_on_record",
]


class AccountStateRule(ProfileRule):
    """Account states that stop contact."""

    name = "account-state"
    citation = "12 CFR 1006.6(b)(2), 1006.6(c), 1006.26(b), 1006.38(d)(2); 11 U.S.C. 362; CONC 7"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """A deny per profile state spec that stops this notice; an allow otherwise."""
        notice = ctx.notice
        states = {s.value for s in notice.account.states}
        role = notice.recipient.role.value
        exception = notice.data.get("cease_exception")
        out: list[Vote] = []
        for profile in in_force(ctx):
            specs: tuple[StateSpec, ...] = profile.params.get("states", ())
            if not specs:
                continue
            stopped = False
            for spec in specs:
                if spec.state not in states or role not in spec.roles:
                    continue
                if spec.kinds is not None and notice.kind.value not in spec.kinds:
                    continue
                if exception is not None and exception in spec.exceptions:
                    continue
                stopped = True
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        f"account state {spec.state!r} stops {notice.kind.value} to a {role}",
                        citation=spec.citation,
                        numbers={"state": spec.state, "role": role},
                    )
                )
            if not stopped:
                out.append(
                    Vote.allow(
                        self.name,
                        profile.name,
                        "no state stops this notice",
                        numbers={"states": sorted(states)},
                    )
                )
        return out


class LedgerOptOutRule:
    """Opt-outs recorded in the ledger block the medium (or every medium) at the address."""

    name = "ledger-opt-out"
    citation = "12 CFR 1006.6(e), 1006.14(h); 47 CFR 64.1200(a)(10); PIPL Art. 15"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Deny when an opt-out for this medium or ``*`` is on record for ``ctx.to``."""
        if not ctx.to:
            return None
        medium = medium_of(ctx)
        end = ctx.now + timedelta(microseconds=1)
        last_contact = getattr(ctx.ledger, "last_contact", None)
        for m in (medium, "*"):
            start = EPOCH
            if last_contact is not None:  # an opt-in (START) reopens what came before it
                opted_in = await last_contact(sc.optin_scope(m, ctx.to), end)
                start = opted_in if opted_in is not None else EPOCH
            if await ctx.ledger.count(sc.optout_scope(m, ctx.to), start, end):
                return Vote.deny(
                    self.name,
                    "*",
                    f"the recipient opted out of {m} here"
                    if m != "*"
                    else "the recipient opted out of all contact here",
                    citation=self.citation,
                    numbers={"medium": m},
                )
        return Vote.allow(self.name, "*", "no opt-out on record", numbers={"medium": medium})


async def prior_credit_notice_on_record(ctx: RuleContext) -> int:
    """How many credit-report pre-notices were delivered for this debt before now."""
    scope = sc.notice_scope(NoticeKind.CREDIT_REPORT_PRENOTICE.value, ctx.notice.account)
    return await ctx.ledger.count(scope, EPOCH, ctx.now)


class CreditReportPrenoticeRule(ProfileRule):
    """The credit-report step needs a delivered pre-notice on record."""

    name = "credit-report-prenotice"
    citation = "征信业管理条例 Art. 15; 12 CFR 1006.30(a)"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Deny the report step without a prior notice, per profile that requires one."""
        notice = ctx.notice
        if not (notice.stage == "credit_report" or notice.data.get("credit_report") is True):
            return []
        out: list[Vote] = []
        count: int | None = None
        for profile in in_force(ctx):
            citation = profile.params.get("credit_report_prenotice")
            if not citation:
                continue
            if count is None:
                count = await prior_credit_notice_on_record(ctx)
            numbers = {"prenotices_on_record": count}
            if count:
                out.append(
                    Vote.allow(
                        self.name,
                        profile.name,
                        "a pre-notice is on record",
                        citation=citation,
                        numbers=numbers,
                    )
                )
            else:
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        "no credit-report pre-notice was delivered for this debt",
                        citation=citation,
                        numbers=numbers,
                    )
                )
        return out
