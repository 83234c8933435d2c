"""The email detector: addresses as written, next to Chinese text or not."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .findings import Finding, KnownValues
from .text import fold

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)


class EmailDetector:
    """Email addresses (ASCII, full-width folded), next to Chinese text or not."""

    name = "email"
    kind = "email"

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every email address in ``text``."""
        if "@" not in text and "\uff20" not in text:
            return
        for m in _EMAIL.finditer(fold(text)):
            yield Finding(self.kind, m.start(), m.end(), self.name)
