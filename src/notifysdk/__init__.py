"""notifysdk: send overdue-loan notices lawfully and reliably.

Start with :class:`Dispatcher` (async) or :class:`SyncDispatcher`, build a
:class:`Notice`, and read the :class:`Outcome`.
"""

from .channels import BaseChannel, Channel, ChannelContext, Disclosure
from .clock import Clock, FakeClock, SystemClock
from .config import Settings
from .dispatcher import Dispatcher, open_ledger
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
    AccountState,
    Attachment,
    ConsentBasis,
    EmailContact,
    Medium,
    Message,
    Notice,
    NoticeKind,
    Outcome,
    OutcomeStatus,
    Party,
    Person,
    PhoneContact,
    PostalAddress,
    Receipt,
    Recipient,
    Role,
)
from .retry import RetryPolicy
from .sync import SyncDispatcher

__version__ = "0.1.0"

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
