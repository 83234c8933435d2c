"""Issue 17 QA: the README's "Account events" and "Call outcomes and reachability"
examples run as written and do what the sections say (tests/core/test_readme.py runs
only the example with ``Dispatcher(``). SQLite and PostgreSQL."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from notifysdk.clock import FakeClock
from notifysdk.compliance.explain import explain
from notifysdk.compliance.profiles import CN
from notifysdk.compliance.reachability import reachability
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus

from .conftest import cn_account, notice_for, utc

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
NIGHT = utc("2026-01-05T23:30:00+08:00")


def _example(title: str) -> str:
    section = README.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return code


async def _run(code: str, **names: Any) -> None:
    """Run a README snippet (top-level ``await``) with ``names`` bound."""
    imports = [line for line in code.splitlines() if line.startswith("from ")]
    body = [line for line in code.splitlines() if line and not line.startswith("from ")]
    source = (
        "\n".join(imports) + "\nasync def _example():\n" + textwrap.indent("\n".join(body), "    ")
    )
    scope: dict[str, Any] = dict(names)
    exec(compile(source, "README.md", "exec"), scope)
    await scope["_example"]()


async def test_the_account_events_example_stops_the_debt(
    build: Callable[..., Dispatcher], fake_clock: FakeClock
) -> None:
    fake_clock.set(NIGHT)
    d = build()
    account = cn_account()
    pending = notice_for(account, "sms")
    assert (await d.send(pending)).status is OutcomeStatus.DEFERRED
    await _run(_example("Account events"), dispatcher=d, account=account, now=NIGHT)
    record = await d.ledger.get(pending.idempotency_key)
    assert record is not None and record.state.value == "blocked"
    fake_clock.set(NIGHT + timedelta(hours=10))
    later = notice_for(account, "sms", data={"later": True})
    shown = await explain(d, later, d.clock.now())
    paid = [r for r in shown.rows if r.rule == "account-state" and r.verdict == "deny"]
    assert paid and "paid" in paid[0].reason
    out = await d.send(later)
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "account-state")


async def test_the_call_outcomes_example_records_a_busy_call_and_a_consent(
    build: Callable[..., Dispatcher],
) -> None:
    d = build()
    account = cn_account()
    now = utc("2026-01-05T10:00:00+08:00")
    await _run(
        _example("Call outcomes and reachability"), ledger=d.ledger, account=account, now=now
    )
    found = await reachability(
        d.ledger, account, now + timedelta(minutes=1), CN.params["reachability"]
    )
    assert found.failures_by_outcome == {"busy": 1}
    from notifysdk.compliance.scopes import consent_age

    assert await consent_age(d.ledger, account, now + timedelta(hours=1)) == timedelta(hours=1)
