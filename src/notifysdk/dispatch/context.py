"""The one frozen per-notice context that the dispatch stages pass along.

Each stage (:mod:`notifysdk.dispatch.stages`) takes a :class:`NoticeContext` and returns
the next one (with one more field filled) or an :class:`~notifysdk.models.Outcome` that
ends the notice. What a context holds is everything a later stage, ``explain``,
``preview`` or the campaign planner needs to know about the notice at that point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..frozen import fast_init
from ..models import Message, Notice, Outcome, Restriction
from ..policy import Decision, Profile, RuleContext, Verdict
from ..privacy import KnownValues
from ..reservations import Reservation

if TYPE_CHECKING:
    from ..channels import Channel, Disclosure
    from ..ledger.base import Ledger

_NO_TRAITS: Mapping[str, Any] = MappingProxyType({})
"""The content traits of a channel that declares none (see ``RuleContext.channel_traits``)."""


@fast_init
@dataclass(frozen=True)
class NoticeContext:
    """One notice on its way through the stages (immutable: a stage returns a copy)."""

    notice: Notice
    channel: Channel
    now: datetime
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    """The active compliance profiles, by name (never empty once resolved)."""
    to: str | None = None
    """The normalized destination."""
    known: KnownValues = field(default_factory=KnownValues)
    """The account's own personal values, for masking."""
    disclosure: Disclosure | None = None
    policy: Decision | None = None
    """The ``policy`` stage's decision."""
    kind: str = ""
    """The template kind to render: the notice's, or a restricting rule's variant."""
    restriction: Restriction | None = None
    """Which RESTRICT vote picked the variant ``kind`` names (``None``: not restricted)."""
    message: Message | None = None
    """The rendered, masked message."""
    content: Decision | None = None
    """The ``content`` stage's decision on the rendered message."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What the rules computed once for this notice, shared by both stages (see
    :attr:`notifysdk.policy.RuleContext.memo`); copies made by :meth:`evolve` share it."""

    def evolve(self, **changes: Any) -> NoticeContext:
        """A copy with ``changes`` (as :func:`dataclasses.replace`, without running
        ``__init__`` again: every stage makes one)."""
        if not _FIELDS.issuperset(changes):
            unknown = sorted(changes.keys() - _FIELDS)[0]
            raise TypeError(f"NoticeContext has no field {unknown!r}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def rule_context(
        self, ledger: Ledger, overrides: Mapping[str, Mapping[str, Any]]
    ) -> RuleContext:
        """What a rule sees at this point (with the message once it is rendered)."""
        return RuleContext(
            self.notice,
            self.now,
            ledger,
            self.profiles,
            to=self.to,
            message=self.message,
            # _value_: the str .value returns, without the enum property's descriptor
            channel_medium=self.channel.medium._value_,
            channel_traits=getattr(self.channel, "content_traits", _NO_TRAITS),
            overrides=overrides,
            memo=self.memo,
        )

    def restricted(self, outcome: Outcome) -> Outcome:
        """``outcome`` with this notice's :attr:`restriction` on it (every outcome of a
        notice rendered as a limited-content variant carries it)."""
        if self.restriction is None or outcome.restriction is not None:
            return outcome
        return outcome.model_copy(update={"restriction": self.restriction})

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        """Every cap slot the allowing rules of both stages asked to reserve."""
        out: tuple[Reservation, ...] = ()
        for decision in (self.policy, self.content):
            if decision is not None:
                out += _reserved(decision)
        return out


def _reserved(decision: Decision) -> tuple[Reservation, ...]:
    """``decision.reservations`` (its votes' reservations in order), without a generator
    and a tuple() per decision: the votes' own tuples joined, most of them empty. A
    Decision subclass, or a vote holding its reservations in anything but a tuple, goes
    through the property."""
    if type(decision) is not Decision:
        return decision.reservations
    out: tuple[Reservation, ...] = ()
    for vote in decision.votes:
        reserved = vote.reservations
        if type(reserved) is not tuple:
            return decision.reservations
        if reserved:
            out += reserved
    return out


_FIELDS = frozenset(f.name for f in dataclasses.fields(NoticeContext))


@fast_init
@dataclass(frozen=True)
class Prepared:
    """What :meth:`Dispatcher.prepare <notifysdk.dispatch.Dispatcher.prepare>` found:
    the context as far as it got and, when a stage ended the notice, that outcome
    (not recorded: ``prepare`` writes nothing)."""

    context: NoticeContext
    outcome: Outcome | None = None

    @property
    def ready(self) -> bool:
        """True when every stage short of the claim let the notice through."""
        return self.outcome is None

    @property
    def decision(self) -> Decision:
        """The decision that stops the notice or lets it through: a stopping content
        decision, else the policy decision (allow when no stage ran)."""
        ctx = self.context
        content = ctx.content
        if content is not None and content.verdict in (Verdict.DENY, Verdict.DEFER):
            return content
        if ctx.policy is not None:
            return ctx.policy
        return Decision(Verdict.ALLOW, None, ())
