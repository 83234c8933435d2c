"""Phone-call scripts for human agents and call outcomes, for notifysdk.

Registers, through the ``notifysdk`` entry point ``callscript``:

- the ``callscript`` channel (medium ``call_script``): see :mod:`.channel`;
- the ``repayment_plans`` template filter: see :mod:`.plans`;
- the rules ``callscript-structure`` (content) and ``ledger-account-state`` (policy):
  see :mod:`.rules`.

The call-outcome API is :func:`record_call_outcome` (:mod:`.outcomes`); a booked
appointment is read back with :func:`next_appointment` / :func:`booked_appointments`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    from notifysdk.plugin import ChannelContext, ChannelFactory, Rule

    from .channel import CallScriptChannel
    from .outcomes import (
        AppointmentStaff,
        BookedAppointment,
        CallOutcome,
        CallReport,
        RecordedCall,
        booked_appointments,
        clear_state,
        medium_stopped,
        next_appointment,
        record_call_outcome,
        state_active,
    )
    from .plans import RepaymentPlan, plan_options, repayment_plans
    from .rules import CallScriptStructure, LedgerAccountState

# Loaded on first use: registering the plugin (every CLI start-up) imports none of them.
__getattr__ = lazy_exports(
    __name__,
    {
        "channel": ("CallScriptChannel",),
        "outcomes": (
            "AppointmentStaff",
            "BookedAppointment",
            "CallOutcome",
            "CallReport",
            "RecordedCall",
            "booked_appointments",
            "clear_state",
            "medium_stopped",
            "next_appointment",
            "record_call_outcome",
            "state_active",
        ),
        "plans": ("RepaymentPlan", "plan_options", "repayment_plans"),
        "rules": ("CallScriptStructure", "LedgerAccountState"),
    },
)

__all__ = [
    "AppointmentStaff",
    "BookedAppointment",
    "CallOutcome",
    "CallReport",
    "CallScriptChannel",
    "CallScriptStructure",
    "LedgerAccountState",
    "RecordedCall",
    "RepaymentPlan",
    "booked_appointments",
    "clear_state",
    "medium_stopped",
    "next_appointment",
    "notifysdk_register_channels",
    "notifysdk_register_filters",
    "notifysdk_register_rules",
    "plan_options",
    "record_call_outcome",
    "repayment_plans",
    "state_active",
]


def _build(ctx: ChannelContext) -> CallScriptChannel:
    from .channel import build_channel

    return build_channel(ctx)


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``callscript`` channel (its module loads when a dispatcher builds it)."""
    register("callscript", _build)


@hookimpl
def notifysdk_register_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register the ``repayment_plans`` filter."""
    from .plans import repayment_plans

    register("repayment_plans", repayment_plans)


@hookimpl
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register the call-script structure rule."""
    from .rules import CallScriptStructure, LedgerAccountState

    register(CallScriptStructure())
    register(LedgerAccountState())
