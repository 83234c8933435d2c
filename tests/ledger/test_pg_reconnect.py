"""Acceptance: the PostgreSQL ledger survives losing its connection.

A killed backend (``pg_terminate_backend``) or a restarted server costs the batch in
flight a retry on a fresh connection from the pool, never the process: a 1,000-notice
run through a real Dispatcher completes with 0 notices lost and 0 sent twice. A COMMIT
whose reply is lost (a loopback proxy cuts the connection right after the server
answered COMMIT) is not run again: the new connection asks the server whether it
committed, so a claim stays CLAIMED (a re-run would find its own lease: BUSY) and a
finish stays written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from pg_server import PgServer, find_bindir

from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.postgres import PostgresLedger
from notifysdk.models import Message, Notice, NoticeKind, Outcome, OutcomeStatus
from notifysdk.testing import NO_RULES_PROFILE, MockChannel, NoRulesProfile, sample_account
from notifysdk.testing import sample_notice as make_notice

N = 1000
KILLS_AT = (150, 350, 550, 750)  # sends seen at the channel when the backends are killed
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_rules(register_plugin: Callable[..., str]) -> None:
    register_plugin(NoRulesProfile(), NO_RULES_PROFILE)


def _notices(n: int = N) -> list[Notice]:
    return [
        make_notice(i, channel="mock", account=sample_account(i, profiles=(NO_RULES_PROFILE,)))
        for i in range(1, n + 1)
    ]


def _terminate(admin_url: str, dbname: str) -> int:
    """Kill every backend connected to ``dbname``; how many there were."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchone()
    return int(row[0]) if row else 0


def _check_run(ch: MockChannel, outcomes: list[Outcome], url: str, notices: list[Notice]) -> None:
    """0 lost, 0 duplicated: at the channel, in the outcomes, in the ledger's tables."""
    keys = {n.idempotency_key for n in notices}
    sent = Counter(m.idempotency_key for m in ch.sent)
    assert set(sent) == keys, f"{len(keys - set(sent))} notices never sent"
    assert max(sent.values()) == 1, f"sent twice: {[k for k, c in sent.items() if c > 1][:5]}"
    assert len(ch.calls) == N
    assert Counter(o.status for o in outcomes) == {OutcomeStatus.DELIVERED: N}
    with psycopg.connect(url) as conn:
        states: dict[str, int] = dict(
            conn.execute("SELECT state, count(*) FROM notices GROUP BY 1").fetchall()
        )
        assert states == {NoticeState.DELIVERED.value: N}
        per_key = conn.execute(
            "SELECT max(c), count(*) FROM (SELECT key, count(*) AS c FROM attempts GROUP BY key) a"
        ).fetchone()
        assert per_key == (1, N)  # one attempt per notice
        outcomes_audited = conn.execute(
            "SELECT count(*), count(DISTINCT key) FROM audit WHERE event = 'outcome'"
        ).fetchone()
        assert outcomes_audited == (N, N)
        claims = conn.execute(
            "SELECT count(*) FROM transitions WHERE to_state = 'claimed'"
        ).fetchone()
        assert claims == (N,)


async def _run(
    dispatcher: Callable[..., Dispatcher], url: str, on_send: Callable[[int], None]
) -> tuple[MockChannel, list[Outcome], list[Notice]]:
    def handler(message: Message) -> None:
        on_send(len(ch.calls))

    ch = MockChannel(handler)
    ledger = PostgresLedger(url)
    d = dispatcher(ch, ledger=ledger)
    notices = _notices()
    try:
        outcomes = await d.send_many(notices, concurrency=20)
    finally:
        await ledger.aclose()
    return ch, outcomes, notices


@pytest.mark.timeout(300)
async def test_a_run_survives_its_backends_being_terminated(
    dispatcher: Callable[..., Dispatcher],
    pg_server: PgServer,
    pg_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    killed: list[int] = []
    kills: list[threading.Thread] = []

    def on_send(calls: int) -> None:
        if calls in KILLS_AT:  # from another thread, while the writer is mid-batch
            t = threading.Thread(target=lambda: killed.append(_terminate(pg_server.url(), dbname)))
            t.start()
            kills.append(t)

    with caplog.at_level(logging.WARNING, logger="notifysdk.ledger"):
        ch, outcomes, notices = await _run(dispatcher, pg_url, on_send)
    for t in kills:
        t.join()
    assert len(killed) == len(KILLS_AT) and all(k >= 1 for k in killed), killed
    lost = [r for r in caplog.records if "connection lost" in r.getMessage()]
    assert len(lost) >= 1  # the kills were felt, and survived
    _check_run(ch, outcomes, pg_url, notices)


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("nobody")
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]


def _pg_ctl(server: PgServer, *args: str) -> None:
    subprocess.run(
        [*_as_server_user(), str(find_bindir() / "pg_ctl"), *args, "-D", str(server.datadir)],
        check=True,
        capture_output=True,
        cwd=server.root,
        timeout=60,
    )


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of its own (it is restarted): ``pg_ctl restart`` leaves a postmaster
    that is not the fixture's child, so it is stopped here with ``pg_ctl stop``."""
    with PgServer.start() as server:
        try:
            yield server
        finally:
            subprocess.run(
                [
                    *_as_server_user(),
                    str(find_bindir() / "pg_ctl"),
                    "stop",
                    "-m",
                    "immediate",
                    "-D",
                    str(server.datadir),
                ],
                capture_output=True,
                cwd=server.root,
                timeout=60,
            )


