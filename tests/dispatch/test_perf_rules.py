"""The rule machinery's fast paths (issue 13) give what the general paths gave.

``run_rules`` awaits an ``async def`` rule's coroutine without inspect's generic check,
and ``in_force`` reads its per-notice memo with the identity check written out: a
memo must never serve the profiles of another context, and a caller changing the list
it got must not change what the next rule gets.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from notifysdk.compliance.rules.base import in_force
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.plugins import get_plugin_manager
from notifysdk.policy import RuleContext, Verdict, Vote, run_rules
from notifysdk.testing import sample_notice

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _ctx(profiles: dict[str, Any], memo: dict[str, Any]) -> RuleContext:
    return RuleContext(
        sample_notice(1), NOW, MemoryLedger(), profiles, channel_medium="sms", memo=memo
    )


def test_in_force_is_recomputed_for_other_profiles_sharing_the_memo() -> None:
    known = get_plugin_manager().registry().profiles
    memo: dict[str, Any] = {}
    cn = {"cn": known["cn"]}
    both = {"cn": known["cn"], "us-regf": known["us-regf"]}
    first = in_force(_ctx(cn, memo))
    assert [p.name for p in first] == ["cn"]
    # Another mapping (even with equal content) is other inputs: never the kept value.
    assert [p.name for p in in_force(_ctx(both, memo))] == ["cn", "us-regf"]
    assert [p.name for p in in_force(_ctx(dict(cn), memo))] == ["cn"]


def test_in_force_hands_out_a_list_the_caller_may_change() -> None:
    known = get_plugin_manager().registry().profiles
    ctx = _ctx({"cn": known["cn"], "us-regf": known["us-regf"]}, {})
    got = in_force(ctx)
    got.clear()
    assert [p.name for p in in_force(ctx)] == ["cn", "us-regf"]


class _Rule:
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"
    citation = "test"

    def __init__(self, name: str, make: Any) -> None:
        self.name = name
        self._make = make

    def evaluate(self, ctx: RuleContext) -> Any:
        return self._make(self.name)


async def _coroutine(vote: Vote) -> Vote:
    await asyncio.sleep(0)
    return vote


def _future(vote: Vote | None) -> asyncio.Future[Vote | None]:
    fut: asyncio.Future[Vote | None] = asyncio.get_running_loop().create_future()
    fut.set_result(vote)
    return fut


async def test_run_rules_awaits_coroutines_and_other_awaitables_alike() -> None:
    rules = [
        _Rule("plain", lambda n: Vote.allow(n)),
        _Rule("abstains", lambda n: None),
        _Rule("coroutine", lambda n: _coroutine(Vote.defer(n, "*", "later", NOW))),
        _Rule("future", lambda n: _future(Vote.deny(n, "*", "no"))),
        _Rule("future-abstains", lambda n: _future(None)),
    ]
    decision = await run_rules(rules, _ctx({}, {}))
    assert [v.rule for v in decision.votes] == ["plain", "coroutine", "future"]
    assert decision.verdict is Verdict.DENY
    assert decision.deciding is not None and decision.deciding.rule == "future"
