"""On-site visit and summons letters (PDF), appointments and visit records, for notifysdk.

Registers, through the ``notifysdk`` entry point ``visitletter``:

- the ``visitletter`` channel (medium ``letter``, PDF): :mod:`.channel`;
- the policy rules ``visit-staff``, ``visit-hours``, ``visit-appointment`` and the
  campaign data source ``summons-interview`` (summons interviews from the settings):
  :mod:`.rules`, :mod:`.summons`;
- the template filters ``letter_number`` and ``visit_time``: :mod:`.filters`.

Letters use the ``repayment_plans`` filter of ``notifysdk-callscript`` (a dependency).
The visit-record API is :func:`record_visit` (:mod:`.records`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notifysdk.channels import ChannelFactory
from notifysdk.hookspecs import hookimpl
from notifysdk.policy import Rule

from .channel import VisitLetterChannel, build_channel
from .filters import letter_number, visit_time
from .fonts import FontNotFoundError, MissingGlyphError, find_fonts
from .hours import WINDOWS, VisitWindow, check_slot
from .records import (
    PresentParty,
    RecordedVisit,
    StaffEntry,
    VisitOutcome,
    VisitReport,
    record_visit,
)
from .rules import SummonsInterview, VisitAppointment, VisitHours, VisitStaff
from .summons import SummonsConfig, read_summons_config, summons_slot

__all__ = [
    "WINDOWS",
    "FontNotFoundError",
    "MissingGlyphError",
    "PresentParty",
    "RecordedVisit",
    "StaffEntry",
    "SummonsConfig",
    "SummonsInterview",
    "VisitAppointment",
    "VisitHours",
    "VisitLetterChannel",
    "VisitOutcome",
    "VisitReport",
    "VisitStaff",
    "VisitWindow",
    "check_slot",
    "find_fonts",
    "letter_number",
    "notifysdk_register_channels",
    "notifysdk_register_filters",
    "notifysdk_register_rules",
    "read_summons_config",
    "record_visit",
    "summons_slot",
    "visit_time",
]


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``visitletter`` channel."""
    register("visitletter", build_channel)


@hookimpl
def notifysdk_register_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register ``letter_number`` and ``visit_time``."""
    register("letter_number", letter_number)
    register("visit_time", visit_time)


@hookimpl
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register the visit rules."""
    register(VisitStaff())
    register(VisitHours())
    register(VisitAppointment())
    register(SummonsInterview())
