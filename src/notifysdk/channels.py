"""The channel contract that every delivery plugin implements.

A channel turns a :class:`~notifysdk.models.Message` into a delivery and returns a
:class:`~notifysdk.models.Receipt`. It maps its vendor's failures into
:class:`~notifysdk.errors.TransientDeliveryError` (nothing went out: retry),
:class:`~notifysdk.errors.AmbiguousDeliveryError` (the provider may have it: the
dispatcher calls :meth:`Channel.reconcile` at once and never retries blindly) or
:class:`~notifysdk.errors.PermanentDeliveryError` (never retry), and leaves retrying to
the SDK: a channel must never retry on its own. ``reconcile`` is also what crash
recovery asks about an attempt a crash interrupted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .clock import Clock
from .frozen import fast_init
from .models import Medium, Message, Receipt


class Disclosure(StrEnum):
    """How much of a debt a channel's medium may carry, most to least.

    The privacy stage masks a message down to the lower of the channel's level and the
    recipient role's level.
    """

    FULL = "full"
    """Everything the template includes (a sealed letter, an email to the debtor)."""
    LIMITED = "limited"
    """Amounts, surname, last four digits of a card; no full IDs (an SMS to the debtor)."""
    NONE = "none"
    """No debt details at all: no amount, no loan, no ID (anything to a third party)."""


DISCLOSURE_ORDER = (Disclosure.NONE, Disclosure.LIMITED, Disclosure.FULL)


BODY_DIGEST = "body_sha256"
"""The key of :attr:`Attempt.detail` that holds the SHA-256 (hex) of the message body the
attempt sends: every ledger keeps it with the attempt from the moment it is recorded, so
a channel's ``reconcile`` can tell its own message from another to the same destination,
after a crash too."""


def body_digest(body: str) -> str:
    """The SHA-256 (hex) of ``body`` as UTF-8, as stored under :data:`BODY_DIGEST`."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ReconcileStatus(StrEnum):
    """What a channel could find out about an attempt interrupted by a crash."""

    SENT = "sent"
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"


@fast_init  # the ledger builds three per notice
@dataclass(frozen=True)
class Attempt:
    """One try at delivering a notice, as the ledger recorded it before calling the channel."""

    idempotency_key: str
    channel: str
    number: int
    to: str
    started_at: Any
    provider_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReconcileResult:
    """The answer of :meth:`Channel.reconcile`."""

    status: ReconcileStatus
    provider_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Channel(Protocol):
    """What the dispatcher needs from a channel.

    Subclass :class:`BaseChannel` for the defaults, or implement this protocol directly.
    """

    name: str
    medium: Medium
    disclosure: Disclosure
    contact_kind: str
    """Which contact points it delivers to: ``phone``, ``email``, ``address`` or ``none``."""

    async def send(self, message: Message) -> Receipt:
        """Deliver ``message`` once; raise a DeliveryError subclass on failure."""
        ...

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Find out whether an attempt went out: one that raised
        :class:`~notifysdk.errors.AmbiguousDeliveryError`, or one a crash interrupted.
        Answer ``UNKNOWN`` when the provider offers no way to tell."""
        ...

    async def aclose(self) -> None:
        """Release connections and files."""
        ...


@runtime_checkable
class SendsAs(Protocol):
    """A channel that can name the sender a message goes out as: what a provider's rate
    limits count (:mod:`notifysdk.ratelimit`). Optional: a channel without it is one
    sender, its own name."""

    def sender_id(self, message: Message) -> str:
        """The provider's sender for ``message``: a Twilio number or messaging service
        SID, an SMTP user name, a China SMS sign name. Never personal data: it is part
        of a rate-limit key."""
        ...


def sender_of(channel: Channel, message: Message) -> str:
    """The sender ``message`` goes out as on ``channel``: its :meth:`SendsAs.sender_id`,
    else the channel's name."""
    sender_id = getattr(channel, "sender_id", None)  # cheaper than isinstance(SendsAs)
    return str(sender_id(message)) if callable(sender_id) else channel.name


def unwrap(channel: Channel) -> Channel:
    """The channel a wrapper (a rate-limited channel) holds, or ``channel`` itself: what
    to test with ``isinstance`` against a plugin's own channel class."""
    inner = getattr(channel, "inner", None)
    return unwrap(inner) if isinstance(inner, Channel) else channel


class BaseChannel:
    """Defaults for a channel: no reconciliation, nothing to close."""

    name: str = ""
    medium: Medium
    disclosure: Disclosure = Disclosure.LIMITED
    contact_kind: str = "none"

    async def send(self, message: Message) -> Receipt:  # pragma: no cover - abstract
        """Deliver ``message``; subclasses implement it."""
        raise NotImplementedError

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """By default a channel cannot tell whether an interrupted attempt went out."""
        return ReconcileResult(ReconcileStatus.UNKNOWN)

    async def aclose(self) -> None:
        """Nothing to release by default."""


@dataclass(frozen=True)
class ChannelContext:
    """What a channel factory receives: settings and shared services."""

    name: str
    clock: Clock
    output_dir: Path
    settings: Mapping[str, Any] = field(default_factory=dict)
    """This channel's section of the configuration (``[channels.NAME]``), if any."""
    extras: Mapping[str, Any] = field(default_factory=dict)


ChannelFactory = Callable[[ChannelContext], Channel]
"""Builds a channel from its context; called lazily, once per dispatcher."""
