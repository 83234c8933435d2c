"""Contact scopes written by the call-outcome and visit-record APIs.

The naming convention is the compliance engine's (:mod:`notifysdk.compliance.scopes`:
``COUNTER:PER:ID...``, ids percent-quoted, numbers and addresses pseudonymous, the
institution standing for itself and all its agencies). Calls are written through its
:func:`~notifysdk.compliance.scopes.call_scopes`; this module adds the scopes the agent
channels own (appointments, visits, account states, stop requests) in the same form.
All scope strings this package writes are built here, so a change of convention touches
nothing else.
"""

from __future__ import annotations

from notifysdk.plugin import Account, Per, call_scopes, debt_scope, optout_scope, scope
from notifysdk.plugin import CallOutcome as LedgerCallOutcome

__all__ = [
    "LedgerCallOutcome",
    "appointment",
    "call_scopes",
    "optout_scope",
    "state_cleared",
    "state_set",
    "visit",
]


def appointment(account: Account, slot_key: str) -> str:
    """An on-site appointment booked by a call, for one debt and slot (UTC ISO 8601)."""
    return scope("appointment", Per.DEBT, account.institution, account.loan_id, slot_key)


def visit(account: Account) -> str:
    """An on-site visit about one debt."""
    return debt_scope("visit", account)


def state_set(account: Account, state: str) -> str:
    """One entry each time ``state`` (``dispute``, ``refusal``...) is set on a debt."""
    return debt_scope(f"state.{state}.set", account)


def state_cleared(account: Account, state: str) -> str:
    """One entry each time ``state`` is cleared on a debt (set/cleared counts decide)."""
    return debt_scope(f"state.{state}.cleared", account)
