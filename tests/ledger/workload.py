"""What the kill and race children send: synthetic notices, a minimal plugin set, and a
daily cap rule for the race test. Shared by the child scripts and the tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from notifysdk.hookspecs import hookimpl
from notifysdk.models import Notice
from notifysdk.plugins import PluginManager
from notifysdk.policy import Reservation, Rule, RuleContext, Vote
from notifysdk.testing import sample_account, sample_notice

CHANNEL = "peer-sms"
# Only what rendering needs: the tests must not depend on the compliance rules that
# other modules register (contact hours would make them depend on the time of day).
BUILTINS = ("notifysdk.builtin.templates", "notifysdk.builtin.ledgers")


def plugin_manager(*extra: object) -> PluginManager:
    """Built-ins needed to render, no entry points, plus ``extra`` plugins."""
    pm = PluginManager(load_entry_points=False, builtins=BUILTINS)
    for i, plugin in enumerate(extra):
        pm.register(plugin, f"workload-{i}")
    return pm


def kill_notices(n: int) -> list[Notice]:
    """``n`` notices to ``n`` different debtors."""
    return [sample_notice(i, channel=CHANNEL) for i in range(1, n + 1)]


def race_notices(debtors: int, per_debtor: int) -> list[Notice]:
    """``per_debtor`` distinct notices (distinct keys) for each of ``debtors`` debtors."""
    out = []
    for d in range(1, debtors + 1):
        account = sample_account(d)
        out.extend(
            sample_notice(d, channel=CHANNEL, account=account, data={"n": i})
            for i in range(per_debtor)
        )
    return out


class DailyCap:
    """Test rule: at most ``limit`` contacts per debtor per UTC day, reserved at claim."""

    name = "test-daily-cap"
    citation = "test"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def __init__(self, limit: int = 3) -> None:
        self.limit = limit

    def evaluate(self, ctx: RuleContext) -> Vote:
        """Allow, asking the ledger to reserve one of today's slots."""
        start = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1)
        res = Reservation(
            self.name,
            "*",
            f"debtor:{ctx.notice.recipient.person.person_id}",
            self.limit,
            start,
            end,
            next_free=end,
        )
        return Vote.allow(self.name, reservations=(res,))


class CapPlugin:
    """Registers :class:`DailyCap`."""

    def __init__(self, limit: int = 3) -> None:
        self.limit = limit

    @hookimpl
    def notifysdk_register_rules(self, register: Callable[[Rule], None]) -> None:
        """Register the cap."""
        register(DailyCap(self.limit))
