"""Fixtures for the compliance tests: built-in plugins only, mock channels per medium,
account builders for each profile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import (
    Account,
    Medium,
    Notice,
    NoticeKind,
    Party,
    Person,
    PhoneContact,
    Recipient,
    Role,
)
from notifysdk.policy import RuleContext
from notifysdk.testing import MockChannel, sample_account


@pytest.fixture(autouse=True)
def builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No entry-point plugins: what these tests assert depends on the built-ins only."""
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


def channels(clock: FakeClock) -> list[MockChannel]:
    """One mock channel per medium, named after it."""
    return [
        MockChannel(name="sms", medium=Medium.SMS, clock=clock),
        MockChannel(name="voice", medium=Medium.VOICE, clock=clock),
        MockChannel(name="email", medium=Medium.EMAIL, contact_kind="email", clock=clock),
        MockChannel(name="call_script", medium=Medium.CALL_SCRIPT, clock=clock),
    ]


TEST_TEMPLATES = Path(__file__).parent / "templates"


class VoiceTemplates:
    """Voice and call-script templates for kinds the default pack has no such medium for."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register ``tests/compliance/templates``."""
        register(TEST_TEMPLATES)


@pytest.fixture
def build(
    dispatcher: Callable[..., Dispatcher],
    fake_clock: FakeClock,
    register_plugin: Callable[..., str],
) -> Callable[..., Dispatcher]:
    """Build a dispatcher with the four mock channels and the test voice templates."""
    register_plugin(VoiceTemplates(), "compliance-test-templates")

    def make(**kw: Any) -> Dispatcher:
        return dispatcher(*channels(fake_clock), **kw)

    return make


def us_account(
    n: int = 1,
    *,
    profiles: tuple[str, ...] = ("us-regf",),
    phone: str = "+12125550100",
    time_zone: str | None = "America/New_York",
    line_type: str = "mobile",
    **kw: Any,
) -> Account:
    """An English-speaking US account."""
    acc = sample_account(
        n,
        profiles=profiles,
        locale="en",
        currency="USD",
        phone=phone,
        time_zone=time_zone,
        country="US",
        **kw,
    )
    if line_type != "mobile":
        debtor = acc.debtor.model_copy(
            update={
                "contacts": (
                    PhoneContact(value=phone, line_type=line_type),
                    *acc.debtor.contacts[1:],
                )
            }
        )
        acc = acc.model_copy(update={"debtor": debtor})
    return acc


def cn_account(n: int = 1, **kw: Any) -> Account:
    """A Chinese account (zh-CN, Asia/Shanghai)."""
    return sample_account(n, **kw)


def notice_for(
    account: Account,
    channel: str,
    *,
    kind: NoticeKind = NoticeKind.OVERDUE_NOTICE,
    role: Role = Role.DEBTOR,
    person: Person | None = None,
    **kw: Any,
) -> Notice:
    """A notice to the debtor (or ``person`` in ``role``)."""
    who = person or account.debtor
    return Notice(
        kind=kind,
        channel=channel,
        account=account,
        recipient=Recipient(person=who, role=role),
        **kw,
    )


def with_party(
    account: Account, role: Role, phone: str = "+8613900139000", locale: str = "zh-CN"
) -> tuple[Account, Person]:
    """The account with one more party in ``role``; returns it and the person."""
    person = Person(
        person_id=f"X-{role.value}",
        name="李娜" if locale == "zh-CN" else "Sam Roe",
        locale=locale,
        contacts=(PhoneContact(value=phone),),
    )
    acc = account.model_copy(
        update={"parties": (*account.parties, Party(person=person, role=role))}
    )
    return acc, person


def utc(text: str) -> datetime:
    """Parse an ISO instant with its offset."""
    return datetime.fromisoformat(text)


async def policy_ctx(d: Dispatcher, notice: Notice, now: datetime) -> RuleContext:
    """The policy-stage context the dispatcher would build at ``now``."""
    registry = d.registry
    channel = d.channel(notice.channel)
    profiles = {p: registry.profiles[p] for p in notice.effective_profiles}
    return RuleContext(
        notice,
        now,
        d.ledger,
        profiles,
        to=d.destination(notice),
        channel_medium=channel.medium.value,
        overrides=d.settings.profiles,
    )


@pytest.fixture
def notifysdk_ledger_url(durable_ledger_url: str) -> str:
    """The compliance tests run on both durable ledgers production uses (the shipped
    fixture's default is the in-memory one)."""
    return durable_ledger_url


def drive(coro: Any) -> Any:
    """The result of a coroutine that never suspends (a rule over a memory ledger),
    without an event loop; AssertionError if it does suspend."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("suspended")
