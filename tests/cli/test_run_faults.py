"""``notifysdk run`` over hostile rows and on a broken run, as a subprocess.

A row that raises anything fails that row only (exit 4, the summary names its line and
the kind of error), and the next run over the same file does not die on it either. A
fault of the run itself (a read-only ledger, a full disk, a PostgreSQL server that
refuses the connection) stops the run with one line on stderr and exit 3: no
traceback unless ``--debug``, no "Task exception was never retrieved". No personal value
of a hostile row reaches stdout, stderr (logs included) or the ledger's files.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOW = "2026-01-05T02:00:00+00:00"  # 10:00 in Shanghai: inside contact hours
NEXT_DAY = "2026-01-06T02:00:00+00:00"

# One hostile debtor's personal values: none may appear in any output of a run.
HOSTILE = {
    "debtor_name": "蔡晓敏",
    "phone": "+8613812345678",
    "national_id": "310101199001011234",
    "email": "hostile.row@example.cn",
    "address_line1": "敌意路77号",
    "account_id": "ACC-HOSTILE-1",
    "debtor_id": "P-HOSTILE-1",
}
SECRETS = [v for v in HOSTILE.values()]


def _template_row() -> dict[str, str]:
    """A row of the example portfolio due for the D+1 SMS at NOW."""
    with (EXAMPLES / "portfolio.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["days_overdue"] == "1" and row["profiles"] == "cn":
                return row
    raise AssertionError("the example portfolio has no D+1 row under cn")


def _rows(n: int) -> list[dict[str, str]]:
    base = _template_row()
    rows = []
    for i in range(n):
        row = dict(base)
        row.update(
            account_id=f"ACC-OK-{i}",
            loan_id=f"LN-OK-{i}",
            debtor_id=f"P-OK-{i}",
            phone=f"+86139{i:08d}",
            email=f"ok{i}@example.cn",
        )
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]], *, header: bool = True) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Settings with an SQLite ledger and the output folder in ``tmp_path``."""
    shutil.copy(EXAMPLES / "ladder.toml", tmp_path / "ladder.toml")
    _settings(tmp_path, f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}")
    return tmp_path


def _settings(folder: Path, ledger_url: str) -> None:
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'output_dir = ".notifysdk/out"',
        f'output_dir = "{(folder / "out").as_posix()}"\nledger_url = "{ledger_url}"',
    )
    (folder / "notifysdk.toml").write_text(text, encoding="utf-8")


def _run(
    work: Path, portfolio: str, *args: str, preexec: Any = None, **env: str
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "NOTIFYSDK_DISABLE_PLUGINS": "broken",
        "COLUMNS": "200",
        **env,
    }
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR"):
        full_env.pop(var, None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "notifysdk",
            "--log-level",
            "INFO",
            "run",
            portfolio,
            "--config",
            "notifysdk.toml",
            *args,
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=240,
        check=False,
        preexec_fn=preexec,
    )


def _ledger_bytes(work: Path) -> bytes:
    return b"".join(p.read_bytes() for p in work.glob("ledger.db*") if p.is_file())


def _assert_nothing_leaked(work: Path, *outputs: str) -> None:
    stored = _ledger_bytes(work)
    for value in SECRETS:
        for text in outputs:
            assert value not in text, value
        assert value.encode() not in stored, value
        for f in (work / "out").rglob("*") if (work / "out").exists() else []:
            if f.is_file():
                assert value.encode() not in f.read_bytes(), (value, f)


