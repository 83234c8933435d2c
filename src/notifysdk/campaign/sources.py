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

A source that needs the run's settings (the ``visitletter`` plugin's ``summons-interview``
reads the office and staff of a summons interview from its channel's section) also
implements :class:`ConfigurableDataSource`: :func:`data_sources`, given the settings,
asks it for a source bound to them. The registered rule is shared by every dispatcher of
a plugin manager, so it is never changed; without settings it is used unbound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..config import Settings
from ..ledger.base import Ledger
from ..models import Notice
from ..policy import Vote

__all__ = ["ConfigurableDataSource", "NoticeDataSource", "data_sources"]


@runtime_checkable
class NoticeDataSource(Protocol):
    """A registered rule that can supply ``notice.data`` for campaign notices."""

    name: str

    async def campaign_data(
        self, notice: Notice, ledger: Ledger, now: datetime
    ) -> Mapping[str, Any] | Vote | None:
        """Data to add to ``notice.data``, a denying vote, or ``None`` (nothing to add)."""
        ...


@runtime_checkable
class ConfigurableDataSource(Protocol):
    """A registered rule that supplies ``notice.data`` from the run's settings."""

    name: str

    def with_settings(self, settings: Settings) -> NoticeDataSource:
        """A data source bound to ``settings`` (a new object: the rule is left as it is)."""
        ...


def data_sources(
    rules: Iterable[object], settings: Settings | None = None
) -> list[NoticeDataSource]:
    """The rules among ``rules`` that are notice data sources, in registration order;
    given ``settings``, each :class:`ConfigurableDataSource` is bound to them."""
    out: list[NoticeDataSource] = []
    for rule in rules:
        if settings is not None and isinstance(rule, ConfigurableDataSource):
            out.append(rule.with_settings(settings))
        elif isinstance(rule, NoticeDataSource):
            out.append(rule)
    return out
