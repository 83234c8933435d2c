"""Acceptance: 4 worker processes share 1,000 notices for 100 debtors on one PostgreSQL
ledger under a cap of 3 contacts per debtor per day: no cap exceeded, no key sent twice.

Every worker tries every notice (each in its own shuffled order, 8 at a time), so workers
race on the same keys and on the last slot under each debtor's cap. The peer counts what
really arrived; the ledger's counters must agree with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from peer import RecordingPeer
from workload import race_notices

HERE = Path(__file__).parent
WORKERS, DEBTORS, PER_DEBTOR, CAP = 4, 100, 10, 3


@pytest.mark.timeout(300)
def test_four_workers_never_exceed_the_cap_nor_send_a_key_twice(
    pg_url: str, tmp_path: Path
) -> None:
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
                    pg_url,
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
            out, err = p.communicate(timeout=280)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        peer.stop()

    debtor_of = {
        n.idempotency_key: n.recipient.person.person_id for n in race_notices(DEBTORS, PER_DEBTOR)
    }
    per_debtor = Counter(debtor_of[k] for k, c in peer.counts.items() for _ in range(c))
    with psycopg.connect(pg_url) as conn:
        states = dict(conn.execute("SELECT state, COUNT(*) FROM notices GROUP BY state").fetchall())
        counted = dict(
            conn.execute("SELECT scope, COUNT(*) FROM contacts GROUP BY scope").fetchall()
        )
    outcomes: Counter[str] = Counter()
    for r in results:
        outcomes.update(r)
    print(
        f"\nrace test: peer messages {peer.total}, distinct keys {len(peer.counts)}, "
        f"max per debtor {max(per_debtor.values())}, ledger states {states}, "
        f"worker outcomes {dict(outcomes)}"
    )

    assert peer.duplicates == 0, "a key was sent twice"
    assert max(per_debtor.values()) <= CAP, "a debtor's daily cap was exceeded"
    # every debtor had 10 candidates tried by 4 workers: each cap was filled exactly
    assert set(per_debtor.values()) == {CAP} and len(per_debtor) == DEBTORS
    assert states.get("delivered") == DEBTORS * CAP
    assert all(counted[f"debtor:{d}"] == CAP for d in per_debtor)
    assert (
        sum(v for k, v in outcomes.items() if k.startswith("delivered:-") and "dup" not in k)
        == DEBTORS * CAP
    )
