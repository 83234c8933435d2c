"""Helpers for testing code that uses notifysdk, and for testing plugins.

- :class:`MockChannel` wraps a handler (sync or async) that receives each
  :class:`~notifysdk.models.Message` and returns a :class:`~notifysdk.models.Receipt`,
  ``None`` (a default receipt) or raises a delivery error.
- :class:`FlakyChannel` fails transiently a given number of times, then succeeds.
- :func:`sample_account` builds a valid synthetic account.
- :func:`render` (the message a channel would send for a notice), :func:`check_content`
  (what the rules decide, content rules included), :func:`check_channel_contract`
  (what every channel must keep), and :class:`~notifysdk.testing_receiver.LoopbackReceiver`
  (a real HTTP server to post to): what plugin authors used to write by hand.
- :class:`NoRulesProfile` registers the profile ``test-no-rules``, which no rule belongs
  to: a test that wants only the privacy stage (or only its own rule) between a notice
  and the channel names it, since a notice with no profile is refused (fail closed).

The pytest plugin (:mod:`notifysdk.pytest_plugin`) exposes them as fixtures.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .channels import Channel
    from .dispatcher import Dispatcher
    from .policy import Decision

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


# -- what plugin authors used to write by hand -----------------------------------------


async def render(dispatcher: Dispatcher, notice: Notice, *, now: datetime | None = None) -> Message:
    """The message ``dispatcher`` would send for ``notice`` on its channel — rendered
    from the template the channel uses, masked for the recipient, checked by the
    content rules — without sending or recording anything. When a stage stops the
    notice first (a rule, a missing contact point), :class:`AssertionError` says which
    and why."""
    prepared = await dispatcher.prepare(notice, now=now)
    message = prepared.context.message
    if message is None or not prepared.ready:
        out = prepared.outcome
        why = f"{out.status.value} by {out.rule}: {out.reason}" if out else "not rendered"
        raise AssertionError(f"notice {notice.idempotency_key} was not rendered ({why})")
    return message


async def check_content(
    dispatcher: Dispatcher, notice: Notice, *, now: datetime | None = None
) -> Decision:
    """What the rules decide about ``notice`` (the content rules on its rendered
    message included), as ``send`` would, writing nothing: the stopping decision, or
    the one that lets it through. ``decision.votes`` holds every rule's vote."""
    return (await dispatcher.prepare(notice, now=now)).decision


_CONTACT_KINDS = frozenset({"phone", "email", "address", "none"})


async def check_channel_contract(channel: Channel) -> None:
    """Check what the dispatcher relies on from any channel: a name, a
    :class:`~notifysdk.models.Medium`, a :class:`~notifysdk.channels.Disclosure`, a known
    ``contact_kind``, ``send``/``reconcile``/``aclose`` as coroutines, ``reconcile`` of
    an attempt it never saw answering a :class:`~notifysdk.channels.ReconcileResult`
    (``UNKNOWN`` or ``NOT_SENT``, never ``SENT``), and ``aclose`` safe to call twice.
    Raises :class:`AssertionError` naming the first broken promise."""
    from .channels import Attempt, ReconcileResult, ReconcileStatus

    assert isinstance(channel.name, str) and channel.name, "channel.name must be a non-empty str"
    assert isinstance(channel.medium, Medium), f"{channel.name}: medium must be a Medium"
    assert isinstance(channel.disclosure, Disclosure), (
        f"{channel.name}: disclosure must be a Disclosure"
    )
    assert channel.contact_kind in _CONTACT_KINDS, (
        f"{channel.name}: contact_kind must be one of {sorted(_CONTACT_KINDS)}"
    )
    for method in ("send", "reconcile", "aclose"):
        assert inspect.iscoroutinefunction(getattr(channel, method, None)), (
            f"{channel.name}: {method} must be an async method"
        )
    stranger = Attempt(
        idempotency_key="contract-check-never-sent",
        channel=channel.name,
        number=1,
        to="",
        started_at=None,
    )
    result = await channel.reconcile(stranger)
    assert isinstance(result, ReconcileResult), f"{channel.name}: reconcile must return one"
    assert result.status is not ReconcileStatus.SENT, (
        f"{channel.name}: reconcile said SENT for an attempt that was never made"
    )
    await channel.aclose()
    await channel.aclose()