def _assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 3 with one ``error:`` line on stderr, no traceback, no lost task."""
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "never retrieved" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _hostile_row(**cells: str) -> dict[str, str]:
    row = _rows(1)[0]
    row.update(HOSTILE)
    row.update(cells)
    return row


def _claims_left(work: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(work / "ledger.db")) as db:
        (n,) = db.execute("SELECT COUNT(*) FROM notices WHERE state = 'claimed'").fetchone()
    return int(n)


@pytest.mark.parametrize(
    ("cells", "field", "bound"),
    [
        ({"overdue_amount": "1e28"}, "overdue_amount", "MAX_AMOUNT"),
        ({"overdue_amount": "1E+1000000"}, "overdue_amount", "MAX_AMOUNT"),
        ({"principal": "9" * 5000}, "principal", "MAX_NUMBER_CHARS"),
        ({"days_overdue": "9" * 5000}, "days_overdue", "MAX_NUMBER_CHARS"),
        ({"penalty_interest": "1E-1000000"}, "penalty_interest", "MAX_AMOUNT_DECIMALS"),
        ({"debtor_name": "蔡晓敏" * 100}, "debtor_name", "MAX_NAME_CHARS"),
        ({"account_id": "ACC-HOSTILE-1\x1fD+1-sms"}, "account_id", "non-printable"),
    ],
)
def test_a_row_past_a_bound_is_refused_by_line_and_the_run_goes_on(
    work: Path, cells: dict[str, str], field: str, bound: str
) -> None:
    rows = [*_rows(2), _hostile_row(**cells), *_rows(3)[2:]]
    (work / "p.csv").write_text(_csv(rows), encoding="utf-8")
    for attempt in range(2):  # the next run over the same file does not die on it either
        done = _run(work, "p.csv", "--now", NOW, "--json")
        assert done.returncode == 4, (done.stdout, done.stderr)
        doc = json.loads(done.stdout)
        assert doc["bad_rows"] == 1 and doc["failed_rows"] == 0
        (bad,) = doc["bad_row_details"]
        assert bad["line"] == 4 and bad["field"] == field and bound in bad["reason"]
        assert doc["accounts"] == 3
        assert doc["new_deliveries"] == (3 if attempt == 0 else 0)
        assert doc["by_outcome"] == {"delivered": 3}
        assert "Traceback" not in done.stderr
        _assert_nothing_leaked(work, done.stdout, done.stderr)
    assert _claims_left(work) == 0


@pytest.mark.parametrize(
    "raises", ["InvalidOperation", "Overflow", "RecursionError", "ValueError", "KeyError"]
)
def test_whatever_one_account_raises_fails_that_row_only_every_run(work: Path, raises: str) -> None:
    rows = [*_rows(2), _hostile_row(agency=f"raise:{raises}"), *_rows(4)[2:]]
    (work / "p.csv").write_text(_csv(rows), encoding="utf-8")
    for attempt in range(2):
        done = _run(work, "p.csv", "--now", NOW, "--json", NOTIFYSDK_TEST_HOSTILE="1")
        assert done.returncode == 4, (done.stdout, done.stderr)
        doc = json.loads(done.stdout)
        assert doc["bad_rows"] == 0 and doc["failed_rows"] == 1
        (failed,) = doc["failed_row_details"]
        assert failed == {
            "line": 4,
            "code": "internal-error",
            "reason": f"unexpected {raises} while preparing",
            "stage": "D+1-sms",
        }
        assert doc["accounts"] == 5 and doc["by_outcome"]["delivered"] == 4
        assert doc["new_deliveries"] == (4 if attempt == 0 else 0)
        assert "Traceback" not in done.stderr and "never retrieved" not in done.stderr
        _assert_nothing_leaked(work, done.stdout, done.stderr)
    assert _claims_left(work) == 0


def test_the_table_summary_lists_failed_rows(work: Path) -> None:
    rows = [*_rows(1), _hostile_row(agency="raise:InvalidOperation")]
    (work / "p.csv").write_text(_csv(rows), encoding="utf-8")
    done = _run(work, "p.csv", "--now", NOW, NOTIFYSDK_TEST_HOSTILE="1")
    assert done.returncode == 4, done.stderr
    assert "rows failed (the run went on)" in done.stdout
    assert "line 3: D+1-sms: unexpected InvalidOperation while preparing" in done.stdout
    _assert_nothing_leaked(work, done.stdout, done.stderr)


def test_a_csv_without_its_header_row_names_no_cell(work: Path) -> None:
    (work / "p.csv").write_text(_csv([_hostile_row(), *_rows(2)], header=False), "utf-8")
    done = _run(work, "p.csv", "--now", NOW)
    _assert_one_line_error(done, "portfolio.header", "header row missing")
    _assert_nothing_leaked(work, done.stdout, done.stderr)


def test_a_10_mb_jsonl_field_is_refused_fast(work: Path) -> None:
    hostile = _hostile_row()
    hostile["debtor_name"] = "x" * 10_000_000
    lines = [json.dumps(r, ensure_ascii=False) for r in [*_rows(2), hostile]]
    (work / "p.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    done = _run(work, "p.jsonl", "--now", NOW, "--json")
    elapsed = time.monotonic() - started
    assert done.returncode == 4, done.stderr
    doc = json.loads(done.stdout)
    assert doc["bad_row_details"] == [
        {"line": 3, "field": "<row>", "reason": "longer than 65536 characters (MAX_ROW_CHARS)"}
    ]
    assert doc["new_deliveries"] == 2
    assert elapsed < 60  # the process start dominates; the refusal itself takes ms
    assert sum(len(b) for b in [_ledger_bytes(work)]) < 2_000_000
    _assert_nothing_leaked(work, done.stdout, done.stderr)


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """Make ``path`` refuse writes, even to root (``chattr +i``); undone afterwards."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: cannot make the ledger read-only")
    done = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_a_read_only_ledger_stops_the_run_with_one_line_and_exit_3(work: Path) -> None:
    (work / "p.csv").write_text(_csv(_rows(3)), encoding="utf-8")
    assert _run(work, "p.csv", "--now", NOW).returncode == 0
    (work / "p.csv").write_text(_csv([*_rows(3), _hostile_row()]), encoding="utf-8")
    with _read_only(work / "ledger.db"):
        done = _run(work, "p.csv", "--now", NEXT_DAY)
        line = _assert_one_line_error(done, "ledger")
        assert "readonly" in line or "read-only" in line
        _assert_nothing_leaked(work, done.stdout, done.stderr)
        debug = _run(work, "p.csv", "--now", NEXT_DAY, "--debug")
    assert debug.returncode == 3 and "Traceback" in debug.stderr
    assert "never retrieved" not in debug.stderr


