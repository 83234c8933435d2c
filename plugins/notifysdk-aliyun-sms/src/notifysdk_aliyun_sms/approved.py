"""Aliyun's approved templates: the approved text's ``${name}`` placeholders; the
matching engine (parameters read out of the rendered message, the first difference
named when it drifted) is the SDK's, :mod:`notifysdk.approved_templates`."""

from __future__ import annotations

from notifysdk.plugin import (
    DOLLAR_BRACES,
    ApprovedTemplate,
    NoApprovedTemplateError,
    SegmentCount,
    TemplateMismatchError,
    TemplateParamError,
    count_segments,
    split_sign,
)

SYNTAX = DOLLAR_BRACES
"""Aliyun's variable syntax: ``${name}`` (:class:`ApprovedTemplate`'s default)."""

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
