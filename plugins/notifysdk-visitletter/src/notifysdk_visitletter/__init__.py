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
from typing import TYPE_CHECKING, Any

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    from notifysdk.plugin import ChannelContext, ChannelFactory, Rule

    from .channel import VisitLetterChannel
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

# fpdf (with fontTools, numpy and PIL) loads when the channel is built; the holiday
# calendars with the rules, when the registry is built. Not at every CLI start-up.
__getattr__ = lazy_exports(
    __name__,
    {
        "channel": ("VisitLetterChannel",),
        "filters": ("letter_number", "visit_time"),
        "fonts": ("FontNotFoundError", "MissingGlyphError", "find_fonts"),
        "hours": ("WINDOWS", "VisitWindow", "check_slot"),
        "records": (
            "PresentParty",
            "RecordedVisit",
            "StaffEntry",
            "VisitOutcome",
            "VisitReport",
            "record_visit",
        ),
        "rules": ("SummonsInterview", "VisitAppointment", "VisitHours", "VisitStaff"),
        "summons": ("SummonsConfig", "read_summons_config", "summons_slot"),
    },
)

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


def _build(ctx: ChannelContext) -> VisitLetterChannel:
    from .channel import build_channel

    return build_channel(ctx)


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``visitletter`` channel (its module loads when a dispatcher builds it)."""
    register("visitletter", _build)


@hookimpl
def notifysdk_register_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register ``letter_number`` and ``visit_time``."""
    from .filters import letter_number, visit_time

    register("letter_number", letter_number)
    register("visit_time", visit_time)


@hookimpl
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register the visit rules."""
    from .rules import SummonsInterview, VisitAppointment, VisitHours, VisitStaff

    register(VisitStaff())
    register(VisitHours())
    register(VisitAppointment())
    register(SummonsInterview())
