"""Contact hours: DEFER to the next instant inside every window in force."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ...policy import RuleContext, Vote
from ..specs import WindowSpec
from ..windows import _stamp, in_window_at
from .base import (
    DirectVoteRule,
    in_force,
    medium_of,
    shift_into_windows,
    workday_for,
    zones_for,
)


class ContactWindowRule(DirectVoteRule):
    """No contact outside ``[start, end)`` local time in every plausible zone (every
    zone some location source on record indicates: :mod:`notifysdk.compliance.zones`).
    Each vote's numbers name the zones and, per source, the zones it added."""

    name = "contact-window"
    citation = (
        "cn: NIFA 2024 / GB/T 45251-2025 / CBA 2026; us: 12 CFR 1006.6(b)(1)(i); "
        "WA: RCW 19.16.250; uk: CONC 7.9"
    )

    async def _votes(self, ctx: RuleContext, evaluating: bool) -> list[Vote] | Vote:
        """:meth:`votes`, or with ``evaluating`` and one profile inside its window, what
        :meth:`strictest` returns for it."""
        profiles = in_force(ctx)  # once, for the windows and the zones
        medium = medium_of(ctx)
        pairs = [
            (p, spec)
            for p in profiles
            if isinstance(spec := p.params.get("window"), WindowSpec) and medium in spec.media
        ]  # windows_in_force(ctx, profiles), without a list per profile
        if not pairs:
            return []
        zones = zones_for(ctx, profiles)
        seen = _local_second(ctx.now, zones.zones)
        local = seen.stamps
        where = zones.numbers()  # the zones and the location sources they came from
        out: list[Vote] = []
        for profile, spec in pairs:
            window = _window_text(spec.start, spec.end)
            numbers = {"window": window, **where, "local": dict(local)}
            if seen.inside(ctx.now, spec.start, spec.end, workday_for(spec, medium)):
                if evaluating and len(pairs) == 1:
                    return self.sole_allow(
                        profile.name, f"inside {window} local", spec.citation, numbers
                    )
                out.append(
                    Vote.allow(
                        self.name,
                        profile.name,
                        f"inside {window} local",
                        citation=spec.citation,
                        numbers=numbers,
                    )
                )
                continue
            until = shift_into_windows(ctx, ctx.now)
            if until is None:
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        f"no instant in the next weeks is inside {window} in every plausible "
                        f"zone ({', '.join(zones.names)})",
                        citation=spec.citation,
                        numbers=numbers,
                    )
                )
                continue
            numbers["next_allowed"] = until.isoformat()
            out.append(
                Vote.defer(
                    self.name,
                    profile.name,
                    f"outside contact hours {window} local in {_where(zones.names)}",
                    until,
                    citation=spec.citation,
                    numbers=numbers,
                )
            )
        return out


@dataclass(frozen=True, eq=False)
class _Second:
    """Each zone's local time at one whole UTC second (what ``local_times`` shows) and
    the windows' answers there.

    Zone offsets and their transitions are whole seconds, so every instant of that
    second has the same offsets, the same local dates and these wall-clock seconds;
    a window with whole-second edges holds for all of them alike (``start <= t`` and
    ``t < end`` do not change within a second when neither edge falls inside it)."""

    zones: tuple[ZoneInfo, ...]
    locals: tuple[datetime, ...]
    stamps: dict[str, str]
    answers: dict[tuple[time, time, object], bool] = field(default_factory=dict)

    def inside(
        self, now: datetime, start: time, end: time, workday: Callable[[date], bool] | None
    ) -> bool:
        """:func:`in_window_at` for ``now`` (an instant of this second)."""
        if start.microsecond or end.microsecond:  # an edge inside a second: read ``now``
            return in_window_at([now.astimezone(z) for z in self.zones], start, end, workday)
        key = (start, end, workday)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = in_window_at(self.locals, start, end, workday)
        return answer


_SECONDS: dict[tuple[tuple[ZoneInfo, ...], datetime], _Second] = {}
"""The seconds seen lately, per zone set: a campaign sends hundreds of notices a second
to people in the same few zone sets."""


def _local_second(now: datetime, zones: tuple[ZoneInfo, ...]) -> _Second:
    """The local times of ``now``'s second in ``zones`` (kept when ``now`` is in UTC)."""
    if now.tzinfo is not UTC:  # (another tzinfo may have an offset of a part second)
        return _second(now, zones)
    second = now.replace(microsecond=0) if now.microsecond else now
    key = (zones, second)
    seen = _SECONDS.get(key)
    if seen is None:
        if len(_SECONDS) >= 256:
            _SECONDS.clear()
        seen = _SECONDS[key] = _second(second, zones)
    return seen


def _second(at: datetime, zones: tuple[ZoneInfo, ...]) -> _Second:
    locals_in_order = tuple(at.astimezone(z) for z in zones)
    return _Second(
        zones,
        locals_in_order,
        {z.key: _stamp(local) for z, local in zip(zones, locals_in_order, strict=True)},
    )


@functools.lru_cache(maxsize=256)
def _window_text(start: time, end: time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


def _where(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"one of {len(names)} plausible zones"
