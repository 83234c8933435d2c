"""Call scripts through the real dispatcher: files, structure, privacy, variants."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import (
    Account,
    Notice,
    NoticeKind,
    OutcomeStatus,
    Person,
    PhoneContact,
    Recipient,
    Role,
)

from .conftest import call_notice

ORDER = [
    "opening",
    "identity_check",
    "disclosures",
    "amounts",
    "repayment_options",
    "objections",
    "never_say",
    "closing",
]


@pytest.mark.parametrize(
    ("locale", "expect"),
    [
        ("zh-CN", ["请问是张伟本人吗", "¥1,246.80", "分3期按月还款", "¥415.60", "禁止用语"]),
        (
            "en",
            [
                "May I speak with Alex Smith",
                "$1,246.80",
                "3 monthly instalments",
                "$415.60",
                "attempt to collect a debt",
            ],
        ),
    ],
)
async def test_debtor_script_files_and_structure(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
    cn_account: Account,
    locale: str,
    expect: list[str],
) -> None:
    account = us_account if locale == "en" else cn_account
    if locale == "zh-CN":
        us_clock.set(us_clock.now().replace(hour=3))  # 11:00 in Shanghai
    d = make_dispatcher()
    outcome = await d.send(call_notice(account, locale=locale))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    detail = outcome.receipt.detail
    doc = json.loads(Path(detail["json"]).read_text(encoding="utf-8"))
    assert set(detail) == {"json", "markdown", "html", "sections", "script_type"}
    assert detail["sections"] == len(doc["sections"])
    assert [s["id"] for s in doc["sections"]] == ORDER
    assert doc["disclosure_gate"] == "identity_check"
    assert doc["gated"] == ["disclosures", "amounts", "repayment_options", "objections"]
    assert "promise_to_pay" in doc["outcomes"] and "appointment_booked" in doc["outcomes"]
    # identity check comes before the first amount in the reading copy too
    md = Path(detail["markdown"]).read_text(encoding="utf-8")
    assert md.index("identity_check") < md.index(expect[1])
    html = Path(detail["html"]).read_text(encoding="utf-8")
    for text in expect:
        assert text in md
        assert text in html
    plans = next(s for s in doc["sections"] if s["id"] == "repayment_options")
    assert sum(1 for ln in plans["lines"] if ln["kind"] == "row") == 4


async def test_location_call_to_a_third_party_carries_no_debt(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    neighbour = Person(
        person_id="N1",
        name="Pat Jones",
        locale="en",
        time_zone="America/New_York",
        contacts=(PhoneContact(value="+12125550199"),),
    )
    notice = Notice(
        kind=NoticeKind.LOCATION_CALL,
        channel="callscript",
        account=us_account,
        recipient=Recipient(person=neighbour, role=Role.THIRD_PARTY),
    )
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    doc = json.loads(Path(outcome.receipt.detail["json"]).read_text(encoding="utf-8"))
    assert doc["script_type"] == "location"
    assert [s["id"] for s in doc["sections"]] == [
        "opening",
        "location_question",
        "never_say",
        "closing",
    ]
    text = json.dumps(doc, ensure_ascii=False) + Path(outcome.receipt.detail["markdown"]).read_text(
        encoding="utf-8"
    )
    for secret in ("1,246.80", "1246.80", us_account.loan_id, "Alex Smith", us_account.institution):
        assert secret not in text


async def test_limited_content_voicemail_is_one_section(
    make_dispatcher: Callable[..., Dispatcher],
    us_clock: FakeClock,
    us_account: Account,
) -> None:
    notice = call_notice(us_account, kind=NoticeKind.LIMITED_CONTENT)
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    doc = json.loads(Path(outcome.receipt.detail["json"]).read_text(encoding="utf-8"))
    assert doc["script_type"] == "voicemail" and doc["disclosure_gate"] is None
    (section,) = doc["sections"]
    says = [ln["text"] for ln in section["lines"] if ln["kind"] == "say"]
    assert says == [
        "Hello, this is Jordan calling from Example Bank. Please call us back at "
        "400-800-1234. Thank you."
    ]


async def test_a_template_that_discloses_before_the_identity_check_is_blocked(
    make_dispatcher: Callable[..., Dispatcher],
    register_plugin: Callable[..., str],
    us_clock: FakeClock,
    us_account: Account,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "override" / "appointment_call"
    folder.mkdir(parents=True)
    sections = [
        "opening",
        "amounts",
        "identity_check",
        "disclosures",
        "repayment_options",
        "objections",
        "never_say",
        "closing",
    ]
    body = "\n".join(
        f"<!-- section: {s} -->\n> {{{{ institution }}}} {s}. This is an attempt "
        "to collect a debt; information will be used for that purpose."
        for s in sections
    )
    (folder / "call_script.en.txt.j2").write_text(body, encoding="utf-8")

    class Override:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(tmp_path / "override")

    register_plugin(Override(), "override-templates")
    outcome = await make_dispatcher().send(call_notice(us_account))
    assert outcome.status is OutcomeStatus.BLOCKED
    assert outcome.rule == "callscript-structure"
    assert outcome.reason is not None and "amounts before the identity check" in outcome.reason
