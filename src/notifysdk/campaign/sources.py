"""Notice data a campaign cannot know from the portfolio, supplied by registered rules.

Some stages need facts that live in the ledger, not in the portfolio row: a visit
letter needs the slot, place and staff of the appointment an agent booked by phone. A
rule that checks such a fact may also *supply* it: a registered rule that implements
:class:`NoticeDataSource` is asked, before each campaign notice is sent, for data to
add to ``notice.data``. It answers with

- ``None``: nothing to add (not its kind of notice, or the stage already has the data);
- a mapping: merged over the stage's ``data``;
- a :class:`~notifysdk.policy.Vote` that denies: the notice is not sent and ends
  ``blocked`` with that rule and reason (the run goes on). It is not recorded in the
  ledger, so a later run the same day sends it once the fact is on record.

The campaign never imports a plugin: sources are found among the rules the plugins
registered (the ``visitletter`` plugin's ``visit-appointment`` rule supplies visits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..ledger.base import Ledger
from ..models import Notice
from ..policy import Vote

__all__ = ["NoticeDataSource", "data_sources"]


@runtime_checkable
class NoticeDataSource(Protocol):
    """A registered rule that can supply ``notice.data`` for campaign notices."""

    name: str

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """Data to add to ``notice.data``, a denying vote, or ``None`` (nothing to add)."""
        ...


def data_sources(rules: Iterable[object]) -> list[NoticeDataSource]:
    """The rules among ``rules`` that are notice data sources, in registration order."""
    return [r for r in rules if isinstance(r, NoticeDataSource)]
