"""Policy rules for on-site visits and summons interviews (stage ``policy``).

- ``visit-staff``: at least two named staff with staff IDs (CBA 2026 Art. 22).
- ``visit-hours``: the slot is inside every active profile's hours, on a working day.
- ``visit-appointment``: a visit slot was booked by a call on record first (the domain
  article: 提前与借款人预约时间). A summons interview is an invitation, not a booking, so
  it needs no prior call. For a campaign it also *supplies* the visit: a visit letter
  without ``data.visit`` gets the slot, place and staff of the appointment booked ahead
  (:func:`notifysdk_callscript.next_appointment`), or is blocked with "no appointment
  booked by call" (:meth:`VisitAppointment.campaign_data`).
- ``summons-interview``: supplies a campaign's summons letter with its interview (slot,
  office, staff) from the visitletter channel's settings, or blocks it with "no summons
  office/staff configured" (:class:`SummonsInterview`, :mod:`.summons`). It votes on
  nothing itself: the ``visit-hours`` and ``visit-staff`` rules check what it supplied.

Each denies with a reason that names the numbers compared. Malformed ``notice.data``
raises a typed :class:`~notifysdk.errors.InvalidInputError` instead (bad input).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from notifysdk.plugin import (
    ConfigurationError,
    Ledger,
    Notice,
    NoticeKind,
    RuleContext,
    Settings,
    Vote,
    WindowSpec,
    ZoneSpec,
    in_force,
)
from notifysdk_callscript import scopes
from notifysdk_callscript.outcomes import next_appointment, slot_key

from .hours import WINDOWS, VisitWindow, check_slot
from .summons import KEYS, SECTION, SlotRefused, read_summons_config, summons_slot
from .visit import MIN_STAFF, parse_visit

VISIT_KINDS = frozenset({NoticeKind.VISIT_LETTER, NoticeKind.SUMMONS_LETTER})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def windows_for(ctx: RuleContext) -> list[VisitWindow]:
    """The visit window of each active profile.

    A profile registered by the compliance engine gives its contact ``window`` (overrides
    applied), its default ``zones`` and, when set, its ``holiday_calendar``; a
    ``visit_window`` param replaces all of that. Profiles not registered fall back to
    :data:`~.hours.WINDOWS`.
    """
    out: list[VisitWindow] = []
    resolved = {p.name: p for p in in_force(ctx)}
    for name in ctx.notice.effective_profiles:
        prof = resolved.get(name)
        if prof is None:
            if name in WINDOWS:
                out.append(WINDOWS[name])
            continue
        custom = prof.params.get("visit_window")
        window = prof.params.get("window")
        if isinstance(custom, VisitWindow):
            out.append(custom)
        elif isinstance(window, WindowSpec):
            zones = prof.params.get("zones")
            default = WINDOWS.get(name)
            out.append(
                VisitWindow(
                    name,
                    window.start,
                    window.end,
                    window.holiday_calendar or (default.calendar if default else "cn"),
                    zones.default_zones
                    if isinstance(zones, ZoneSpec)
                    else (default.zones if default else ()),
                    window.citation,
                )
            )
        elif name in WINDOWS:
            out.append(WINDOWS[name])
    return out


class VisitStaff:
    """Deny a visit or summons with fewer than two named staff."""

    name = "visit-staff"
    citation = "CBA 个人消费类贷款催收工作指引 (2026) Art. 22; NIFA 2018 公约"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Count the staff in ``notice.data.staff``."""
        if ctx.notice.kind not in VISIT_KINDS:
            return None
        staff = parse_visit(ctx.notice.data).staff
        if len(staff) < MIN_STAFF:
            return Vote.deny(
                self.name,
                "*",
                f"an on-site visit or interview needs at least {MIN_STAFF} named staff with "
                f"staff IDs; {len(staff)} given",
                citation=self.citation,
                numbers={"staff": len(staff), "minimum": MIN_STAFF},
            )
        return Vote.allow(self.name)


class VisitHours:
    """Deny a slot outside the allowed hours or on a non-working day."""

    name = "visit-hours"
    citation = "see each profile's window (hours.WINDOWS)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Check the slot against every active profile's window and calendar."""
        if ctx.notice.kind not in VISIT_KINDS:
            return None
        slot = parse_visit(ctx.notice.data).slot
        if slot <= ctx.now:
            return Vote.deny(
                self.name,
                "*",
                "the visit slot is not in the future",
                numbers={"slot": slot.isoformat(), "now": ctx.now.isoformat()},
            )
        windows = windows_for(ctx)
        if not windows:
            return Vote.deny(
                self.name,
                "*",
                "no visit hours are known for the notice's profiles "
                f"({', '.join(ctx.notice.effective_profiles)})",
            )
        problems = check_slot(slot, windows, ctx.notice.account.debtor.time_zone)
        if problems:
            p = problems[0]
            return Vote.deny(
                self.name,
                p.profile,
                "visit slot refused: " + p.reason,
                citation=p.citation,
                numbers=p.numbers,
            )
        return Vote.allow(self.name)


