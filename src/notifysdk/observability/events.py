"""The built-in events plugin: every ``notifysdk_on_attempt`` and
``notifysdk_on_outcome`` counted in the SDK's Prometheus metrics
(:mod:`notifysdk.observability.metrics`). A no-op without prometheus-client. Registered
like every built-in (``notifysdk.plugins.DEFAULT_PLUGINS``); disable it with
``NOTIFYSDK_DISABLE_PLUGINS=notifysdk.observability.events``."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..channels import Attempt
    from ..models import Notice, Outcome
    from .metrics import SdkMetrics

_METRICS: list[ModuleType] = []
""":mod:`notifysdk.observability.metrics`, once imported: not at registration, so
``notifysdk --help`` stays light; and not by an import statement in each hook, which ran
the import machinery twice per notice (~0.6 us each)."""


def _sdk_metrics() -> SdkMetrics | None:
    """:func:`~notifysdk.observability.metrics.sdk_metrics` (looked up on its module at
    every call, as the import statement did)."""
    if not _METRICS:
        from . import metrics

        _METRICS.append(metrics)
    found: SdkMetrics | None = _METRICS[0].sdk_metrics()
    return found


@hookimpl
def notifysdk_on_attempt(notice: Notice, attempt: Attempt, error: BaseException | None) -> None:
    """Count the attempt, its retry and its latency."""
    m = _sdk_metrics()
    if m is not None:
        m.observe_attempt(attempt, error)


@hookimpl
def notifysdk_on_outcome(notice: Notice, outcome: Outcome) -> None:
    """Count the outcome by status, rule and channel."""
    m = _sdk_metrics()
    if m is not None:
        m.observe_outcome(outcome)
