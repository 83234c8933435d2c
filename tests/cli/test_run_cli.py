"""``notifysdk run``: the main job, its summary, its exit codes."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.cli.run import EXIT_BAD_ROWS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-01-05T02:00:00+00:00"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example settings with the ledger and output inside tmp_path."""
    for name in ("ladder.toml", "portfolio.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'output_dir = ".notifysdk/out"',
        f'output_dir = "{(tmp_path / "out").as_posix()}"\n'
        f'ledger_url = "sqlite:///{(tmp_path / "ledger.db").as_posix()}"',
    )
    (tmp_path / "notifysdk.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(get_app(), ["run", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


VISIT_STAGE = "D+20-visit-letter"
NO_APPOINTMENT = "blocked: visit-appointment (no appointment booked by call)"


def _files(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _book(now: str, capsys: pytest.CaptureFixture[str]) -> str:
    """``make run``'s first step: examples/book_appointments.py on the work dir's ledger."""
    script: dict[str, Any] = runpy.run_path(str(EXAMPLES / "book_appointments.py"))
    argv = ["--config", "notifysdk.toml", "--portfolio", "portfolio.csv", "--now", now]
    assert script["main"](argv) == 0
    return capsys.readouterr().out


def test_main_job_twice_on_the_same_day_sends_nothing_the_second_time(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "visits booked now: 5;" in _book(NOW, capsys)
    code, out = _run("portfolio.csv", "--config", "notifysdk.toml", "--now", NOW, "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["accounts"] == 300 and first["bad_rows"] == 0
    assert first["new_deliveries"] > 50
    assert first["ledger_url"].startswith("sqlite:///")
    written = _files(workdir / "out")
    assert len(written) >= first["new_deliveries"]
    # Every kind of output: no stage lacks a template, and none lacks its data (the
    # summons letters' interview comes from the settings, not from bad input).
    assert not [r for r in first["by_rule"] if r.startswith("blocked: input")]
    # Letters are PDFs: the 5 booked visits (the other visit-stage accounts are blocked by
    # visit-appointment, not as bad input) and the credit-report pre-notices by post.
    pdfs = list((workdir / "out" / "letter").glob("*.pdf"))
    assert len(pdfs) == first["by_channel"]["visitletter"]["delivered"] > 5
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    blocked_visits = first["by_rule"][NO_APPOINTMENT]
    assert first["by_stage"][VISIT_STAGE] - blocked_visits == 5
    # Call scripts for the agents' screen: JSON, Markdown and HTML per script.
    scripts = list((workdir / "out" / "call_script").glob("*.json"))
    assert len(scripts) == first["by_channel"]["callscript"]["delivered"] > 0
    for script in scripts:
        doc = json.loads(script.read_text(encoding="utf-8"))
        assert doc["format"] == "notifysdk.call_script/1" and doc["script_type"] == "debtor"
        assert script.with_suffix(".md").exists() and script.with_suffix(".html").exists()
    assert {str(workdir / "out" / m) for m in ("letter", "call_script")} <= set(first["written"])

    assert "visits booked now: 0; already booked: 5;" in _book("2026-01-05T06:30:00+00:00", capsys)

    code, out = _run(
        "portfolio.csv",
        "--config",
        "notifysdk.toml",
        "--now",
        "2026-01-05T06:30:00+00:00",
        "--json",
    )
    second = json.loads(out)
    assert code == 0
    assert second["new_deliveries"] == 0
    assert second["duplicates"] >= first["new_deliveries"]
    assert second["by_rule"][NO_APPOINTMENT] == blocked_visits
    assert _files(workdir / "out") == written  # not one file written or rewritten


SUMMONS_STAGE = "D+45-summons-letter"
SUMMONS_TITLES = ("约谈通知函", "Invitation to a meeting about your loan")
DEBT_WORDS = re.compile(
    r"逾期|欠款|债|还款|催收|借款|金额|通知函|上门|约谈|¥|\$|\d[\d,]*\.\d\d|"
    r"(?i:debt|loan|overdue|owe|amount|collect|repay|visit|meeting|notice)"
)
"""Nothing on the envelope page may tell a reader that the letter is about a debt."""


def _pdftotext(pdf: Path, *pages: int) -> str:
    """The text of ``pdf`` (pages ``first, last``) by poppler's pdftotext, spaces removed;
    skipped (failing under CI=true) when poppler-utils is missing."""
    tool = shutil.which("pdftotext")
    if tool is None:
        message = "pdftotext not found: install the Debian package poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    args = [tool, "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    done = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return re.sub(r"[ \t]+", "", done.stdout.decode("utf-8"))


def test_main_job_writes_summons_letters_from_the_settings(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _book(NOW, capsys)
    code, out = _run("portfolio.csv", "--config", "notifysdk.toml", "--now", NOW, "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["by_stage"][SUMMONS_STAGE] > 0
    assert not [r for r in first["by_rule"] if "summons-interview" in r or "input" in r]
    settings = tomllib.loads((workdir / "notifysdk.toml").read_text(encoding="utf-8"))
    section = settings["notifysdk"]["channels"]["visitletter"]
    office = section["summons_office"].replace(" ", "")
    roster = {s["staff_id"]: s["name"] for s in section["summons_staff"]}
    summons = 0
    for pdf in sorted((workdir / "out" / "letter").glob("*.pdf")):
        letter = _pdftotext(pdf, 2, 999)
        if not any(title in letter for title in SUMMONS_TITLES):
            continue
        summons += 1
        # Monday 5 January 2026 + summons_lead_days (7): Monday 12 January, 10:00 local.
        assert "2026年1月12日星期一10:00" in letter or "Monday12January2026,10:00" in letter
        assert office in letter
        attending = [sid for sid in roster if f"工号{sid}" in letter or f"ID{sid}" in letter]
        assert len(attending) == 2 and all(roster[sid] in letter for sid in attending)
        envelope = _pdftotext(pdf, 1)
        assert not DEBT_WORDS.search(envelope), DEBT_WORDS.findall(envelope)
        assert office not in envelope and not any(sid in envelope for sid in roster)
    assert summons > 0
    written = _files(workdir / "out")

    code, out = _run(
        "portfolio.csv",
        "--config",
        "notifysdk.toml",
        "--now",
        "2026-01-05T06:30:00+00:00",
        "--json",
    )
    assert code == 0 and json.loads(out)["new_deliveries"] == 0
    assert _files(workdir / "out") == written


def test_table_summary_names_where_files_went(workdir: Path) -> None:
    code, out = _run("portfolio.csv", "--config", "notifysdk.toml", "--now", NOW)
    assert code == 0
    # rich folds a path longer than the console at any character: compare unfolded.
    flat = out.replace("\n", "")
    for needle in (
        "campaign run",
        "by outcome",
        "by channel",
        "capture-sms",
        "messages and letters written to",
        str(workdir / "out" / "sms"),
        str(workdir / "out" / "call_script"),
        str(workdir / "out" / "letter"),
        "visit-appointment (no appointment booked by call)",
        "ledger:",
    ):
        assert needle in flat, needle


def test_dry_run_writes_nothing(workdir: Path) -> None:
    code, out = _run(
        "portfolio.csv", "--config", "notifysdk.toml", "--now", NOW, "--dry-run", "--json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["dry_run"] is True
    assert doc["by_outcome"] == {"planned": doc["notices"]} and doc["notices"] > 100
    assert not (workdir / "out").exists()


def test_bad_rows_are_listed_and_exit_4(workdir: Path) -> None:
    lines = (workdir / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("phone")] = "12345"
    lines[1] = ",".join(bad)
    lines[5] = lines[5] + ",extra"
    (workdir / "portfolio.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _run("portfolio.csv", "--config", "notifysdk.toml", "--now", NOW, "--dry-run")
    assert code == EXIT_BAD_ROWS == 4
    assert "line 2: phone: not a valid E.164 phone number" in out
    assert "line 6: <row>: expected 32 fields, found 33" in out
    assert "12345" not in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--now", "yesterday"], 2),
        (["--now", "2026-01-05T10:00:00"], 2),
        (["--ladder", "missing.toml"], 3),
        (["--concurrency", "0"], 2),
    ],
)
def test_exit_codes_for_bad_invocations(workdir: Path, args: list[str], code: int) -> None:
    got, _ = _run("portfolio.csv", "--config", "notifysdk.toml", "--dry-run", *args)
    assert got == code


def test_bad_settings_and_missing_portfolio_exit_3(workdir: Path) -> None:
    (workdir / "broken.toml").write_text("[notifysdk]\nno_such_setting = 1\n", encoding="utf-8")
    assert _run("portfolio.csv", "--config", "broken.toml")[0] == 3
    assert _run("nowhere.csv", "--config", "notifysdk.toml")[0] == 3


def test_help_teaches_exit_codes_and_examples() -> None:
    result = CliRunner().invoke(get_app(), ["run", "--help"], terminal_width=100)
    assert result.exit_code == 0
    for needle in (
        "Exit codes",
        "--dry-run",
        "--now",
        "capture-<medium>",
        "[routes]",
        "notifysdk run examples/portfolio.csv --config examples/notifysdk.toml",
    ):
        assert needle in result.stdout, needle