NO_APPOINTMENT = "no appointment booked by call"
"""The reason a campaign's visit letter is blocked when no visit is booked ahead."""


class VisitAppointment:
    """Deny a visit letter whose slot was not booked by a call on record; for campaigns,
    supply the booked visit (a :class:`notifysdk.campaign.NoticeDataSource`)."""

    name = "visit-appointment"
    citation = "domain article (上门通知: 提前与借款人预约时间); CBA 2026"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    async def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Look for an ``appointment_booked`` call outcome for this debt and slot."""
        if ctx.notice.kind is not NoticeKind.VISIT_LETTER:
            return None
        slot = parse_visit(ctx.notice.data).slot
        scope = scopes.appointment(ctx.notice.account, slot_key(slot))
        booked = await ctx.ledger.count(scope, EPOCH, ctx.now + timedelta(microseconds=1))
        if booked == 0:
            return Vote.deny(
                self.name,
                "*",
                "no appointment call on record books this visit slot; call the borrower and "
                "record the outcome 'appointment_booked' first",
                citation=self.citation,
                numbers={"appointments": 0},
            )
        return Vote.allow(self.name)

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """For a campaign's visit letter without ``data.visit``: the visit (slot, place,
        staff) of the latest appointment booked by call whose slot is ahead, or a deny
        naming this rule when there is none. ``None`` for other notices."""
        if notice.kind is not NoticeKind.VISIT_LETTER or "visit" in notice.data:
            return None
        booked = await next_appointment(ledger, notice.account, now)
        if booked is None:
            return Vote.deny(
                self.name,
                "*",
                NO_APPOINTMENT,
                citation=self.citation,
                numbers={"appointments": 0},
            )
        return booked.visit_data()


NO_SUMMONS_CONFIG = "no summons office/staff configured"
"""The reason a campaign's summons letter is blocked when the settings name no interview
office and staff (or the campaign did not pass its settings to the data sources)."""
BAD_SUMMONS_CONFIG = "summons settings invalid"
"""The reason's start when the summons settings are malformed (the setting is named)."""


class SummonsInterview:
    """Supply a campaign's summons letter with its interview from configuration (a
    :class:`notifysdk.campaign.sources.ConfigurableDataSource`); see :mod:`.summons`."""

    name = "summons-interview"
    citation = "domain article (约谈); CBA 个人消费类贷款催收工作指引 (2026) Art. 22"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def with_settings(self, settings: Settings) -> SummonsInterview:
        """A copy bound to ``settings`` (the registered rule is shared, so not changed)."""
        return SummonsInterview(settings)

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Abstain: ``visit-hours`` and ``visit-staff`` check the interview supplied."""
        return None

    def section(self, channel: str) -> tuple[str, Mapping[str, Any]]:
        """The settings section to read: the notice's channel's when it has summons keys,
        else ``visitletter``'s (a letter routed to ``capture-letter`` still finds it)."""
        channels = self.settings.channels if self.settings is not None else {}
        own = channels.get(channel, {})
        if any(k in own for k in KEYS):
            return channel, own
        return SECTION, channels.get(SECTION, {})

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """For a campaign's summons letter without ``data.visit``: the interview (slot,
        office as place, two staff of the roster), or a deny naming this rule when the
        settings name no office and staff, are malformed, or no slot fits. ``None`` for
        other notices."""
        if notice.kind is not NoticeKind.SUMMONS_LETTER or "visit" in notice.data:
            return None
        name, section = self.section(notice.channel)
        try:
            config = read_summons_config(section, name)
        except ConfigurationError as exc:
            return Vote.deny(self.name, "*", f"{BAD_SUMMONS_CONFIG}: {exc}", citation=self.citation)
        if config is None:
            return Vote.deny(
                self.name,
                "*",
                NO_SUMMONS_CONFIG,
                citation=self.citation,
                numbers={
                    "section": f"channels.{name}",
                    "settings": "passed" if self.settings is not None else "not passed",
                },
            )
        windows = [WINDOWS[p] for p in notice.effective_profiles if p in WINDOWS]
        slot = summons_slot(now, notice.account, windows, lead_days=config.lead_days, at=config.at)
        if isinstance(slot, SlotRefused):
            return Vote.deny(
                self.name,
                slot.profile,
                "summons interview slot refused: " + slot.reason,
                citation=self.citation,
                numbers=slot.numbers,
            )
        return {
            "visit": {"slot": slot.isoformat(), "place": config.office},
            "staff": [
                {"name": s.name, "staff_id": s.staff_id} for s in config.attending(notice.account)
            ],
        }
