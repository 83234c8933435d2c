"""Planning: which stages are due today for one account, and the notices they make.

Planning is pure (no I/O) and idempotent per account, stage and day: the idempotency key
of a campaign notice is derived from the account, the stage, the debtor's *local* date,
the medium and the recipient (:func:`campaign_key`). Planning the same portfolio twice on
the same local day yields the same keys, so the ledger refuses to send anything twice.

Keys are built from an unambiguous encoding of the parts (a JSON array, so no part can
run into the next) and carry their version in the prefix (``cmp2_``). Keys of the first
version (``cmp_``, the parts joined by ``\x1f``) are still looked up by the runner
(:meth:`PlannedStage.legacy_key`), so a notice sent before an upgrade is not sent again
under its new key the same day or later in its grace window.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from typing import Any
from zoneinfo import ZoneInfo

from ..models import Account, Medium, Notice, Recipient, Role
from .fast_rows import construct
from .ladder import Ladder, Stage, route

__all__ = [
    "KEY_PREFIX",
    "KEY_VERSION",
    "PlannedStage",
    "Planner",
    "campaign_key",
    "legacy_campaign_key",
    "local_date",
    "locale_route",
]

KEY_VERSION = 2
"""The version of :func:`campaign_key`'s encoding."""
KEY_PREFIX = f"cmp{KEY_VERSION}_"
"""What every campaign key of this version starts with."""


@lru_cache(maxsize=4096)  # a dry run reads a key ahead, then again for its notice
def campaign_key(
    account_id: str, stage: str, day: date, medium: Medium | str, person_id: str
) -> str:
    """The idempotency key of one campaign notice: stable per account, stage, day, medium
    and recipient. The parts are encoded as a JSON array with the key version first, so
    two different sets of parts never share a key, whatever characters they hold."""
    medium_value = medium.value if isinstance(medium, Medium) else medium
    parts = (account_id, stage, day.isoformat(), medium_value, person_id)
    if all(type(p) is str for p in parts):
        # What json.dumps([KEY_VERSION, *parts], separators=(",", ":")) writes, without
        # building an encoder per call (a test holds the two to the same text).
        basis = f"[{KEY_VERSION},{','.join(map(_json_string, parts))}]"
    else:
        basis = json.dumps([KEY_VERSION, *parts], separators=(",", ":"))
    return KEY_PREFIX + hashlib.sha256(basis.encode()).hexdigest()[:32]


@lru_cache(maxsize=4096)
def legacy_campaign_key(
    account_id: str, stage: str, day: date, medium: Medium | str, person_id: str
) -> str:
    """The key version 1 gave the same notice (the parts joined by ``\\x1f``): looked
    up only, so a notice done under it is not sent again after an upgrade. Identifiers
    are now validated printable, so it no longer collides either."""
    medium_value = medium.value if isinstance(medium, Medium) else medium
    basis = "\x1f".join((account_id, stage, day.isoformat(), medium_value, person_id))
    return "cmp_" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]


_json_string = encode_basestring_ascii
"""A str as ``json.dumps`` writes it (ASCII, escaped): the function json itself uses."""


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(now: datetime, time_zone: str) -> date:
    """The calendar date at ``now`` in ``time_zone``."""
    # Keyed by fold and zone too: two datetimes can compare equal at other instants.
    return _local_date(now, now.fold, now.tzinfo, time_zone)


@lru_cache(maxsize=1024)  # a run plans every account at the same instant
def _local_date(now: datetime, fold: int, tzinfo: tzinfo | None, time_zone: str) -> date:
    return now.astimezone(_zone(time_zone)).date()


