"""The ledger's one versioned schema, for SQLite and PostgreSQL, and its migrations.

Times are stored as integer microseconds since the Unix epoch (UTC) in both databases,
so the same SQL compares them. ``ledger_meta`` holds ``schema_version`` and the audit
chain's head and anchor. A migration runs in one transaction and upgrades a database in
place; opening a database newer than this SDK is an error rather than a guess.

History:

1. notices (state, lease, outcome), attempts, contacts, audit.
2. notices keep their JSON (to rebuild deferred, stale and dead-lettered notices), their
   profiles (for retention) and due time; a ``transitions`` table stores every state
   change; contacts say whether they are a reservation, a send or a recorded contact;
   the audit head moves into ``ledger_meta``.
3. attempts keep the provider's delivery status (``delivery_status``, ``delivery_rank``,
   ``delivery_code``, ``delivery_at``: Twilio's status callbacks) and are found by
   ``provider_id`` through an index.
4. notices carry a fencing token (``fence``), raised by every claim and take-over, so a
   worker whose claim was taken over can no longer write; a transition that records an
   outcome or a delivery status names its audit entry (``audit_seq``; ``0`` for rows
   written before version 4), so ``verify`` finds an outcome that has none; attempts
   keep the SHA-256 of the body they sent (``body_sha256``) for reconciliation.
5. personal values are encrypted at rest (:mod:`notifysdk.ledger.crypto`): a
   ``data_keys`` table holds each account's data key wrapped by the master key (kept
   outside the database), ``notices.dkid`` names the data key of a notice's row. The
   migration marks a ledger that has rows (``crypto_pending``); the first process that
   opens it with its keys encrypts ``notice_json``, ``outcome_json``, ``attempts.dest``
   and ``detail_json`` and keys every contact scope (HMAC), in one transaction.
6. ``account_events`` (:mod:`notifysdk.account_events`): what happened to an account
   (paid, dispute, cease...), keyed by the account's keyed reference (``account``, as
   in ``data_keys``), its ``note`` and ``contact`` sealed under the account's data key
   and bound to the event's id (``eid``); notices are found by data key
   (``notices_dkid``) to cancel an account's pending ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from ..errors import LedgerError

Dialect = Literal["sqlite", "postgresql"]


class Db(Protocol):
    """The few things the ledger needs from a connection inside a transaction."""

    dialect: Dialect

    def x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Execute one statement (``?`` placeholders); returns the cursor."""
        ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row, or ``None``."""
        ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row."""
        ...


def to_us(at: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """Integer microseconds since the epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ddl(dialect: Dialect, sql: str) -> str:
    ident = (
        "INTEGER PRIMARY KEY AUTOINCREMENT"
        if dialect == "sqlite"
        else "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    )
    return sql.replace("{id}", ident)


_V1 = [
    "CREATE TABLE IF NOT EXISTS ledger_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE notices (
        key TEXT PRIMARY KEY, channel TEXT NOT NULL, state TEXT NOT NULL,
        owner TEXT, lease_until BIGINT, outcome_json TEXT, updated_at BIGINT NOT NULL)""",
    "CREATE INDEX notices_state ON notices (state, lease_until)",
    """CREATE TABLE attempts (
        key TEXT NOT NULL, number INTEGER NOT NULL, channel TEXT NOT NULL, dest TEXT NOT NULL,
        started_at BIGINT NOT NULL, ended_at BIGINT, status TEXT NOT NULL, provider_id TEXT,
        detail_json TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (key, number))""",
    """CREATE TABLE contacts (
        id {id}, scope TEXT NOT NULL, at BIGINT NOT NULL, key TEXT, detail_json TEXT)""",
    "CREATE INDEX contacts_scope_at ON contacts (scope, at)",
    "CREATE INDEX contacts_key ON contacts (key)",
    """CREATE TABLE audit (
        seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, event TEXT NOT NULL, key TEXT,
        detail_json TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""",
]

_V2 = [
    "ALTER TABLE notices ADD COLUMN notice_json TEXT",
    "ALTER TABLE notices ADD COLUMN profiles TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE notices ADD COLUMN due_at BIGINT",
    "ALTER TABLE notices ADD COLUMN created_at BIGINT",
    "UPDATE notices SET created_at = updated_at",
    "CREATE INDEX notices_due ON notices (state, due_at)",
    "CREATE INDEX notices_updated ON notices (state, updated_at)",
    """CREATE TABLE transitions (
        id {id}, key TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL,
        at BIGINT NOT NULL, reason TEXT)""",
    "CREATE INDEX transitions_key ON transitions (key, id)",
    """INSERT INTO transitions (key, from_state, to_state, at, reason)
        SELECT key, NULL, state, updated_at, 'migrated from schema 1' FROM notices""",
    "ALTER TABLE contacts ADD COLUMN kind TEXT NOT NULL DEFAULT 'sent'",
]


