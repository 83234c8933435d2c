"""Issue 17 QA: ``notifysdk explain`` shows what a vote reserves without the unkeyed
pseudonyms inside the scopes.

A debt's scope ends in the first 20 hex digits of SHA-256 of the casefolded loan id
(``scopes.pseudonym``, unkeyed: the durable ledgers store scopes keyed). Printed, it
gives the loan id back to whoever tries the few values its format allows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from notifysdk.compliance.cli import register_commands
from notifysdk.testing import sample_notice

runner = CliRunner()
LOAN = sample_notice().account.loan_id
HASHED = hashlib.sha256(LOAN.strip().casefold().encode()).hexdigest()[:20]


@pytest.fixture
def app(notifysdk_plugins: object) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root."""

    register_commands(root)
    return root


def _explain(app: typer.Typer, tmp_path: Path, *extra: str) -> str:
    path = tmp_path / "notice.json"
    path.write_text(sample_notice(channel="capture-sms").model_dump_json(), encoding="utf-8")
    result = runner.invoke(
        app,
        ["explain", str(path), "--now", "2026-01-05T10:00:00+08:00", *extra,
         "--ledger", f"sqlite:///{tmp_path}/ledger.db"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_reservations_show_no_loan_pseudonym(app: typer.Typer, tmp_path: Path) -> None:
    data = json.loads(_explain(app, tmp_path, "--json"))
    shown = [s for v in data["votes"] for s in v["reservations"]]
    assert any(s.startswith("notice.overdue_notice:debt:") for s in shown), shown
    assert all(HASHED not in s for s in shown), shown
    assert "notice.overdue_notice:debt:Example%20Bank:* (limit 2147483647)" in shown


def test_the_table_shows_no_loan_pseudonym(app: typer.Typer, tmp_path: Path) -> None:
    out = _explain(app, tmp_path)
    assert "reserves:" in out
    assert HASHED not in out
