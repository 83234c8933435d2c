"""The one way a redactor is built from settings: the dispatcher, ``notifysdk redact`` and
``notifysdk preview`` all call :func:`configured_redactor`, so what a preview shows is what
a recipient gets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .findings import Detector
from .redactor import Redactor

if TYPE_CHECKING:
    from ..config import Settings


def public_values(settings: Settings) -> tuple[str, ...]:
    """Values in settings that are the institution's own, not personal data (its hotline):
    a detector's finding equal to one of them is left as written."""
    return tuple(v for v in (settings.institution_contact,) if v)


def configured_redactor(detectors: Iterable[Detector], settings: Settings) -> Redactor:
    """A redactor over the registered ``detectors`` that leaves ``settings``' public
    values alone."""
    return Redactor(list(detectors), public=public_values(settings))


__all__ = ["configured_redactor", "public_values"]