@pytest.mark.timeout(300)
async def test_a_run_survives_a_server_restart(
    dispatcher: Callable[..., Dispatcher],
    own_server: PgServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = own_server.create_database("restarted")
    restarts: list[threading.Thread] = []
    log_file = str(own_server.root / "restart.log")

    def on_send(calls: int) -> None:
        if calls == N // 2:
            t = threading.Thread(
                target=_pg_ctl, args=(own_server, "restart", "-m", "fast", "-w", "-l", log_file)
            )
            t.start()
            restarts.append(t)

    with caplog.at_level(logging.WARNING, logger="notifysdk.ledger"):
        ch, outcomes, notices = await _run(dispatcher, url, on_send)
    for t in restarts:
        t.join()
    assert len(restarts) == 1
    assert any("connection lost" in r.getMessage() for r in caplog.records)
    with psycopg.connect(url) as conn:  # it was restarted: the postmaster started anew
        started = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
    assert started is not None and started[0].timestamp() > time.time() - 300
    _check_run(ch, outcomes, url, notices)


# -- a COMMIT whose reply is lost ------------------------------------------------------

# The server's CommandComplete for COMMIT: 'C', int32 length 11, "COMMIT\0".
_COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"


class _CuttingProxy:
    """A loopback TCP proxy to the server that, when armed, drops the connection
    carrying the next COMMIT reply instead of passing that reply on: the server
    committed, the client never hears it."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.armed = threading.Event()
        self.cuts = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, replies: bool) -> None:
        try:
            while data := src.recv(65536):
                if replies and self.armed.is_set() and _COMMIT_DONE in data:
                    self.armed.clear()
                    self.cuts += 1
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._stop = True
        with contextlib.suppress(OSError):  # wakes the accept() blocked in its thread
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@pytest.fixture
def proxy(pg_server: PgServer) -> Iterator[_CuttingProxy]:
    p = _CuttingProxy(pg_server.port)
    yield p
    p.close()


async def test_a_commit_whose_reply_is_lost_is_not_run_again(
    pg_url: str, proxy: _CuttingProxy
) -> None:
    via_proxy = pg_url.replace(f":{pg_url.split(':')[2].split('/')[0]}/", f":{proxy.port}/")
    ledger = PostgresLedger(via_proxy + "?batch=1")
    notice = make_notice(1)
    key = notice.idempotency_key
    try:
        # Whatever the account's first write sets up (its data key) is done unarmed, so
        # the cut falls on the claim's own COMMIT.
        warm = make_notice(1, kind=NoticeKind.FINAL_DEMAND)
        await ledger.claim(warm, owner="w1", now=NOW, lease_seconds=300)
        proxy.armed.set()
        claim = await ledger.claim(notice, owner="w1", now=NOW, lease_seconds=300, to="+1555")
        assert proxy.cuts == 1
        assert claim.status.value == "claimed", claim  # not BUSY: the claim was not re-run
        assert claim.fence == 1
        proxy.armed.set()
        outcome = Outcome(
            idempotency_key=key, status=OutcomeStatus.DELIVERED, channel="mock", at=NOW
        )
        assert await ledger.finish(notice, outcome, fence=claim.fence) is True
        assert proxy.cuts == 2
        record = await ledger.get(key)
        assert record is not None and record.state is NoticeState.DELIVERED
    finally:
        await ledger.aclose()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT to_state FROM transitions WHERE key = %s ORDER BY 1", (key,)
        ).fetchall()
        assert sorted(r[0] for r in rows) == ["claimed", "delivered"]
        assert conn.execute("SELECT count(*) FROM attempts WHERE key = %s", (key,)).fetchone() == (
            1,
        )
        assert conn.execute(
            "SELECT count(*) FROM audit WHERE key = %s AND event = 'outcome'", (key,)
        ).fetchone() == (1,)


async def test_a_statement_lost_before_commit_runs_again(pg_server: PgServer, pg_url: str) -> None:
    ledger = PostgresLedger(pg_url + "?batch=1")
    dbname = pg_url.rsplit("/", 1)[1]
    try:
        await ledger.claim(make_notice(1), owner="w1", now=NOW, lease_seconds=300)
        assert _terminate(pg_server.url(), dbname) >= 1  # the idle connection dies
        claim = await ledger.claim(make_notice(2), owner="w1", now=NOW, lease_seconds=300)
        assert claim.status.value == "claimed"
    finally:
        await ledger.aclose()


async def test_an_unreachable_server_is_a_typed_error_after_the_bound(
    pg_server: PgServer, pg_url: str, proxy: _CuttingProxy
) -> None:
    from notifysdk.errors import LedgerUnavailableError

    port = pg_url.split(":")[2].split("/")[0]
    ledger = PostgresLedger(pg_url.replace(f":{port}/", f":{proxy.port}/") + "?reconnect_timeout=1")
    try:
        proxy.close()  # no new connections
        _terminate(pg_server.url(), pg_url.rsplit("/", 1)[1])
        started = time.monotonic()
        with pytest.raises(LedgerUnavailableError):
            await ledger.claim(make_notice(1), owner="w1", now=NOW, lease_seconds=300)
        assert time.monotonic() - started < 15
    finally:
        await asyncio.wait_for(ledger.aclose(), 30)
