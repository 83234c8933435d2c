"""Shared bits of the example scripts: ``--now`` parsing (a fixed clock)."""

from __future__ import annotations

import argparse
from datetime import datetime

from notifysdk import Clock, FakeClock, SystemClock


def clock_from_args(description: str, argv: list[str] | None = None) -> Clock:
    """Parse ``--now ISO`` (fixes the clock, as ``notifysdk run --now`` does)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--now", help="fix the clock, e.g. 2026-01-05T02:00:00+00:00")
    args = parser.parse_args(argv)
    if not args.now:
        return SystemClock()
    instant = datetime.fromisoformat(args.now)
    if instant.tzinfo is None:
        parser.error("--now needs a time zone (…+08:00 or …Z)")
    return FakeClock(instant)
