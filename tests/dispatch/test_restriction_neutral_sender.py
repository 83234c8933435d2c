"""A limited-content message never names the lender or its agency: it names the
profile's neutral sender (configurable under ``[profiles.NAME]``), on every medium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.overrides import resolve
from notifysdk.compliance.profiles import UK_CONC
from notifysdk.config import Settings
from notifysdk.dispatch.stages import neutral_sender
from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import ConfigurationError
from notifysdk.models import (
    Account,
    Medium,
    Notice,
    NoticeKind,
    OutcomeStatus,
    Party,
    Person,
    PhoneContact,
    Recipient,
    Restriction,
    Role,
)
from notifysdk.testing import (
    NO_RULES_PROFILE,
    MockChannel,
    NoRulesProfile,
    sample_account,
)

NOON = datetime.fromisoformat("2026-01-05T12:00:00+00:00")
AGENCY = "Northwind Recovery Partners"
HOTLINE = "400-820-8820"
MEDIA = [Medium.SMS, Medium.VOICE, Medium.CALL_SCRIPT]


@pytest.fixture(autouse=True)
def _builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


def _channels(clock: FakeClock) -> list[MockChannel]:
    return [MockChannel(name=m.value, medium=m, clock=clock) for m in MEDIA]


def _account(profiles: tuple[str, ...], locale: str) -> tuple[Account, Person]:
    base = sample_account(
        1,
        profiles=profiles,
        locale=locale,
        phone="+447911123456",
        time_zone="Europe/London",
        country="GB",
    )
    contact = Person(
        person_id="X-contact",
        name="李娜" if locale == "zh-CN" else "Sam Roe",
        locale=locale,
        contacts=(PhoneContact(value="+447911123457"),),
    )
    account = base.model_copy(
        update={
            "agency": AGENCY,
            "parties": (Party(person=contact, role=Role.EMERGENCY_CONTACT),),
        }
    )
    return account, contact


def _notice(
    account: Account, person: Person, medium: Medium, role: Role, kind: NoticeKind
) -> Notice:
    return Notice(
        kind=kind,
        channel=medium.value,
        account=account,
        recipient=Recipient(person=person, role=role),
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("medium", MEDIA)
async def test_limited_content_to_an_emergency_contact_names_neither_lender_nor_agency(
    dispatcher: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    register_plugin: Callable[..., str],
    tmp_path: object,
    medium: Medium,
    locale: str,
) -> None:
    # Only the privacy stage (the leak guard) stands between the variant and the channel.
    register_plugin(NoRulesProfile(), NO_RULES_PROFILE)
    fake_clock.set(NOON)
    chans = _channels(fake_clock)
    settings = Settings(output_dir=str(tmp_path), institution_contact=HOTLINE)
    d = dispatcher(*chans, settings=settings)
    account, contact = _account((NO_RULES_PROFILE,), locale)
    notice = _notice(account, contact, medium, Role.EMERGENCY_CONTACT, NoticeKind.LIMITED_CONTENT)
    out = await d.send(notice)
    assert out.status is OutcomeStatus.DELIVERED, out.reason  # the leak guard passes it
    (sent,) = [m for c in chans for m in c.sent]
    assert sent.metadata["template"].startswith("limited_content/")
    text = f"{sent.subject or ''}\n{sent.body}"
    assert account.institution not in text and AGENCY not in text
    assert ("客户服务中心" if locale == "zh-CN" else "Customer Service Center") in text
    assert HOTLINE in text  # the call-back number is still there


async def test_a_restricted_notice_names_the_profiles_sender_and_settings_override_it(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: object
) -> None:
    fake_clock.set(NOON)
    account, _ = _account(("uk-conc",), "en")
    third = Person(
        person_id="X-third",
        name="Pat Doe",
        locale="en",
        contacts=(PhoneContact(value="+447911123458"),),
    )
    account = account.model_copy(update={"parties": (Party(person=third, role=Role.THIRD_PARTY),)})
    notice = _notice(account, third, Medium.SMS, Role.THIRD_PARTY, NoticeKind.OVERDUE_NOTICE)
    for overrides, name in (
        ({}, UK_CONC.params["neutral_sender"]),
        ({"uk-conc": {"neutral_sender": "Acme Services"}}, "Acme Services"),
    ):
        settings = Settings(output_dir=str(tmp_path), profiles=overrides)
        prepared = await dispatcher(*_channels(fake_clock), settings=settings).prepare(notice)
        assert prepared.ready, prepared.outcome
        assert prepared.context.restriction is not None
        message = prepared.context.message
        assert message is not None and message.metadata["kind"] == "limited_content"
        assert name in message.body
        assert account.institution not in message.body and AGENCY not in message.body


async def test_the_restricting_profiles_sender_comes_first(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: object
) -> None:
    fake_clock.set(NOON)
    settings = Settings(
        output_dir=str(tmp_path),
        profiles={"cn": {"neutral_sender": "甲服务中心"}, "uk-conc": {"neutral_sender": "B Ltd"}},
    )
    d = dispatcher(*_channels(fake_clock), settings=settings)
    account, contact = _account(("cn", "uk-conc"), "en")
    notice = _notice(
        account, contact, Medium.SMS, Role.EMERGENCY_CONTACT, NoticeKind.OVERDUE_NOTICE
    )
    prepared = await d.prepare(notice)
    ctx = prepared.context
    assert neutral_sender(d.pipeline, ctx) == "甲服务中心"  # the first profile in force
    by_uk = ctx.evolve(
        restriction=Restriction(variant="limited_content", rule="r", profile="uk-conc")
    )
    assert neutral_sender(d.pipeline, by_uk) == "B Ltd"


@pytest.mark.parametrize("value", ["", "   ", "a" * 61, "two\nlines", 7, True])
def test_a_bad_neutral_sender_override_names_the_path(value: object) -> None:
    with pytest.raises(ConfigurationError, match="neutral_sender"):
        resolve(UK_CONC, {"neutral_sender": value})


def test_a_neutral_sender_override_is_free_not_a_loosening() -> None:
    resolved = resolve(UK_CONC, {"neutral_sender": " Acme Services "})
    assert resolved.profile.params["neutral_sender"] == "Acme Services"
    assert resolved.loosened == ()
    assert [a.path for a in resolved.applied] == ["neutral_sender"]


async def test_us_voicemail_to_the_debtor_names_the_institution_unless_set(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: object
) -> None:
    # us-regf's neutral_sender is None: a made-up name would not be the collector's true
    # name (FDCPA 1692e(14)); the debtor's voicemail on a work line names the institution.
    fake_clock.set(datetime.fromisoformat("2026-01-05T12:00:00-05:00"))
    base = sample_account(
        1,
        profiles=("us-regf",),
        locale="en",
        currency="USD",
        phone="+12125550100",
        time_zone="America/New_York",
        country="US",
    )
    work = PhoneContact(value="+12125550100", line_type="work")
    debtor = base.debtor.model_copy(update={"contacts": (work, *base.debtor.contacts[1:])})
    account = base.model_copy(update={"debtor": debtor})
    notice = _notice(account, debtor, Medium.VOICE, Role.DEBTOR, NoticeKind.OVERDUE_NOTICE)
    chans = _channels(fake_clock)
    out = await dispatcher(*chans, settings=Settings(output_dir=str(tmp_path))).send(notice)
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    (sent,) = [m for c in chans for m in c.sent]
    assert sent.metadata["kind"] == "limited_content"
    assert account.institution in sent.body


async def test_limited_content_to_the_debtor_names_the_institution(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock, tmp_path: object
) -> None:
    # The debtor knows the lender, and every message to the debtor states its name.
    fake_clock.set(datetime.fromisoformat("2026-01-05T12:00:00+08:00"))
    account = sample_account(1)  # cn, zh-CN, Asia/Shanghai
    notice = _notice(account, account.debtor, Medium.VOICE, Role.DEBTOR, NoticeKind.LIMITED_CONTENT)
    chans = _channels(fake_clock)
    out = await dispatcher(*chans, settings=Settings(output_dir=str(tmp_path))).send(notice)
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    (sent,) = [m for c in chans for m in c.sent]
    assert account.institution in sent.body and "客户服务中心" not in sent.body
