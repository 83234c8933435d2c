"""The built-in events plugin: every ``notifysdk_on_attempt`` and
``notifysdk_on_outcome`` counted in the SDK's Prometheus metrics
(:mod:`notifysdk.observability.metrics`). A no-op without prometheus-client. Registered
like every built-in (``notifysdk.plugins.DEFAULT_PLUGINS``); disable it with
``NOTIFYSDK_DISABLE_PLUGINS=notifysdk.observability.events``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..channels import Attempt
    from ..models import Notice, Outcome


@hookimpl
def notifysdk_on_attempt(notice: Notice, attempt: Attempt, error: BaseException | None) -> None:
    """Count the attempt, its retry and its latency."""
    from .metrics import sdk_metrics  # not at registration: `notifysdk --help` stays light

    m = sdk_metrics()
    if m is not None:
        m.observe_attempt(attempt, error)


@hookimpl
def notifysdk_on_outcome(notice: Notice, outcome: Outcome) -> None:
    """Count the outcome by status, rule and channel."""
    from .metrics import sdk_metrics

    m = sdk_metrics()
    if m is not None:
        m.observe_outcome(outcome)
