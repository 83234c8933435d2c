"""Registers the built-in PII detectors (see :func:`notifysdk.privacy.default_detectors`):
Chinese resident IDs, Chinese mobiles, phone numbers of any country, bank cards, email
addresses, money amounts and the account's own known values."""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..privacy import Detector, default_detectors


@hookimpl
def notifysdk_register_detectors(register: Callable[[Detector], None]) -> None:
    """Register every built-in detector."""
    for detector in default_detectors():
        register(detector)
