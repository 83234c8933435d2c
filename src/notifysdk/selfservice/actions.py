"""The self-service actions, free of HTTP: the page and the JSON API both call these.

Each action reads the notice the link names from the ledger, acts through the SDK's own
record (account events, opt-outs), and appends a ``self_service`` audit entry whose
detail holds labels and counts only (the action, its result; never an answer, a text,
a number or an address).

What each records, and what reads it:

=====================  ==========================================  ======================
action                 recorded as                                  read by
=====================  ==========================================  ======================
choose a plan          ``promise_to_pay`` event, ``until`` the day  the promise rule
                       after the first instalment (the debtor's     (defers the ladder;
                       zone)                                        it resumes then)
dispute                ``dispute`` event, the text masked by the    the account-state rule
                       SDK's redactor (the account's own names      (holds collection
                       and numbers known) before storage            where a profile says)
opt out of a medium    :func:`~notifysdk.compliance.scopes.         the ``ledger-opt-out``
                       record_optout` for each of the recipient's   rule (blocks it)
                       numbers / addresses of that medium
"at work" is           opt-out of every medium at work numbers      ``ledger-opt-out``
inconvenient           and work email addresses
inconvenient times     ``pref.inconvenient.*`` entries and a        the
                       ``pref.statement`` marker in the contact     ``stated-inconvenience``
                       log per debtor (the latest statement wins)   rule (defers calls,
                                                                    SMS, email)
preferred medium and   ``pref.medium.*`` / ``pref.language.*``      no rule (recorded,
language               entries (:func:`preference_scope`)           audited)
one-click unsubscribe  email opt-out of the recipient's addresses   ``ledger-opt-out``
=====================  ==========================================  ======================
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..account_events import AccountEvent, AccountEventKind, account_events, just_after
from ..compliance.rules.preferences import stated_times, statement_scope
from ..compliance.scopes import debtor_scope, record_optout
from ..errors import ConfigurationError
from ..ledger.durable import DurableLedger
from ..models import Account, EmailContact, Notice, PhoneContact
from ..templating import neutral_sender_for
from . import facts as fact_rules
from .guard import failures, record_failure
from .keys import SelfServiceKeys
from .plans import PlanOption, plan_options
from .settings import SelfServiceSettings
from .tokens import LinkToken, Purpose, TokenError, is_revoked, open_token

if TYPE_CHECKING:
    from ..dispatch.dispatcher import Dispatcher

log = logging.getLogger("notifysdk.selfservice")

SOURCE = "self-service"
OPT_OUT_MEDIA: dict[str, tuple[str, ...]] = {
    "sms": ("sms",),
    "email": ("email",),
    "calls": ("voice", "call_script"),
}
"""What the page offers to opt out of → the media the ``ledger-opt-out`` rule reads."""
INCONVENIENT = ("before_9", "after_20", "weekends", "at_work")
"""Inconvenient times and places a debtor may mark (``at_work`` is enforced: opt-outs)."""
PREFERRED_MEDIA = ("sms", "email", "calls", "letter")
LANGUAGES = ("zh-CN", "en")


class VerifyResult(StrEnum):
    """How a verification ended."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"
    """The record lacks a configured fact: verify by phone."""


@dataclass(frozen=True)
class Visit:
    """An opened link: the token, the stored notice, and its locale for the page."""

    link: LinkToken
    notice: Notice

    @property
    def key(self) -> str:
        """The notice's idempotency key."""
        return self.link.key

    @property
    def locale(self) -> str:
        """``zh-CN`` or ``en``: the page's language, from the notice's."""
        return "zh-CN" if self.notice.effective_locale.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Standing:
    """The debt as it stands now, for a verified visitor."""

    account: Account
    fresh: bool
    """True when the platform's refresh hook supplied it; False: the notice's snapshot."""
    events: tuple[AccountEvent, ...]
    plans: tuple[PlanOption, ...]

    def latest(self, kind: AccountEventKind) -> AccountEvent | None:
        """The latest event of ``kind`` on record."""
        found = [e for e in self.events if e.kind is kind]
        return found[-1] if found else None


