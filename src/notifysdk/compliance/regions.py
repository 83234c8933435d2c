"""Address regions (US states, Canadian provinces, Chinese provinces) and their zones.

An address's ``region`` narrows its country to the zones of that state or province:
an Idaho address is America/Boise or America/Los_Angeles, not any of the 29 US zones.
The table (``regions.toml`` beside this module) lists, for each ISO 3166-2 subdivision,
every zone observed in part of it, and the spellings accepted: the code (``ID``,
``US-ID``), full names and common abbreviations (``Idaho``, ``BC``, ``British
Columbia``), Chinese names with or without their suffix (``广东``, ``广东省``,
``Guangdong``). Matching ignores case, spaces and punctuation. An unknown region
gives ``()``: the caller falls back to the country.
"""

from __future__ import annotations

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

__all__ = ["Region", "region_of", "region_zones", "regions"]


@dataclass(frozen=True)
class Region:
    """One subdivision: its ISO 3166-2 code (``US-ID``), its names and its zones."""

    code: str
    names: tuple[str, ...]
    zones: tuple[str, ...]


_STRIP = str.maketrans("", "", " .-_'’,·")
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
    "市",
    "province",
    "territory",
    "state",
)
"""Endings tried off when a name is not in the table as written (``Guangdong Province``,
``广西壮族自治区``)."""


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_STRIP)


@functools.lru_cache(maxsize=1)
def _load() -> tuple[dict[str, tuple[Region, ...]], dict[str, dict[str, Region]]]:
    raw = tomllib.loads(
        resources.files(__package__ or "notifysdk.compliance")
        .joinpath("regions.toml")
        .read_text("utf-8")
    )
    by_country: dict[str, tuple[Region, ...]] = {}
    index: dict[str, dict[str, Region]] = {}
    for country, table in raw.items():
        found: list[Region] = []
        names: dict[str, Region] = {}
        for code, entry in table.items():
            region = Region(f"{country}-{code}", tuple(entry["names"]), tuple(entry["zones"]))
            found.append(region)
            for name in (code, region.code, *region.names):
                key = _key(name)
                kept = names.setdefault(key, region)
                if kept is not region:  # a spelling must name one region only
                    raise ValueError(f"regions.toml: {name!r} names {kept.code} and {region.code}")
        by_country[country] = tuple(found)
        index[country] = names
    return by_country, index


def regions(country: str) -> tuple[Region, ...]:
    """Every subdivision of ``country`` in the table (``()`` for a country without one)."""
    return _load()[0].get(country.upper(), ())


@functools.lru_cache(maxsize=4096)
def region_of(country: str, region: str) -> Region | None:
    """The subdivision ``region`` names in ``country``, or ``None`` when unknown."""
    names = _load()[1].get(country.upper())
    if not names:
        return None
    key = _key(region)
    found = names.get(key)
    if found is not None:
        return found
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            found = names.get(key[: -len(suffix)])
            if found is not None:
                return found
    return None


def region_zones(country: str, region: str) -> tuple[str, ...]:
    """Every zone of the subdivision ``region`` of ``country`` (``()`` when unknown)."""
    found = region_of(country, region)
    return found.zones if found is not None else ()
