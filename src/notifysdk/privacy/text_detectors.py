"""Detectors for personal data written as text: email addresses (:mod:`.emails`), money
amounts (:mod:`.money`), and an account's own known values — names, addresses, loan
ids, amounts — in whatever form they are written (:mod:`.known_match`).

Kept as the place these detectors were first imported from.
"""

from __future__ import annotations

from .emails import EmailDetector
from .known_match import KnownValuesDetector
from .money import MoneyDetector

__all__ = ["EmailDetector", "KnownValuesDetector", "MoneyDetector"]
