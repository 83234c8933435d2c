"""Where a recipient plausibly is: the set of IANA zones to respect.

Reg F's commentary to 1006.6(b)(1)(i): when the collector's information about the
consumer's location is conflicting or uncertain, a time is convenient only if it is
convenient in **every** location the information indicates. So every location source
on record adds its zones, and contact is allowed only inside the window of each zone
of the set (the intersection of the windows):

``time_zone``
    the person's time zone on file;
``phone``
    the destination number and the person's other numbers (phonenumbers' prefix
    time-zone data: an area code, or the country for a number with no place);
``address``
    each postal address: its region's zones when the region is known
    (:mod:`.regions`: US states, Canadian and Chinese provinces), else its country's;
``country``
    the person's ``country`` (the ``zone.tab`` shipped with tzdata).

Each source gives its narrowest evidence. Evidence that only names a country with
several zones (an address without a known region, the person's ``country``, a toll-free
number) is *covered* when a finer source places the person in that same country — it
refines, not contradicts, "somewhere in the US" — and otherwise adds every zone of the
country (it fails closed). When nothing at all is known the profile's default zones
apply. A person marked ``location_confirmed`` (and with a time zone on file) is taken
at their word: that zone alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberType
from phonenumbers import timezone as pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA
from phonenumbers.tzdata import TIMEZONE_LONGEST_PREFIX as _LONGEST_PREFIX

from ..models import Person, PostalAddress
from ..privacy.mainland import is_mainland_mobile
from .regions import region_zones

__all__ = [
    "SOURCES",
    "PlausibleZones",
    "country_zones",
    "number_zones",
    "plausible_zones",
    "zone_country",
]

_UNKNOWN = "Etc/Unknown"

SOURCES = ("time_zone", "phone", "address", "country")
"""The location sources, in the order their zones are listed."""


@dataclass(frozen=True)
class PlausibleZones:
    """The zones to respect and where they came from.

    ``source``: the sources that added zones, joined by ``+`` (``time_zone+phone``), or
    ``default`` (the profile's zones: nothing known). ``sources``: each of those sources'
    zones. ``covered``: sources whose country-wide evidence a finer source in the same
    country covered. ``confirmed``: the person's location is confirmed (time zone only).
    Zones and source names only: never a number or an address."""

    names: tuple[str, ...]
    source: str
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    covered: tuple[str, ...] = ()
    confirmed: bool = False

    @functools.cached_property
    def zones(self) -> tuple[ZoneInfo, ...]:
        """The zones as :class:`ZoneInfo` objects."""
        return tuple(ZoneInfo(n) for n in self.names)

    def numbers(self) -> dict[str, Any]:
        """A JSON-ready view for a vote's ``numbers`` (what ``explain`` prints)."""
        out: dict[str, Any] = {
            "zones": list(self.names),
            "zone_source": self.source,
            "sources": {k: list(v) for k, v in self.sources.items()},
        }
        if self.covered:
            out["covered"] = list(self.covered)
        if self.confirmed:
            out["confirmed"] = True
        return out


@functools.lru_cache(maxsize=1)
def _zone_tab() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    by_country: dict[str, list[str]] = {}
    country_of: dict[str, str] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 3:
            by_country.setdefault(cols[0].upper(), []).append(cols[2])
            country_of.setdefault(cols[2], cols[0].upper())
    return {k: tuple(v) for k, v in by_country.items()}, country_of


_OFFICIAL = {"CN": ("Asia/Shanghai",)}
"""Countries whose law sets one official time everywhere (China: Beijing time), where
``zone.tab``'s extra zones (Asia/Urumqi) are local custom only."""

_PARENT = {"PR": "US", "VI": "US", "GU": "US", "AS": "US", "MP": "US", "UM": "US"}
"""Territories with their own ISO code that are part of a country's evidence: a Puerto
Rico number places a person with ``country = "US"`` in the US."""


def country_zones(country: str) -> tuple[str, ...]:
    """Every zone of an ISO 3166-1 alpha-2 country (``()`` when unknown)."""
    code = country.upper()
    return _OFFICIAL.get(code) or _zone_tab()[0].get(code, ())


def zone_country(zone: str) -> str:
    """The country ``zone.tab`` gives a zone (``""`` for ``UTC`` and other zones without
    one)."""
    return _zone_tab()[1].get(zone, "")


@dataclass(frozen=True, slots=True, eq=False)
class _Evidence:
    """What one source says: the person is in one of ``zones``, in ``country``;
    ``wide``: it names no more than the country (and the country has several zones).
    Built by the memoised functions below and compared by identity, so the combination
    of a notice's evidence is memoised too (people share area codes and regions)."""

    source: str
    zones: tuple[str, ...]
    country: str
    wide: bool


@functools.lru_cache(maxsize=4096)
def _phone(number: str) -> _Evidence | None:
    return _mainland_mobile(number) or _parsed_phone(number)


def _parsed_phone(number: str) -> _Evidence | None:
    """What phonenumbers says of ``number`` (about 25 us a number)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or ""
    zones = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != _UNKNOWN)
    if zones and phonenumbers.is_number_geographical(parsed):
        return _Evidence("phone", zones, region, False)
    # No place in the number (a toll-free or non-geographic mobile number): the country
    # only, with the zones phonenumbers gives it (a +1 800 number: every NANP zone).
    zones = zones or (country_zones(region) if region else ())
    return _Evidence("phone", zones, region, len(set(zones)) > 1) if zones else None


_MAINLAND_E164 = re.compile(r"\+86(1[3-9][0-9]{9})")
"""``+86`` and eleven ASCII digits ``1[3-9]…``: what :func:`_mainland_mobile` may decide."""


@functools.lru_cache(maxsize=1)
def _mainland_table() -> tuple[tuple[int, ...], dict[str, _Evidence], _Evidence] | None:
    """phonenumbers' time-zone prefixes that can start a ``+861[3-9]…`` number (the
    lengths to try, longest first, and each prefix's evidence), and the evidence when
    none does; ``None`` when phonenumbers' data no longer makes every mainland mobile a
    geographical number of region CN alone (then every number is parsed)."""
    geographical = all(
        phonenumbers.is_number_type_geographical(t, 86)
        for t in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    )
    if not geographical or tuple(COUNTRY_CODE_TO_REGION_CODE.get(86, ())) != ("CN",):
        return None  # pragma: no cover - phonenumbers 9 data
    fallback = country_zones("CN")
    if not fallback:  # pragma: no cover - tzdata always lists CN
        return None
    none = _Evidence("phone", fallback, "CN", len(set(fallback)) > 1)
    by_prefix: dict[str, _Evidence] = {}
    shared: dict[tuple[str, ...], _Evidence] = {}
    for prefix, names in TIMEZONE_DATA.items():
        if not (prefix in ("8", "86") or re.fullmatch(r"861(?:[3-9][0-9]*)?", prefix)):
            continue
        zones = tuple(z for z in names if z != _UNKNOWN)
        if zones:  # a geographical number with zones
            by_prefix[prefix] = shared.setdefault(zones, _Evidence("phone", zones, "CN", False))
        else:  # the country's zones, as for a number without any
            by_prefix[prefix] = none
    lengths = tuple(sorted({len(p) for p in by_prefix}, reverse=True))
    return lengths, by_prefix, none


def _mainland_mobile(number: str) -> _Evidence | None:
    """:func:`_parsed_phone`'s answer for a mainland mobile number ``+861[3-9]…``
    (``None`` for any other string, and for digits phonenumbers does not call a mobile
    number). Parsing keeps those digits as the national number (the privacy module's
    :func:`~notifysdk.privacy.mainland.is_mainland_mobile` decides their type from
    the same metadata), region CN is the only one of +86, and a mobile number there is
    geographical, so its zones are those of the longest of phonenumbers' prefixes
    starting ``86…`` it begins with (``tests/compliance/test_zones_mainland.py``)."""
    m = _MAINLAND_E164.fullmatch(number)
    if m is None or is_mainland_mobile(m[1]) is not True:
        return None
    table = _mainland_table()
    if table is None:  # pragma: no cover - phonenumbers 9 data
        return None
    lengths, by_prefix, none = table
    digits = number[1 : 1 + _LONGEST_PREFIX]
    for n in lengths:
        found = by_prefix.get(digits[:n])
        if found is not None:
            return found
    return none


def number_zones(number: str) -> tuple[str, ...]:
    """The zones phonenumbers associates with an E.164 number (``()`` when unknown)."""
    found = _phone(number)
    return found.zones if found is not None else ()


@functools.lru_cache(maxsize=1024)
def _country(source: str, country: str) -> _Evidence | None:
    zones = country_zones(country)
    if not zones:
        return None
    return _Evidence(source, zones, country.upper(), len(zones) > 1)


@functools.lru_cache(maxsize=4096)
def _address(country: str, region: str | None) -> _Evidence | None:
    if region:
        zones = region_zones(country, region)
        if zones:
            return _Evidence("address", zones, country.upper(), False)
    return _country("address", country)


@functools.lru_cache(maxsize=1024)
def _time_zone(tz: str) -> _Evidence:
    return _Evidence("time_zone", (tz,), zone_country(tz), False)


def _ordered(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _evidence(person: Person, destination: str | None) -> tuple[_Evidence, ...]:
    found: list[_Evidence | None] = []
    if person.time_zone:
        found.append(_time_zone(person.time_zone))
    if destination and destination.startswith("+"):
        found.append(_phone(destination))
    for c in person.contacts:
        if isinstance(c, PostalAddress):
            found.append(_address(c.country, c.region))
        elif c.kind == "phone" and c.value != destination:
            found.append(_phone(c.value))
    if person.country:
        found.append(_country("country", person.country))
    return tuple(e for e in found if e is not None)


def plausible_zones(
    person: Person, destination: str | None, default: tuple[str, ...]
) -> PlausibleZones:
    """The zones to respect for ``person`` reached at ``destination`` (see the module
    docstring); ``default``: the profiles' zones, for a person nothing is known about."""
    if person.time_zone and person.location_confirmed:
        return _confirmed(person.time_zone)
    return _combine(_evidence(person, destination), default)


@functools.lru_cache(maxsize=256)
def _confirmed(tz: str) -> PlausibleZones:
    return PlausibleZones((tz,), "time_zone", {"time_zone": (tz,)}, confirmed=True)


@functools.lru_cache(maxsize=4096)
def _combine(evidence: tuple[_Evidence, ...], default: tuple[str, ...]) -> PlausibleZones:
    """Every source's zones, country-wide evidence covered by a finer source in the same
    country dropped (memoised: the result is immutable and shared)."""
    placed = {_PARENT.get(e.country, e.country) for e in evidence if not e.wide and e.country}
    kept: list[_Evidence] = []
    covered: list[str] = []
    for e in evidence:
        if e.wide and _PARENT.get(e.country, e.country) in placed:
            covered.append(e.source)
        else:
            kept.append(e)
    if not kept:
        return PlausibleZones(_ordered(default), "default")
    sources: dict[str, list[str]] = {}
    for e in kept:
        sources.setdefault(e.source, []).extend(e.zones)
    by_source = {s: _ordered(sources[s]) for s in SOURCES if s in sources}
    return PlausibleZones(
        _ordered(z for zones in by_source.values() for z in zones),
        "+".join(by_source),
        by_source,
        _ordered(covered),
    )
