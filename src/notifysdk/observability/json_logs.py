"""One JSON object per log line, made from a record the redaction filter has masked.

Only these keys are written, never a record's other attributes (an ``extra=`` value
would pass the filter unmasked): ``time`` (UTC, ISO 8601, milliseconds), ``level``,
``logger``, ``message``, and ``exception`` / ``stack`` when the record has them. A
record that reaches the formatter unmasked (a handler without the filter) is masked
here first: the formatter fails closed.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from .. import redaction_logging


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON (``ensure_ascii=False``)."""

    def format(self, record: logging.LogRecord) -> str:
        """The masked record as JSON."""
        if not getattr(record, "_notifysdk_redacted", False):
            redaction_logging.install().filter(record)
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)
