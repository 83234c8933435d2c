"""Every script in examples/ runs, as a user would run it, and does what it says."""

from __future__ import annotations

import ast
import os
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
UV = ROOT / ".tools" / "bin" / "uv"
NOW = "2026-01-05T02:00:00+00:00"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def _run(script: str, cwd: Path, *args: str, pythonpath: Path | None = None) -> str:
    """Run an example in a fresh interpreter, as a user would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFYSDK_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture
def run_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., str]:
    """Run an example in this interpreter (plugins already loaded: much faster)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for var in ("NOTIFYSDK_LEDGER_URL", "NOTIFYSDK_OUTPUT_DIR"):
        monkeypatch.delenv(var, raising=False)

    def run(script: str, *args: str) -> str:
        monkeypatch.setattr(sys, "argv", [script, *args])
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(EXAMPLES / script), run_name="__main__")
        out = capsys.readouterr().out
        assert done.value.code in (0, None), out
        return out

    return run


def _examples_run_by_tests() -> dict[str, set[str]]:
    """Which example each test of this module runs: the first argument of every
    ``run_here(...)`` or ``_run(...)`` call in a ``test_*`` function, read from the source."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    ran: dict[str, set[str]] = {}
    for fn in tree.body:
        if not (isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)):
            continue
        if not fn.name.startswith("test_"):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"run_here", "_run"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                ran.setdefault(node.args[0].value, set()).add(fn.name)
    return ran


def test_every_example_has_a_test() -> None:
    ran = _examples_run_by_tests()
    assert SCRIPTS, "no examples found"
    untested = [s for s in SCRIPTS if s not in ran]
    assert untested == [], f"examples no test runs: {untested}"
    assert sorted(set(ran) - set(SCRIPTS)) == [], "tests run examples that do not exist"


def test_make_portfolio_reproduces_the_committed_sample(
    tmp_path: Path, run_here: Callable[..., str]
) -> None:
    out = run_here("make_portfolio.py", "--out", str(tmp_path / "p.csv"))
    assert "300 synthetic accounts" in out
    assert (tmp_path / "p.csv").read_bytes() == (EXAMPLES / "portfolio.csv").read_bytes()


def test_send_one_sms_then_again_sends_nothing(
    tmp_path: Path, run_here: Callable[..., str]
) -> None:
    out = run_here("send_one_sms.py", "--now", NOW)
    assert "outcome: delivered" in out
    written = next((tmp_path / ".notifysdk" / "out" / "sms").glob("*.json"))
    assert "+8613800138000" in written.read_text(encoding="utf-8")  # the destination
    again = run_here("send_one_sms.py", "--now", NOW)
    assert "duplicate: nothing sent" in again


def test_send_email_with_a_pdf_letter(tmp_path: Path, run_here: Callable[..., str]) -> None:
    from email import message_from_bytes, policy

    ten_am_in_new_york = "2026-01-05T15:00:00+00:00"
    out = run_here("send_email_with_letter.py", "--now", ten_am_in_new_york)
    assert "outcome: delivered" in out
    eml = next((tmp_path / ".notifysdk" / "out" / "email").glob("*.eml"))
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    pdfs = [a for a in mail.iter_attachments() if a.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")


def test_run_campaign_from_python_twice(run_here: Callable[..., str]) -> None:
    out = run_here("run_campaign.py", "--now", NOW)
    assert "accounts: 300, bad rows: 0" in out and "delivered now: 0" not in out
    again = run_here("run_campaign.py", "--now", NOW)
    assert "delivered now: 0" in again


def test_book_appointments_then_the_campaign_writes_visit_letters_and_call_scripts(
    tmp_path: Path, run_here: Callable[..., str]
) -> None:
    out = run_here("book_appointments.py", "--now", NOW)
    assert "accounts at the visit-letter stage: 13; chosen: 5; visits booked now: 5;" in out
    # Monday 10:00 in Shanghai: the visits are on Tuesday, the next working day.
    assert "visit days: 2026-01-06 (10:00 local, 2 staff each)" in out
    again = run_here("book_appointments.py", "--now", NOW)
    assert "visits booked now: 0; already booked: 5;" in again
    out = run_here("run_campaign.py", "--now", NOW)
    assert "'blocked: visit-appointment (no appointment booked by call)': 8" in out
    assert "blocked: input (notice.kind" not in out  # a template for every stage
    folder = tmp_path / ".notifysdk" / "out"
    assert f"written: {Path('.notifysdk') / 'out' / 'letter'}" in out
    assert len(list((folder / "letter").glob("*.pdf"))) >= 5
    assert list((folder / "call_script").glob("*.json"))


@pytest.mark.parametrize(
    ("now", "day"),
    [
        ("2026-01-05T20:00:00+00:00", "2026-01-07"),  # already Tuesday 04:00 in Shanghai
        ("2026-01-09T02:00:00+00:00", "2026-01-12"),  # Friday: the weekend is skipped
        ("2026-09-30T02:00:00+00:00", "2026-10-08"),  # before the National Day holiday
    ],
)
def test_visit_slots_follow_the_run_clock_and_the_calendar(
    run_here: Callable[..., str], now: str, day: str
) -> None:
    out = run_here("book_appointments.py", "--now", now)
    assert "visits booked now: 5;" in out
    assert f"visit days: {day} (10:00 local" in out


def test_third_party_webhook_plugin_installs_and_sends(tmp_path: Path) -> None:
    if not UV.exists():
        pytest.skip("uv is installed into .tools/ by `make install`")
    target = tmp_path / "site"
    subprocess.run(
        [
            str(UV),
            "pip",
            "install",
            "--offline",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            "--python",
            sys.executable,
            str(EXAMPLES / "webhook-channel-plugin"),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        timeout=120,
    )
    assert (target / "notifysdk_webhook-0.1.0.dist-info" / "entry_points.txt").exists()
    out = _run("send_via_webhook_plugin.py", tmp_path, "--now", NOW, pythonpath=target)
    assert "outcome: delivered (provider id hook-1)" in out
    assert "receiver got sms" in out


def test_run_cnsms_sends_the_chinese_sms_through_the_loopback_aliyun(tmp_path: Path) -> None:
    out = _run("run_cnsms.py", tmp_path, str(EXAMPLES / "portfolio.csv"), "--now", NOW)
    assert "41 SendSms requests, 41 accepted" in out, out