class SelfService:
    """The actions of the page, bound to one dispatcher (its ledger, clock, plugins and
    redactor) and the lender's self-service settings."""

    def __init__(
        self, dispatcher: Dispatcher, config: SelfServiceSettings, keys: SelfServiceKeys
    ) -> None:
        ledger = dispatcher.ledger
        if not isinstance(ledger, DurableLedger):
            raise ConfigurationError(
                "the self-service page needs a ledger that stores notices (SQLite or "
                f"PostgreSQL); {type(ledger).__name__} does not"
            )
        self.dispatcher = dispatcher
        self.ledger: DurableLedger = ledger
        self.config = config
        self.keys = keys

    def now(self) -> datetime:
        """The dispatcher's clock."""
        return self.dispatcher.clock.now()

    async def audit(self, key: str, action: str, result: str, **detail: Any) -> None:
        """Append the ``self_service`` audit entry of one action (labels and counts)."""
        await self.ledger.audit(
            "self_service", key, {"action": action, "result": result, **detail}, now=self.now()
        )
        log.info("self-service %s: %s", action, result)

    # -- opening a link ----------------------------------------------------------

    async def open(self, token: str, purpose: Purpose) -> Visit:
        """The visit ``token`` opens; :class:`TokenError` (``malformed``, ``forged``,
        ``expired``, ``wrong_purpose``, ``revoked``, ``unknown``) otherwise."""
        now = self.now()
        return await self.visit(open_token(self.keys, token, purpose, now=now))

    async def visit(self, link: LinkToken) -> Visit:
        """The visit of an opened link: :class:`TokenError` ``revoked`` or ``unknown``
        when the notice's links were revoked or the ledger does not hold it."""
        if await is_revoked(self.ledger, link.key, now=self.now()):
            raise TokenError("revoked")
        stored = await self.ledger.load(link.key)
        if stored is None:
            raise TokenError("unknown")
        return Visit(link, stored.notice)

    def neutral_name(self, visit: Visit) -> str:
        """Who the page says it is from before verification: the profile's
        ``neutral_sender`` (``us-regf``: the institution's own name), else the locale's
        neutral default; never the loan or the debt."""
        from ..compliance.overrides import resolve

        registry = self.dispatcher.registry
        for name in visit.notice.effective_profiles:
            profile = registry.profiles.get(name)
            if profile is None:
                continue
            params = resolve(profile, self.dispatcher.settings.profiles.get(name)).profile.params
            if "neutral_sender" in params:
                value = params["neutral_sender"]
                if isinstance(value, str) and value:
                    return value
                return visit.notice.account.institution
        return neutral_sender_for(visit.locale)

    # -- verify ------------------------------------------------------------------

    async def locked(self, visit: Visit) -> bool:
        """Whether the link is locked (``max_failures`` wrong answers)."""
        count = await failures(self.ledger, visit.key, now=self.now())
        return count >= self.config.max_failures

    def can_verify(self, visit: Visit) -> bool:
        """Whether the record holds every configured fact."""
        return fact_rules.available(self.config.verify, visit.notice)

    async def verify(self, visit: Visit, answers: Mapping[str, str]) -> tuple[VerifyResult, int]:
        """Check ``answers``; returns the result and the attempts left. A wrong answer
        is counted in the ledger; the one that reaches ``max_failures`` locks the link
        (audited with the reason)."""
        limit = self.config.max_failures
        if await self.locked(visit):
            await self.audit(visit.key, "verify", "locked")
            return VerifyResult.LOCKED, 0
        if not self.can_verify(visit):
            await self.audit(visit.key, "verify", "unavailable")
            return VerifyResult.UNAVAILABLE, 0
        if fact_rules.matches(self.config.verify, visit.notice, answers):
            await self.audit(visit.key, "verify", "ok")
            return VerifyResult.OK, limit
        count = await record_failure(self.ledger, visit.key, now=self.now())
        if count >= limit:
            await self.audit(
                visit.key, "verify", "locked", failures=count, reason="too_many_wrong_answers"
            )
            return VerifyResult.LOCKED, 0
        await self.audit(visit.key, "verify", "wrong", failures=count)
        return VerifyResult.WRONG, limit - count

    # -- see ---------------------------------------------------------------------

    async def standing(self, visit: Visit) -> Standing:
        """The account as the platform has it now (``notifysdk_refresh_account``), else
        the notice's snapshot; its events; the plans on offer."""
        account, fresh = await self._current(visit.notice.account)
        now = self.now()
        events = await account_events(self.ledger, account, before=just_after(now))
        today = now.astimezone(_zone(visit.notice)).date()
        plans = plan_options(
            account, self.config.plan_counts, today=today, first_in_days=self.config.first_in_days
        )
        return Standing(account, fresh, events, tuple(plans))

    async def _current(self, account: Account) -> tuple[Account, bool]:
        caller = self.dispatcher.plugins.hook.notifysdk_refresh_account
        if not caller.get_hookimpls():
            return account, False
        try:
            fresh = caller(account=account)
            if inspect.isawaitable(fresh):
                fresh = await fresh
        except Exception as exc:
            log.warning(
                "notifysdk_refresh_account raised %s: the snapshot is shown", type(exc).__name__
            )
            return account, False
        if isinstance(fresh, Account) and fresh.account_id == account.account_id:
            return fresh, True
        return account, False

    # -- act ---------------------------------------------------------------------

    async def choose_plan(self, visit: Visit, count: int) -> PlanOption | None:
        """Record the plan of ``count`` instalments as a ``promise_to_pay`` until the
        day after its first instalment; ``None`` when no such plan is on offer."""
        standing = await self.standing(visit)
        plan = next((p for p in standing.plans if p.count == count), None)
        if plan is None:
            await self.audit(visit.key, "plan", "refused", count=count)
            return None
        until = _start_of(plan.first_due + timedelta(days=1), visit.notice)
        event = AccountEvent(
            AccountEventKind.PROMISE_TO_PAY,
            self.now(),
            until=until,
            note=f"self-service plan: {plan.count} instalment(s), first {plan.first_due}",
            source=SOURCE,
        )
        await self._record(standing.account, event)
        await self.audit(visit.key, "plan", "recorded", count=plan.count, until=until.isoformat())
        return plan

    async def dispute(self, visit: Visit, text: str) -> None:
        """Record a ``dispute`` (its text masked before storage, cut to the limit)."""
        note = text.strip()[: self.config.dispute_chars] or None
        event = AccountEvent(AccountEventKind.DISPUTE, self.now(), note=note, source=SOURCE)
        await self._record(visit.notice.account, event)
        await self.audit(visit.key, "dispute", "recorded", text=note is not None)

    async def _record(self, account: Account, event: AccountEvent) -> None:
        from ..account_events import record_account_event

        await record_account_event(
            self.ledger, account, event, redactor=self.dispatcher.redactor, now=self.now()
        )

    async def preferences(
        self,
        visit: Visit,
        *,
        opt_out: Iterable[str] = (),
        inconvenient: Iterable[str] | None = (),
        medium: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """Record contact preferences; returns what was recorded (labels and counts).

        ``inconvenient`` is a whole statement (the page's form sends every box): the
        times it marks replace those of the last statement, so one no longer marked is
        convenient again (the ``stated-inconvenience`` rule reads only the latest).
        ``None`` says nothing about times: the last statement stands. ``at_work`` is an
        opt-out of work lines and stays until an opt-in, whatever later statements say."""
        now = self.now()
        person = visit.notice.recipient.person
        chosen = sorted({m for m in opt_out if m in OPT_OUT_MEDIA})
        stated = inconvenient is not None
        places = sorted({p for p in inconvenient or () if p in INCONVENIENT})
        opted = 0
        for m in chosen:
            for dest in _destinations(visit.notice, m):
                await record_optout(self.ledger, dest, now, media=OPT_OUT_MEDIA[m], key=visit.key)
                opted += 1
        if "at_work" in places:
            for dest in _work_destinations(visit.notice):
                await record_optout(self.ledger, dest, now, key=visit.key)
                opted += 1
        account = visit.notice.account
        recorded: list[str] = []
        for label in (
            [f"inconvenient.{p}" for p in places if p != "at_work"]
            + [f"medium.{medium}" for medium in [medium] if medium in PREFERRED_MEDIA]
            + [f"language.{language}" for language in [language] if language in LANGUAGES]
        ):
            await self.ledger.record_contact(
                preference_scope(label, account, person),
                now,
                key=visit.key,
                detail={"event": "preference"},
            )
            recorded.append(label)
        if stated:  # after the times it marks: a reader in between sees the stricter union
            await self.ledger.record_contact(
                statement_scope(account, person), now, key=visit.key, detail={"event": "statement"}
            )
        detail = {
            "opt_out": chosen,
            "destinations": opted,
            "preferences": recorded,
            "at_work": "at_work" in places,
            "statement": stated,
        }
        await self.audit(visit.key, "preferences", "recorded", **detail)
        return detail

    async def stated_times(self, visit: Visit) -> frozenset[str]:
        """The inconvenient times of the debtor's latest statement (what the
        ``stated-inconvenience`` rule reads), for the form to show them ticked."""
        notice = visit.notice
        stated = await stated_times(
            self.ledger, notice.account, notice.recipient.person, self.now()
        )
        return stated.times

    async def unsubscribe_email(self, visit: Visit) -> int:
        """RFC 8058 one-click: opt the recipient's email addresses out of email (the
        one the notice went to first). Returns how many were recorded."""
        now = self.now()
        count = 0
        for dest in _destinations(visit.notice, "email"):
            await record_optout(self.ledger, dest, now, media=("email",), key=visit.key)
            count += 1
        await self.audit(visit.key, "unsubscribe", "recorded", destinations=count)
        return count


def preference_scope(label: str, account: Account, person: Any) -> str:
    """The contact-log scope of one stated preference of a debtor (``pref.LABEL``)."""
    return debtor_scope(f"pref.{label}", account, person)


def _destinations(notice: Notice, medium: str) -> list[str]:
    """The recipient's numbers (``sms``, ``calls``) or addresses (``email``), the one
    the notice went to first."""
    out: list[str] = []
    if notice.to:
        is_phone = notice.to.startswith("+")
        if is_phone == (medium != "email"):
            out.append(notice.to)
    for c in notice.recipient.person.contacts:
        if (
            (medium == "email" and isinstance(c, EmailContact))
            or (medium != "email" and isinstance(c, PhoneContact))
        ) and c.value not in out:
            out.append(c.value)
    return out


def _work_destinations(notice: Notice) -> list[str]:
    return [
        c.value
        for c in notice.recipient.person.contacts
        if (isinstance(c, PhoneContact) and c.line_type == "work")
        or (isinstance(c, EmailContact) and c.is_work)
    ]


def _zone(notice: Notice) -> ZoneInfo:
    name = notice.recipient.person.time_zone
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _start_of(day: date, notice: Notice) -> datetime:
    return datetime.combine(day, time(0, 0), _zone(notice)).astimezone(UTC)
