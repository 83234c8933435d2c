"""Summons interviews from the settings: the slot, the office and the staff of a campaign's
summons letter (``summons-interview``), or a block naming the rule when none is set."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest

from notifysdk.campaign import PortfolioRow, parse_ladder, run_campaign
from notifysdk.campaign.sources import ConfigurableDataSource, NoticeDataSource, data_sources
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import ConfigurationError
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Account, Notice, NoticeKind, OutcomeStatus, Recipient, Role
from notifysdk.policy import Verdict, Vote
from notifysdk.testing import sample_account
from notifysdk_visitletter import SummonsInterview, read_summons_config, summons_slot
from notifysdk_visitletter.hours import WINDOWS, check_slot, day_off
from notifysdk_visitletter.rules import BAD_SUMMONS_CONFIG, NO_SUMMONS_CONFIG
from notifysdk_visitletter.summons import SlotRefused

from .conftest import NOW, pdftotext
from .test_letters import DEBT_WORDS

OFFICE = "上海市浦东新区示例路100号 示例大厦12楼"
ROSTER = [
    {"name": "李明", "staff_id": "S-3001"},
    {"name": "王强", "staff_id": "S-3002"},
    {"name": "张伟", "staff_id": "S-3003"},
]
SECTION: dict[str, Any] = {
    "summons_office": OFFICE,
    "summons_staff": ROSTER,
    "summons_lead_days": 7,
}
CN = [WINDOWS["cn"]]


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _settings(tmp_path: Path, section: Mapping[str, Any] | None = SECTION) -> Settings:
    return Settings(
        output_dir=tmp_path / "out",
        institution_contact="400-800-1234",
        channels={"visitletter": dict(section)} if section is not None else {},
    )


def _summons(account: Account, channel: str = "visitletter") -> Notice:
    return Notice(
        kind=NoticeKind.SUMMONS_LETTER,
        channel=channel,
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
        stage="D+45-summons-letter",
    )


# -- the slot -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "lead", "slot"),
    [
        # Monday 10:00 in Shanghai, 7 days ahead: the next Monday.
        ("2026-01-05T02:00:00+00:00", 7, "2026-01-12T10:00:00+08:00"),
        # Monday 23:30 UTC is already Tuesday in Shanghai: the lead counts from Tuesday.
        ("2026-01-05T23:30:00+00:00", 7, "2026-01-13T10:00:00+08:00"),
        # Wednesday + 3 days is a Saturday: the weekend is skipped.
        ("2026-01-07T02:00:00+00:00", 3, "2026-01-12T10:00:00+08:00"),
        # + 7 days lands in the Spring Festival (15–23 Feb 2026): the first day after it.
        ("2026-02-09T02:00:00+00:00", 7, "2026-02-24T10:00:00+08:00"),
        # Saturday 14 Feb 2026 is a working day by the State Council's adjustment.
        ("2026-02-07T02:00:00+00:00", 7, "2026-02-14T10:00:00+08:00"),
    ],
)
def test_slot_is_a_working_day_at_least_the_lead_ahead(now: str, lead: int, slot: str) -> None:
    account = sample_account(3)
    got = summons_slot(_at(now), account, CN, lead_days=lead)
    assert got == _at(slot)
    assert isinstance(got, datetime)
    assert str(got.tzinfo) == "Asia/Shanghai"  # the debtor's zone: the letter shows +08:00
    assert (got.date() - _at(now).astimezone(got.tzinfo).date()).days >= lead
    assert check_slot(got, CN, "Asia/Shanghai") == []
    assert day_off(got.date(), "cn") is None


def test_slot_is_in_the_debtors_own_zone_and_hours() -> None:
    account = sample_account(4, time_zone="Asia/Urumqi")
    got = summons_slot(_at("2026-01-05T02:00:00+00:00"), account, CN, at=time(9, 30))
    assert got == datetime(2026, 1, 12, 9, 30, tzinfo=_at("2026-01-01T00:00:00+06:00").tzinfo)
    assert isinstance(got, datetime) and str(got.tzinfo) == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("at", "profiles", "needle"),
    [
        (time(7, 0), ("cn",), "07:00 Asia/Shanghai is outside the allowed hours 08:00–22:00"),
        (time(22, 0), ("cn",), "22:00 Asia/Shanghai is outside the allowed hours 08:00–22:00"),
        (time(21, 30), ("cn", "us-regf"), "outside the allowed hours 08:00–21:00"),
    ],
)
def test_a_time_outside_the_hours_finds_no_slot(
    at: time, profiles: tuple[str, ...], needle: str
) -> None:
    account = sample_account(3, profiles=profiles)
    windows = [WINDOWS[p] for p in profiles]
    got = summons_slot(_at("2026-01-05T02:00:00+00:00"), account, windows, at=at)
    assert isinstance(got, SlotRefused)
    assert needle in got.reason and "within 60 days" in got.reason
    assert got.numbers["zone"] == "Asia/Shanghai"
    # inside the hours the same account gets a slot
    assert isinstance(summons_slot(NOW, account, windows, at=time(10)), datetime)


def test_no_windows_finds_no_slot() -> None:
    got = summons_slot(NOW, sample_account(3, profiles=("nowhere",)), [])
    assert isinstance(got, SlotRefused) and "no visit hours" in got.reason


# -- the settings ---------------------------------------------------------------------


def test_settings_read_with_defaults_and_two_staff_attend() -> None:
    config = read_summons_config({"summons_office": OFFICE, "summons_staff": ROSTER})
    assert config is not None
    assert (config.office, config.lead_days, config.at) == (OFFICE, 7, time(10))
    assert [s.staff_id for s in config.staff] == ["S-3001", "S-3002", "S-3003"]
    teams = {config.attending(sample_account(n)) for n in range(1, 40)}
    assert all(len(team) == 2 and len({s.staff_id for s in team}) == 2 for team in teams)
    assert len(teams) == 3  # the roster shares the interviews...
    assert config.attending(sample_account(5)) == config.attending(sample_account(5))  # stably


def test_no_office_and_no_staff_is_not_configured() -> None:
    assert read_summons_config({}) is None
    assert read_summons_config({"font_path": "/x.ttf"}) is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"summons_staff": ROSTER}, "channels.visitletter.summons_office: required"),
        ({"summons_office": OFFICE}, "channels.visitletter.summons_staff: must be a list"),
        (
            {"summons_office": OFFICE, "summons_staff": ROSTER[:1]},
            "channels.visitletter.summons_staff: lists 1 staff; an interview needs at least 2",
        ),
        (
            {"summons_office": OFFICE, "summons_staff": [ROSTER[0], {"name": "王强"}]},
            "channels.visitletter.summons_staff[1].staff_id: required",
        ),
        (
            {"summons_office": OFFICE, "summons_staff": [ROSTER[0], ROSTER[0]]},
            "summons_staff[1].staff_id: the same staff ID appears twice",
        ),
        ({**SECTION, "summons_office": "a\nb"}, "summons_office: must be a single line"),
        ({**SECTION, "summons_lead_days": 0}, "summons_lead_days: must be a whole number"),
        ({**SECTION, "summons_lead_days": "7"}, "summons_lead_days: must be a whole number"),
        ({**SECTION, "summons_time": "ten"}, "summons_time: must be HH:MM"),
    ],
)
def test_malformed_settings_name_the_setting_not_the_value(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as err:
        read_summons_config(section)
    assert message in str(err.value)
    assert "李明" not in str(err.value) and "示例路" not in str(err.value)


# -- the campaign data source ---------------------------------------------------------


def test_data_sources_bind_the_rule_to_the_settings(tmp_path: Path) -> None:
    rule = SummonsInterview()
    assert isinstance(rule, NoticeDataSource) and isinstance(rule, ConfigurableDataSource)
    settings = _settings(tmp_path)
    (bound,) = data_sources([object(), rule], settings)
    assert isinstance(bound, SummonsInterview) and bound.settings is settings
    assert rule.settings is None  # the registered rule is shared: left as it was
    assert data_sources([rule]) == [rule]  # no settings: used unbound


async def test_source_supplies_the_interview_from_the_settings(tmp_path: Path) -> None:
    rule = SummonsInterview().with_settings(_settings(tmp_path))
    account = sample_account(3)
    data = await rule.campaign_data(_summons(account), MemoryLedger(), NOW)
    assert isinstance(data, dict)
    assert data["visit"] == {"slot": "2026-01-12T10:00:00+08:00", "place": OFFICE}
    assert len(data["staff"]) == 2 and all(s in ROSTER for s in data["staff"])
    # a letter routed to another channel reads the visitletter section too
    other = await rule.campaign_data(_summons(account, "capture-letter"), MemoryLedger(), NOW)
    assert other == data
    # not its notice: a visit letter, or a summons that already has its interview
    visit = _summons(account).model_copy(update={"kind": NoticeKind.VISIT_LETTER})
    assert await rule.campaign_data(visit, MemoryLedger(), NOW) is None
    given = _summons(account).model_copy(update={"data": {"visit": {"slot": "x"}}})
    assert await rule.campaign_data(given, MemoryLedger(), NOW) is None


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (None, NO_SUMMONS_CONFIG),  # the campaign passed no settings
        ({}, NO_SUMMONS_CONFIG),  # no visitletter section
        ({"font_path": "/x.ttf"}, NO_SUMMONS_CONFIG),  # a section without summons keys
        (
            {"summons_office": OFFICE, "summons_staff": ROSTER[:1]},
            f"{BAD_SUMMONS_CONFIG}: channels.visitletter.summons_staff: lists 1 staff",
        ),
        (
            {**SECTION, "summons_time": "07:00"},
            "summons interview slot refused: no interview slot at 07:00",
        ),
    ],
)
async def test_source_blocks_without_usable_settings(
    tmp_path: Path, settings: dict[str, Any] | None, reason: str
) -> None:
    rule = SummonsInterview()
    if settings is not None:
        rule = rule.with_settings(_settings(tmp_path, settings))
    vote = await rule.campaign_data(_summons(sample_account(3)), MemoryLedger(), NOW)
    assert isinstance(vote, Vote) and vote.verdict is Verdict.DENY
    assert vote.rule == "summons-interview"
    assert vote.reason is not None and vote.reason.startswith(reason)
    assert "张伟" not in vote.reason and "Sample Road" not in vote.reason  # no borrower data


async def test_summons_letter_pdf_carries_office_slot_and_staff(
    make_dispatcher: Callable[..., Dispatcher], clock: FakeClock, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    d = make_dispatcher(settings=settings)
    account = sample_account(3)
    (source,) = [
        s
        for s in data_sources(d.registry.rules.values(), settings)
        if s.name == "summons-interview"
    ]
    notice = _summons(account)
    data = await source.campaign_data(notice, d.ledger, clock.now())
    assert isinstance(data, dict)
    outcome = await d.send(notice.model_copy(update={"data": data}))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    pdf = Path(outcome.receipt.detail["path"])
    letter = pdftotext(pdf).replace(" ", "")
    assert "约谈通知函" in letter
    assert "2026年1月12日星期一10:00" in letter
    assert OFFICE.replace(" ", "") in letter
    for staff in data["staff"]:
        assert staff["name"] in letter and f"工号{staff['staff_id']}" in letter
    envelope = pdftotext(pdf, page=1)
    assert account.debtor.name in envelope
    assert not DEBT_WORDS.search(envelope), DEBT_WORDS.findall(envelope)
    assert OFFICE.split()[0] not in envelope and "S-300" not in envelope


LADDER = parse_ladder(
    {
        "stages": [
            {
                "name": "D+45-summons-letter",
                "day": 45,
                "kind": "summons_letter",
                "medium": "letter",
            }
        ]
    }
)


async def test_campaign_without_summons_settings_blocks_the_stage_by_the_rule(
    make_dispatcher: Callable[..., Dispatcher], clock: FakeClock, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, None).model_copy(update={"routes": {"letter": "visitletter"}})
    rows = [PortfolioRow(n + 1, sample_account(n, days_overdue=45)) for n in (1, 2)]
    async with make_dispatcher(settings=settings) as d:
        summary = await run_campaign(d, rows, LADDER)
    assert summary.by_outcome == {"blocked": 2}
    assert summary.by_rule == {f"blocked: summons-interview ({NO_SUMMONS_CONFIG})": 2}
    assert not (tmp_path / "out" / "letter").exists()
