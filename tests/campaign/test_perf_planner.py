"""The planner's shortcuts answer what the plain calls answer.

Notices and recipients are built with :func:`notifysdk.campaign.fast_rows.construct`
(``model_construct`` without its alias walk) and the debtor's local date is cached per
instant and zone: these tests hold both to the calls they stand for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifysdk.campaign import default_ladder
from notifysdk.campaign.fast_rows import construct, fast_account
from notifysdk.campaign.planner import Planner, local_date
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.models import Notice, NoticeKind, Recipient, Role


def _same(a: object, b: object) -> None:
    assert type(a) is type(b)
    assert list(a.__dict__.items()) == list(b.__dict__.items())
    assert a.model_fields_set == b.model_fields_set  # type: ignore[attr-defined]
    assert a.model_dump_json() == b.model_dump_json()  # type: ignore[attr-defined]


def _accounts(n: int) -> list:
    return [a for row in synthetic_rows(n, seed=11) if (a := fast_account(row)) is not None]


def test_planned_notices_are_the_ones_model_construct_builds() -> None:
    planner = Planner(default_ladder())
    now = datetime(2026, 1, 5, 10, tzinfo=UTC)
    routes = {"sms": "capture-sms", "sms.zh-CN": "aliyun-sms"}
    seen = 0
    for account in _accounts(300):
        for item in planner.plan(account, now)[0]:
            for medium in item.stage.media:
                fast = item.notice(medium, routes)
                fields = {k: fast.__dict__[k] for k in fast.model_fields_set}
                _same(fast, Notice.model_construct(**fields))
                _same(item.recipient, Recipient.model_construct(**dict(item.recipient)))
                seen += 1
    assert seen > 100


def test_construct_fills_defaults_and_runs_post_init_as_model_construct() -> None:
    account = _accounts(1)[0]
    recipient = construct(Recipient, {"person": account.debtor})
    _same(recipient, Recipient.model_construct(person=account.debtor))
    assert recipient.role is Role.DEBTOR
    given = {
        "kind": NoticeKind.OVERDUE_NOTICE,
        "channel": "c",
        "account": account,
        "recipient": recipient,
    }
    notice = construct(Notice, given)
    _same(notice, Notice.model_construct(**given))
    assert notice.data == {} and notice.data is not construct(Notice, given).data
    assert notice.idempotency_key.startswith("nk_")


ZONES = ["Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@pytest.mark.parametrize("zone", ZONES)
def test_the_cached_local_date_is_the_zones_date_at_that_instant(zone: str) -> None:
    start = datetime(2026, 3, 7, tzinfo=UTC)
    for step in range(0, 48 * 4):
        now = start + timedelta(minutes=15 * step)
        for same in (now, now.astimezone(ZoneInfo("Asia/Tokyo")), now.astimezone(ZoneInfo(zone))):
            assert local_date(same, zone) == now.astimezone(ZoneInfo(zone)).date()


def test_equal_datetimes_at_other_instants_do_not_share_a_cached_date() -> None:
    # 2026-11-01 01:30 happens twice in New York; the two compare equal (same zone,
    # same wall time) but are an hour apart: 23:59 in Honolulu is before midnight only once.
    ny = ZoneInfo("America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ny)
    second = first.replace(fold=1)
    assert first == second
    for now in (first, second, first, second):
        for zone in ("Pacific/Honolulu", "Asia/Kolkata", "UTC"):
            assert local_date(now, zone) == now.astimezone(ZoneInfo(zone)).date()
