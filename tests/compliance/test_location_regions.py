"""The region table (compliance/regions.toml) held to tzdata's zone.tab."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

import pytest

from notifysdk.compliance.regions import region_of, region_zones, regions


def _zone_tab(country: str) -> list[tuple[str, str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        cols = line.split("\t")
        if not line.startswith("#") and cols[0] == country:
            rows.append((cols[2], cols[3] if len(cols) > 3 else ""))
    return rows


@pytest.mark.parametrize(("country", "count"), [("US", 57), ("CA", 13), ("CN", 34)])
def test_every_subdivision_is_listed_with_real_zones(country: str, count: int) -> None:
    found = regions(country)
    assert len(found) == count  # 50 states, DC, 6 territories; 13; 34 provincial-level
    known = available_timezones()
    for region in found:
        assert region.zones, region.code
        assert set(region.zones) <= known, region.code


@pytest.mark.parametrize("country", ["US", "CA"])
def test_every_zone_tab_zone_is_in_a_region(country: str) -> None:
    listed = {z for r in regions(country) for z in r.zones}
    assert {zone for zone, _ in _zone_tab(country)} <= listed


@pytest.mark.parametrize("country", ["US", "CA"])
def test_regions_named_in_zone_tab_comments_list_that_zone(country: str) -> None:
    """zone.tab says 'Mountain - ID (south), OR (east)' for America/Boise: Idaho and
    Oregon must both list it (a zone a new tzdata adds to a state is caught here)."""
    by_code = {r.code.split("-", 1)[1]: r for r in regions(country)}
    checked = 0
    for zone, comment in _zone_tab(country):
        # "MI (Wisconsin border)" places the zone in Michigan, next to Wisconsin
        comment = re.sub(r"\([^)]*border\)", "", comment)
        named = {c for c in re.findall(r"\b([A-Z]{2})\b", comment) if c in by_code}
        named |= {
            code
            for code, r in by_code.items()
            if any(re.search(rf"\b{re.escape(n)}\b", comment) for n in r.names)
        }
        for code in named:
            assert zone in by_code[code].zones, (zone, code)
            checked += 1
    assert checked >= 20


def test_china_is_beijing_time_everywhere_even_xinjiang() -> None:
    mainland = [r for r in regions("CN") if r.code not in ("CN-HK", "CN-MO", "CN-TW")]
    assert {z for r in mainland for z in r.zones} == {"Asia/Shanghai"}
    assert region_zones("CN", "新疆") == ("Asia/Shanghai",)


SPLIT = ["ID", "IN", "KY", "TN", "FL", "TX", "NE", "KS", "ND", "SD", "OR", "MI", "AK"]


def _offsets(zones: tuple[str, ...]) -> set[object]:
    january = datetime(2026, 1, 15, 12, tzinfo=UTC)
    return {january.astimezone(ZoneInfo(z)).utcoffset() for z in zones}


@pytest.mark.parametrize("state", SPLIT)
def test_states_split_between_zones_list_each(state: str) -> None:
    assert len(_offsets(region_zones("US", state))) >= 2, state


@pytest.mark.parametrize("province", ["NU", "ON", "BC", "SK", "NL", "QC"])
def test_provinces_split_between_zones_list_each(province: str) -> None:
    assert len(_offsets(region_zones("CA", province))) >= 2, province


KNOWN = [
    ("US", "Idaho", ("America/Boise", "America/Los_Angeles")),
    ("US", "us-id", ("America/Boise", "America/Los_Angeles")),
    ("US", "Washington", ("America/Los_Angeles",)),
    ("US", "Washington, D.C.", ("America/New_York",)),
    ("US", "Washington State", ("America/Los_Angeles",)),
    ("US", "HI", ("Pacific/Honolulu",)),
    ("CA", "BC", region_zones("CA", "British Columbia")),
    ("CA", "Québec", region_zones("CA", "QC")),
    ("CN", "广东", ("Asia/Shanghai",)),
    ("CN", "广东省", ("Asia/Shanghai",)),
    ("CN", "Guangdong Province", ("Asia/Shanghai",)),
    ("CN", "广西壮族自治区", ("Asia/Shanghai",)),
    ("CN", "香港特别行政区", ("Asia/Hong_Kong",)),
]


@pytest.mark.parametrize(("country", "name", "zones"), KNOWN)
def test_spellings(country: str, name: str, zones: tuple[str, ...]) -> None:
    assert zones and region_zones(country, name) == zones


@pytest.mark.parametrize(
    ("country", "name"), [("US", "Atlantis"), ("US", "BC"), ("FR", "Paris"), ("CN", "深圳市")]
)
def test_unknown_regions(country: str, name: str) -> None:
    assert region_of(country, name) is None and region_zones(country, name) == ()
