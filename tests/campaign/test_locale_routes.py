"""Routes by locale: ``[routes.sms] "zh-CN" = "aliyun-sms"`` sends a medium's notices for
one locale (or language) to another channel than the medium's default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifysdk import Settings
from notifysdk.campaign import Planner, default_ladder
from notifysdk.campaign.planner import locale_route
from notifysdk.config import locale_route_key
from notifysdk.errors import ConfigurationError
from notifysdk.models import Medium
from notifysdk.testing import sample_account

NOW = datetime(2026, 1, 5, 2, tzinfo=UTC)


def test_a_routes_table_is_flattened_with_its_default() -> None:
    settings = Settings(routes={"sms": {"default": "capture-sms", "zh-CN": "aliyun-sms"}})
    assert settings.routes == {"sms": "capture-sms", "sms.zh-CN": "aliyun-sms"}
    assert locale_route_key("sms", "zh-CN") == "sms.zh-CN"
    quoted = Settings(routes={"sms": "capture-sms", "sms.zh-CN": "aliyun-sms"})
    assert quoted.routes == settings.routes


def test_a_routes_table_key_must_be_a_locale() -> None:
    with pytest.raises(ConfigurationError, match=r"routes"):
        Settings.load(routes={"sms": {"default": "capture-sms", "zh CN!": "aliyun-sms"}})


@pytest.mark.parametrize(
    ("locale", "routes", "channel"),
    [
        ("zh-CN", {"sms": "capture-sms", "sms.zh-CN": "aliyun-sms"}, "aliyun-sms"),
        ("en", {"sms": "capture-sms", "sms.zh-CN": "aliyun-sms"}, "capture-sms"),
        ("zh-CN", {"sms": "capture-sms", "sms.zh": "tencent-sms"}, "tencent-sms"),
        ("zh-TW", {"sms.zh-CN": "aliyun-sms"}, "capture-sms"),  # no route: the default
        ("zh-CN", {"sms.zh-CN": "aliyun-sms"}, "aliyun-sms"),  # a locale route alone
        ("zh-CN", {"email": "smtp-email", "email.zh-CN": "other"}, "capture-sms"),
    ],
)
def test_notices_are_routed_by_their_recipients_locale(
    locale: str, routes: dict[str, str], channel: str
) -> None:
    planner = Planner(default_ladder())
    [stage], _ = planner.plan(sample_account(days_overdue=1, locale=locale), NOW)
    assert stage.stage.medium is Medium.SMS
    assert stage.notice(Medium.SMS, routes).channel == channel


def test_a_pinned_channel_beats_a_locale_route() -> None:
    planner = Planner(default_ladder())
    [stage], _ = planner.plan(sample_account(days_overdue=1), NOW)
    pinned = stage.stage.model_copy(update={"channel": "pinned-sms"})
    routes = {"sms.zh-CN": "aliyun-sms"}
    assert locale_route(pinned, Medium.SMS, routes, "zh-CN") == "pinned-sms"
    assert locale_route(stage.stage, Medium.SMS, routes, "zh-CN") == "aliyun-sms"
