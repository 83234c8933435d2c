"""The help and the error panels look exactly as typer draws them with ``rich.markdown``
and ``rich.traceback`` loaded, without loading them; the stand-ins turn into the real
classes when something does use them."""

from __future__ import annotations

import json
import subprocess
import sys

_RENDER = """
import json, sys
from notifysdk.cli import rich_help
if sys.argv[1] == "typer-as-is":
    rich_help.uninstall()
from typer.testing import CliRunner
from notifysdk.cli import get_app
app = get_app()
runner = CliRunner()
out = {}
for args in (["--help"], ["preview", "--help"], ["ledger", "--help"], ["--no-such-option"],
             ["plugins", "--bad"], ["no-such-command"]):
    done = runner.invoke(app, args, prog_name="notifysdk", env={"COLUMNS": "100"})
    out[" ".join(args)] = [done.exit_code, done.output]
out["loaded"] = sorted(m for m in ("rich.markdown", "rich.traceback", "markdown_it", "pygments")
                       if m in sys.modules)
print(json.dumps(out))
"""


def _render(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_help_and_errors_are_drawn_as_typer_draws_them_without_markdown_or_traceback() -> None:
    ours, typers = _render("stand-ins"), _render("typer-as-is")
    assert ours.pop("loaded") == []
    assert typers.pop("loaded") == ["markdown_it", "pygments", "rich.markdown", "rich.traceback"]
    assert ours == typers
    assert "╭─ Commands" in str(ours["--help"]) and "No such option" in str(
        ours["--no-such-option"]
    )


def test_a_stand_in_becomes_the_real_class_when_used() -> None:
    code = """
import sys
from notifysdk.cli import root  # installs the stand-ins
import typer.rich_utils as ru
assert "rich.markdown" not in sys.modules and type(ru.Markdown).__name__ == "_StandIn"
made = ru._make_rich_text(text="**bold**", markup_mode="markdown")
import rich.markdown, rich.traceback
assert type(made) is rich.markdown.Markdown and ru.Markdown is rich.markdown.Markdown
assert ru.Traceback.from_exception is not None and ru.Traceback is rich.traceback.Traceback
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
