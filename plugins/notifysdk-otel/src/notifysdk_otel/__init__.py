"""notifysdk's delivery events as OpenTelemetry spans and metrics.

Registers through the ``notifysdk`` entry point ``otel``: :func:`global_events`,
an :class:`OtelEvents` on the global OpenTelemetry providers, implements
``notifysdk_on_attempt`` (a ``notifysdk.attempt`` span, the ``notifysdk.attempts``
counter, the ``notifysdk.provider.latency`` histogram) and ``notifysdk_on_outcome`` (a
``notifysdk.outcome`` span, the ``notifysdk.outcomes`` counter). With no OpenTelemetry
SDK configured the API's providers are no-ops, and so is this. Attributes name channels,
kinds, statuses, rules and results only: never a destination, a person or an
idempotency key. Imports nothing from notifysdk but :mod:`notifysdk.plugin`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from notifysdk.plugin import hookimpl, lazy_exports

if TYPE_CHECKING:
    from notifysdk.plugin import Attempt, Notice, Outcome

    from .events import SCOPE, OtelEvents

__getattr__ = lazy_exports(__name__, {"events": ("SCOPE", "OtelEvents")})

__all__ = ["SCOPE", "OtelEvents", "global_events", "notifysdk_on_attempt", "notifysdk_on_outcome"]

_lock = threading.Lock()
_global: OtelEvents | None = None


def global_events() -> OtelEvents:
    """The :class:`OtelEvents` on the global providers the entry point's hooks use
    (created on the first event: no-ops until the application configures an
    OpenTelemetry SDK)."""
    global _global
    if _global is None:
        with _lock:
            if _global is None:
                from .events import OtelEvents

                _global = OtelEvents()
    return _global


@hookimpl
def notifysdk_on_attempt(notice: Notice, attempt: Attempt, error: BaseException | None) -> None:
    """A ``notifysdk.attempt`` span and the attempt's metrics (see :class:`OtelEvents`)."""
    global_events().notifysdk_on_attempt(notice, attempt, error)


@hookimpl
def notifysdk_on_outcome(notice: Notice, outcome: Outcome) -> None:
    """A ``notifysdk.outcome`` span and the outcome counter (see :class:`OtelEvents`)."""
    global_events().notifysdk_on_outcome(notice, outcome)
