"""The dispatch path: one pipeline of small stages over one frozen per-notice context.

- :mod:`.context` — :class:`NoticeContext`, :class:`Prepared`;
- :mod:`.stages` — profiles → destination → policy → render and privacy → content, and
  ``prepare``, which runs them (public: ``explain``, ``preview``, the planner, benches);
- :mod:`.delivery` — claim with attempt 1, attempts with fencing and reconciliation of
  ambiguous ones, the outcome recorded with its audit entry in one transaction;
- :mod:`.recovery` — crash recovery, the due list, re-drives;
- :mod:`.dispatcher` — :class:`Dispatcher`, which owns the resources and the above.
"""

from .context import NoticeContext, Prepared
from .dispatcher import Dispatcher, open_ledger
from .recovery import RecoveryReport

__all__ = ["Dispatcher", "NoticeContext", "Prepared", "RecoveryReport", "open_ledger"]
