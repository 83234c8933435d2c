"""Tencent Cloud's approved templates: the approved text's ``{1}``, ``{2}``…
placeholders, whose values travel as ``TemplateParamSet`` in placeholder order; the
matching engine is the SDK's, :mod:`notifysdk.approved_templates`."""

from __future__ import annotations

from typing import Self

from notifysdk.plugin import (
    NUMBERED_BRACES,
    NoApprovedTemplateError,
    PlaceholderSyntax,
    SegmentCount,
    TemplateMismatchError,
    TemplateParamError,
    count_segments,
    split_sign,
)
from notifysdk.plugin import ApprovedTemplate as _Approved

SYNTAX = NUMBERED_BRACES
"""Tencent Cloud's variable syntax: ``{1}``, ``{2}``… numbered without gaps."""


class ApprovedTemplate(_Approved):
    """An approved Tencent template (``{n}`` placeholders unless told otherwise)."""

    @classmethod
    def parse(cls, name: str, code: str, text: str, syntax: PlaceholderSyntax = SYNTAX) -> Self:
        """Split ``text`` at its ``{n}`` placeholders (see the SDK's parse)."""
        return super().parse(name, code, text, syntax)


__all__ = [
    "SYNTAX",
    "ApprovedTemplate",
    "NoApprovedTemplateError",
    "SegmentCount",
    "TemplateMismatchError",
    "TemplateParamError",
    "count_segments",
    "split_sign",
]
