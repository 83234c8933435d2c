"""End to end through the operator's CLI: a campaign over synthetic accounts, then every
text an observer could see — stdout, stderr at DEBUG with hook tracing on, the JSON
summary, the bad-row report, the audit trail, the ledger's records and tables, and the
other operator commands — is scanned for the raw personal values. Zero hits.

The ledger keeps two things raw by design, and they are excluded: the stored notice
(``notices.notice_json``, needed to send a deferred notice again) and an attempt's
destination (``attempts.dest``, needed to deliver and reconcile).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from pii_scan import PiiScanner, account_values

from notifysdk.campaign import read_portfolio
from notifysdk.campaign.portfolio import PortfolioRow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# Bad rows whose cells carry personal data that the report must not echo.
BAD_ROWS = [
    {"account_id": "BAD0000001", "phone": "13893316406", "debtor_name": "欧阳娜娜"},
    {"account_id": "BAD0000002", "email": "leak.me@example.cn\r\nBcc: x@example.cn"},
    {"account_id": "BAD0000003", "overdue_amount": "-4321.99", "national_id": "11010519491231002X"},
]


def write_portfolio(path: Path, rows: int) -> list[dict[str, str]]:
    with (EXAMPLES / "portfolio.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        good = [row for _, row in zip(range(rows), reader, strict=False)]
    bad = []
    for overrides in BAD_ROWS:
        row = dict(good[0])
        row.update(overrides)
        bad.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(good[:40] + bad + good[40:])
    return bad


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NOTIFYSDK_LOAD_PLUGINS"}
    env |= {
        # The sample's routes use the first-party channels; the test fixtures stay out.
        "NOTIFYSDK_DISABLE_PLUGINS": "broken,example",
        "NOTIFYSDK_TRACE_HOOKS": "1",
        "NOTIFYSDK_LOG_LEVEL": "DEBUG",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "notifysdk", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_campaign_cli_leaks_no_personal_data(tmp_path: Path) -> None:
    bad = write_portfolio(tmp_path / "portfolio.csv", 120)
    for name in ("notifysdk.toml", "ladder.toml"):
        (tmp_path / name).write_text(
            (EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8"
        )

    accounts = [
        r.account for r in read_portfolio(tmp_path / "portfolio.csv") if isinstance(r, PortfolioRow)
    ]
    in_bad_rows = [
        ("name", "欧阳娜娜"),
        ("phone", "13893316406"),
        ("email", "leak.me@example.cn"),
        ("amount", "4321.99"),
        ("national_id", "11010519491231002X"),
    ]
    scanner = PiiScanner([*(v for a in accounts for v in account_values(a)), *in_bad_rows])
    assert len(bad) == 3 and len(accounts) == 120

    runs = [
        cli(tmp_path, "run", "portfolio.csv", "--config", "notifysdk.toml"),
        cli(tmp_path, "run", "portfolio.csv", "--config", "notifysdk.toml", "--json"),
        cli(tmp_path, "audit", "verify", "--config", "notifysdk.toml"),
        cli(tmp_path, "dead-letters", "list", "--config", "notifysdk.toml"),
        cli(tmp_path, "run-due", "--config", "notifysdk.toml"),
    ]
    for i, proc in enumerate(runs):
        scanner.add(f"cli[{i}].stdout", proc.stdout)
        scanner.add(f"cli[{i}].stderr", proc.stderr)
    # The campaign ran for real: bad rows reported, notices decided, logs written.
    assert runs[0].returncode == 4, runs[0].stderr[-2000:]
    assert "line 42" in runs[0].stdout + runs[0].stderr
    assert "INFO notifysdk.dispatch" in runs[0].stderr
    assert '"bad_rows"' in runs[1].stdout or "bad" in runs[1].stdout

    db = tmp_path / ".notifysdk" / "ledger.db"
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    excluded = {("notices", "notice_json"), ("attempts", "dest")}
    rows_seen = 0
    for table in tables:
        cursor = conn.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cursor.description]
        for row in cursor:
            rows_seen += 1
            kept = [str(v) for c, v in zip(columns, row, strict=True) if (table, c) not in excluded]
            scanner.add(f"ledger.{table}", " | ".join(kept))
    audit_rows = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    conn.close()
    assert rows_seen > 100 and audit_rows > 50

    # A control: the raw values are really there in what was *sent* (the capture files),
    # so the scanner would have found them had they leaked.
    sent = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (tmp_path / ".notifysdk" / "out").rglob("*.json")
    )
    control = PiiScanner(scanner.values)
    control.add("sent", sent)
    if sent:
        assert control.hits, "the control found nothing: the scan would prove nothing"

    assert scanner.hits == [], scanner.report()
