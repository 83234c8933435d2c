"""The embedded default ledger: SQLite in WAL mode (``sqlite:///.notifysdk/ledger.db``).

URLs follow SQLAlchemy's form: ``sqlite:///relative/path.db``,
``sqlite:////absolute/path.db``, ``sqlite://`` (in memory). Query options:
``synchronous`` (``full``, the default, survives power loss; ``normal`` survives a
process crash, which is all a killed worker needs, and is faster), ``batch`` (how many
queued operations share one transaction, default 32; 1 disables group commit) and
``busy_timeout`` (milliseconds to wait for another process's write lock, default 30000).

The standard ``sqlite3`` driver is used from one writer thread (see
:mod:`notifysdk.ledger.runner`): each transaction begins with ``BEGIN IMMEDIATE``, which
takes the database's write lock at once, so a claim's check-and-reserve is atomic across
processes as well as tasks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from ..errors import ConfigurationError
from ..files import private_dir, private_file
from ..keys import (
    LedgerKeys,
    default_key_dir,
    ephemeral_keys,
    key_created_message,
    load_keys,
)
from .runner import TxRunner, typed_error
from .schema import Db, Dialect
from .sql import SqlLedger, check_url_path

T = TypeVar("T")
log = logging.getLogger("notifysdk.ledger")

_SYNC = {"full": "FULL", "normal": "NORMAL", "off": "OFF", "extra": "EXTRA"}


class _SqliteDb:
    dialect: Dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def x(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql, tuple(params)).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql, tuple(params)).fetchall())


class SqliteBackend:
    """Opens the database file and begins write transactions."""

    dialect: Dialect = "sqlite"
    takes_locks = False
    """``BEGIN IMMEDIATE`` takes the database's one write lock: no lock names needed."""

    def __init__(
        self, path: str, *, synchronous: str = "full", busy_timeout_ms: int = 30_000
    ) -> None:
        self.path = path
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms

    def connect(self) -> Db:
        """Open the file (creating it ``0600`` and its folder ``0700``), switch to WAL,
        set the pragmas."""
        if self.path != ":memory:":
            private_files(self.path)
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        # Overwrite what a row update or delete frees (an erased data key, a value
        # encrypted in place by the migration) instead of leaving it in free pages.
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {_SYNC[self.synchronous]}")
        conn.execute("PRAGMA foreign_keys = ON")
        return _SqliteDb(conn)

    def begin(self, db: Db, locks: Sequence[int]) -> None:
        """Take the write lock now, not at the first write (no upgrade deadlocks)."""
        db.x("BEGIN IMMEDIATE")

    def retryable(self, exc: BaseException) -> bool:
        """A lock still held by another process after the busy timeout."""
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def close(self, db: Db) -> None:
        """Close the connection."""
        assert isinstance(db, _SqliteDb)
        db.conn.close()


class SqliteReader:
    """A read-only connection used from the event loop's thread: in WAL mode it sees
    every committed write and never waits for the writer, so a rule's count costs a
    query, not a transaction and a thread hop. Opened on first use; a lock keeps it to
    one caller at a time (the sync facade runs its own loop thread)."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            timeout=self.busy_timeout_ms / 1000,
            check_same_thread=False,
        )
        conn.execute("PRAGMA query_only = ON")
        return conn

    def read(self, fn: Callable[[Db], T]) -> T:
        """``fn(db)`` in autocommit: each statement sees every commit before it (the
        reads are single statements, or a record and then its attempts)."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._open()
                return fn(_SqliteDb(self._conn))
            except sqlite3.Error as exc:
                typed = typed_error(exc)
                if typed is exc:
                    raise
                raise typed from exc

    def close(self) -> None:
        """Close the connection (it reopens on the next read)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def parse_sqlite_url(url: str) -> tuple[str, dict[str, str]]:
    """The file path and options of a ``sqlite://`` URL."""
    rest = check_url_path(url, "sqlite")
    rest, _, query = rest.partition("?")
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    if rest in ("", "/", "/:memory:"):
        return ":memory:", options
    if not rest.startswith("/"):
        raise ConfigurationError("a sqlite ledger URL has the form sqlite:///path/to/ledger.db")
    return rest[1:], options


def private_files(path: str) -> None:
    """The database file and its ``-wal`` and ``-shm`` companions created ``0600`` (and
    the folder ``0700``) before SQLite opens them, whatever the umask. Existing files
    (a ledger an older SDK made ``0644``) are narrowed to ``0600`` when they can be; one
    that cannot be changed (read-only, immutable) is left for SQLite to report."""
    private_dir(Path(path).parent)
    for suffix in ("", "-wal", "-shm"):
        p = Path(path + suffix)
        try:
            mode = p.stat().st_mode
        except FileNotFoundError:
            private_file(p)
            continue
        if mode & 0o077:
            with contextlib.suppress(OSError):
                os.chmod(p, 0o600)


class SqliteLedger(SqlLedger):
    """The durable, embedded ledger (``sqlite:///path``).

    ``keys``: the ledger's keys (:func:`notifysdk.keys.load_settings_keys`); without
    them, the key folder ``keys/`` beside the database file (created ``0700`` with its
    key files ``0600`` on first use: outside the database, never inside it)."""

    def __init__(
        self, url: str = "sqlite:///.notifysdk/ledger.db", *, keys: LedgerKeys | None = None
    ) -> None:
        path, options = parse_sqlite_url(url)
        sync = options.get("synchronous", "full").lower()
        if sync not in _SYNC:
            raise ConfigurationError(f"sqlite ledger: synchronous must be one of {sorted(_SYNC)}")
        try:
            batch = int(options.get("batch", "32"))
            busy = int(options.get("busy_timeout", "30000"))
        except ValueError:
            raise ConfigurationError("sqlite ledger: batch and busy_timeout are integers") from None
        self.path = path
        backend = SqliteBackend(path, synchronous=sync, busy_timeout_ms=busy)
        runner = TxRunner(backend, max_batch=batch, setup=_setup, name="notifysdk-sqlite")
        # An in-memory database is private to its connection: the writer answers reads.
        reader = None if path == ":memory:" else SqliteReader(path, busy)
        super().__init__(url, runner, reader, keys=keys)

    def default_keys(self) -> LedgerKeys:
        """The key folder beside the database file (ephemeral keys in memory)."""
        if self.path == ":memory:":
            return ephemeral_keys()
        keys = load_keys(default_key_dir(self.path))
        if keys.created:
            log.warning("%s", key_created_message(keys.created))
        return keys


def _setup(db: Db) -> None:
    db.x("BEGIN IMMEDIATE")
    try:
        SqlLedger.migrate(db)
    except BaseException:
        db.x("ROLLBACK")
        raise
    db.x("COMMIT")
