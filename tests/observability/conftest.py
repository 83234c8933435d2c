"""Observability tests run their dispatchers at 10:00 in Shanghai on a Monday."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifysdk.clock import FakeClock


@pytest.fixture
def notifysdk_clock() -> FakeClock:
    """10:00 in Shanghai on a Monday: inside every contact window."""
    return FakeClock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
