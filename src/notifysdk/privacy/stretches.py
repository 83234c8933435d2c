"""The stretches of digits and number punctuation in a folded text, where every number
a detector reads without a label lies (:mod:`.prescan` measures texts with them, and
:mod:`.text` looks for spaced runs only inside them). A module of its own, which imports
nothing of the package, so that both may use it without importing each other."""

from __future__ import annotations

import re
from functools import lru_cache

SHORTEST = 7
"""No built-in detector reads a number of fewer digits without a label (phone numbers
have seven at least)."""
_SEPARATORS = " \t()+./-"
_STRETCH = re.compile(rf"[0-9][0-9 \t()+./-]{{{SHORTEST - 1},}}")  # _SEPARATORS
"""Seven characters or more of digits and number punctuation from a digit
(``+86 (138) 0013-8000``, ``2026/03/07 10``): one character-class run, which the engine
scans fast; a shorter stretch has no match anywhere in it (and costs no Python step)."""
_PUNCTUATION = str.maketrans("", "", _SEPARATORS)


@lru_cache(maxsize=32)
def number_stretches(folded: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, digits) of each stretch of digits joined by number punctuation in
    ``folded`` (from its first digit to its last) with :data:`SHORTEST` ASCII digits or
    more: every number a detector reads without a label lies inside one (or starts with
    a ``+`` or ``(`` just before one)."""
    out: list[tuple[int, int, int]] = []
    for m in _STRETCH.finditer(folded):
        stretch = m.group()
        # The separators after the last digit hold none: count the digits first.
        digits = len(stretch.translate(_PUNCTUATION))
        if digits >= SHORTEST:
            start = m.start()
            out.append((start, start + len(stretch.rstrip(_SEPARATORS)), digits))
    return tuple(out)


__all__ = ["SHORTEST", "number_stretches"]
