"""The escalation ladder: which notice goes out on which day overdue, on which medium.

A ladder is data, read from TOML (see ``default_ladder.toml`` beside this module and
``examples/ladder.toml``)::

    time_zone = "UTC"

    [[stages]]
    name = "D+1-sms"
    day = 1                     # days overdue (negative: before the due date)
    kind = "overdue_notice"     # a NoticeKind
    medium = "sms"              # routed to a channel by Settings.routes
    fallback = ["email"]        # tried in order when the SMS fails permanently

    [profiles.us-regf]          # per-profile overrides
    disable = ["D+20-visit-letter"]
    [profiles.us-regf.stages."D+1-sms"]
    day = 2

A stage names a *medium*, never a channel: :func:`route` maps it through
``Settings.routes`` (default ``capture-<medium>``), unless the stage pins ``channel``.

**The credit-report step** is a stage of kind ``credit_report``: the lender's report of
the debt to a credit bureau, not a message. It pins the channel that records or
furnishes it (the built-in record-only ``credit-bureau``, or the lender's own), has no
fallback, goes to the debtor's record, and comes after a ``credit_report_prenotice``
stage on an earlier day, in the ladder and under every profile override; the
``credit-report-prenotice`` rule still blocks it without a delivered pre-notice on
record, and defers it to the end of a profile's waiting period (Reg F: 14 days after the
date), so the day gap (:meth:`Ladder.report_lead`) is where the ladder plans for it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ..config_errors import configuration_error, location_of, read_toml
from ..errors import ConfigurationError
from ..models import INTERNAL_ERROR_RULE, Medium, NoticeKind, Outcome, OutcomeStatus, Role
from ..validation import TimeZoneName

__all__ = [
    "DEFAULT_FALLBACK_ON",
    "Ladder",
    "ProfileOverride",
    "Stage",
    "default_ladder",
    "load_ladder",
    "parse_ladder",
    "route",
]

DEFAULT_FALLBACK_ON: tuple[str, ...] = (
    "failed",
    "dead_lettered",
    "no-destination",
    "opted-out-destination",
)
"""When the next medium is tried: an outcome status, or the rule that blocked it."""


class _LadderModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Stage(_LadderModel):
    """One rung of the ladder: a notice kind sent on a medium on a given day overdue."""

    name: str = Field(min_length=1)
    day: int = Field(ge=-365, le=3650)
    """Days overdue on which the stage fires (``-3`` is three days before the due date)."""
    kind: NoticeKind
    medium: Medium
    fallback: tuple[Medium, ...] = ()
    """Media tried in order when the previous one ends in a ``fallback_on`` outcome."""
    channel: str | None = None
    """Pin a channel instead of routing the medium through ``Settings.routes``."""
    role: Role = Role.DEBTOR
    """Who receives it: the debtor, or every party of the account in this role."""
    grace_days: int = Field(0, ge=0, le=60)
    """Catch-up window: also fire up to this many days late if no earlier run delivered it."""
    data: dict[str, Any] = Field(default_factory=dict)
    """Extra template variables for this stage."""

    @property
    def media(self) -> tuple[Medium, ...]:
        """The primary medium, then the fallbacks (duplicates dropped)."""
        out: list[Medium] = []
        for m in (self.medium, *self.fallback):
            if m not in out:
                out.append(m)
        return tuple(out)

    def due_on(self, days_overdue: int) -> bool:
        """True when an account ``days_overdue`` days overdue is inside this stage's window."""
        return self.day <= days_overdue <= self.day + self.grace_days


class StagePatch(_LadderModel):
    """Fields a profile may override on an existing stage (all optional)."""

    day: int | None = Field(None, ge=-365, le=3650)
    kind: NoticeKind | None = None
    medium: Medium | None = None
    fallback: tuple[Medium, ...] | None = None
    channel: str | None = None
    role: Role | None = None
    grace_days: int | None = Field(None, ge=0, le=60)
    data: dict[str, Any] | None = None


class ProfileOverride(_LadderModel):
    """How the ladder differs for accounts under one compliance profile."""

    time_zone: TimeZoneName | None = None
    disable: tuple[str, ...] = ()
    stages: dict[str, StagePatch] = Field(default_factory=dict)
    add: tuple[Stage, ...] = ()


