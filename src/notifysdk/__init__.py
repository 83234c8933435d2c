"""notifysdk: send overdue-loan notices lawfully and reliably.

Start with :class:`Dispatcher` (async) or :class:`SyncDispatcher`, build a
:class:`Notice`, and read the :class:`Outcome`.

Every public name is loaded on first use (:func:`__getattr__`), so ``import notifysdk``
and the command line's start-up do not pay for pydantic models, asyncio or the ledgers
until something uses them; ``from notifysdk import Notice`` works as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    from .channels import BaseChannel, Channel, ChannelContext, Disclosure
    from .clock import Clock, FakeClock, SystemClock
    from .config import Settings
    from .dispatcher import Dispatcher, open_ledger
    from .enums import AccountState, ConsentBasis, Medium, NoticeKind, OutcomeStatus, Role
    from .errors import (
        DeliveryError,
        InvalidInputError,
        NotifyError,
        PermanentDeliveryError,
        TransientDeliveryError,
    )
    from .hookspecs import hookimpl
    from .models import (
        Account,
        Attachment,
        EmailContact,
        Message,
        Notice,
        Outcome,
        Party,
        Person,
        PhoneContact,
        PostalAddress,
        Receipt,
        Recipient,
    )
    from .retry import RetryPolicy
    from .sync import SyncDispatcher

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "channels": ("BaseChannel", "Channel", "ChannelContext", "Disclosure"),
    "clock": ("Clock", "FakeClock", "SystemClock"),
    "config": ("Settings",),
    "dispatcher": ("Dispatcher", "open_ledger"),
    "errors": (
        "DeliveryError",
        "InvalidInputError",
        "NotifyError",
        "PermanentDeliveryError",
        "TransientDeliveryError",
    ),
    "hookspecs": ("hookimpl",),
    "enums": ("AccountState", "ConsentBasis", "Medium", "NoticeKind", "OutcomeStatus", "Role"),
    "models": (
        "Account",
        "Attachment",
        "EmailContact",
        "Message",
        "Notice",
        "Outcome",
        "Party",
        "Person",
        "PhoneContact",
        "PostalAddress",
        "Receipt",
        "Recipient",
    ),
    "retry": ("RetryPolicy",),
    "sync": ("SyncDispatcher",),
}
__getattr__ = lazy_exports(__name__, _EXPORTS)


def __dir__() -> list[str]:
    """The module's names, the lazily loaded public ones included."""
    return sorted({*globals(), *__all__})


__all__ = [
    "Account",
    "AccountState",
    "Attachment",
    "BaseChannel",
    "Channel",
    "ChannelContext",
    "Clock",
    "ConsentBasis",
    "DeliveryError",
    "Disclosure",
    "Dispatcher",
    "EmailContact",
    "FakeClock",
    "InvalidInputError",
    "Medium",
    "Message",
    "Notice",
    "NoticeKind",
    "NotifyError",
    "Outcome",
    "OutcomeStatus",
    "Party",
    "PermanentDeliveryError",
    "Person",
    "PhoneContact",
    "PostalAddress",
    "Receipt",
    "Recipient",
    "RetryPolicy",
    "Role",
    "Settings",
    "SyncDispatcher",
    "SystemClock",
    "TransientDeliveryError",
    "__version__",
    "hookimpl",
    "open_ledger",
]
