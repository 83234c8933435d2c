"""Registers the built-in PII detectors (see :func:`notifysdk.privacy.default_detectors`):
Chinese resident IDs, Chinese mobiles, phone numbers of any country, bank cards, email
addresses, money amounts and the account's own known values."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..privacy import Detector


@hookimpl
def notifysdk_register_detectors(register: Callable[[Detector], None]) -> None:
    """Register every built-in detector (the detector modules load here, not at start-up)."""
    from ..privacy import default_detectors

    for detector in default_detectors():
        register(detector)
