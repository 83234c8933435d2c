"""Rules on the rendered message: required content, the language lint, and the record of
what was delivered.

- ``required-content``: each profile's :class:`~notifysdk.compliance.specs.Requirement`
  for the medium and role (the US opt-out line in every email and SMS; mini-Miranda on
  the first communication and a shorter one later; UK "private and confidential" on
  letters). "First" means no communication to this person is on record yet.
- ``content-lint``: prohibited phrases (threats, insults, impersonation, false legal
  claims, pressure, privacy threats; threats to sue when the debt is time-barred). The
  recipient's own name and addresses are blanked first so they cannot trip it.
- ``contact-record``: attaches record-only reservations, so that a *delivered* notice
  leaves a ``comm`` contact for the person and a ``notice.<kind>`` contact for the debt
  in the ledger (reservations are released for every other outcome).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Any, Literal

from ...models import AccountState, Role
from ...policy import Reservation, RuleContext, Verdict, Vote
from .. import scopes as sc
from ..lint import Linter
from ..specs import LintSpec, Requirement
from .base import (
    EPOCH,
    RECORD_ONLY_LIMIT,
    DirectVoteRule,
    ProfileRule,
    in_force,
    medium_of,
)

__all__ = ["ContactRecordRule", "ContentLintRule", "RequiredContentRule", "message_parts"]


def message_parts(ctx: RuleContext) -> dict[str, str | None]:
    """The rendered parts of the message (empty when there is none)."""
    msg = ctx.message
    if msg is None:
        return {}
    return {"subject": msg.subject, "body": msg.body, "html": msg.html}


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _lang(locale: str) -> str:
    return locale.split("-", 1)[0].lower()


async def _communications(ctx: RuleContext) -> int:
    scope = sc.person_scope(sc.Counter.COMM, ctx.notice.account, ctx.notice.recipient.person)
    return await ctx.ledger.count(scope, EPOCH, ctx.now)


class RequiredContentRule(ProfileRule):
    """Text each profile requires on a medium: opt-out line, mini-Miranda, P&C."""

    name = "required-content"
    citation = "12 CFR 1006.6(e), 1006.18(e); CONC 7.9"
    stage: Literal["policy", "content"] = "content"

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """One vote per requirement that applies to this message."""
        msg = ctx.message
        if msg is None:
            return []
        medium = medium_of(ctx)
        role = ctx.notice.recipient.role.value
        kind = str(msg.metadata.get("kind", ctx.notice.kind.value))
        # The text and its language once a requirement applies (cn requires none).
        text: str | None = None
        lang = ""
        first: bool | None = None
        out: list[Vote] = []
        for profile in in_force(ctx):
            req: Requirement
            for req in profile.params.get("required", ()):
                if medium not in req.media or role not in req.roles or kind in req.exempt_kinds:
                    continue
                if req.when != "always":
                    if first is None:
                        first = await _communications(ctx) == 0
                    if first != (req.when == "first"):
                        continue
                if text is None:
                    text = "\n".join(p for p in message_parts(ctx).values() if p)
                    lang = _lang(msg.locale)
                out.append(self._check(profile.name, req, text, lang))
        return out

    def _check(self, profile: str, req: Requirement, text: str, lang: str) -> Vote:
        groups = req.patterns.get(lang)
        numbers = {"requirement": req.id, "lang": lang}
        if groups is None:
            return Vote.deny(
                self.name,
                profile,
                f"{req.id}: no {lang} wording is known to satisfy it",
                citation=req.citation,
                numbers=numbers,
            )
        for group in groups:
            if not any(_regex(p).search(text) for p in group):
                return Vote.deny(
                    self.name,
                    profile,
                    f"{req.id}: the message lacks the required wording",
                    citation=req.citation,
                    numbers=numbers,
                )
        return Vote.allow(
            self.name, profile, f"{req.id} present", citation=req.citation, numbers=numbers
        )


def _personal_values(ctx: RuleContext) -> tuple[str, ...]:
    """Names and addresses of everyone on the account: blanked before linting."""
    account = ctx.notice.account
    debtor = account.debtor
    if ctx.notice.recipient.person is debtor and not account.parties:
        # The usual notice: the debtor, alone on the account (what the loop below reads).
        values = [debtor.name]
        for c in debtor.contacts:
            if c.kind != "phone":
                values.append(c.value)
        return tuple(dict.fromkeys(values))
    people = [debtor, ctx.notice.recipient.person, *(p.person for p in account.parties)]
    values = []
    seen: set[int] = set()
    for person in people:
        if id(person) in seen:  # the debtor is often the recipient: read once
            continue
        seen.add(id(person))
        values.append(person.name)
        values.extend(c.value for c in person.contacts if c.kind != "phone")
    return tuple(dict.fromkeys(values))


@lru_cache(maxsize=256)
def _lint_plan(
    specs: tuple[tuple[str, LintSpec], ...], barred: bool
) -> tuple[Linter, tuple[tuple[str, LintSpec, frozenset[str], tuple[str, ...]], ...]]:
    """The linter for every category of ``specs`` (profile name, lint policy) and, per
    profile, its categories (sorted too, for the vote's numbers); ``barred``: the debt
    is time-barred. The same few policies come with every notice."""
    plan = []
    for name, spec in specs:
        cats = spec.categories | (spec.time_barred_categories if barred else frozenset())
        plan.append((name, spec, cats, tuple(sorted(cats))))
    everything: frozenset[str] = frozenset().union(*(cats for _, _, cats, _ in plan))
    return Linter(everything), tuple(plan)


class ContentLintRule(DirectVoteRule):
    """A message whose rendered text carries a prohibited phrase is never sent."""

    name = "content-lint"
    citation = "CBA 2026; 12 CFR 1006.14, 1006.18, 1006.26(b); CONC 7.3, 7.11"
    stage: Literal["policy", "content"] = "content"

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain."""
        # What DirectVoteRule.evaluate does, without awaiting _votes: the lint awaits
        # nothing, so one coroutine serves.
        votes = self._decide(ctx, True)
        return votes if isinstance(votes, Vote) else self.strictest(votes)

    async def _votes(self, ctx: RuleContext, evaluating: bool) -> list[Vote] | Vote:
        """:meth:`votes`, or with ``evaluating`` and one profile without findings, what
        :meth:`strictest` returns for it."""
        return self._decide(ctx, evaluating)

    def _decide(self, ctx: RuleContext, evaluating: bool) -> list[Vote] | Vote:
        """:meth:`_votes`, computed without awaiting anything."""
        parts = message_parts(ctx)
        if not parts:
            return []
        specs = tuple(
            (profile.name, spec)
            for profile in in_force(ctx)
            if isinstance(spec := profile.params.get("lint"), LintSpec)
        )
        if not specs:
            return []
        states = ctx.notice.account.states
        barred = bool(states) and AccountState.TIME_BARRED in states  # (an enum hashes in Python)
        linter, plan = _lint_plan(specs, barred)
        # Only an agent's call script quotes what must never be said; a recipient reads
        # every other medium whole, markers and all.
        quoting = medium_of(ctx) == "call_script"
        findings = linter.check_parts(parts, redact=_personal_values(ctx), quoting=quoting)
        out: list[Vote] = []
        for name, spec, cats, ordered in plan:
            mine = [f for f in findings if f.category in cats]
            numbers: dict[str, Any] = {
                "findings": [str(f) for f in mine],
                "categories": list(ordered),
            }
            if mine:
                # A false-authority finding cites the rules on impersonating a court,
                # police or government body beside the profile's own lint citation.
                extra = next((f.citation for f in mine if f.citation), None)
                authorities = sorted({f.kind for f in mine if f.kind})
                if authorities:
                    numbers["authority"] = authorities
                out.append(
                    Vote.deny(
                        self.name,
                        name,
                        f"prohibited language: {mine[0]}"
                        + (f" and {len(mine) - 1} more" if len(mine) > 1 else ""),
                        citation=spec.citation if extra is None else f"{spec.citation}; {extra}",
                        numbers=numbers,
                    )
                )
            elif evaluating and len(plan) == 1:
                return self.sole_allow(name, "no prohibited language", spec.citation, numbers)
            else:
                out.append(
                    Vote.allow(
                        self.name,
                        name,
                        "no prohibited language",
                        citation=spec.citation,
                        numbers=numbers,
                    )
                )
        return out


_SECOND = timedelta(seconds=1)
"""How long a record-only reservation's window lasts."""

_NOT_A_COMMUNICATION = frozenset({"limited_content", "credit_report"})
"""Kinds whose delivery is not a communication with the person (no ``comm`` count)."""

_NO_KIND = object()
"""No ``kind`` in a message's metadata: the notice's kind is the message's."""


class ContactRecordRule:
    """Leaves evidence of delivered notices in the ledger (first contact, pre-notices)."""

    name = "contact-record"
    citation = "12 CFR 1006.18(e) (first vs later); 征信业管理条例 Art. 15 (prior notice)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "content"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Allow, with record-only reservations for the ``comm`` and (to the debtor)
        ``notice.<kind>`` scopes (kept only when the notice is delivered)."""
        msg = ctx.message
        if msg is None:
            return None
        notice = ctx.notice
        account = notice.account
        kind = msg.metadata.get("kind", _NO_KIND)
        # _value_: the str .value returns, without the enum property's descriptor call
        kind = notice.kind._value_ if kind is _NO_KIND else str(kind)
        name, citation, now = self.name, self.citation, ctx.now
        end = now + _SECOND
        # 1006.2(j): a limited-content message is no communication; a furnishing record
        # goes to a credit bureau, not to the consumer: neither makes a later notice a
        # later contact.
        comm = (
            None
            if kind in _NOT_A_COMMUNICATION
            else Reservation(
                name,
                "*",
                sc.person_scope(sc.Counter.COMM, account, notice.recipient.person),
                RECORD_ONLY_LIMIT,
                now,
                end,
                None,
                citation,
            )
        )
        # The debt's record of notices is what the debtor was told (the credit-report
        # pre-notice: 征信业管理条例 Art. 15 tells the information subject, 1006.30(a)
        # the consumer): a notice to a guarantor or another party is not one.
        reservations: tuple[Reservation, ...]
        if notice.recipient.role is Role.DEBTOR:
            told = Reservation(
                name,
                "*",
                sc.notice_scope(kind, account),
                RECORD_ONLY_LIMIT,
                now,
                end,
                None,
                citation,
            )
            reservations = (told,) if comm is None else (told, comm)
        else:
            reservations = () if comm is None else (comm,)
        # Vote.allow's vote, built directly
        return Vote(Verdict.ALLOW, name, "*", "records the delivery", reservations=reservations)
