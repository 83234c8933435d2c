"""Contact hours: DEFER to the next instant inside every window in force."""

from __future__ import annotations

import functools
from datetime import time

from ...policy import RuleContext, Vote
from ..specs import WindowSpec
from ..windows import _stamp, in_window_at
from .base import (
    ProfileRule,
    in_force,
    medium_of,
    shift_into_windows,
    workday_for,
    zones_for,
)


class ContactWindowRule(ProfileRule):
    """No contact outside ``[start, end)`` local time in every plausible zone (every
    zone some location source on record indicates: :mod:`notifysdk.compliance.zones`).
    Each vote's numbers name the zones and, per source, the zones it added."""

    name = "contact-window"
    citation = (
        "cn: NIFA 2024 / GB/T 45251-2025 / CBA 2026; us: 12 CFR 1006.6(b)(1)(i); "
        "WA: RCW 19.16.250; uk: CONC 7.9"
    )

    async def votes(self, ctx: RuleContext) -> list[Vote]:
        """One vote per profile with a window for this medium."""
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
        now = ctx.now
        # Each zone's local time once: what local_times shows and in_window reads.
        locals_in_order = [now.astimezone(z) for z in zones.zones]
        local = {z.key: _stamp(at) for z, at in zip(zones.zones, locals_in_order, strict=True)}
        where = zones.numbers()  # the zones and the location sources they came from
        out: list[Vote] = []
        for profile, spec in pairs:
            window = _window_text(spec.start, spec.end)
            numbers = {"window": window, **where, "local": dict(local)}
            if in_window_at(locals_in_order, spec.start, spec.end, workday_for(spec, medium)):
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


@functools.lru_cache(maxsize=256)
def _window_text(start: time, end: time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


def _where(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"one of {len(names)} plausible zones"
