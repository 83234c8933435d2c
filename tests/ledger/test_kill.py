"""Acceptance: a dispatching process SIGKILLed five times loses nothing and sends nothing
twice where the channel can reconcile (at most one duplicate per kill where it cannot).

The child (``kill_child.py``) sends 2,000 notices through a SQLite ledger to a loopback
HTTP peer that records every POST by idempotency key. Kills alternate between two
moments: inside the peer, when the Nth message arrives and before it is answered (the
provider has it, the sender never learns so: an attempt in flight), and from the test at
a random moment once the peer has seen N messages (anywhere in the child: rendering, a
ledger write, between attempts). After each kill the child is started again; it recovers
(reconciling through the channel, or applying the ``resend`` policy) and carries on.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from peer import RecordingPeer

from notifysdk.ledger.audit import verify_chain
from notifysdk.ledger.base import AuditEntry
from notifysdk.ledger.schema import from_us

HERE = Path(__file__).parent
NOTICES = 2000
KILLS = 5


def _wait_for(predicate: object, proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if proc.poll() is not None:
            return
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the child made no progress")
        time.sleep(0.005)


def _run(tmp_path: Path, mode: str, concurrency: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    peer = RecordingPeer().start()
    db = tmp_path / f"{mode}.db"
    cmd = [
        sys.executable,
        str(HERE / "kill_child.py"),
        str(db),
        peer.url,
        mode,
        str(NOTICES),
        str(concurrency),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    kills = 0
    try:
        for round_ in range(KILLS + 1):
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=tmp_path,
            )
            if round_ == KILLS:
                out, err = proc.communicate(timeout=300)
                assert proc.returncode == 0, err[-3000:]
                final = json.loads(out.strip().splitlines()[-1])
                break
            target = peer.total + rng.randint(60, 300)
            if round_ % 2 == 0:
                peer.arm_kill(proc.pid, target)
                _wait_for(lambda p=proc: p.poll() is not None, proc, 120)
                peer.disarm()
            else:
                _wait_for(lambda t=target: peer.total >= t, proc, 120)
                time.sleep(rng.uniform(0, 0.02))
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()  # type: ignore[union-attr]
            proc.stderr.close()  # type: ignore[union-attr]
            assert proc.returncode == -signal.SIGKILL, f"round {round_}: the child ended by itself"
            kills += 1
    finally:
        peer.stop()

    conn = sqlite3.connect(db)
    states = dict(conn.execute("SELECT state, COUNT(*) FROM notices GROUP BY state").fetchall())
    rows = conn.execute(
        "SELECT seq, at, event, key, detail_json, prev_hash, hash FROM audit ORDER BY seq"
    ).fetchall()
    recoveries = conn.execute("SELECT COUNT(*) FROM audit WHERE event = 'recovery'").fetchone()[0]
    conn.close()
    entries = [
        AuditEntry(r[0], from_us(r[1]), r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows
    ]
    counts = {
        "kills": kills,
        "delivered_in_ledger": states.get("delivered", 0),
        "other_states": sum(v for k, v in states.items() if k != "delivered"),
        "distinct_keys_at_peer": len(peer.counts),
        "messages_at_peer": peer.total,
        "duplicates_at_peer": peer.duplicates,
        "recovery_decisions": recoveries,
        "final_run_delivered_before": final.get("delivered-dup", 0),
    }
    print(f"\nkill test ({mode}, concurrency {concurrency}, seed {seed}): {counts}")
    assert verify_chain(entries).ok
    return counts


@pytest.mark.timeout(420)
def test_killed_five_times_reconciling_channel_no_loss_no_duplicate(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    c = _run(tmp_path, "reconcile", concurrency=8, seed=seed)
    assert c["kills"] == KILLS
    assert c["delivered_in_ledger"] == NOTICES and c["other_states"] == 0
    assert c["distinct_keys_at_peer"] == NOTICES
    assert c["duplicates_at_peer"] == 0


@pytest.mark.timeout(420)
def test_killed_five_times_blind_channel_at_most_one_duplicate_per_kill(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    c = _run(tmp_path, "blind", concurrency=1, seed=seed)
    assert c["kills"] == KILLS
    assert c["delivered_in_ledger"] == NOTICES and c["other_states"] == 0
    assert c["distinct_keys_at_peer"] == NOTICES
    assert c["duplicates_at_peer"] <= c["kills"]
    # each of the 3 kills inside the peer leaves an attempt in flight: resent once each
    assert c["duplicates_at_peer"] >= 3
