"""Helpers for testing code that uses notifysdk, and for testing plugins.

- :class:`MockChannel` wraps a handler (sync or async) that receives each
  :class:`~notifysdk.models.Message` and returns a :class:`~notifysdk.models.Receipt`,
  ``None`` (a default receipt) or raises a delivery error.
- :class:`FlakyChannel` fails transiently a given number of times, then succeeds.
- :func:`sample_account` builds a valid synthetic account.
- :class:`NoRulesProfile` registers the profile ``test-no-rules``, which no rule belongs
  to: a test that wants only the privacy stage (or only its own rule) between a notice
  and the channel names it, since a notice with no profile is refused (fail closed).

The pytest plugin (:mod:`notifysdk.pytest_plugin`) exposes them as fixtures.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .channels import BaseChannel, Disclosure
from .clock import Clock, FakeClock
from .errors import TransientDeliveryError
from .hookspecs import hookimpl
from .models import (
    Account,
    EmailContact,
    Medium,
    Message,
    Notice,
    NoticeKind,
    Person,
    PhoneContact,
    PostalAddress,
    Receipt,
    Recipient,
    Role,
)
from .policy import Profile

NO_RULES_PROFILE = "test-no-rules"
"""The name :class:`NoRulesProfile` registers."""


class NoRulesProfile:
    """A plugin registering the profile ``test-no-rules`` (no rule belongs to it).

    Register it for one test: ``register_plugin(NoRulesProfile())``."""

    @hookimpl
    def notifysdk_register_profiles(self, register: Callable[[Profile], None]) -> None:
        """Register ``test-no-rules``."""
        register(Profile(NO_RULES_PROFILE, {}, "a profile that no rule belongs to (tests)"))


Handler = Callable[[Message], Receipt | Awaitable[Receipt | None] | None]


class MockChannel(BaseChannel):
    """A channel whose delivery is a handler you pass (as httpx's ``MockTransport``).

    Every message it was asked to send is kept in ``sent`` (in call order, failed calls
    included as ``calls``).
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        name: str = "mock",
        medium: Medium = Medium.SMS,
        disclosure: Disclosure = Disclosure.LIMITED,
        contact_kind: str = "phone",
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self.medium = medium
        self.disclosure = disclosure
        self.contact_kind = contact_kind
        self.handler = handler
        self.clock = clock or FakeClock()
        self.calls: list[Message] = []
        self.sent: list[Message] = []
        self.closed = False

    async def send(self, message: Message) -> Receipt:
        """Call the handler; record the message when it succeeds."""
        self.calls.append(message)
        result: Any = None
        if self.handler is not None:
            result = self.handler(message)
            if inspect.isawaitable(result):
                result = await result
        self.sent.append(message)
        if isinstance(result, Receipt):
            return result
        return Receipt(
            channel=self.name, provider_id=f"mock-{len(self.sent)}", accepted_at=self.clock.now()
        )

    async def aclose(self) -> None:
        """Mark the channel closed."""
        self.closed = True


class FlakyChannel(MockChannel):
    """Raises ``error`` (a transient error by default) ``failures`` times, then delivers."""

    def __init__(
        self,
        failures: int,
        *,
        error: Callable[[int], BaseException] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.failures = failures
        self.error = error or (
            lambda n: TransientDeliveryError(f"flaky failure {n}", provider_code="flaky")
        )

    async def send(self, message: Message) -> Receipt:
        """Fail the first ``failures`` calls, then deliver."""
        if len(self.calls) < self.failures:
            self.calls.append(message)
            raise self.error(len(self.calls))
        return await super().send(message)


def sample_person(
    n: int = 1,
    *,
    locale: str = "zh-CN",
    phone: str = "+8613800138000",
    email: str | None = "borrower@example.com",
    time_zone: str | None = "Asia/Shanghai",
    country: str = "CN",
) -> Person:
    """A synthetic person with a phone, an email and an address."""
    contacts: list[Any] = [PhoneContact(value=phone)]
    if email:
        contacts.append(EmailContact(value=email))
    contacts.append(PostalAddress(lines=(f"{n} Sample Road",), city="Shanghai", country=country))
    return Person(
        person_id=f"P{n:06d}",
        name="张伟" if locale.startswith("zh") else "Alex Smith",
        locale=locale,
        time_zone=time_zone,
        country=country,
        contacts=tuple(contacts),
    )


def sample_account(
    n: int = 1,
    *,
    profiles: tuple[str, ...] = ("cn",),
    days_overdue: int = 10,
    locale: str = "zh-CN",
    currency: str = "CNY",
    as_of: date = date(2026, 1, 5),
    **person: Any,
) -> Account:
    """A synthetic overdue account."""
    return Account(
        account_id=f"A{n:06d}",
        loan_id=f"LN2026{n:08d}",
        institution="Example Bank",
        currency=currency,
        principal=Decimal("5000.00"),
        overdue_amount=Decimal("1234.50"),
        penalty_interest=Decimal("12.30"),
        due_date=as_of - timedelta(days=days_overdue),
        days_overdue=days_overdue,
        debtor=sample_person(n, locale=locale, **person),
        profiles=profiles,
    )


def sample_notice(
    n: int = 1,
    *,
    channel: str = "mock",
    kind: NoticeKind = NoticeKind.OVERDUE_NOTICE,
    account: Account | None = None,
    **kwargs: Any,
) -> Notice:
    """A synthetic notice to the debtor of ``sample_account(n)``."""
    account = account or sample_account(n)
    return Notice(
        kind=kind,
        channel=channel,
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
        **kwargs,
    )
