"""``notifysdk run --dry-run --workers N``: the same summary as one process, rows in order."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.campaign.parallel import CHUNK_ROWS
from notifysdk.campaign.portfolio import CSV_COLUMNS
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.cli import get_app
from notifysdk.cli.run import EXIT_BAD_ROWS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-01-05T02:00:00+00:00"
ROWS = 2 * CHUNK_ROWS + 500
"""Three chunks: the second worker has work, and a chunk may finish out of turn."""
BAD_PHONE_AT = CHUNK_ROWS + 17
"""A data row (1-based) in the second chunk with a phone number no plan has."""
SHORT_AT = 2 * CHUNK_ROWS + 3
"""A data row in the third chunk with a cell missing."""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example settings with the ledger and output inside tmp_path, and a real
    portfolio CSV of :data:`ROWS` synthetic accounts with two bad rows."""
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'output_dir = ".notifysdk/out"',
        f'output_dir = "{(tmp_path / "out").as_posix()}"\n'
        f'ledger_url = "sqlite:///{(tmp_path / "ledger.db").as_posix()}"',
    )
    (tmp_path / "notifysdk.toml").write_text(text, encoding="utf-8")
    shutil.copy(EXAMPLES / "ladder.toml", tmp_path / "ladder.toml")
    with (tmp_path / "p.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for number, row in enumerate(synthetic_rows(ROWS), start=1):
            cells = [row[c] for c in CSV_COLUMNS]
            if number == BAD_PHONE_AT:
                cells[CSV_COLUMNS.index("phone")] = "+999123456"
            if number == SHORT_AT:
                cells = cells[:-1]
            writer.writerow(cells)
    monkeypatch.chdir(tmp_path)
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _dry_run(*extra: str) -> tuple[int, dict[str, Any]]:
    args = ["run", "p.csv", "--config", "notifysdk.toml", "--now", NOW, "--dry-run", "--json"]
    result = CliRunner().invoke(get_app(), [*args, *extra])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    doc = json.loads(result.stdout)
    doc.pop("now")  # the instant each run started
    return result.exit_code, doc


def test_two_workers_give_the_summary_and_the_row_order_of_one(workdir: Path) -> None:
    code_one, one = _dry_run("--workers", "1")
    code_two, two = _dry_run("--workers", "2")
    assert code_two == code_one == EXIT_BAD_ROWS
    assert two == one
    assert one["rows"] == ROWS and one["accounts"] == ROWS - 2
    assert one["notices"] > ROWS / 3 and one["by_outcome"] == {"planned": one["notices"]}
    # Each bad row once, by its line in the file (the header is line 1), in file order.
    assert [(r["line"], r["field"]) for r in two["bad_row_details"]] == [
        (BAD_PHONE_AT + 1, "phone"),
        (SHORT_AT + 1, "<row>"),
    ]
    assert two["bad_rows"] == 2
    assert "+999123456" not in json.dumps(two)


def test_workers_need_a_dry_run(workdir: Path) -> None:
    result = CliRunner().invoke(
        get_app(), ["run", "p.csv", "--config", "notifysdk.toml", "--workers", "2"]
    )
    assert result.exit_code == 2
    assert "--dry-run" in result.output
    assert not (workdir / "out").exists()


def test_run_help_documents_workers() -> None:
    result = CliRunner().invoke(get_app(), ["run", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--workers" in result.output
    assert "portfolio order" in " ".join(result.output.split())
