"""``notifysdk plugin new NAME`` writes a plugin that works as generated: installed into a
fresh environment (the SDK from this tree, the plugin editable), its own tests pass,
it sends through its channel, and its templates change nothing capture-sms sends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.scaffold import check_name, new_plugin, placeholders

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"


def test_names_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    for bad in ("WeCom", "wecom_bot", "-x", "x-", "9lives", "a" * 41, "we com"):
        with pytest.raises(Exception, match="lower-case letters"):
            check_name(bad)
    assert not list(tmp_path.iterdir())
    assert placeholders("wecom-bot", "1.2.3")["@@MODULE@@"] == "notifysdk_wecom_bot"
    assert placeholders("wecom-bot", "1.2.3")["@@CLASS@@"] == "WecomBot"


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notifysdk-pager").mkdir()
    (tmp_path / "notifysdk-pager" / "mine.txt").write_text("keep")
    with pytest.raises(Exception, match="exists and is not empty"):
        new_plugin("pager", tmp_path, sdk_version="0.1.0")
    assert (tmp_path / "notifysdk-pager" / "mine.txt").read_text() == "keep"


def test_the_cli_writes_the_distribution(tmp_path: Path) -> None:
    result = CliRunner().invoke(get_app(), ["plugin", "new", "pager", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "notifysdk-pager"
    assert (root / "src" / "notifysdk_pager" / "channel.py").exists()
    assert (root / "src/notifysdk_pager/templates/overdue_notice/pager.en.txt.j2").exists()
    assert not [p for p in root.rglob("*") if "@@" in p.name or p.suffix == ".tmpl"]
    assert not [p for p in root.rglob("*") if p.is_file() and "@@" in p.read_text()]
    bad = CliRunner().invoke(get_app(), ["plugin", "new", "Bad_Name", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "lower-case letters" in bad.output


_SEND_BOTH = """
import asyncio, json, sys
from notifysdk import Dispatcher, Settings
from notifysdk.clock import FakeClock
from notifysdk.testing import sample_notice
from notifysdk.testing_receiver import LoopbackReceiver

PLUGIN = sys.argv[2] == "with-plugin"
CHANNELS = ("capture-sms", "wecom-bot") if PLUGIN else ("capture-sms",)

async def main():
    out = {}
    with LoopbackReceiver() as receiver:
        settings = Settings(
            output_dir=sys.argv[1],
            ledger_url="memory://",
            channels={"wecom-bot": {"url": receiver.url}},
        )
        # A fixed instant inside every contact window: on the system clock the rules
        # defer the notice at night in China, and the test would depend on the hour.
        async with Dispatcher(settings=settings, clock=FakeClock()) as d:
            for locale in ("zh-CN", "en"):
                for channel in CHANNELS:
                    n = sample_notice(channel=channel, locale=locale)
                    prepared = await d.prepare(n)
                    out[f"{channel} {locale}"] = prepared.context.message.body
            if PLUGIN:
                sent = await d.send(sample_notice(7, channel="wecom-bot"))
                out["sent"] = sent.status.value
                out["received"] = [r.json()["text"] for r in receiver.requests]
    print(json.dumps(out, ensure_ascii=False))

asyncio.run(main())
"""


def test_a_generated_plugin_installs_passes_its_tests_and_sends(tmp_path: Path) -> None:
    if not UV.exists():
        pytest.skip("uv is not installed in .tools/: run `make test`")
    root = new_plugin("wecom-bot", tmp_path, sdk_version="0.1.0")
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFYSDK_", "PYTHONPATH"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    subprocess.run(
        [str(UV), "venv", "-q", "--python", sys.executable, str(venv)],
        check=True,
        env=env,
        timeout=300,
    )
    python = str(venv / "bin" / "python")
    subprocess.run(
        [str(UV), "pip", "install", "-q", "--python", python, str(ROOT), "-e", f"{root}[test]"],
        check=True,
        env=env,
        timeout=600,
        capture_output=True,
    )
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    def send_both(mode: str) -> dict[str, object]:
        run = subprocess.run(
            [python, "-c", _SEND_BOTH, str(tmp_path / "out"), mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        result: dict[str, object] = json.loads(run.stdout)
        return result

    with_plugin = send_both("with-plugin")
    assert with_plugin["sent"] == "delivered"
    (text,) = with_plugin["received"]  # type: ignore[misc]
    assert "wecom-bot" in text  # its own template
    assert "（wecom-bot）" in str(with_plugin["wecom-bot zh-CN"])
    # capture-sms renders exactly what it renders without the plugin installed
    without = subprocess.run(
        [str(UV), "pip", "uninstall", "-q", "--python", python, "notifysdk-wecom-bot"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert without.returncode == 0
    plain = send_both("without")
    for locale in ("zh-CN", "en"):
        assert with_plugin[f"capture-sms {locale}"] == plain[f"capture-sms {locale}"]
