"""The synthetic notice the reference pages render their examples for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Notice

NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
"""The instant the examples are rendered at (fixed, so the pages do not change daily)."""

INSTITUTION_CONTACT = "1-800-555-0100"
"""The ``institution_contact`` setting of the examples."""


def sample_notice() -> Notice:
    """An ``overdue_notice`` by SMS for the synthetic ``en`` / USD / ``us-regf`` account
    of :func:`notifysdk.testing.sample_account` (no real person)."""
    from ..testing import sample_account
    from ..testing import sample_notice as notice

    account = sample_account(
        locale="en",
        profiles=("us-regf",),
        currency="USD",
        phone="+12125550123",
        time_zone="America/New_York",
        country="US",
    )
    return notice(account=account, channel="capture-sms", locale="en")


def sample_context() -> dict[str, Any]:
    """What a template sees for :func:`sample_notice` at :data:`NOW`."""
    from ..templating import notice_context

    return notice_context(sample_notice(), now=NOW, institution_contact=INSTITUTION_CONTACT)