def _file_size_limit(limit: int) -> Any:
    def limit_writes() -> None:
        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG, as a write
        # to a full disk fails with ENOSPC (a small loop or tmpfs mount needs privileges).
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def test_a_full_disk_stops_the_run_with_one_line_and_exit_3(work: Path) -> None:
    (work / "p.csv").write_text(_csv(_rows(3)), encoding="utf-8")
    assert _run(work, "p.csv", "--now", NOW).returncode == 0
    (work / "p.csv").write_text(_csv([*_rows(12), _hostile_row()]), encoding="utf-8")
    done = _run(work, "p.csv", "--now", NEXT_DAY, "-j", "4", preexec=_file_size_limit(1))
    _assert_one_line_error(done, "ledger")
    _assert_nothing_leaked(work, done.stdout, done.stderr)
    # Nothing is left half-done: the next run with room to write completes.
    again = _run(work, "p.csv", "--now", NEXT_DAY, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["accounts"] == 13
    assert _claims_left(work) == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_a_postgresql_ledger_refusing_the_connection_stops_the_run(work: Path) -> None:
    pytest.importorskip("psycopg")
    password = "s3cret-Passw0rd"
    _settings(work, f"postgresql://notifysdk:{password}@127.0.0.1:{_closed_port()}/notifysdk")
    (work / "p.csv").write_text(_csv([*_rows(2), _hostile_row()]), encoding="utf-8")
    done = _run(work, "p.csv", "--now", NOW)
    _assert_one_line_error(done, "postgresql ledger")
    assert password not in done.stdout + done.stderr
    for value in SECRETS:
        assert value not in done.stdout + done.stderr
