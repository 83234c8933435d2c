"""Raw SQL on a durable ledger's database, past the ledger: what a crash, an older
ledger or a tamperer leaves behind, and what a test reads that the ledger's API does not
expose (``transitions.audit_seq``). The sqlite3 module on the file, psycopg on the
PostgreSQL URL; ``?`` placeholders on both. The connection commits when the ``with``
block ends without an error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from notifysdk.ledger.postgres import split_pg_url


class RawDb:
    """One connection, used inside one transaction."""

    def __init__(self, conn: Any, *, pg: bool) -> None:
        self.conn, self.pg = conn, pg

    def x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s") if self.pg else sql, tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.x(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.x(sql, params).fetchall()]


@contextmanager
def raw_db(url: str) -> Iterator[RawDb]:
    """A connection to the database behind a ``sqlite:///`` or ``postgresql://`` URL."""
    if url.startswith("sqlite:///"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        pg = False
    else:
        import psycopg

        conn = psycopg.connect(split_pg_url(url)[0])
        pg = True
    try:
        yield RawDb(conn, pg=pg)
        conn.commit()
    finally:
        conn.close()


def transitions(url: str, key: str) -> list[tuple[str | None, str, int | None]]:
    """``(from_state, to_state, audit_seq)`` of every stored transition of ``key``."""
    with raw_db(url) as db:
        return [
            (r[0], r[1], None if r[2] is None else int(r[2]))
            for r in db.all(
                "SELECT from_state, to_state, audit_seq FROM transitions WHERE key = ? ORDER BY id",
                (key,),
            )
        ]
