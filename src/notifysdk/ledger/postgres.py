"""The ledger for several processes or machines: PostgreSQL through psycopg 3.

URL: ``postgresql://user@host:port/dbname`` (any libpq URL), with the extra query options
``batch`` (operations per transaction, default 32; 1 disables group commit) and
``reconnect_timeout`` (seconds an operation waits for the server to come back, default
30), which are removed before the URL reaches libpq. Install with
``pip install notifysdk[postgres]``.

Every transaction starts by taking ``pg_advisory_xact_lock`` on each key its
operations declared (the notice's key, each counter scope, the audit head when it reads
or rewrites the chain), in ascending order with the audit lock last: a
check-and-reserve is therefore atomic across workers, two workers racing on one key are
serialized, and lock order rules out deadlocks. An audit append takes the audit lock
only at the end of its transaction, after its work (see :mod:`notifysdk.ledger.sql`),
so the one lock every outcome needs is held for a few statements, not for the batch.
Locks are freed at commit or rollback, so a killed worker never leaves one behind.

A connection the server drops (``pg_terminate_backend``, a restart, a failover, an idle
reaper) costs a retry, not the process: the batch that hit it runs again on a fresh
connection from the pool when it never committed. When the connection died during
COMMIT, the new connection asks ``pg_xact_status`` whether that transaction committed:
if it did, its results stand and nothing is run twice. Running it again would not be
safe: a re-run claim finds its own committed claim leased and answers ``BUSY``, a
re-run finish finds the notice terminal and reports it unwritten.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigurationError, LedgerError, LedgerUnavailableError
from .runner import LAST_LOCK, TxRunner, lock_id
from .schema import Db, Dialect
from .sql import AUDIT_HEAD_SQL, SqlLedger, audit_head, write_audit

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool


class _PgDb:
    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._sql: dict[str, str] = {}
        self.xid: str | None = None
        """The open transaction's id, once :meth:`PostgresBackend.begin` assigned one."""
        self.deferred: list[Any] = []
        """Audit appends left for the end of the transaction (see :mod:`..runner`)."""

    def _q(self, sql: str) -> str:
        q = self._sql.get(sql)
        if q is None:
            q = self._sql[sql] = sql.replace("?", "%s")
        return q

    def x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._q(sql), tuple(params) or None)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.x(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.x(sql, params).fetchall())

    def locked_rows(self, lock: int, sql: str) -> list[tuple[Any, ...]]:
        """Take the advisory lock ``lock``, then the rows of ``sql``: two statements (the
        second's snapshot is taken once the lock is held) in one round trip (pipeline)."""
        with self.conn.pipeline():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            cur = self.conn.execute(self._q(sql))
        return list(cur.fetchall())


# TCP keepalives unless the URL sets its own: a peer that vanished without closing the
# socket (a failover, a cut link) is noticed in about a minute, not after hours.
_KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}


