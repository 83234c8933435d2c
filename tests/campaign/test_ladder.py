"""The ladder: TOML loading, validation, per-profile overrides, routing, failover."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk.campaign import default_ladder, load_ladder, parse_ladder, route
from notifysdk.errors import ConfigurationError
from notifysdk.models import Medium, NoticeKind, Outcome, OutcomeStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

BASE = {
    "stages": [
        {"name": "sms", "day": 1, "kind": "overdue_notice", "medium": "sms", "fallback": ["email"]},
        {"name": "visit", "day": 20, "kind": "visit_letter", "medium": "letter"},
    ]
}


def _outcome(status: OutcomeStatus, rule: str | None = None) -> Outcome:
    return Outcome(
        idempotency_key="k",
        status=status,
        channel="c",
        at=datetime(2026, 1, 5, tzinfo=UTC),
        rule=rule,
    )


def test_default_and_example_ladders_load_and_agree() -> None:
    default = default_ladder()
    example = load_ladder(EXAMPLES / "ladder.toml")
    assert [s.name for s in default.stages] == [s.name for s in example.stages]
    assert [s.day for s in default.stages] == [-3, 1, 3, 7, 15, 20, 30, 45, 60, 75]
    assert default.stages[0].kind is NoticeKind.PRE_DUE_REMINDER


def test_profile_override_disables_patches_and_adds() -> None:
    ladder = parse_ladder(
        {
            **BASE,
            "profiles": {
                "us-regf": {
                    "disable": ["visit"],
                    "stages": {"sms": {"day": 2, "fallback": []}},
                    "add": [{"name": "extra", "day": 5, "kind": "final_demand", "medium": "sms"}],
                    "time_zone": "America/Chicago",
                }
            },
        }
    )
    us = ladder.for_profiles(("us-regf",))
    assert [(s.name, s.day) for s in us] == [("sms", 2), ("extra", 5)]
    assert us[0].fallback == ()
    assert [s.name for s in ladder.for_profiles(("cn",))] == ["sms", "visit"]
    assert ladder.time_zone_for(("us-regf",)) == "America/Chicago"
    assert ladder.time_zone_for(("cn",)) == "UTC"
    assert ladder.for_profiles(("us-regf",)) is us  # cached per profile tuple


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"stages": []}, "stages"),
        ({"stages": [{**BASE["stages"][0], "medium": "pigeon"}]}, "stages[0].medium"),
        ({"stages": [{**BASE["stages"][0], "kind": "nope"}]}, "stages[0].kind"),
        (
            {"stages": [BASE["stages"][0], BASE["stages"][0]]},
            "stages[1].name: the same stage name as stages[0]",
        ),
        ({**BASE, "profiles": {"cn": {"disable": ["ghost"]}}}, "profiles.cn.disable[0]"),
        ({**BASE, "time_zone": "Mars/Olympus"}, "time_zone"),
        ({**BASE, "surprise": 1}, "surprise"),
    ],
)
def test_bad_ladders_name_the_field(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid ladder") as info:
        parse_ladder(data, source="t.toml")
    assert needle in str(info.value)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        load_ladder(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[stages]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_ladder(bad)


def test_route_uses_settings_routes_then_capture_default() -> None:
    ladder = parse_ladder(BASE)
    sms = ladder.stages[0]
    assert route(sms, Medium.SMS, {}) == "capture-sms"
    assert route(sms, Medium.SMS, {"sms": "twilio-sms"}) == "twilio-sms"
    pinned = sms.model_copy(update={"channel": "special"})
    assert route(pinned, Medium.SMS, {"sms": "twilio-sms"}) == "special"
    assert route(pinned, Medium.EMAIL, {"email": "smtp-email"}) == "smtp-email"


def test_falls_back_only_on_permanent_problems() -> None:
    ladder = parse_ladder(BASE)
    assert ladder.falls_back(_outcome(OutcomeStatus.FAILED))
    assert ladder.falls_back(_outcome(OutcomeStatus.DEAD_LETTERED))
    assert ladder.falls_back(_outcome(OutcomeStatus.BLOCKED, "no-destination"))
    assert not ladder.falls_back(_outcome(OutcomeStatus.BLOCKED, "account-state"))
    assert not ladder.falls_back(_outcome(OutcomeStatus.DEFERRED, "contact-window"))
    assert not ladder.falls_back(_outcome(OutcomeStatus.DELIVERED))


def test_stage_window_and_media() -> None:
    stage = parse_ladder(BASE).stages[0].model_copy(update={"grace_days": 2})
    assert [d for d in range(-1, 6) if stage.due_on(d)] == [1, 2, 3]
    assert stage.media == (Medium.SMS, Medium.EMAIL)


# --- the credit-report step ------------------------------------------------------------

PRE = {"name": "p60", "day": 60, "kind": "credit_report_prenotice", "medium": "email"}
REPORT = {
    "name": "r75",
    "day": 75,
    "kind": "credit_report",
    "medium": "letter",
    "channel": "credit-bureau",
}


def test_the_shipped_ladders_report_after_the_prenotice_by_each_profiles_wait() -> None:
    from notifysdk.compliance.profiles import DEFAULT_PROFILES
    from notifysdk.compliance.rules.states import CreditReportPrenoticeRule

    for ladder in (default_ladder(), load_ladder(EXAMPLES / "ladder.toml")):
        report = next(s for s in ladder.stages if s.kind is NoticeKind.CREDIT_REPORT)
        assert route(report, report.medium, {"letter": "visitletter"}) == "credit-bureau"
        assert report.fallback == ()
        for profile in DEFAULT_PROFILES:
            spec = CreditReportPrenoticeRule.spec_of(profile)
            if spec is None:
                continue
            lead = ladder.report_lead((profile.name,))
            # the first day the engine lets it go: the wait's days after the date, + 1
            assert lead is not None and lead >= spec.wait_days + 1, profile.name


def test_report_lead() -> None:
    ladder = parse_ladder({"stages": [PRE, {**PRE, "name": "p70", "day": 70}, REPORT]})
    assert ladder.report_lead(("cn",)) == 5  # from the latest pre-notice before it
    assert parse_ladder(BASE).report_lead(("cn",)) is None


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"stages": [REPORT]}, "stages[0]: the credit-report step needs a pre-notice stage"),
        (
            {"stages": [{**PRE, "day": 75}, REPORT]},
            "stages[1]: the credit-report step needs a pre-notice stage on an earlier day",
        ),
        (
            {"stages": [PRE, {**REPORT, "channel": None}]},
            "stages[1]: the credit-report step must pin",
        ),
        ({"stages": [PRE, {**REPORT, "fallback": ["email"]}]}, "takes no fallback"),
        ({"stages": [PRE, {**REPORT, "role": "guarantor"}]}, "takes no fallback and no role"),
        # a profile that drops the pre-notice but keeps the report
        (
            {"stages": [PRE, REPORT], "profiles": {"us-regf": {"disable": ["p60"]}}},
            "profiles.us-regf: the credit-report step needs a pre-notice stage",
        ),
        (
            {"stages": [PRE, REPORT], "profiles": {"cn": {"stages": {"r75": {"day": 50}}}}},
            "profiles.cn: the credit-report step needs a pre-notice stage",
        ),
    ],
)
def test_a_report_stage_without_its_prenotice_or_channel_is_refused(
    data: dict[str, object], needle: str
) -> None:
    with pytest.raises(ConfigurationError, match="invalid ladder") as info:
        parse_ladder(data, source="t.toml")
    assert needle in str(info.value)


def test_a_profile_may_drop_both_steps() -> None:
    ladder = parse_ladder(
        {
            "stages": [*BASE["stages"], PRE, REPORT],
            "profiles": {"uk": {"disable": ["p60", "r75"]}},
        }
    )
    assert [s.name for s in ladder.for_profiles(("uk",))] == ["sms", "visit"]
    assert ladder.report_lead(("uk",)) is None
