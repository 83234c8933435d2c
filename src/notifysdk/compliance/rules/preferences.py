"""``stated-inconvenience``: times the debtor said are inconvenient DEFER a notice.

The self-service page (:meth:`notifysdk.selfservice.actions.SelfService.preferences`)
records each submission as one *statement* in the ledger's contact log, per debtor:
a ``pref.statement`` marker, and one ``pref.inconvenient.LABEL`` entry per time marked
(``before_9``, ``after_20``, ``weekends``), all at the submission's instant. The latest
statement wins: only entries at or after the last marker are read, so a later
submission that no longer marks a time clears it.

A notice to the debtor on a medium that reaches them at a time (calls, SMS, email:
:data:`~notifysdk.compliance.specs.CONTACT_MEDIA`, the media the contact window covers)
that would land in a stated time is deferred to the first instant that is convenient in
**every** plausible zone of the debtor (:func:`~.base.zones_for`) and inside every
profile's contact window (:func:`~.base.shift_into_windows`): the stricter wins. Instants
are built with zoneinfo from local dates, as the contact window's are, so the deferral
is exact across daylight-saving changes.

Letters are not deferred: the time a letter reaches the debtor is the post's, not the
sender's, and COMPLIANCE.md's time rule lists calls, texts and email. Other roles (a
guarantor, an emergency contact) are not read: the statement is the debtor's.

Cost: nothing is read for another role or a letter; one ledger read (the marker) per
notice when nothing was stated; one more per time label when a statement exists. The
result is kept in ``ctx.memo`` for the notice.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ...enums import Role
from ...models import Account, Person
from ...policy import RuleContext, Vote
from ..scopes import debtor_scope
from ..specs import CONTACT_MEDIA
from ..windows import HORIZON_DAYS, local_times
from .base import EPOCH, ProfileRule, _memo, in_force, medium_of, shift_into_windows, zones_for

if TYPE_CHECKING:
    from ...ledger.base import Ledger

__all__ = [
    "CITATION",
    "STATEMENT",
    "TIMES",
    "StatedInconvenienceRule",
    "StatedTimes",
    "stated_times",
    "statement_scope",
    "time_scope",
]

STATEMENT = "pref.statement"
"""The contact-log counter of the marker written on every preferences submission."""
TIMES = ("before_9", "after_20", "weekends")
"""The times a debtor may mark as inconvenient (``at_work`` is a place: an opt-out)."""
NOT_BEFORE = time(9, 0)
NOT_FROM = time(20, 0)

CITATION = (
    "us: 12 CFR 1006.6(b)(1)(i), a time the collector knows or should know is "
    "inconvenient to the consumer [P]; uk: CONC 7.9, respect the customer's requests "
    "about when to be contacted [P]; cn: policy, the debtor's own statement (the hours "
    "rule yields to what the debtor agreed [S])"
)
"""Why a stated time defers (evidence marks as in COMPLIANCE.md)."""


def statement_scope(account: Account, person: Person) -> str:
    """The contact-log scope of a debtor's preference statements (the marker)."""
    return debtor_scope(STATEMENT, account, person)


def time_scope(label: str, account: Account, person: Person) -> str:
    """The contact-log scope of one time a debtor marked inconvenient."""
    return debtor_scope(f"pref.inconvenient.{label}", account, person)


@dataclass(frozen=True)
class StatedTimes:
    """The debtor's latest statement about inconvenient times."""

    at: datetime | None
    """When the latest statement was made; ``None``: the debtor stated nothing."""
    times: frozenset[str] = frozenset()
    """The times it marks (of :data:`TIMES`)."""

    def numbers(self) -> dict[str, Any]:
        """The record as a vote shows it: the statement's instant and the marked times."""
        if self.at is None:
            return {"stated_at": None, "inconvenient": []}
        return {
            "stated_at": self.at.astimezone(UTC).isoformat(),
            "inconvenient": [t for t in TIMES if t in self.times],
        }

    def convenient(self, instant: datetime, zones: Sequence[ZoneInfo]) -> bool:
        """True when ``instant`` is in no marked time in any of ``zones``."""
        early, late, weekend = (t in self.times for t in TIMES)
        for zone in zones:
            local = instant.astimezone(zone)
            if weekend and local.weekday() >= 5:
                return False
            wall = local.time().replace(tzinfo=None)
            if (early and wall < NOT_BEFORE) or (late and wall >= NOT_FROM):
                return False
        return True

    def next_convenient(self, instant: datetime, zones: Sequence[ZoneInfo]) -> datetime | None:
        """The first instant at or after ``instant`` that is convenient in every zone,
        ``None`` when there is none within the contact window's search horizon.

        A convenient stretch starts at a local midnight (after a weekend or an evening)
        or at the local 09:00: the earliest of those instants, in every zone, that is
        convenient everywhere is the answer."""
        if self.convenient(instant, zones):
            return instant
        starts = (time(0), NOT_BEFORE) if "before_9" in self.times else (time(0),)
        candidates: set[datetime] = set()
        for zone in zones:
            first = instant.astimezone(zone).date()
            for d in range(-1, HORIZON_DAYS + 1):
                for start in starts:
                    at = _local_instant(first + timedelta(days=d), start, zone)
                    if at > instant:
                        candidates.add(at)
        return next((at for at in sorted(candidates) if self.convenient(at, zones)), None)


