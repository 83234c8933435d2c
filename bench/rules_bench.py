"""Rule checks per second with a warm ledger, against a baseline in the same run.

Warms a MemoryLedger with 30 days of contact history (calls, conversations, messages)
for many accounts under cn, us-regf(+us-ma/us-wa) and uk-conc, then evaluates the
policy and content stages for one notice per account:

- ``compliance``: every registered rule (the compliance engine + the shared rules);
- ``baseline``: the two shared rules only (``notifysdk.builtin.rules``), on the same
  notices, contexts and ledger.

Prints notices/s and rule votes/s for both and the ratio. Run:
``.venv/bin/python bench/rules_bench.py [ACCOUNTS]``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "")

from notifysdk.builtin.rules import InstitutionIdentity, OptedOutDestination
from notifysdk.clock import FakeClock
from notifysdk.compliance.scopes import CallOutcome, record_call
from notifysdk.config import Settings
from notifysdk.dispatch.context import NoticeContext
from notifysdk.dispatch.stages import build_message, destination_stage, profiles_stage
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Notice, Recipient, Role
from notifysdk.plugins import PluginManager
from notifysdk.policy import Rule, RuleContext, evaluate
from notifysdk.testing import MockChannel, sample_account

NOW = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
PROFILES = [("cn",), ("us-regf",), ("us-regf", "us-ma"), ("us-regf", "us-wa"), ("uk-conc",)]


def _account(i: int):
    profiles = PROFILES[i % len(PROFILES)]
    if profiles == ("cn",):
        return sample_account(i)
    phone, tz = (
        ("+447911123456", "Europe/London")
        if profiles == ("uk-conc",)
        else ("+12125550100", "America/New_York")
    )
    return sample_account(
        i, profiles=profiles, locale="en", currency="USD", phone=phone, time_zone=tz, country="US"
    )


async def _contexts(n: int) -> tuple[list[tuple[RuleContext, RuleContext]], Dispatcher]:
    clock = FakeClock(NOW)
    ledger = MemoryLedger()
    pm = PluginManager(load_entry_points=False)
    sms = MockChannel(name="sms", medium=Medium.SMS, clock=clock)
    d = Dispatcher(Settings(), plugins=pm, clock=clock, ledger=ledger, channels={"sms": sms})
    pairs = []
    for i in range(n):
        acc = _account(i)
        number = acc.debtor.contacts[0].value
        for day in range(30):  # a warm ledger: one to three calls a day for 30 days
            for k in range(1 + (i + day) % 3):
                outcome = [CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL, CallOutcome.CONNECTED][k]
                await record_call(
                    ledger, acc, acc.debtor, number, outcome, NOW - timedelta(days=day, hours=k)
                )
        notice = Notice(
            kind="overdue_notice",
            channel="sms",
            account=acc,
            recipient=Recipient(person=acc.debtor, role=Role.DEBTOR),
        )
        to = d.destination(notice)
        profiles = {p: d.registry.profiles[p] for p in notice.effective_profiles}
        # Rendered whatever the policy stage would say (as explain does for its content
        # votes): the bench times both stages on every notice.
        ctx = NoticeContext(notice=notice, channel=sms, now=NOW)
        for stage in (profiles_stage, destination_stage):
            step = await stage(d.pipeline, ctx)
            assert isinstance(step, NoticeContext)
            ctx = step
        message, _ = build_message(d.pipeline, ctx)
        assert message is not None
        pairs.append(
            (
                RuleContext(notice, NOW, ledger, profiles, to=to, channel_medium="sms"),
                RuleContext(
                    notice, NOW, ledger, profiles, to=to, message=message, channel_medium="sms"
                ),
            )
        )
    return pairs, d


async def _measure(rules: list[Rule], pairs, rounds: int) -> tuple[float, int]:
    votes = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for pctx, cctx in pairs:
            votes += len((await evaluate(rules, pctx, "policy")).votes)
            votes += len((await evaluate(rules, cctx, "content")).votes)
    return time.perf_counter() - start, votes


async def main(n: int) -> None:
    pairs, d = await _contexts(n)
    full: list[Rule] = list(d.registry.rules.values())
    base: list[Rule] = [OptedOutDestination(), InstitutionIdentity()]
    await _measure(full, pairs[:20], 1)  # warm caches (zones, regexes, profiles)
    rounds = 3
    t_full, v_full = await _measure(full, pairs, rounds)
    t_base, v_base = await _measure(base, pairs, rounds)
    checks = n * rounds
    contacts = sum(len(v) for v in d.ledger._contacts.values())  # type: ignore[attr-defined]
    print(f"accounts {n}, warm ledger {contacts} contacts, {rounds} rounds, {len(full)} rules")
    print(
        f"compliance: {checks / t_full:10.0f} notices/s  {v_full / t_full:10.0f} votes/s  "
        f"{t_full / checks * 1e6:8.1f} us/notice"
    )
    print(
        f"baseline:   {checks / t_base:10.0f} notices/s  {v_base / t_base:10.0f} votes/s  "
        f"{t_base / checks * 1e6:8.1f} us/notice"
    )
    print(f"ratio (compliance time / baseline time per notice): {t_full / t_base:.1f}x")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
