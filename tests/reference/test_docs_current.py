"""The committed reference pages are what the generator writes from the code now."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from notifysdk.reference import PAGES, REGENERATE, default_dir, generate, stale_pages

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_generator_writes_into_docs_reference() -> None:
    assert default_dir() == DOCS


def test_committed_pages_are_current() -> None:
    stale = stale_pages(DOCS)
    assert not stale, f"docs/reference/{', '.join(stale)} out of date: run `{REGENERATE}`"


def test_check_names_a_changed_page_and_the_command(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(DOCS, folder)
    page = folder / "required-wording.md"
    page.write_text(page.read_text(encoding="utf-8").replace("mini-miranda", "x"), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "notifysdk.reference", "--check", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "required-wording.md is out of date" in run.stderr and REGENERATE in run.stderr
    assert "hook-objects.md" not in run.stderr


def test_generation_is_deterministic() -> None:
    assert generate() == generate()
    assert set(PAGES) == {p.name for p in DOCS.glob("*.md")}