class Ladder(_LadderModel):
    """The whole ladder: stages, per-profile overrides and the failover trigger."""

    version: int = 1
    time_zone: TimeZoneName = "UTC"
    """Local date of a debtor whose own time zone is unknown (and no profile sets one)."""
    fallback_on: tuple[str, ...] = DEFAULT_FALLBACK_ON
    stages: tuple[Stage, ...] = Field(min_length=1)
    profiles: dict[str, ProfileOverride] = Field(default_factory=dict)
    _cache: dict[tuple[str, ...], tuple[Stage, ...]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        _check_unique([(f"stages[{i}]", s) for i, s in enumerate(self.stages)])
        _check_credit_report(self.stages, "stages")
        names = {s.name for s in self.stages}
        for pname, override in self.profiles.items():
            where = location_of(("profiles", pname))
            for i, ref in enumerate(override.disable):
                if ref not in names:
                    raise ValueError(f"{where}.disable[{i}]: names a stage the ladder lacks")
            for ref in override.stages:
                if ref not in names:
                    raise ValueError(
                        f"{location_of(('profiles', pname, 'stages', ref))}: "
                        "names a stage the ladder lacks"
                    )
            _check_unique(
                [(f"stages[{i}]", s) for i, s in enumerate(self.stages)]
                + [(f"{where}.add[{i}]", s) for i, s in enumerate(override.add)]
            )
            _check_credit_report(self.for_profiles((pname,)), where, indexed=False)

    def for_profiles(self, profiles: Sequence[str]) -> tuple[Stage, ...]:
        """The stages for an account under ``profiles``, overrides applied in order.

        A stage disabled by any of the profiles is dropped. Results are cached per tuple
        of profiles, so calling this once per account is cheap.
        """
        key = tuple(profiles)
        cache = self._cache
        hit = cache.get(key)
        if hit is not None:
            return hit
        stages = {s.name: s for s in self.stages}
        for p in key:
            override = self.profiles.get(p)
            if override is None:
                continue
            for name, patch in override.stages.items():
                if name in stages:
                    changes = patch.model_dump(exclude_none=True)
                    stages[name] = stages[name].model_copy(update=changes)
            for extra in override.add:
                stages[extra.name] = extra
            for name in override.disable:
                stages.pop(name, None)
        result = tuple(sorted(stages.values(), key=lambda s: (s.day, s.name)))
        cache[key] = result
        return result

    def time_zone_for(self, profiles: Sequence[str]) -> str:
        """The fallback time zone for an account: the first profile's, else the ladder's."""
        for p in profiles:
            override = self.profiles.get(p)
            if override is not None and override.time_zone:
                return override.time_zone
        return self.time_zone

    def report_lead(self, profiles: Sequence[str]) -> int | None:
        """Days from the latest ``credit_report_prenotice`` stage to the debtor before the
        first ``credit_report`` stage to it, for an account under ``profiles`` (``None``
        without a report stage)."""
        stages = self.for_profiles(profiles)
        reports = [s.day for s in stages if s.kind is NoticeKind.CREDIT_REPORT]
        if not reports:
            return None
        first = min(reports)
        notices = [s.day for s in stages if _tells_the_debtor(s) and s.day < first]
        return first - max(notices) if notices else None

    def all_stages(self) -> Iterable[Stage]:
        """Every stage of the ladder and of every profile override (for validation)."""
        yield from self.stages
        for override in self.profiles.values():
            yield from override.add
        for pname in self.profiles:
            yield from self.for_profiles((pname,))

    def falls_back(self, outcome: Outcome) -> bool:
        """True when ``outcome`` should make the next medium of the stage be tried."""
        if (
            outcome.status in (OutcomeStatus.DELIVERED, OutcomeStatus.DEFERRED)
            or outcome.held
            or outcome.rule == INTERNAL_ERROR_RULE
        ):
            return False  # held, or failed after its claim: it may have gone out already
        return outcome.status.value in self.fallback_on or (
            outcome.rule is not None and outcome.rule in self.fallback_on
        )


def _check_unique(stages: Iterable[tuple[str, Stage]]) -> None:
    seen: dict[str, str] = {}
    for where, s in stages:
        if s.name in seen:
            raise ValueError(f"{where}.name: the same stage name as {seen[s.name]}")
        seen[s.name] = where


def _tells_the_debtor(stage: Stage) -> bool:
    """A credit-report pre-notice stage to the debtor: the only one that opens the report
    step (the rule reads the pre-notices the debtor received: 征信业管理条例 Art. 15 tells
    the information subject, 12 CFR 1006.30(a) the consumer)."""
    return stage.kind is NoticeKind.CREDIT_REPORT_PRENOTICE and stage.role is Role.DEBTOR


def _check_credit_report(stages: Sequence[Stage], where: str, *, indexed: bool = True) -> None:
    """A ``credit_report`` stage pins its channel, has no fallback, is the debtor's, and
    comes after a ``credit_report_prenotice`` stage to the debtor on an earlier day.
    (Messages name locations, never values: a configuration error never quotes its
    input.)"""
    prenotices = [s.day for s in stages if _tells_the_debtor(s)]
    for i, s in enumerate(stages):
        if s.kind is not NoticeKind.CREDIT_REPORT:
            continue
        at = f"{where}[{i}]" if indexed else where
        if not s.channel:
            raise ValueError(
                f"{at}: the credit-report step must pin the channel that records or furnishes it"
            )
        if s.fallback or s.role is not Role.DEBTOR:
            raise ValueError(f"{at}: the credit-report step takes no fallback and no role")
        if not any(day < s.day for day in prenotices):
            raise ValueError(
                f"{at}: the credit-report step needs a pre-notice stage on an earlier day"
                " (to the debtor)"
            )


def route(stage: Stage, medium: Medium, routes: Mapping[str, str]) -> str:
    """The channel a stage's ``medium`` goes to: pinned, routed, or ``capture-<medium>``.

    A pinned ``channel`` applies to the stage's primary medium only; fallbacks are routed.
    """
    if stage.channel and medium is stage.medium:
        return stage.channel
    return routes.get(medium.value) or f"capture-{medium.value}"


def parse_ladder(data: Mapping[str, Any], *, source: str = "ladder") -> Ladder:
    """Validate a ladder from a mapping; errors name the source, each field's location
    and the kind of problem, never a value."""
    what = f"invalid ladder {source}"
    try:
        return Ladder.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise configuration_error(exc, what, reasons=_REASONS) from None
    except ValueError as exc:  # the checks across stages (model_post_init)
        raise ConfigurationError(f"{what}: {exc}") from None


_REASONS = {"extra_forbidden": "unknown key"}


def load_ladder(path: Path | str) -> Ladder:
    """Read and validate a ladder TOML file (a file that is missing, unreadable, not UTF-8
    or not TOML is a :class:`ConfigurationError` naming it)."""
    return parse_ladder(read_toml(path, "ladder"), source=str(path))


def default_ladder() -> Ladder:
    """The built-in ladder (``default_ladder.toml`` in this package)."""
    text = resources.files(__package__).joinpath("default_ladder.toml").read_text("utf-8")
    return parse_ladder(tomllib.loads(text), source="(built-in default)")
