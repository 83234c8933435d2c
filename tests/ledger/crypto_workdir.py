"""A work folder for the encryption-at-rest tests: the example settings, ladder and a
portfolio (with national IDs added) whose ledger is a given URL and whose keys are in
``keys/``; and the scans that look for the portfolio's raw values in what the ledger
stored."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from stdnum.cn import ric
from typer.testing import CliRunner

from notifysdk.cli import get_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-01-05T02:00:00+00:00"


@dataclass(frozen=True)
class Workdir:
    """The folder, its settings file and the raw values of its portfolio."""

    root: Path
    config: Path
    portfolio: Path
    url: str
    needles: dict[str, str]
    """Every raw personal value of the portfolio -> what it is (for messages)."""
    rows: dict[str, dict[str, str]]
    """The portfolio's rows by account id."""

    @property
    def key_dir(self) -> Path:
        """Where the ledger's keys are."""
        return self.root / "keys"


def national_id(n: int) -> str:
    """A valid-looking resident ID (checksum right) for account ``n``."""
    first = f"110101{1970 + n % 30:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first + ric.calc_check_digit(first)


def make_workdir(root: Path, url: str, accounts: int | None = None) -> Workdir:
    """Copy the example settings into ``root``, pointing at ``url`` and ``root/keys``;
    give every cn account a national ID."""
    shutil.copy(EXAMPLES / "ladder.toml", root / "ladder.toml")
    with (EXAMPLES / "portfolio.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if accounts is not None:
        rows = rows[:accounts]
    for i, row in enumerate(rows):
        if row["currency"] == "CNY":
            row["national_id"] = national_id(i)
    with (root / "portfolio.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'output_dir = ".notifysdk/out"',
        f'output_dir = "{(root / "out").as_posix()}"\n'
        f'ledger_url = "{url}"\n'
        f'key_dir = "{(root / "keys").as_posix()}"',
    )
    (root / "notifysdk.toml").write_text(text, encoding="utf-8")
    needles: dict[str, str] = {}
    for row in rows:
        for column in ("debtor_name", "national_id", "phone", "email", "address_line1"):
            value = row[column]
            if value:
                needles[value] = column
        if row["phone"].startswith("+86"):
            needles[row["phone"][3:]] = "phone (national)"
    return Workdir(
        root,
        root / "notifysdk.toml",
        root / "portfolio.csv",
        url,
        needles,
        {r["account_id"]: r for r in rows},
    )


def cli(*args: str) -> tuple[int, str]:
    """``notifysdk ARGS`` in process; (exit code, stdout)."""
    result = CliRunner().invoke(get_app(), list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def run_campaign_cli(w: Workdir) -> dict[str, Any]:
    """``notifysdk run`` on the work folder's portfolio (JSON summary)."""
    import json

    code, out = cli("run", str(w.portfolio), "--config", str(w.config), "--now", NOW, "--json")
    assert code in (0, 1), out
    summary: dict[str, Any] = json.loads(out)
    return summary


def hits(text: str, needles: dict[str, str]) -> list[str]:
    """The needles found in ``text`` (as ``what: value`` pairs... values masked)."""
    return [f"{what} #{i}" for i, (value, what) in enumerate(needles.items()) if value in text]


def sqlite_tables_text(path: Path) -> str:
    """Every value of every table of a SQLite file, as text."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        parts: list[str] = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                parts.extend(str(v) for v in row)
        return "\n".join(parts)
    finally:
        conn.close()


def pg_tables_text(url: str) -> str:
    """Every value of every table of the ledger's PostgreSQL database, as text."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        ]
        parts: list[str] = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                parts.extend(str(v) for v in row)
        return "\n".join(parts)


def pg_files_bytes(url: str, datadir: Path) -> bytes:
    """The bytes of every file of the ledger's database in the cluster (after a
    checkpoint, so what it wrote is on disk)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        row = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    folder = datadir / "base" / str(row[0])
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def file_hits(data: bytes, needles: dict[str, str]) -> list[str]:
    """The needles found in raw bytes (UTF-8)."""
    return [
        f"{what} #{i}"
        for i, (value, what) in enumerate(needles.items())
        if value.encode("utf-8") in data
    ]


async def deliver(ledger: Any, notice: Any, to: str, now: Any) -> None:
    """Claim ``notice`` with attempt 1 to ``to`` and finish it delivered (a receipt)."""
    from notifysdk.ledger.base import AttemptEnd
    from notifysdk.models import Outcome, OutcomeStatus, Receipt

    claim = await ledger.claim(notice, owner="t", now=now, lease_seconds=60, to=to)
    assert claim.attempt is not None, claim
    receipt = Receipt(
        channel=notice.channel, provider_id=f"p-{notice.idempotency_key}", accepted_at=now
    )
    outcome = Outcome(
        idempotency_key=notice.idempotency_key,
        status=OutcomeStatus.DELIVERED,
        channel=notice.channel,
        at=now,
        receipt=receipt,
        attempts=1,
    )
    written = await ledger.finish(
        notice, outcome, fence=claim.fence, ended=AttemptEnd(claim.attempt, receipt=receipt)
    )
    assert written
