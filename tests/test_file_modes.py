"""File modes (issue 15): under ``umask 000`` a real ``notifysdk run`` (capture channels,
call scripts, visit letters, the SQLite ledger, its keys) creates every folder ``0700``
and every file ``0600``; the SDK's own folders left wide by an older version are
narrowed, a user's own folder is not."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.files import private_dir, write_private

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOW = "2026-01-05T02:00:00+00:00"
INPUTS = ("ladder.toml", "portfolio.csv", "notifysdk.toml")


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root: Path, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Mode of every folder and file under ``root`` (but ``skip``), by relative path."""
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
        for p in sorted(root.rglob("*"))
        if p.name not in skip
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example settings, ledger, keys and output inside ``tmp_path/work``."""
    work = tmp_path / "work"
    work.mkdir()
    for name in ("ladder.toml", "portfolio.csv"):
        shutil.copy(EXAMPLES / name, work / name)
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    assert 'output_dir = ".notifysdk/out"' in text
    (work / "notifysdk.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(work)
    for var in (
        "NOTIFYSDK_LEDGER_URL",
        "NOTIFYSDK_OUTPUT_DIR",
        "NOTIFYSDK_KEY_DIR",
        "NOTIFYSDK_LEDGER_KEY",
        "NOTIFYSDK_PSEUDONYM_KEY",
        "NOTIFYSDK_AUDIT_KEY",
    ):
        monkeypatch.delenv(var, raising=False)
    return work


def test_a_real_run_under_umask_000_writes_only_private_files(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with umask(0):
        book: dict[str, Any] = runpy.run_path(str(EXAMPLES / "book_appointments.py"))
        argv = ["--config", "notifysdk.toml", "--portfolio", "portfolio.csv", "--now", NOW]
        assert book["main"](argv) == 0
        capsys.readouterr()
        result = CliRunner().invoke(
            get_app(),
            ["run", "portfolio.csv", "--config", "notifysdk.toml", "--now", NOW, "--json"],
        )
        assert result.exit_code == 0, result.output
        checkpoint = CliRunner().invoke(
            get_app(), ["audit", "checkpoint", "--out", "checkpoint.json"]
        )
        assert checkpoint.exit_code == 0, checkpoint.output
    assert json.loads(result.stdout)["new_deliveries"] > 0
    modes = _modes(workdir, skip=INPUTS)
    out = workdir / ".notifysdk" / "out"
    written = {p.parent.name for p in out.rglob("*") if p.is_file()}
    # the run really went through every kind of writer
    assert {"sms", "email", "call_script", "letter"} <= written, written
    assert any(p.suffix == ".pdf" for p in (out / "letter").iterdir())
    assert {".json", ".md", ".html"} <= {p.suffix for p in (out / "call_script").iterdir()}
    assert any(name.endswith("ledger.db") for name in modes)
    assert "checkpoint.json" in modes
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (workdir / name).is_dir() else 0o600)
    }
    assert not wrong, wrong
    assert not [n for n in modes if n.endswith(".tmp")]  # no temporary file left behind


def test_the_sdks_own_folders_are_narrowed_a_users_are_not(tmp_path: Path) -> None:
    with umask(0):
        old = tmp_path / ".notifysdk" / "out" / "sms"
        old.mkdir(parents=True)  # as an older version left it: 0777 under this umask
        shared = tmp_path / "shared"
        shared.mkdir()
        write_private(old / "a.json", b"{}", sync=False)
        write_private(shared / "new" / "b.json", b"{}")
        private_dir(shared / "new2" / "deeper")
    modes = _modes(tmp_path)
    assert modes[".notifysdk"] == modes[".notifysdk/out"] == modes[".notifysdk/out/sms"] == 0o700
    assert modes[".notifysdk/out/sms/a.json"] == 0o600
    assert modes["shared"] == 0o777  # the user's folder keeps its mode
    assert modes["shared/new"] == modes["shared/new2"] == modes["shared/new2/deeper"] == 0o700
    assert modes["shared/new/b.json"] == 0o600


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    with pytest.raises(TypeError):
        write_private(target, "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_synthetic_portfolio_is_written_private_under_umask_000(tmp_path: Path) -> None:
    from notifysdk.campaign.synthetic import write_csv

    old = os.umask(0)
    try:
        out = tmp_path / "export" / "portfolio.csv"
        assert write_csv(out, 3) == 3
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