_V3 = [
    "ALTER TABLE attempts ADD COLUMN delivery_status TEXT",
    "ALTER TABLE attempts ADD COLUMN delivery_rank INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE attempts ADD COLUMN delivery_code TEXT",
    "ALTER TABLE attempts ADD COLUMN delivery_at BIGINT",
    "CREATE INDEX attempts_provider ON attempts (provider_id)",
]


_V4 = [
    "ALTER TABLE notices ADD COLUMN fence BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE transitions ADD COLUMN audit_seq BIGINT",
    "UPDATE transitions SET audit_seq = 0",
    "ALTER TABLE attempts ADD COLUMN body_sha256 TEXT",
]


_V5 = [
    """CREATE TABLE data_keys (
        account TEXT PRIMARY KEY, dkid TEXT NOT NULL, wrapped TEXT, wrap_id TEXT,
        old_wrapped TEXT, old_wrap_id TEXT, created_at BIGINT NOT NULL, erased_at BIGINT)""",
    "CREATE UNIQUE INDEX data_keys_dkid ON data_keys (dkid)",
    "ALTER TABLE notices ADD COLUMN dkid TEXT",
]


_V6 = [
    """CREATE TABLE account_events (
        id {id}, eid TEXT NOT NULL UNIQUE, account TEXT NOT NULL, kind TEXT NOT NULL,
        at BIGINT NOT NULL, until_at BIGINT, contact TEXT, note TEXT, source TEXT NOT NULL,
        dkid TEXT, recorded_at BIGINT NOT NULL)""",
    "CREATE INDEX account_events_account ON account_events (account, at)",
    "CREATE INDEX notices_dkid ON notices (dkid)",
]


def _v5_backfill(db: Db) -> None:
    """Rows stored in clear wait for a process with the keys (the migration has none)."""
    for table in ("notices", "attempts", "contacts"):
        if db.one(f"SELECT 1 FROM {table} LIMIT 1") is not None:
            set_meta(db, "crypto_pending", "1")
            return


def _v2_backfill(db: Db) -> None:
    """Deferred rows get their due time from the stored outcome; the audit head moves
    into ``ledger_meta``."""
    for key, outcome_json in db.all(
        "SELECT key, outcome_json FROM notices "
        "WHERE state = 'deferred' AND outcome_json IS NOT NULL"
    ):
        until = json.loads(outcome_json).get("until")
        if until:
            db.x(
                "UPDATE notices SET due_at = ? WHERE key = ?",
                (to_us(datetime.fromisoformat(until)), key),
            )
    head = db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    if head is not None:
        set_meta(db, "audit_head_seq", str(head[0]))
        set_meta(db, "audit_head_hash", str(head[1]))


@dataclass(frozen=True)
class Migration:
    """One schema step: statements, then an optional data step in Python."""

    version: int
    statements: tuple[str, ...]
    backfill: Callable[[Db], None] | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, tuple(_V1)),
    Migration(2, tuple(_V2), _v2_backfill),
    Migration(3, tuple(_V3)),
    Migration(4, tuple(_V4)),
    Migration(5, tuple(_V5), _v5_backfill),
    Migration(6, tuple(_V6)),
)
LATEST = MIGRATIONS[-1].version


def get_meta(db: Db, name: str) -> str | None:
    """A value of ``ledger_meta``."""
    row = db.one("SELECT value FROM ledger_meta WHERE name = ?", (name,))
    return None if row is None else str(row[0])


def set_meta(db: Db, name: str, value: str) -> None:
    """Set a value of ``ledger_meta``."""
    db.x(
        "INSERT INTO ledger_meta (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


def current_version(db: Db) -> int:
    """The schema version of the database (0 when empty)."""
    if db.dialect == "sqlite":
        exists = db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'")
    else:
        exists = db.one(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'ledger_meta'"
        )
    if exists is None:
        return 0
    value = get_meta(db, "schema_version")
    return int(value) if value else 0


def pending_migrations(db: Db, target: int = LATEST) -> list[Migration]:
    """The migrations that bring ``db`` to ``target``; raises if it is newer than we know."""
    version = current_version(db)
    if version > LATEST:
        raise LedgerError(
            f"the ledger database has schema version {version}, newer than this SDK "
            f"supports ({LATEST}); upgrade notifysdk"
        )
    return [m for m in MIGRATIONS if version < m.version <= target]


def apply(db: Db, migration: Migration) -> None:
    """Run one migration inside the caller's transaction and record the new version."""
    for statement in migration.statements:
        db.x(_ddl(db.dialect, statement))
    if migration.backfill is not None:
        migration.backfill(db)
    set_meta(db, "schema_version", str(migration.version))
