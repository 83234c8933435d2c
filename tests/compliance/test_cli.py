"""``notifysdk explain`` and ``notifysdk lint``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from notifysdk.compliance.cli import register_commands
from notifysdk.compliance.rules import default_rules

runner = CliRunner()


@pytest.fixture
def app(notifysdk_plugins: object) -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root."""

    register_commands(root)
    return root


def test_explain_prints_every_rules_vote_and_the_decision(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            "--sample",
            "--locale",
            "en",
            "--profile",
            "us-regf",
            "--phone",
            "+12085550123",
            "--no-tz",
            "--now",
            "2026-01-05T15:30:00Z",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output  # deferred: not allowed at --now
    data = json.loads(result.stdout)  # a warning on stderr is not part of the JSON
    rules = {v["rule"] for v in data["votes"]}
    assert {r.name for r in default_rules()} <= rules
    assert data["decision"]["verdict"] == "defer"
    assert data["decision"]["rule"] == "contact-window"
    assert data["decision"]["until"] == "2026-01-05T16:00:00+00:00"
    window = next(v for v in data["votes"] if v["rule"] == "contact-window")
    assert window["numbers"]["zones"] == ["America/Boise", "America/Los_Angeles"]
    assert window["citation"].startswith("12 CFR 1006.6(b)(1)(i)")


def test_explain_allowed_notice_exits_zero_and_prints_text(app: typer.Typer) -> None:
    result = runner.invoke(app, ["explain", "--sample", "--now", "2026-01-05T10:00:00+08:00"])
    assert result.exit_code == 0, result.output
    assert "[policy] contact-window (cn): ALLOW" in result.output
    assert "[content] content-lint (cn): ALLOW" in result.output
    assert "decision: allow" in result.output


def test_explain_naive_now_is_a_usage_error(app: typer.Typer) -> None:
    result = runner.invoke(app, ["explain", "--sample", "--now", "2026-01-05T10:00:00"])
    assert result.exit_code == 2
    assert "--now" in result.output


def test_explain_reads_a_notice_file(app: typer.Typer, tmp_path: Path) -> None:
    from notifysdk.testing import sample_notice

    path = tmp_path / "notice.json"
    path.write_text(sample_notice(channel="capture-sms").model_dump_json(), encoding="utf-8")
    result = runner.invoke(app, ["explain", str(path), "--now", "2026-01-05T23:00:00+08:00"])
    assert result.exit_code == 1
    assert "decision: defer by contact-window (cn)" in result.output


def test_lint_fails_on_a_bad_pack(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "overdue_notice").mkdir()
    (tmp_path / "overdue_notice" / "sms.en.txt.j2").write_text(
        "{{ institution }}: pay or you will be ARRESTED.", encoding="utf-8"
    )
    (tmp_path / "overdue_notice" / "sms.zh-CN.txt.j2").write_text(
        "【{{ institution }}】请按时还款。", encoding="utf-8"
    )
    result = runner.invoke(app, ["lint", str(tmp_path), "--json"])
    assert result.exit_code == 1
    rows = {r["template"]: r["findings"] for r in json.loads(result.stdout)}
    assert {f["phrase"] for f in rows["overdue_notice/sms.en.txt.j2"]} == {"en-arrest"}
    assert rows["overdue_notice/sms.zh-CN.txt.j2"] == []


def test_lint_default_pack_is_clean(app: typer.Typer) -> None:
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.output
