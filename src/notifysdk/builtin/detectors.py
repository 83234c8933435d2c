"""Registers the built-in PII detectors."""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..privacy import Detector, KnownValuesDetector


@hookimpl
def notifysdk_register_detectors(register: Callable[[Detector], None]) -> None:
    """The account's own values found verbatim."""
    register(KnownValuesDetector())
