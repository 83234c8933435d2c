"""A slot under a contact cap, asked for by a rule and taken by the ledger at claim time.

Its own module because both sides use it: the rules (:mod:`notifysdk.policy`) build
reservations and the ledgers (:mod:`notifysdk.ledger`) check and take them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .frozen import fast_init


@fast_init  # the cap and contact-record rules build several per notice
@dataclass(frozen=True)
class Reservation:
    """A request to take one slot under a cap, checked by the ledger at claim time.

    The ledger counts the contacts already stored under ``scope`` between
    ``window_start`` and ``window_end``; when the count has reached ``limit`` the claim
    fails and the notice is deferred to ``next_free`` (or blocked when that is ``None``).
    """

    rule: str
    profile: str
    scope: str
    limit: int
    window_start: datetime
    window_end: datetime
    next_free: datetime | None = None
    citation: str = ""
