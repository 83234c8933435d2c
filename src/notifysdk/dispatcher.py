"""The dispatcher (kept at this path for imports; it lives in :mod:`notifysdk.dispatch`)."""

from .dispatch.dispatcher import Dispatcher, open_ledger
from .models import NoticeKind

__all__ = ["Dispatcher", "NoticeKind", "open_ledger"]
