"""Acceptance: 4 worker processes share 1,000 notices for 100 debtors on one ledger
(PostgreSQL, and a SQLite file) under the shipped ``us-regf`` profile's real frequency
cap (``regf-sms-daily-soft-cap``: 3 SMS per debt per local day, reserved atomically with
the claim): no cap exceeded, no key sent twice.

Every worker tries every notice (each in its own shuffled order, 8 at a time), so workers
race on the same keys and on the last slot under each debt's cap; the rule's own count
(the policy stage) sees a slot free that another worker takes a moment later, and only
the claim's check-and-reserve stops the fourth SMS. The peer counts what really arrived;
the ledger's counters must agree with it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from peer import RecordingPeer
from workload import CAP, NOW, debt_scope, race_notices

from notifysdk.dispatcher import open_ledger
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.durable import DurableLedger

# the workers these tests start share the test's keys (see conftest.shared_key_dir)
pytestmark = pytest.mark.usefixtures("shared_key_dir")

HERE = Path(__file__).parent
WORKERS, DEBTORS, PER_DEBTOR = 4, 100, 10


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_four_workers_never_exceed_the_cap_nor_send_a_key_twice(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        request.getfixturevalue("pg_url")
        if backend == "postgresql"
        else f"sqlite:///{tmp_path}/race.db?synchronous=normal"
    )
    if backend == "sqlite":  # create the schema once, before four processes race to
        first = open_ledger(url)
        await first.get("-")
        await first.aclose()
    peer = RecordingPeer().start()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    try:
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "race_worker.py"),
                    url,
                    peer.url,
                    str(w),
                    str(DEBTORS),
                    str(PER_DEBTOR),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=tmp_path,
            )
            for w in range(WORKERS)
        ]
        results = []
        for p in procs:
            out, err = await asyncio.to_thread(p.communicate, timeout=280)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        peer.stop()

    notices = race_notices(DEBTORS, PER_DEBTOR)
    debtor_of = {n.idempotency_key: n.recipient.person.person_id for n in notices}
    per_debtor = Counter(debtor_of[k] for k, c in peer.counts.items() for _ in range(c))
    outcomes: Counter[str] = Counter()
    for r in results:
        outcomes.update(r)
    ledger = open_ledger(url)
    assert isinstance(ledger, DurableLedger)
    try:
        states: Counter[str] = Counter()
        for n in notices:
            record = await ledger.get(n.idempotency_key)
            states[record.state.value if record else "never stored"] += 1
        day = NOW.replace(hour=5)  # the New York day, in UTC
        counted = {
            n.recipient.person.person_id: await ledger.count(
                debt_scope(n), day, day + timedelta(days=1)
            )
            for n in notices[::PER_DEBTOR]
        }
        report = await ledger.verify_audit()
    finally:
        await ledger.aclose()
    print(
        f"\nrace test ({backend}): peer messages {peer.total}, distinct keys "
        f"{len(peer.counts)}, max per debtor {max(per_debtor.values())}, ledger states "
        f"{dict(states)}, worker outcomes {dict(outcomes)}"
    )

    assert peer.duplicates == 0, "a key was sent twice"
    assert max(per_debtor.values()) <= CAP, "a debt's daily SMS cap was exceeded"
    # every debt had 10 candidates tried by 4 workers: each cap was filled exactly
    assert set(per_debtor.values()) == {CAP} and len(per_debtor) == DEBTORS
    assert states[NoticeState.DELIVERED.value] == DEBTORS * CAP
    # the rest wait for the next local day, deferred by the real cap rule
    assert states[NoticeState.DEFERRED.value] == DEBTORS * (PER_DEBTOR - CAP)
    assert set(counted.values()) == {CAP}
    assert (
        sum(v for k, v in outcomes.items() if k.startswith("delivered:-") and "dup" not in k)
        == DEBTORS * CAP
    )
    assert all(k.split(":")[1] in ("-", "frequency-cap", "ledger-claim") for k in outcomes)
    assert report.ok, report
