"""How long records are kept, per compliance profile, and the floors the law sets.

- ``cn``: collection records at least 5 years (NIFA 2018 公约; COMPLIANCE.md "records").
- ``us-*``: from the start until 3 years after the last activity (12 CFR 1006.100).

A profile without a known floor keeps records for the longest floor (5 years). A purge
measures retention from a notice's last activity, and uses the longest retention among
the profiles a notice ran under (the strictest wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from ..errors import ConfigurationError

YEAR = timedelta(days=366)
"""A year rounded up, so "N years" never falls short across leap days."""

MINIMUM_YEARS: dict[str, int] = {"cn": 5, "us": 3}
CITATIONS: dict[str, str] = {
    "cn": "NIFA 互联网金融贷后催收业务指引 / 2018 公约: collection records ≥ 5 years",
    "us": "12 CFR 1006.100: records until 3 years after the last activity",
}


def _family(profile: str) -> str:
    return "us" if profile == "us" or profile.startswith("us-") else profile


def minimum(profile: str) -> timedelta:
    """The legal floor for ``profile`` (the longest known floor when it has none)."""
    years = MINIMUM_YEARS.get(_family(profile), max(MINIMUM_YEARS.values()))
    return years * YEAR


def default_retention() -> timedelta:
    """The retention of records whose profiles are unknown: the longest floor."""
    return max(MINIMUM_YEARS.values()) * YEAR


def retention_for(
    profiles: Mapping[str, float] | None = None,
    known: tuple[str, ...] = ("cn", "us-regf", "us-ma", "us-wa"),
) -> dict[str, timedelta]:
    """Retention per profile: each floor, lengthened by ``profiles`` (years). Shortening
    one below its floor is a :class:`ConfigurationError` naming the profile and citation."""
    out = {p: minimum(p) for p in known}
    for profile, years in (profiles or {}).items():
        wanted = years * YEAR
        floor = minimum(profile)
        if wanted < floor:
            cite = CITATIONS.get(_family(profile), "the longest known floor")
            raise ConfigurationError(
                f"retention.{profile}: {years} years is below the minimum of "
                f"{floor.days // 366} years ({cite})"
            )
        out[profile] = wanted
    return out
