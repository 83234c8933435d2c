"""Tracing of hook calls, switched on with ``NOTIFYSDK_TRACE_HOOKS=1``.

Each hook call is logged on the ``notifysdk.hooks`` logger at DEBUG with a *summary* of
its arguments: notices and outcomes by key, kind, channel and status; attempts by key
and number; errors by type. Raw values (names, numbers, message bodies) are never
written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import pluggy

log = logging.getLogger("notifysdk.hooks")


def summarize(value: Any) -> str:
    """A personal-data-free summary of one hook argument."""
    from .channels import Attempt
    from .models import Notice, Outcome

    if isinstance(value, Notice):
        return (
            f"Notice(key={value.idempotency_key}, kind={value.kind.value}, channel={value.channel})"
        )
    if isinstance(value, Outcome):
        return (
            f"Outcome(key={value.idempotency_key}, status={value.status.value}, rule={value.rule})"
        )
    if isinstance(value, Attempt):
        return f"Attempt(key={value.idempotency_key}, number={value.number})"
    if isinstance(value, BaseException):
        return type(value).__name__
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if callable(value):
        return "<callback>"
    return f"<{type(value).__name__}>"


def enabled() -> bool:
    """True when ``NOTIFYSDK_TRACE_HOOKS`` is set to a true value."""
    return os.environ.get("NOTIFYSDK_TRACE_HOOKS", "").lower() in {"1", "true", "yes", "on"}


def before(hook_name: str, impls: Any, kwargs: Mapping[str, Any]) -> None:
    """Log one hook call with summarized arguments."""
    args = ", ".join(f"{k}={summarize(v)}" for k, v in kwargs.items())
    log.debug("call %s(%s) -> %d implementations", hook_name, args, len(impls))


def install(pm: pluggy.PluginManager) -> None:
    """Log every hook call on ``pm`` with summarized arguments."""

    def after(outcome: Any, hook_name: str, impls: Any, kwargs: Mapping[str, Any]) -> None:
        exc = outcome.exception
        if exc is not None:
            log.debug("hook %s raised %s", hook_name, type(exc).__name__)

    pm.add_hookcall_monitoring(before, after)
