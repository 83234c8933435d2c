"""Acceptance: a dispatching process SIGKILLed at each step of a notice, on SQLite and on
PostgreSQL, then restarted: 0 notices lost, 0 duplicated at the peer when the channel can
reconcile (at most one per kill when it cannot and ``resend`` is the policy), and 0
outcomes without their audit entry.

The child (``kill_child.py``) sends the kill workload (4 debtors x 3 notices under the
shipped ``us-regf`` profile with the real rules: contact window, the 3-SMS-a-day cap
reserved at claim, content rules) one at a time, on a fixed clock inside contact hours,
to a loopback peer (``peer.py``) that stores every message by key; the channel's
``reconcile`` asks the peer what it stored. The child dies at one step of the 5th notice:

``claimed``
    the claim committed (attempt 1 in flight, the cap slot reserved); the provider was
    not called.
``accepted``
    the peer stored the message and kills the child before answering: the receipt
    exists at the provider only.
``before_finish``
    the child holds the receipt (``notifysdk_on_attempt`` ran); the outcome transaction
    has not begun.
``in_finish``
    inside the outcome transaction, right before its commit: the notice row already
    says delivered and the attempt ``ok``, the audit entry is being written (SQLite:
    at its ``INSERT INTO audit``; PostgreSQL: a trigger holds that insert while the
    test kills the child and its server backend).

"Between the attempt end and finish" is no longer a distinct point: under the ledger
contract (``notifysdk.ledger.base``) the last attempt's end, the outcome, its
transition and its audit entry commit in one transaction, so the nearest points are the
two on either side of ``BEGIN`` (``before_finish``) and of ``COMMIT`` (``in_finish``).
Each test checks that the ledger is left exactly as that point implies (the 5th key
claimed, its attempt in flight, no outcome, no outcome transition), then restarts the
child, which recovers and finishes the workload.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from peer import RecordingPeer
from workload import CAP, NOW, debt_scope, kill_notices

from notifysdk.dispatcher import open_ledger
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.durable import DurableLedger

# the workers these tests start share the test's keys (see conftest.shared_key_dir)
pytestmark = pytest.mark.usefixtures("shared_key_dir")

HERE = Path(__file__).parent
DEBTORS = 4
K = 5  # the notice (1-based, in send order) at which the child dies
OUTCOME_STATES = {"delivered", "deferred", "blocked", "failed", "dead_lettered"}
POINTS = ("claimed", "accepted", "before_finish", "in_finish")

# What recovery decides about the interrupted notice, and how many copies the peer ends
# up with beyond the first: a reconciling channel asks the peer, a blind one resends.
EXPECTED = {
    ("reconcile", "claimed"): ("reconciled_not_sent", 0),
    ("reconcile", "accepted"): ("reconciled_sent", 0),
    ("reconcile", "before_finish"): ("reconciled_sent", 0),
    ("reconcile", "in_finish"): ("reconciled_sent", 0),
    ("blind", "claimed"): ("unknown_resend", 0),
    ("blind", "accepted"): ("unknown_resend", 1),
    ("blind", "before_finish"): ("unknown_resend", 1),
    ("blind", "in_finish"): ("unknown_resend", 1),
}


def _wait_for(predicate: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"the child ended before {what}: {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the child never reached {what}")
        time.sleep(0.005)


def _child(
    url: str, peer: RecordingPeer, mode: str, point: str, cwd: Path
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [sys.executable, str(HERE / "kill_child.py"), url, peer.url, mode, str(DEBTORS)]
    return subprocess.Popen(
        [*cmd, point, str(K)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )


class _PgHold:
    """Holds the K-th notice's outcome transaction open on PostgreSQL: a trigger on the
    audit table sleeps in that insert, so the test can kill the child mid-transaction."""

    def __init__(self, url: str, key: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.url = url
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION kill_test_hold() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.event = 'outcome' AND NEW.key = '{key}' THEN "
                "PERFORM pg_sleep(300); END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.execute(
                "CREATE TRIGGER kill_test_hold BEFORE INSERT ON audit "
                "FOR EACH ROW EXECUTE FUNCTION kill_test_hold()"
            )

    def sleeping(self) -> list[int]:
        with self.psycopg.connect(self.url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                "AND datname = current_database()"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def end(self, pids: list[int]) -> None:
        """Terminate the dead child's backend (rolling its transaction back, as the server
        does once it notices the lost client) and drop the trigger."""
        with self.psycopg.connect(self.url, autocommit=True) as conn:
            for pid in pids:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
            conn.execute("DROP TRIGGER kill_test_hold ON audit")
            conn.execute("DROP FUNCTION kill_test_hold()")


async def _open(url: str) -> DurableLedger:
    ledger = open_ledger(url)
    assert isinstance(ledger, DurableLedger)
    return ledger


async def _outcome_bookkeeping(
    ledger: DurableLedger, keys: list[str]
) -> tuple[Counter[str], Counter[str]]:
    """Per key: how many transitions recorded an outcome, and how many ``outcome`` audit
    entries the chain holds (they must be equal: one entry per outcome)."""
    transitions: Counter[str] = Counter()
    for key in keys:
        transitions[key] = sum(
            1 for t in await ledger.transitions(key) if t.to_state.value in OUTCOME_STATES
        )
    audited = Counter(e.key for e in await ledger.audit_entries() if e.event == "outcome")
    return transitions, audited


async def _kill_and_recover(url: str, tmp_path: Path, mode: str, point: str) -> None:
    notices = kill_notices(DEBTORS)
    keys = [n.idempotency_key for n in notices]
    victim = keys[K - 1]
    peer = RecordingPeer().start()
    hold: _PgHold | None = None
    if point == "in_finish" and url.startswith("postgresql"):
        ledger = await _open(url)
        await ledger.get(victim)  # the first operation creates the schema
        await ledger.aclose()
        hold = _PgHold(url, victim)
    try:
        # -- run 1: killed at `point` of the K-th notice ---------------------------
        proc = _child(url, peer, mode, point, tmp_path)
        if point == "accepted":
            peer.arm_kill(proc.pid, K)
        if hold is not None:
            _wait_for(lambda: bool(hold.sleeping()), proc, "the held audit insert")
            pids = hold.sleeping()
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            hold.end(pids)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, f"the child was not killed: {err[-3000:]}"
        peer.disarm()

        # the ledger is exactly as the kill point implies
        ledger = await _open(url)
        try:
            for key in keys[: K - 1]:
                record = await ledger.get(key)
                assert record is not None and record.state is NoticeState.DELIVERED
            record = await ledger.get(victim)
            assert record is not None and record.state is NoticeState.CLAIMED
            assert record.outcome is None
            assert [a.detail["_status"] for a in record.attempts] == ["in_flight"]
            assert not [
                t for t in await ledger.transitions(victim) if t.to_state.value in OUTCOME_STATES
            ]
            assert await ledger.get(keys[K]) is None  # nothing after the victim was tried
            report = await ledger.verify_audit()
            assert report.ok, report
            transitions, audited = await _outcome_bookkeeping(ledger, keys)
            assert +transitions == audited == Counter(keys[: K - 1])
        finally:
            await ledger.aclose()
        assert peer.counts.get(victim, 0) == (0 if point == "claimed" else 1)

        # -- run 2: restart, recover, carry on ----------------------------------------
        proc = _child(url, peer, mode, "none", tmp_path)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-3000:]
    finally:
        peer.stop()
    final = json.loads(out.strip().splitlines()[-1])
    decision, duplicates = EXPECTED[(mode, point)]

    ledger = await _open(url)
    try:
        states: Counter[str] = Counter()
        for key in keys:
            record = await ledger.get(key)
            assert record is not None
            states[record.state.value] += 1
        print(
            f"\nkill at {point} ({mode}, {url.split(':')[0]}): ledger {dict(states)}, "
            f"peer {peer.total} messages for {len(peer.counts)} keys, "
            f"{peer.duplicates} duplicate(s); restarted run {final}"
        )
        # 0 lost: every notice delivered (a leaked cap slot would have deferred one)
        assert states == Counter({"delivered": len(keys)})
        assert set(peer.counts) == set(keys)
        # 0 duplicated where the channel reconciles; one per kill at most where it cannot
        assert peer.duplicates == duplicates
        assert peer.counts[victim] == 1 + duplicates
        # the restarted run found the first K settled (the victim by its recovery) and
        # sent the rest afresh; a second recovery pass found nothing left
        assert sum(v for k, v in final.items() if k.endswith(":dup")) == K
        assert final["delivered"] == len(keys) - K
        assert final["second_recovery_examined"] == 0
        recovery = [
            e.detail["decision"]
            for e in await ledger.audit_entries()
            if e.event == "recovery" and e.key == victim
        ]
        assert recovery == [decision]
        # 0 outcomes without an audit entry
        report = await ledger.verify_audit()
        assert report.ok and report.unaudited == 0, report
        transitions, audited = await _outcome_bookkeeping(ledger, keys)
        assert transitions == audited == Counter(keys)
        # the shipped cap held: exactly CAP SMS per debt on the day
        # the shipped cap held: exactly CAP SMS per debt on the New York day (05:00 UTC)
        day = NOW.replace(hour=5)
        for notice in notices[::CAP]:
            assert await ledger.count(debt_scope(notice), day, day + timedelta(days=1)) == CAP
    finally:
        await ledger.aclose()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("mode", ["reconcile", "blind"])
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_sigkill_at_each_step_then_restart_loses_nothing_and_audits_everything(
    backend: str, point: str, mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path}/ledger.db?synchronous=normal"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    await _kill_and_recover(url, tmp_path, mode, point)
    await asyncio.sleep(0)
