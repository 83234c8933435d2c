"""States that stop contact, opt-outs on record, and the credit-report pre-notice.

- ``account-state``: the account's states deny per profile, for the roles and kinds
  each profile lists: those of the snapshot (``Account.states``: cease, attorney,
  dispute, bankruptcy, deceased, time-barred) and those recorded as account events
  (:mod:`notifysdk.account_events`: ``dispute``, ``cease``, ``attorney``,
  ``bankruptcy``, ``deceased``), read from the ledger at every decision. A notice
  with ``data["cease_exception"]`` set to one of the permitted notices (``termination``,
  ``remedy_may``, ``remedy_will``) may still go after a cease request where the profile
  allows it (12 CFR 1006.6(c)(1)). A ``paid`` or ``settled`` event stops every
  notice about the debt; a ``promise_to_pay`` defers them until the promised date
  (a notice with ``data["promise_reminder"]`` true, the reminder of the promise
  itself, still goes), after which collection resumes unless a payment was recorded.
  Every vote names the events it read (kinds and instants, never a note or number).
- ``ledger-opt-out``: an opt-out written to the ledger
  (:func:`notifysdk.compliance.scopes.record_optout`, e.g. a Twilio STOP) blocks that
  medium at that number or address; ``*`` blocks every medium. An opt-in recorded later
  (:func:`notifysdk.compliance.scopes.record_optin`, e.g. an SMS ``START``) reopens it;
  an opt-out and an opt-in at the same instant leave it blocked.
- ``credit-report-prenotice``: the credit-report step (kind ``credit_report``; the
  deprecated aliases ``notice.stage == "credit_report"`` and ``data["credit_report"] is
  True`` still mark it) needs a delivered ``credit_report_prenotice`` for the same debt
  on record, and where the profile sets a wait (Reg F: 14 days after the date) is
  deferred to the instant it ends.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal

from ...account_events import AccountEvent, AccountEventKind, account_events, just_after
from ...models import NoticeKind
from ...policy import Profile, RuleContext, Verdict, Vote
from .. import scopes as sc
from ..specs import CreditReportSpec, StateSpec
from .base import EPOCH, DirectVoteRule, ProfileRule, _memo, in_force, medium_of, zones_for

__all__ = [
    "PAID_CITATION",
    "PROMISE_CITATION",
    "AccountStateRule",
    "CreditReportPrenoticeRule",
    "LedgerOptOutRule",
    "prior_credit_notice_on_record",
    "recorded_events",
]

STATE_EVENTS = frozenset(
    {
        AccountEventKind.DISPUTE,
        AccountEventKind.CEASE,
        AccountEventKind.ATTORNEY,
        AccountEventKind.BANKRUPTCY,
        AccountEventKind.DECEASED,
    }
)
"""Events that put the account in the :class:`~notifysdk.enums.AccountState` of the
same name."""

_CLOSED = frozenset({AccountEventKind.PAID, AccountEventKind.SETTLED})
_MICROSECOND = timedelta(microseconds=1)

PAID_CITATION = (
    "policy: a paid or settled debt is not collected "
    "(cf. 12 CFR 1006.18(b)(2)(i), 1006.22(b); FDCPA 1692e(2)(A), 1692f(1) [R])"
)
"""Why ``paid``/``settled`` stop every notice: no profile's table lists it (evidence
``policy``); the Regulation F references (recalled, ``R``) are what collecting a debt
that is no longer owed would misrepresent."""

PROMISE_CITATION = "policy: collection waits for the date the debtor promised to pay"
"""Why ``promise_to_pay`` defers (evidence ``policy``: no legal source requires it)."""


async def recorded_events(ctx: RuleContext) -> tuple[AccountEvent, ...]:
    """The account's events on record up to ``ctx.now`` (inclusive), oldest first:
    read from the ledger once per notice and kept in ``ctx.memo`` for every rule."""
    inputs = (ctx.ledger, ctx.notice.account, ctx.now)
    kept: tuple[AccountEvent, ...] | None = _memo(ctx, "account_events", inputs)
    if kept is None:
        kept = await account_events(ctx.ledger, ctx.notice.account, before=just_after(ctx.now))
        ctx.memo["account_events"] = (inputs, kept)
    return kept


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def event_summary(events: tuple[AccountEvent, ...]) -> list[str]:
    """The events as a vote shows them: ``kind@instant`` (``..until`` for a promise);
    never a note or a contact."""
    return [
        f"{e.kind.value}@{_instant(e.at)}" + (f"..{_instant(e.until)}" if e.until else "")
        for e in events
    ]


class AccountStateRule(DirectVoteRule):
    """Account states that stop contact: the snapshot's and those on record."""

    name = "account-state"
    citation = "12 CFR 1006.6(b)(2), 1006.6(c), 1006.26(b), 1006.38(d)(2); 11 U.S.C. 362; CONC 7"

    async def _votes(self, ctx: RuleContext, evaluating: bool) -> list[Vote] | Vote:
        """:meth:`votes`, or with ``evaluating`` and one profile's allow as the only
        vote, what :meth:`strictest` returns for it."""
        notice = ctx.notice
        events = await recorded_events(ctx)
        snapshot = {s.value for s in notice.account.states}
        recorded: dict[str, AccountEvent] = {}
        for e in events:
            if e.kind in STATE_EVENTS:
                recorded.setdefault(e.kind.value, e)  # the first: since when it holds
        states = snapshot | set(recorded)
        role = notice.recipient.role.value
        exception = notice.data.get("cease_exception")
        shown = {"events": event_summary(events)} if events else {}
        out: list[Vote] = self._closed(ctx, events, shown)
        voting = [p for p in in_force(ctx) if p.params.get("states", ())]
        for profile in voting:
            # A spec stops the notice only in one of ``states``: none without a state
            specs: tuple[StateSpec, ...] = profile.params["states"] if states else ()
            stopped = False
            for spec in specs:
                if spec.state not in states or role not in spec.roles:
                    continue
                if spec.kinds is not None and notice.kind.value not in spec.kinds:
                    continue
                if exception is not None and exception in spec.exceptions:
                    continue
                stopped = True
                numbers: dict[str, object] = {"state": spec.state, "role": role}
                event = recorded.get(spec.state)
                if event is not None:
                    numbers["recorded_at"] = _instant(event.at)
                numbers["source"] = (
                    "account"
                    if event is None
                    else "record"
                    if spec.state not in snapshot
                    else "both"
                )
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        f"account state {spec.state!r} stops {notice.kind.value} to a {role}"
                        + (" (on record)" if event is not None else ""),
                        citation=spec.citation,
                        numbers={**numbers, **shown},
                    )
                )
            if not stopped:
                if evaluating and not out and len(voting) == 1:
                    return self.sole_allow(
                        profile.name,
                        "no state stops this notice",
                        None,
                        {"states": sorted(states), **shown},
                    )
                out.append(
                    Vote.allow(
                        self.name,
                        profile.name,
                        "no state stops this notice",
                        numbers={"states": sorted(states), **shown},
                    )
                )
        return out

    def _closed(
        self, ctx: RuleContext, events: tuple[AccountEvent, ...], shown: dict[str, list[str]]
    ) -> list[Vote]:
        """A deny when the debt was paid or settled; else a defer while a promise to
        pay runs (the latest promise recorded decides)."""
        if not events:
            return []
        kind = ctx.notice.kind.value
        closed = next((e for e in events if e.kind in _CLOSED), None)
        if closed is not None:
            return [
                Vote.deny(
                    self.name,
                    "*",
                    f"the debt was {closed.kind.value}: no {kind} is sent for it",
                    citation=PAID_CITATION,
                    numbers={"event": closed.kind.value, "at": _instant(closed.at), **shown},
                )
            ]
        promise = next(
            (e for e in reversed(events) if e.kind is AccountEventKind.PROMISE_TO_PAY), None
        )
        if promise is None or promise.until is None or promise.until <= ctx.now:
            return []
        if ctx.notice.data.get("promise_reminder") is True:
            return []
        return [
            Vote.defer(
                self.name,
                "*",
                f"the debtor promised to pay by {_instant(promise.until)}: {kind} waits until then",
                promise.until,
                citation=PROMISE_CITATION,
                numbers={
                    "event": promise.kind.value,
                    "at": _instant(promise.at),
                    "until": _instant(promise.until),
                    **shown,
                },
            )
        ]


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
        end = ctx.now + _MICROSECOND
        last_contact = getattr(ctx.ledger, "last_contact", None)
        for m in (medium, "*"):
            if last_contact is None:
                opted_out = bool(await ctx.ledger.count(sc.optout_scope(m, ctx.to), EPOCH, end))
            else:
                # An opt-out in [start, end) is on record exactly when the latest one
                # before ``end`` is at or after ``start`` (the latest opt-in (START),
                # which reopens what came before it, else EPOCH): without an opt-out
                # before ``end`` (most recipients), the opt-in is not read.
                latest = await last_contact(sc.optout_scope(m, ctx.to), end)
                if latest is None:
                    continue
                opted_in = await last_contact(sc.optin_scope(m, ctx.to), end)
                opted_out = latest >= (opted_in if opted_in is not None else EPOCH)
            if opted_out:
                return Vote.deny(
                    self.name,
                    "*",
                    f"the recipient opted out of {m} here"
                    if m != "*"
                    else "the recipient opted out of all contact here",
                    citation=self.citation,
                    numbers={"medium": m},
                )
        # Vote.allow's vote, built directly
        return Vote(
            Verdict.ALLOW, self.name, "*", "no opt-out on record", numbers={"medium": medium}
        )


