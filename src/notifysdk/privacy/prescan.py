"""A cheap first look at a text that tells which detectors can possibly find anything.

Most detectors need a number of a given size (a phone number seven digits, a mobile
eleven, a card thirteen, a resident ID fifteen), or a marker (``@``, a spelt-out
``at``). :class:`Prescan` measures those once per text, and a
built-in detector's ``may_find`` reads them: when it says ``False``, the detector's
``find`` would have found nothing, so the redactor does not call it. A detector
without ``may_find`` (a plugin's) always runs.

The number measure is a bound, never an estimate: :func:`longest_number` counts the
digits of each stretch of digits and of every character any built-in detector lets a
number be written with (spaces, tabs, brackets, ``+``, ``.``, ``/``, ``-``), so no
number a detector reads can have more digits than it says.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Protocol

from .text import fold

_STRETCH = re.compile(r"[0-9](?:[ \t()+./-]*[0-9])*")
"""Digits joined by number punctuation (``+86 (138) 0013-8000``, ``2026/03/07 10``)."""
_PUNCTUATION = str.maketrans("", "", " \t()+./-")


@lru_cache(maxsize=32)
def longest_number(folded: str) -> int:
    """The most ASCII digits in one stretch of digits and number punctuation of
    ``folded`` (0 without digits): no number a detector reads has more."""
    best = 0
    for stretch in _STRETCH.findall(folded):
        if len(stretch) > best:  # a stretch never has more digits than characters
            best = max(best, len(stretch.translate(_PUNCTUATION)))
    return best


class Prescan:
    """What the detectors' ``may_find`` look at, measured once per text (lazily)."""

    __slots__ = ("__dict__", "text")

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def folded(self) -> str:
        """The text folded (:func:`~notifysdk.privacy.text.fold`), as detectors read it."""
        return fold(self.text)

    @cached_property
    def digits(self) -> int:
        """:func:`longest_number` of the folded text."""
        return longest_number(self.folded)


class Gated(Protocol):
    """A detector that can tell cheaply that it would find nothing in a text."""

    def may_find(self, scan: Prescan) -> bool:
        """``False`` only when ``find`` would find nothing in ``scan.text``."""
        ...


__all__ = ["Gated", "Prescan", "longest_number"]
