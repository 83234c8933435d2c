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
import json
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

# A fixed instant inside contact hours in China (11:00 in Shanghai, 09:00 in Urumqi) on a
# working day: the same notices go, and the same are deferred, whenever the test runs.
NOW = "2026-01-05T03:00:00+00:00"

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

    run = ("run", "portfolio.csv", "--config", "notifysdk.toml", "--now", NOW)
    # (`run-due` is not run here: it has no --now, so what it sends depends on the hour.)
    runs = [
        cli(tmp_path, *run),
        cli(tmp_path, *run, "--json"),
        cli(tmp_path, "audit", "verify", "--config", "notifysdk.toml"),
        cli(tmp_path, "dead-letters", "list", "--config", "notifysdk.toml"),
    ]
    for i, proc in enumerate(runs):
        scanner.add(f"cli[{i}].stdout", proc.stdout)
        scanner.add(f"cli[{i}].stderr", proc.stderr)
    # The campaign ran for real: bad rows reported (line and reason, never the cells),
    # notices decided and delivered, logs written.
    assert runs[0].returncode == 4, runs[0].stderr[-2000:]
    report = runs[0].stdout[runs[0].stdout.index("3 bad row(s) skipped:") :].splitlines()
    assert report[:4] == [
        "3 bad row(s) skipped:",
        "  line 42: phone: not a valid E.164 phone number (it must start with + and a country "
        "code)",
        "  line 43: email: email address contains CR, LF or NUL (header injection refused)",
        "  line 45: overdue_amount: amount must not be negative",  # line 43's cell spans two
    ]
    assert "INFO notifysdk.dispatch" in runs[0].stderr
    assert runs[1].returncode == 4, runs[1].stderr[-2000:]
    summary = json.loads(runs[1].stdout)
    assert summary["now"].startswith("2026-01-05T03:00:00")
    assert summary["bad_row_details"] == [
        {"line": 42, "field": "phone", "reason": report[1].split(": ", 2)[2]},
        {"line": 43, "field": "email", "reason": report[2].split(": ", 2)[2]},
        {"line": 45, "field": "overdue_amount", "reason": "amount must not be negative"},
    ]
    # the second run, same instant, sends nothing new: everything was decided by the first
    assert summary["new_deliveries"] == 0
    assert [runs[2].returncode, runs[3].returncode] == [0, 0]

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
    # so the scanner would have found them had they leaked. At NOW things are delivered on
    # every medium, so the control always runs.
    out = tmp_path / ".notifysdk" / "out"
    sent = {medium: sorted((out / medium).glob("*.json")) for medium in ("sms", "call_script")}
    assert all(sent.values()), {m: len(files) for m, files in sent.items()}
    control = PiiScanner(scanner.values)
    for medium, files in sent.items():
        for path in files:
            control.add(f"sent {medium}", path.read_text(encoding="utf-8"))
    assert {(h.source, h.kind) for h in control.hits} == {
        ("sent sms", "phone"),  # the destination
        ("sent sms", "amount"),  # a debtor's SMS may carry the amount
        ("sent call_script", "name"),  # an agent's script: full disclosure
        ("sent call_script", "phone"),
        ("sent call_script", "amount"),
    }, control.report()

    assert scanner.hits == [], scanner.report()