async def prior_credit_notice_on_record(ctx: RuleContext) -> int:
    """How many credit-report pre-notices were delivered for this debt before now."""
    scope = sc.notice_scope(NoticeKind.CREDIT_REPORT_PRENOTICE.value, ctx.notice.account)
    return await ctx.ledger.count(scope, EPOCH, ctx.now)


class CreditReportPrenoticeRule(ProfileRule):
    """The credit-report step needs a delivered pre-notice on record, and its wait.

    The step is a notice of kind ``credit_report`` (it goes to the record-only
    ``credit-bureau`` channel, or the lender's own). ``notice.stage == "credit_report"``
    and ``data["credit_report"] is True`` still mark it, as deprecated aliases (a test
    and this module's docs use them); they can only add the check, never remove it.

    Per profile with a ``credit_report_prenotice`` spec (a
    :class:`~notifysdk.compliance.specs.CreditReportSpec`, or a bare citation string:
    a pre-notice, no wait): deny without a ``credit_report_prenotice`` delivered for the
    same debt before now, unless the spec lets a telephone conversation about the debt
    on record stand for it (Reg F 1006.30(a)(1)(i)); with ``wait_days``, defer until
    the start of the day ``wait_days + 1`` after the earliest pre-notice's date, in every
    plausible zone of the debtor (1006.30(a)(1)(ii): 14 consecutive days *after the
    date* it was mailed or sent), so the step goes at that instant and not before.
    """

    name = "credit-report-prenotice"
    citation = "征信业管理条例 Art. 15; 12 CFR 1006.30(a)(1)"

    @staticmethod
    def is_report_step(ctx: RuleContext) -> bool:
        """True for the credit-report step: its kind, or a deprecated alias."""
        notice = ctx.notice
        return (
            notice.kind == NoticeKind.CREDIT_REPORT
            or notice.stage == "credit_report"
            or notice.data.get("credit_report") is True
        )

    @staticmethod
    def spec_of(profile: Profile) -> CreditReportSpec | None:
        """The profile's spec (a bare citation string reads as a pre-notice, no wait)."""
        value = profile.params.get("credit_report_prenotice")
        if isinstance(value, CreditReportSpec):
            return value
        if isinstance(value, str) and value:
            return CreditReportSpec(citation=value)
        return None

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Per profile that requires a pre-notice: deny without one, defer inside the
        waiting period, allow otherwise."""
        if not self.is_report_step(ctx):
            return []
        specs = [(p, s) for p in in_force(ctx) if (s := self.spec_of(p)) is not None]
        if not specs:
            return []
        account = ctx.notice.account
        scope = sc.notice_scope(NoticeKind.CREDIT_REPORT_PRENOTICE.value, account)
        count = await ctx.ledger.count(scope, EPOCH, ctx.now)
        talked: int | None = None
        out: list[Vote] = []
        for profile, spec in specs:
            numbers: dict[str, Any] = {"prenotices_on_record": count}
            if spec.conversation_satisfies:
                if talked is None:
                    talked = await ctx.ledger.count(
                        sc.debt_scope(sc.Counter.CONVERSATION, account), EPOCH, ctx.now
                    )
                numbers["conversations_on_record"] = talked
                if talked:
                    out.append(
                        Vote.allow(
                            self.name,
                            profile.name,
                            "a telephone conversation about the debt is on record",
                            citation=spec.citation,
                            numbers=numbers,
                        )
                    )
                    continue
            if not count:
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        "no credit-report pre-notice was delivered for this debt",
                        citation=spec.citation,
                        numbers=numbers,
                    )
                )
                continue
            if spec.wait_days:
                ready = await self._ready(ctx, profile, scope, spec.wait_days)
                numbers.update({"wait_days": spec.wait_days, "ready_at": ready.isoformat()})
                if ctx.now < ready:
                    out.append(
                        Vote.defer(
                            self.name,
                            profile.name,
                            f"{spec.wait_days} days must pass after the date of the "
                            "pre-notice (a notice of undeliverability may still come)",
                            ready,
                            citation=spec.wait_citation or spec.citation,
                            numbers=numbers,
                        )
                    )
                    continue
            out.append(
                Vote.allow(
                    self.name,
                    profile.name,
                    "a pre-notice is on record",
                    citation=spec.citation,
                    numbers=numbers,
                )
            )
        return out

    async def _ready(self, ctx: RuleContext, profile: Profile, scope: str, wait: int) -> datetime:
        """The first instant the earliest pre-notice's wait is over: the start of local
        day ``date + wait + 1`` in the latest of the debtor's plausible zones."""
        # A pre-notice older than the wait plus two days is over it in any zone: no
        # need to find when exactly it went.
        old = ctx.now - timedelta(days=wait + 2)
        if await ctx.ledger.count(scope, EPOCH, old):
            return old
        first = await self._earliest(ctx, scope, old, ctx.now)
        zones = zones_for(ctx, [profile]).zones or (UTC,)
        return max(
            datetime.combine(
                first.astimezone(z).date() + timedelta(days=wait + 1), time(0), tzinfo=z
            ).astimezone(UTC)
            for z in zones
        )

    @staticmethod
    async def _earliest(ctx: RuleContext, scope: str, start: datetime, end: datetime) -> datetime:
        """When the earliest entry of ``scope`` in ``[start, end)`` was recorded (there is
        one): the ledger's ``last_contact`` when it is the only one, else by halving."""
        last_contact = getattr(ctx.ledger, "last_contact", None)
        if last_contact is not None and await ctx.ledger.count(scope, start, end) == 1:
            found: datetime | None = await last_contact(scope, end)
            if found is not None:
                return found
        lo, hi = start, end  # invariant: none in [start, lo), one at least in [start, hi)
        while hi - lo > timedelta(microseconds=1):
            mid = lo + (hi - lo) / 2
            if await ctx.ledger.count(scope, start, mid):
                hi = mid
            else:
                lo = mid
        return lo
