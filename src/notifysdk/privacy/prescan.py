"""A cheap first look at a text that tells which detectors can possibly find anything.

Most detectors need a number of a given size (a phone number seven digits, a mobile
eleven, a card thirteen, a resident ID fifteen), a marker (``@``, a spelt-out ``at``),
or a label (``SSN``, ``护照``: the shared label index of :mod:`.labels`).
:class:`Prescan` measures those once per text, and a built-in detector's ``may_find``
reads them: when it says ``False``, the detector's ``find`` would have found nothing,
so the redactor does not call it. A detector without ``may_find`` (a plugin's) always
runs.

The number measure is a bound, never an estimate: :func:`number_stretches` counts the
digits of each stretch of digits and of every character any built-in detector lets a
number be written with (spaces, tabs, brackets, ``+``, ``.``, ``/``, ``-``), so no
number a detector reads can have more digits than the stretch it lies in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from .labels import label_beginnings
from .stretches import SHORTEST, number_stretches
from .text import fold

if TYPE_CHECKING:
    from .findings import KnownValues
    from .labels import Labelled

_ID_SHAPES = re.compile(r"[A-Z(-](?:(?<=[A-Z]) ?[0-9]|(?<=-)[0-9]{2}-[0-9]{4}|(?<=\()[0-9A]\))")
r"""Something every bare ID shape holds: a capital before a digit (NINO, IBAN, Taiwan
and Hong Kong IDs), an SSN's dashes, a bracketed check digit: the alternation
``[A-Z] ?[0-9]|-[0-9]{2}-[0-9]{4}|\([0-9A]\)`` written as a character class then
look-behinds, so that the engine skips in C to the class's characters (twice as fast on
prose)."""


_WIDE = re.compile(r"  |[\t/.]| -|- ")
"""A separator wider than one space or dash (:func:`~.text.spaced_stretches`' own)."""


@lru_cache(maxsize=32)
def may_space(folded: str) -> bool:
    """``False`` only when :func:`~.text.has_spaced_runs` is ``False`` (so
    :func:`~.text.spaced_stretches` finds nothing in ``folded``), read from the number
    stretches (cached) instead of a scan of the whole text: a spaced run is digit groups
    joined by spaces, tabs, dashes, slashes and dots (number punctuation, so the run lies
    in one stretch, between its first and last digit) with eleven digits or more and at
    least one separator that is not a single space or dash, which holds two spaces, a
    tab, a slash, a dot or a dash next to a space (:data:`_WIDE`). Cached: the mobile
    gate and three detectors ask of the same text."""
    for first, last, digits in number_stretches(folded):
        if digits >= 11 and _WIDE.search(folded, first, last) is not None:
            return True
    return False


def longest_number(folded: str) -> int:
    """The most ASCII digits in one stretch of digits and number punctuation of
    ``folded``, or 0 when no stretch has :data:`SHORTEST`: no number a detector
    reads has more."""
    return max((d for _s, _e, d in number_stretches(folded)), default=0)


class Prescan:
    """What the detectors' ``may_find`` look at, measured once per text. The folded
    text, its longest number and its label beginnings are measured at once, as plain
    attributes: every built-in set of detectors reads them, some thirty times a text,
    and a property would be a Python call on each read. The ID shapes are searched on
    first use."""

    __slots__ = ("_shapes", "digits", "folded", "known", "labels", "text")

    folded: str
    """The text folded (:func:`~notifysdk.privacy.text.fold`), as detectors read it."""
    digits: int
    """:func:`longest_number` of the folded text (0 below :data:`SHORTEST`)."""
    labels: frozenset[str]
    """The label beginnings that may be in the folded text
    (:func:`~notifysdk.privacy.labels.label_beginnings`)."""

    def __init__(self, text: str, known: KnownValues | None = None) -> None:
        self.text = text
        self.known = known
        """The account's known values the text is scanned for (``None``: not given, and
        a detector that needs them must assume it may find something)."""
        folded = self.folded = fold(text)
        stretches = number_stretches(folded)
        self.digits = max([d for _s, _e, d in stretches]) if stretches else 0
        self.labels = label_beginnings(folded)
        self._shapes: bool | None = None

    def shape(self, hint: re.Pattern[str]) -> bool:
        """Does ``hint`` (a bare ID shape's, which holds :data:`_ID_SHAPES`) match?
        One search for every shape where the text has none."""
        if self._shapes is None:
            self._shapes = _ID_SHAPES.search(self.folded) is not None
        return self._shapes and hint.search(self.folded) is not None

    def labelled(self, pattern: Labelled) -> bool:
        """May ``pattern`` find a labelled value here? (``False``: its ``finditer``
        would stop at once.)"""
        return not pattern.words.isdisjoint(self.labels)


class Gated(Protocol):
    """A detector that can tell cheaply that it would find nothing in a text."""

    def may_find(self, scan: Prescan) -> bool:
        """``False`` only when ``find`` would find nothing in ``scan.text``."""
        ...


__all__ = ["SHORTEST", "Gated", "Prescan", "longest_number", "may_space", "number_stretches"]
