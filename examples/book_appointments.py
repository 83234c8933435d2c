"""Simulate the agents' appointment calls: book on-site visits for a few sample accounts.

    python examples/book_appointments.py [--now 2026-01-05T02:00:00+00:00] [--accounts 5]

A visit letter goes out only for a visit an agent booked by phone (the ``visit-appointment``
rule). In production the call centre reports each call with the call-outcome API; this
script plays that part for the sample, so that ``make run`` (this script, then
``notifysdk run``) writes visit letters. It takes the first ``--accounts`` accounts (by
account ID) whose ladder reaches the visit-letter stage today, and records for each,
through ``notifysdk_callscript.record_call_outcome`` into the ledger of
examples/notifysdk.toml, a call that booked:

- the slot: 10:00 in the debtor's zone on the first working day after the run's local
  date (checked against the visit hours and holiday calendar of the account's profiles);
- the place: unset, so the letter says "your address on record";
- two named staff with staff IDs.

The call itself is dated 10:30 local on the working day before the run. Deterministic and
idempotent: an account that already has a visit booked ahead is left alone, so running it
twice books nothing new. It prints counts only (no names, numbers or account IDs).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notifysdk import Clock, Dispatcher, FakeClock, Settings, SystemClock
from notifysdk.campaign import Ladder, Planner, default_ladder, load_ladder, read_portfolio
from notifysdk.campaign.portfolio import BadRow
from notifysdk.models import Account, NoticeKind, PhoneContact
from notifysdk_callscript import (
    AppointmentStaff,
    CallOutcome,
    CallReport,
    next_appointment,
    record_call_outcome,
)
from notifysdk_visitletter import WINDOWS, VisitWindow, check_slot
from notifysdk_visitletter.hours import day_off

HERE = Path(__file__).resolve().parent
ACCOUNTS = 5
SLOT_TIME = time(10, 0)
CALL_TIME = time(10, 30)
STAFF: dict[str, tuple[AppointmentStaff, AppointmentStaff]] = {
    "zh": (
        AppointmentStaff(name="王强", staff_id="S-1001"),
        AppointmentStaff(name="李娜", staff_id="S-1002"),
    ),
    "en": (
        AppointmentStaff(name="Jordan Lee", staff_id="S-2001"),
        AppointmentStaff(name="Sam Rivera", staff_id="S-2002"),
    ),
}
"""The two visiting staff (fictional), by the language of the debtor's locale."""
AGENT_ID = "A-0001"


@dataclass(frozen=True)
class Booking:
    """When the call took place and which slot it booked."""

    call_at: datetime
    slot: datetime


def ladder_for(config: Path) -> Ladder:
    """The ladder ``notifysdk run --config CONFIG`` uses ([campaign] ladder, else built-in)."""
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    named = raw.get("campaign", {}).get("ladder")
    if isinstance(named, str) and named:
        path = Path(named)
        return load_ladder(path if path.is_absolute() else config.parent / path)
    return default_ladder()


def windows(account: Account) -> list[VisitWindow]:
    """The default visit windows of the account's profiles (those the plugin knows)."""
    return [WINDOWS[p] for p in account.profiles if p in WINDOWS]


def working_day(day: date, account: Account, step: int) -> date:
    """The first working day from ``day`` (inclusive), moving by ``step`` days."""
    calendars = {w.calendar for w in windows(account)} or {"cn"}
    for _ in range(60):
        if all(day_off(day, c) is None for c in calendars):
            return day
        day += timedelta(days=step)
    raise RuntimeError("no working day within 60 days")


def booking_for(account: Account, zone: str, now: datetime) -> Booking | None:
    """The call and slot for ``account``, relative to ``now``; ``None`` if no slot fits."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    day = working_day(today + timedelta(days=1), account, +1)
    for _ in range(30):
        slot = datetime.combine(day, SLOT_TIME, tzinfo=tz)
        if not check_slot(slot, windows(account), account.debtor.time_zone):
            call_day = working_day(today - timedelta(days=1), account, -1)
            return Booking(datetime.combine(call_day, CALL_TIME, tzinfo=tz), slot)
        day = working_day(day + timedelta(days=1), account, +1)
    return None


def phone_of(account: Account) -> str | None:
    """The debtor's first usable phone number (the number the agent dialled)."""
    for c in account.debtor.contacts:
        if isinstance(c, PhoneContact) and not c.opted_out:
            return str(c.value)
    return None


async def book(clock: Clock, config: Path, portfolio: Path, limit: int) -> int:
    """Book visits for the first ``limit`` accounts at the visit stage; print the counts."""
    settings = Settings.load(config)
    planner = Planner(ladder_for(config))
    now = clock.now()
    booked = already = unsuitable = 0
    slots: set[str] = set()
    async with Dispatcher(settings, clock=clock) as dispatcher:
        due: list[Account] = []
        for row in read_portfolio(portfolio):
            if isinstance(row, BadRow):
                continue
            planned, _ = planner.plan(row.account, now)
            if any(p.stage.kind is NoticeKind.VISIT_LETTER for p in planned):
                due.append(row.account)
        chosen = sorted(due, key=lambda a: a.account_id)[:limit]
        for account in chosen:
            if await next_appointment(dispatcher.ledger, account, now) is not None:
                already += 1
                continue
            number = phone_of(account)
            booking = booking_for(account, planner.time_zone(account), now)
            if number is None or booking is None:
                unsuitable += 1
                continue
            lang = account.debtor.locale.split("-")[0] if account.debtor.locale else "zh"
            await record_call_outcome(
                dispatcher.ledger,
                account,
                account.debtor,
                CallReport(
                    outcome=CallOutcome.APPOINTMENT_BOOKED,
                    at=booking.call_at,
                    number=number,
                    appointment_slot=booking.slot,
                    appointment_staff=STAFF.get(lang, STAFF["en"]),
                    agent_id=AGENT_ID,
                ),
            )
            booked += 1
            slots.add(booking.slot.date().isoformat())
    print(
        f"accounts at the visit-letter stage: {len(due)}; chosen: {len(chosen)}; "
        f"visits booked now: {booked}; already booked: {already}; "
        f"no phone or slot: {unsuitable}"
    )
    if slots:
        print(f"visit days: {', '.join(sorted(slots))} (10:00 local, 2 staff each)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--now", help="fix the clock, e.g. 2026-01-05T02:00:00+00:00")
    parser.add_argument("--config", type=Path, default=HERE / "notifysdk.toml")
    parser.add_argument("--portfolio", type=Path, default=HERE / "portfolio.csv")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help="how many to book")
    args = parser.parse_args(argv)
    clock: Clock = SystemClock()
    if args.now:
        instant = datetime.fromisoformat(args.now)
        if instant.tzinfo is None:
            parser.error("--now needs a time zone (…+08:00 or …Z)")
        clock = FakeClock(instant)
    return asyncio.run(book(clock, args.config, args.portfolio, args.accounts))


if __name__ == "__main__":
    sys.exit(main())
