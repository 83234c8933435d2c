"""Whether the debtor can be reached, derived from the contact record (not from a flag).

cn (GB/T 45251-2025; CBA 2026) lets a collector contact an emergency contact only when
the debtor cannot be reached: an invalid number, or 3 consecutive failed attempts (or
the debtor is dead or incapacitated). A profile says what that means in its
``reachability`` :class:`~notifysdk.compliance.specs.ReachabilitySpec`; this module reads
the record that the call-outcome API leaves (:func:`~notifysdk.compliance.scopes.
history_scopes`) and the account events (``number_invalid``, ``deceased``), and decides,
in this order:

1. **deceased** (the account state or a ``deceased`` account event) or
   **incapacitated** (``notice.data["debtor_incapacitated"]``, the caller's knowledge):
   unreachable;
2. **every debtor phone number invalid**: each has an ``invalid_number`` result or a
   ``number_invalid`` account event with no connected call on that number after it:
   unreachable (a conversation yesterday on a number that is out of service today says
   nothing about reaching the debtor now). A debtor with no phone number is not
   unreachable by this test;
3. **a recent conversation**: the debtor was spoken with within
   ``connected_within_days``: reachable;
4. **consecutive failures**: at least ``failed_attempts`` calls to the debtor within
   ``window_days`` ended in one of ``failures`` with no conversation after them (with
   ``connected_resets``, only failures after the last conversation count): unreachable;
5. otherwise reachable.

``notice.data["debtor_unreachable"]`` is not read: it was the flag that decided without
the record. The :class:`Reachability` carries the record it read (counts, instants,
sources; never a number or a name), which the recipient guard puts in its vote's
``numbers`` so ``notifysdk explain`` shows it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..account_events import AccountEvent, AccountEventKind, account_events, just_after
from ..models import AccountState
from . import scopes as sc
from .specs import ReachabilitySpec

if TYPE_CHECKING:
    from ..ledger.base import Ledger
    from ..models import Account

__all__ = ["Reachability", "reachability"]

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Reachability:
    """What the record says about reaching the debtor, and why."""

    unreachable: bool
    because: str
    """The step that decided (``deceased``, ``incapacitated``, ``all_numbers_invalid``,
    ``connected_recently``, ``consecutive_failures``, ``reachable``)."""
    consecutive_failures: int = 0
    failed_attempts: int = 0
    """The profile's threshold."""
    window_days: int = 0
    last_connected: datetime | None = None
    connected_within_days: int = 0
    phone_numbers: int = 0
    invalid_numbers: int = 0
    invalid_from: dict[str, int] = field(default_factory=dict)
    """How many numbers were found invalid from each source (``call_outcomes``,
    ``account_events``)."""
    events: dict[str, int] = field(default_factory=dict)
    """Account events read, by kind (only the kinds reachability uses)."""
    failures_by_outcome: dict[str, int] = field(default_factory=dict)
    history: bool = True
    """False when the ledger cannot order the record (no ``last_contact``): then only
    the states and events decide, and the debtor counts as reachable otherwise."""

    def as_numbers(self) -> dict[str, Any]:
        """The record as a vote's ``numbers`` (JSON-ready, nothing personal)."""
        return {
            "unreachable": self.unreachable,
            "because": self.because,
            "consecutive_failures": self.consecutive_failures,
            "failed_attempts_needed": self.failed_attempts,
            "failures_by_outcome": dict(self.failures_by_outcome),
            "window_days": self.window_days,
            "last_connected": (
                self.last_connected.astimezone(UTC).isoformat() if self.last_connected else None
            ),
            "connected_within_days": self.connected_within_days,
            "phone_numbers": self.phone_numbers,
            "invalid_numbers": self.invalid_numbers,
            "invalid_from": dict(self.invalid_from),
            "events": dict(self.events),
            "history": self.history,
        }