@dataclass(frozen=True, slots=True)
class PlannedStage:
    """One stage due today for one recipient of one account."""

    account: Account
    stage: Stage
    recipient: Recipient
    day: date
    """The recipient's local date the plan was made for."""

    def key(self, medium: Medium, day: date | None = None) -> str:
        """The idempotency key for ``medium`` on ``day`` (default: the planned day)."""
        return campaign_key(
            self.account.account_id,
            self.stage.name,
            day or self.day,
            medium,
            self.recipient.person.person_id,
        )

    def legacy_key(self, medium: Medium, day: date | None = None) -> str:
        """The version-1 key of the same notice (see :func:`legacy_campaign_key`)."""
        return legacy_campaign_key(
            self.account.account_id,
            self.stage.name,
            day or self.day,
            medium,
            self.recipient.person.person_id,
        )

    def earlier_days(self) -> list[date]:
        """Days inside the stage's grace window before today, oldest first."""
        late = self.account.days_overdue - self.stage.day
        return [self.day - timedelta(days=n) for n in range(late, 0, -1)]

    def notice(
        self,
        medium: Medium,
        routes: Mapping[str, str],
        extra: Mapping[str, Any] | None = None,
    ) -> Notice:
        """The notice for ``medium``, routed to its channel, with the campaign key.

        ``extra`` (from a notice data source) is merged over the stage's ``data``; it does
        not change the key.

        Whether a notice validates depends only on its stage and channel (the account and
        recipient are validated models, the key is ours): once one notice of a stage and
        channel has validated, the next are built without validating again
        (:func:`~notifysdk.campaign.fast_rows.construct`: ``model_construct``'s fields
        and ``model_post_init``).
        """
        fields: dict[str, Any] = {
            "kind": self.stage.kind,
            "channel": locale_route(self.stage, medium, routes, self.recipient.person.locale),
            "account": self.account,
            "recipient": self.recipient,
            "data": {**self.stage.data, **extra} if extra else dict(self.stage.data),
            "stage": self.stage.name,
            "idempotency_key": self.key(medium),
        }
        checked = (id(self.stage), fields["channel"])
        if extra is None and _VALIDATED.get(checked) is self.stage:
            return construct(Notice, fields)
        notice = Notice(**fields)
        if extra is None:
            if len(_VALIDATED) >= 4096:
                _VALIDATED.clear()
            _VALIDATED[checked] = self.stage  # held, so its id is not reused
        return notice


def locale_route(stage: Stage, medium: Medium, routes: Mapping[str, str], locale: str) -> str:
    """The channel a stage's ``medium`` goes to for a recipient in ``locale``: a pinned
    channel first (the primary medium only), then the medium's route for the locale
    (``sms.zh-CN``), then for its language (``sms.zh``), then the medium's own route
    (:func:`~notifysdk.campaign.ladder.route`)."""
    if routes and not (stage.channel and medium is stage.medium):
        by_locale = routes.get(f"{medium.value}.{locale}")
        if by_locale is None and "-" in locale:
            by_locale = routes.get(f"{medium.value}.{locale.split('-', 1)[0]}")
        if by_locale:
            return by_locale
    return route(stage, medium, routes)


_VALIDATED: dict[tuple[int, str], Stage] = {}
"""Stages (by id, with the channel) whose notices have validated once."""


class Planner:
    """Turns an account into the stages due today, by the ladder."""

    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder
        self._due: dict[tuple[tuple[str, ...], int], tuple[Stage, ...]] = {}
        """The stages due per (profiles, days overdue): a portfolio has few of each."""

    def due_stages(self, account: Account) -> tuple[Stage, ...]:
        """The ladder's stages for the account's profiles that are due at its days
        overdue, in ladder order."""
        key = (account.profiles, account.days_overdue)
        due = self._due.get(key)
        if due is None:
            if len(self._due) >= 65536:  # bound it, whatever the portfolio holds
                self._due.clear()
            stages = self.ladder.for_profiles(account.profiles)
            due = self._due[key] = tuple(s for s in stages if s.due_on(account.days_overdue))
        return due

    def time_zone(self, account: Account) -> str:
        """The debtor's zone, else the first profile's, else the ladder's."""
        return account.debtor.time_zone or self.ladder.time_zone_for(account.profiles)

    def plan(self, account: Account, now: datetime) -> tuple[list[PlannedStage], list[str]]:
        """The stages due for ``account`` at ``now``, and why any due stage was skipped.

        A stage addressed to a role the account has nobody in (a guarantor stage on an
        account without one) is skipped with the reason ``no <role> on record``.
        """
        stages = self.due_stages(account)
        if not stages:
            return [], []
        tz = self.time_zone(account)
        planned: list[PlannedStage] = []
        skipped: list[str] = []
        for stage in stages:
            recipients = _recipients(account, stage.role)
            if not recipients:
                skipped.append(f"no {stage.role.value} on record")
                continue
            for recipient in recipients:
                zone = recipient.person.time_zone or tz
                planned.append(PlannedStage(account, stage, recipient, local_date(now, zone)))
        return planned, skipped


def _recipients(account: Account, role: Role) -> list[Recipient]:
    # The person is a validated model of the account, the role an enum: nothing to check.
    if role is Role.DEBTOR:
        return [construct(Recipient, {"person": account.debtor, "role": Role.DEBTOR})]
    return [
        construct(Recipient, {"person": p.person, "role": role})
        for p in account.parties
        if p.role is role
    ]