NOTHING_STATED = StatedTimes(None)
_MICROSECOND = timedelta(microseconds=1)


@functools.lru_cache(maxsize=4096)
def _local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # A wall time in a spring-forward gap (fold=0) comes back as the instant the gap
    # ends once round-tripped through UTC: where the convenient stretch really starts.
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


async def stated_times(
    ledger: Ledger, account: Account, person: Person, now: datetime
) -> StatedTimes:
    """The debtor's latest statement up to ``now`` (inclusive), read from the ledger.

    On a ledger without ``last_contact`` the latest statement cannot be found; then every
    time ever marked counts (the stricter reading)."""
    end = now + _MICROSECOND  # just_after(now), without its timedelta built per call
    marker = statement_scope(account, person)
    last_contact = getattr(ledger, "last_contact", None)
    if last_contact is None:
        if not await ledger.count(marker, EPOCH, end):
            return NOTHING_STATED
        since = EPOCH
    else:
        found: datetime | None = await last_contact(marker, end)
        if found is None:
            return NOTHING_STATED
        since = found
    marked = frozenset(
        [t for t in TIMES if await ledger.count(time_scope(t, account, person), since, end)]
    )
    return StatedTimes(since if since is not EPOCH else None, marked)


async def recorded_statement(ctx: RuleContext) -> StatedTimes:
    """:func:`stated_times` for the notice's recipient, read once per notice
    (``ctx.memo``)."""
    person = ctx.notice.recipient.person
    inputs = (ctx.ledger, ctx.notice.account, person, ctx.now)
    kept: StatedTimes | None = _memo(ctx, "stated_times", inputs)
    if kept is None:
        kept = await stated_times(ctx.ledger, ctx.notice.account, person, ctx.now)
        ctx.memo["stated_times"] = (inputs, kept)
    return kept


class StatedInconvenienceRule(ProfileRule):
    """The debtor's stated inconvenient times DEFER calls, SMS and email to the debtor
    to the first instant convenient in every plausible zone and inside every contact
    window in force (see the module docstring)."""

    name = "stated-inconvenience"
    citation = CITATION

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """The strictest vote over the profiles in force, or ``None`` to abstain."""
        # Most notices abstain (nothing stated): found without the votes coroutine.
        if await self._stated(ctx) is None:
            return None
        return self.strictest(await self.votes(ctx))

    async def _stated(self, ctx: RuleContext) -> StatedTimes | None:
        """The statement that makes the rule vote, ``None`` when it abstains (another
        role, another medium or nothing stated)."""
        if ctx.notice.recipient.role is not Role.DEBTOR or medium_of(ctx) not in CONTACT_MEDIA:
            return None
        stated = await recorded_statement(ctx)
        if stated.at is None and not stated.times:
            return None
        return stated

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """Abstain for another role, another medium or nothing stated; else one vote
        (profile ``*``) whose numbers show the statement read."""
        stated = await self._stated(ctx)
        if stated is None:
            return []
        profiles = in_force(ctx)
        zones = zones_for(ctx, profiles)
        numbers: dict[str, Any] = {
            **stated.numbers(),
            "zones": list(zones.names),
            "local": local_times(ctx.now, zones.zones),
        }
        marked = ", ".join(numbers["inconvenient"])
        if stated.convenient(ctx.now, zones.zones):
            reason = f"not in a stated inconvenient time ({marked})" if marked else "none stated"
            return [Vote.allow(self.name, "*", reason, citation=self.citation, numbers=numbers)]
        until = _first_allowed(ctx, stated, zones.zones)
        if until is None:
            return [
                Vote.deny(
                    self.name,
                    "*",
                    f"no instant in the next weeks is outside the stated times ({marked}) "
                    "and inside the contact hours in every plausible zone",
                    citation=self.citation,
                    numbers=numbers,
                )
            ]
        numbers["next_allowed"] = until.isoformat()
        return [
            Vote.defer(
                self.name,
                "*",
                f"the debtor stated {marked} inconvenient",
                until,
                citation=self.citation,
                numbers=numbers,
            )
        ]


def _first_allowed(
    ctx: RuleContext, stated: StatedTimes, zones: Sequence[ZoneInfo]
) -> datetime | None:
    """The first instant convenient by the statement and inside every contact window:
    each pass moves to the later of the two openings until both agree."""
    at: datetime | None = ctx.now
    for _ in range(16):
        assert at is not None
        windowed = shift_into_windows(ctx, at)
        if windowed is None:
            return None
        at = stated.next_convenient(windowed, zones)
        if at is None or at == windowed:
            return at
    return None