class PostgresBackend:
    """Takes its one connection from a ``psycopg_pool`` pool of one, begins transactions
    holding advisory locks, and replaces the connection when the server drops it.

    The pool (``min_size = max_size = 1``) keeps the single writer the ledger relies
    on, and supplies what a bare connection lacks: a replacement opened in the
    background with exponential back-off while the server is down, a health check on
    every connection it hands out, and a bound (``reconnect_timeout``) on the wait.
    """

    dialect: Dialect = "postgresql"

    def __init__(self, conninfo: str, *, reconnect_timeout: float = 30.0) -> None:
        self.conninfo = conninfo
        self.reconnect_timeout = reconnect_timeout
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None

    def connect(self) -> Db:
        """The first connection (an error names the cause at once, not after retries)."""
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict, make_conninfo
            from psycopg_pool import ConnectionPool
        except ImportError:  # pragma: no cover - depends on the install
            raise ConfigurationError(
                "the postgresql ledger needs psycopg and psycopg-pool: "
                "pip install 'notifysdk[postgres]'"
            ) from None
        given = conninfo_to_dict(self.conninfo)
        extra = {k: v for k, v in _KEEPALIVES.items() if k not in given}
        try:
            psycopg.connect(make_conninfo(self.conninfo, **extra), autocommit=True).close()
        except psycopg.Error as exc:
            raise LedgerError(
                f"cannot connect to the postgresql ledger: {type(exc).__name__}"
            ) from None
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            self.conninfo,
            kwargs={"autocommit": True, **extra},
            min_size=1,
            max_size=1,
            open=False,
            check=ConnectionPool.check_connection,
            timeout=self.reconnect_timeout,
            reconnect_timeout=self.reconnect_timeout,
            name="notifysdk-ledger",
        )
        try:
            pool.open(wait=True, timeout=self.reconnect_timeout)
        except psycopg.Error as exc:
            pool.close()
            raise LedgerError(
                f"cannot connect to the postgresql ledger: {type(exc).__name__}"
            ) from None
        self._pool = pool
        return self._take()

    def _take(self) -> _PgDb:
        import psycopg

        assert self._pool is not None
        try:
            conn = self._pool.getconn()
        except psycopg.Error as exc:
            raise LedgerUnavailableError(
                "the postgresql ledger is unreachable: no connection within "
                f"{self.reconnect_timeout:g} s ({type(exc).__name__})"
            ) from None
        return _PgDb(conn)

    def begin(self, db: Db, locks: Sequence[int]) -> None:
        """BEGIN, then every advisory lock in the order given (and the transaction id,
        in the same statement, for :meth:`committed`)."""
        assert isinstance(db, _PgDb)
        db.xid = None
        if not locks:
            db.x("BEGIN")
            return
        # Locked in the given order (ascending, the audit lock last: see the runner),
        # BEGIN and the locks in one round trip.
        with db.conn.pipeline():
            db.x("BEGIN")
            cur = db.x(
                "SELECT count(pg_advisory_xact_lock(k)), pg_current_xact_id()::text FROM "
                "(SELECT k FROM unnest(?::bigint[]) WITH ORDINALITY AS given(k, n) ORDER BY n) "
                "AS ordered",
                (list(locks),),
            )
        row = cur.fetchone()
        db.xid = None if row is None else row[1]

    def retryable(self, exc: BaseException) -> bool:
        """Deadlocks and serialization failures (none are expected with ordered locks)."""
        import psycopg.errors as e

        return isinstance(exc, e.DeadlockDetected | e.SerializationFailure)

    # -- reconnection (see TxRunner._run_batch) --------------------------------------

    def lost(self, db: Db, exc: BaseException) -> bool:
        """True when ``exc`` came with the connection itself gone (killed backend,
        restarted server, cut link), not with an error in the statement."""
        import psycopg

        assert isinstance(db, _PgDb)
        return isinstance(exc, psycopg.OperationalError) and (db.conn.broken or db.conn.closed)

    def commit_token(self, db: Db) -> str | None:
        """The id of the transaction about to commit; ``None`` when it wrote nothing
        (re-running it is then always safe)."""
        assert isinstance(db, _PgDb)
        if db.xid is not None:
            return db.xid
        row = db.one("SELECT pg_current_xact_id_if_assigned()::text")
        return None if row is None or row[0] is None else str(row[0])

    def reconnect(self, db: Db) -> Db:
        """Give the broken connection back (the pool discards it) and wait, at most
        ``reconnect_timeout``, for a healthy one."""
        assert isinstance(db, _PgDb) and self._pool is not None
        self._pool.putconn(db.conn)
        return self._take()

    def committed(self, db: Db, token: str) -> bool | None:
        """Did transaction ``token`` commit? Asked on a new connection after the old one
        died during COMMIT; ``None``: the server cannot tell (its status was truncated)."""
        deadline = time.monotonic() + self.reconnect_timeout
        while True:
            row = db.one("SELECT pg_xact_status(?::xid8)", (token,))
            status = None if row is None else row[0]
            # A terminated backend aborts its transaction as it exits: wait for that.
            if status != "in progress" or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if status == "committed":
            return True
        if status == "aborted":
            return False
        return None

    def close(self, db: Db) -> None:
        """Give the connection back and close the pool."""
        assert isinstance(db, _PgDb)
        if self._pool is None:  # pragma: no cover - connect failed
            db.conn.close()
            return
        self._pool.putconn(db.conn)
        self._pool.close()


def split_pg_url(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL without our options, and our options."""
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ConfigurationError("a postgresql ledger URL starts with postgresql://")
    pairs = parse_qsl(parts.query)
    ours = {k: v for k, v in pairs if k in _OUR_OPTIONS}
    theirs = [(k, v) for k, v in pairs if k not in _OUR_OPTIONS]
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(theirs), "")), ours


_OUR_OPTIONS = frozenset({"batch", "reconnect_timeout"})


class PostgresLedger(SqlLedger):
    """The shared ledger for many workers (``postgresql://...``)."""

    def __init__(self, url: str) -> None:
        conninfo, options = split_pg_url(url)
        try:
            batch = int(options.get("batch", "32"))
        except ValueError:
            raise ConfigurationError("postgresql ledger: batch is an integer") from None
        try:
            wait = float(options.get("reconnect_timeout", "30"))
        except ValueError:
            wait = -1.0
        if not wait > 0:
            raise ConfigurationError(
                "postgresql ledger: reconnect_timeout is a positive number of seconds"
            )
        runner = TxRunner(
            PostgresBackend(conninfo, reconnect_timeout=wait),
            max_batch=batch,
            setup=_setup,
            name="notifysdk-postgres",
        )
        super().__init__(url, runner)
        runner.tail = self._audit_tail

    def _audit_tail(self, db: Db, pending: list[Any]) -> None:
        """The runner's tail: take the audit chain's lock (the last lock of every
        transaction, held until COMMIT), read the head, and link and write the entries
        the batch's operations deferred, in their order (see :mod:`notifysdk.ledger.sql`)."""
        assert isinstance(db, _PgDb)
        head = audit_head(db.locked_rows(_AUDIT_LOCK, AUDIT_HEAD_SQL))
        write_audit(db, pending, self.audit_key, head)


_AUDIT_LOCK = lock_id(LAST_LOCK)
_MIGRATION_LOCK = lock_id("notifysdk:migrate")


def _setup(db: Db) -> None:
    # One migrator at a time when several workers open a fresh database together.
    db.x("BEGIN")
    try:
        db.x("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        SqlLedger.migrate(db)
    except BaseException:
        db.x("ROLLBACK")
        raise
    db.x("COMMIT")
