"""Where a recipient plausibly is: the set of IANA zones to respect.

Order of evidence:

1. the person's explicit ``time_zone`` — that zone alone;
2. otherwise the union of every zone suggested by the destination number and the
   person's other phone numbers (phonenumbers' prefix time-zone data), their postal
   addresses' countries and their ``country`` (the ``zone.tab`` shipped with tzdata);
3. otherwise the profile's default zones.

Contact is allowed only when it is convenient in *every* zone of the set (Reg F's
commentary on an uncertain location).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

from ..models import Person, PostalAddress

__all__ = ["PlausibleZones", "country_zones", "number_zones", "plausible_zones"]

_UNKNOWN = "Etc/Unknown"


@dataclass(frozen=True)
class PlausibleZones:
    """The zones to respect and where they came from (``time_zone``, ``phone``,
    ``country``, ``default``)."""

    names: tuple[str, ...]
    source: str

    @functools.cached_property
    def zones(self) -> tuple[ZoneInfo, ...]:
        """The zones as :class:`ZoneInfo` objects."""
        return tuple(ZoneInfo(n) for n in self.names)


@functools.lru_cache(maxsize=1)
def _zone_tab() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 3:
            out.setdefault(cols[0].upper(), []).append(cols[2])
    return {k: tuple(v) for k, v in out.items()}


_OFFICIAL = {"CN": ("Asia/Shanghai",)}
"""Countries whose law sets one official time everywhere (China: Beijing time), where
``zone.tab``'s extra zones (Asia/Urumqi) are local custom only."""


def country_zones(country: str) -> tuple[str, ...]:
    """Every zone of an ISO 3166-1 alpha-2 country (``()`` when unknown)."""
    code = country.upper()
    return _OFFICIAL.get(code) or _zone_tab().get(code, ())


@functools.lru_cache(maxsize=4096)
def number_zones(number: str) -> tuple[str, ...]:
    """The zones phonenumbers associates with an E.164 number (``()`` when unknown)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != _UNKNOWN)
    if zones:
        return zones
    region = phonenumbers.region_code_for_number(parsed)
    return country_zones(region) if region else ()


def _ordered(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def plausible_zones(
    person: Person, destination: str | None, default: tuple[str, ...]
) -> PlausibleZones:
    """The zones to respect for ``person`` reached at ``destination``."""
    if person.time_zone:
        return PlausibleZones((person.time_zone,), "time_zone")
    names: list[str] = []
    regions: set[str] = set()
    phones = [c.value for c in person.contacts if c.kind == "phone"]
    if destination and destination.startswith("+"):
        phones.insert(0, destination)
    for number in phones:
        names.extend(number_zones(number))
        regions.add(_region(number))
    sources = ["phone"] if names else []
    countries = [c.country for c in person.contacts if isinstance(c, PostalAddress)]
    if person.country:
        countries.append(person.country)
    # A country already covered by a number's region adds nothing: the number's
    # area code is the finer evidence. A different country widens the set.
    extra = [z for c in countries if c.upper() not in regions for z in country_zones(c)]
    if extra:
        names.extend(extra)
        sources.append("country")
    if names:
        return PlausibleZones(_ordered(names), "+".join(sources))
    return PlausibleZones(_ordered(default), "default")


@functools.lru_cache(maxsize=4096)
def _region(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""
