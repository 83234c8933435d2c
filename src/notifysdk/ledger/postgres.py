"""The ledger for several processes or machines: PostgreSQL through psycopg 3.

URL: ``postgresql://user@host:port/dbname`` (any libpq URL), with the extra query option
``batch`` (operations per transaction, default 32; 1 disables group commit), which is
removed before the URL reaches libpq. Install with ``pip install notifysdk[postgres]``.

Every transaction starts by taking ``pg_advisory_xact_lock`` on each key its
operations declared (the notice's key, each counter scope, the audit head), in
ascending order: a check-and-reserve is therefore atomic across workers, two workers
racing on one key are serialized, and lock order rules out deadlocks. Locks are freed at
commit or rollback, so a killed worker never leaves one behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigurationError, LedgerError
from .runner import TxRunner, lock_id
from .schema import Db, Dialect
from .sql import SqlLedger

if TYPE_CHECKING:
    import psycopg


class _PgDb:
    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._sql: dict[str, str] = {}

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


class PostgresBackend:
    """Connects with psycopg and begins transactions holding advisory locks."""

    dialect: Dialect = "postgresql"

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    def connect(self) -> Db:
        """Open one autocommit connection (transactions are begun explicitly)."""
        try:
            import psycopg
        except ImportError:  # pragma: no cover - depends on the install
            raise ConfigurationError(
                "the postgresql ledger needs psycopg: pip install 'notifysdk[postgres]'"
            ) from None
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True)
        except psycopg.Error as exc:
            raise LedgerError(
                f"cannot connect to the postgresql ledger: {type(exc).__name__}"
            ) from None
        return _PgDb(conn)

    def begin(self, db: Db, locks: Sequence[int]) -> None:
        """BEGIN, then every advisory lock in ascending order."""
        db.x("BEGIN")
        if locks:
            db.x(
                "SELECT count(pg_advisory_xact_lock(k)) FROM "
                "(SELECT unnest(?::bigint[]) AS k ORDER BY 1) AS ordered",
                (list(locks),),
            )

    def retryable(self, exc: BaseException) -> bool:
        """Deadlocks and serialization failures (none are expected with ordered locks)."""
        import psycopg.errors as e

        return isinstance(exc, e.DeadlockDetected | e.SerializationFailure)

    def close(self, db: Db) -> None:
        """Close the connection."""
        assert isinstance(db, _PgDb)
        db.conn.close()


def split_pg_url(url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL without our options, and our options."""
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise ConfigurationError("a postgresql ledger URL starts with postgresql://")
    pairs = parse_qsl(parts.query)
    ours = {k: v for k, v in pairs if k in _OUR_OPTIONS}
    theirs = [(k, v) for k, v in pairs if k not in _OUR_OPTIONS]
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(theirs), "")), ours


_OUR_OPTIONS = frozenset({"batch"})


class PostgresLedger(SqlLedger):
    """The shared ledger for many workers (``postgresql://...``)."""

    def __init__(self, url: str) -> None:
        conninfo, options = split_pg_url(url)
        try:
            batch = int(options.get("batch", "32"))
        except ValueError:
            raise ConfigurationError("postgresql ledger: batch is an integer") from None
        runner = TxRunner(
            PostgresBackend(conninfo), max_batch=batch, setup=_setup, name="notifysdk-postgres"
        )
        super().__init__(url, runner)


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