async def reachability(
    ledger: Ledger,
    account: Account,
    now: datetime,
    spec: ReachabilitySpec | None,
    *,
    incapacitated: bool = False,
    events: Sequence[AccountEvent] | None = None,
) -> Reachability:
    """Derive from the record whether ``account``'s debtor can be reached at ``now``
    under ``spec`` (the steps are in the module docstring; without a spec only the
    states decide).

    ``events``: the account's events (:func:`notifysdk.account_events.account_events`)
    when the caller has read them; ``None`` reads them here."""
    if events is None:
        events = await account_events(ledger, account, before=just_after(now))
    kinds = {"deceased": 0, "number_invalid": 0}
    for e in events:
        if e.kind.value in kinds:
            kinds[e.kind.value] += 1
    base: dict[str, Any] = {"events": kinds}
    if spec is not None:
        base.update(
            failed_attempts=spec.failed_attempts,
            window_days=spec.window_days,
            connected_within_days=spec.connected_within_days,
        )
    if AccountState.DECEASED in account.states or kinds["deceased"]:
        return Reachability(True, "deceased", **base)
    if incapacitated:
        return Reachability(True, "incapacitated", **base)
    if spec is None:
        return Reachability(False, "no_reachability_rule", **base)
    last = _last_contact_reader(ledger)
    if last is None:
        return Reachability(False, "reachable", history=False, **base)
    end = now + _TICK
    connected = [
        t
        for t in [
            await last(sc.attempt_scope(account, account.debtor, o), end)
            for o in (sc.CallOutcome.CONNECTED, sc.CallOutcome.REFUSED)
        ]
        if t is not None
    ]
    last_connected = max(connected, default=None)
    phones = [c.value for c in account.debtor.contacts_of("phone")]
    invalid, sources = await _invalid_numbers(last, phones, events, end)
    base.update(
        last_connected=last_connected,
        phone_numbers=len(phones),
        invalid_numbers=invalid,
        invalid_from=sources,
    )
    since = now - timedelta(days=spec.window_days)
    if spec.connected_resets and last_connected is not None:
        since = max(since, last_connected + _TICK)
    by_outcome = {
        o: n
        for o in sorted(spec.failures)
        if (n := await ledger.count(sc.attempt_scope(account, account.debtor, o), since, end))
    }
    base.update(consecutive_failures=sum(by_outcome.values()), failures_by_outcome=by_outcome)
    if phones and invalid == len(phones):
        return Reachability(True, "all_numbers_invalid", **base)
    recent = timedelta(days=spec.connected_within_days)
    if last_connected is not None and now - last_connected < recent:
        return Reachability(False, "connected_recently", **base)
    if base["consecutive_failures"] >= spec.failed_attempts:
        return Reachability(True, "consecutive_failures", **base)
    return Reachability(False, "reachable", **base)


_LastContact = Callable[[str, datetime], Awaitable[datetime | None]]


def _last_contact_reader(ledger: Ledger) -> _LastContact | None:
    from ..ledger.receipts import ReceiptLedger

    return ledger.last_contact if isinstance(ledger, ReceiptLedger) else None


async def _invalid_numbers(
    last: _LastContact, phones: Iterable[str], events: Sequence[AccountEvent], end: datetime
) -> tuple[int, dict[str, int]]:
    """How many of ``phones`` are invalid now, and from which source."""
    reported: dict[str, datetime] = {}
    for e in events:
        if e.kind is AccountEventKind.NUMBER_INVALID and e.contact and e.at < end:
            key = sc.pseudonym(e.contact)
            if key not in reported or e.at > reported[key]:
                reported[key] = e.at
    invalid = 0
    sources = {"call_outcomes": 0, "account_events": 0}
    for number in phones:
        by_call = await last(sc.number_scope(sc.Counter.NUMBER_INVALID, number), end)
        by_event = reported.get(sc.pseudonym(number))
        marks = [t for t in (by_call, by_event) if t is not None]
        if not marks:
            continue
        worked = await last(sc.number_scope(sc.Counter.NUMBER_CONNECTED, number), end)
        if worked is not None and worked > max(marks):
            continue
        invalid += 1
        if by_call is not None and (worked is None or worked < by_call):
            sources["call_outcomes"] += 1
        if by_event is not None and (worked is None or worked < by_event):
            sources["account_events"] += 1
    return invalid, sources
