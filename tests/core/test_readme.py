"""The README's examples are true: its Python runs, its settings load, its commands exist."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.plugins import PluginManager

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def test_quick_start_is_exactly_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    (sh,) = re.findall(r"```sh\n(.*?)```", quick, re.S)
    commands = [line.split("#")[0].strip() for line in sh.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: install$", makefile, re.M)
    assert re.search(r"^test: install$", makefile, re.M)
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


README_DISPATCHER = 'Dispatcher(Settings(output_dir=".notifysdk/out"))'


@pytest.mark.parametrize(
    "now, printed",
    [
        # 10:00 in Shanghai, inside the contact window: sent
        (datetime(2026, 1, 5, 2, 0, tzinfo=UTC), "delivered None None"),
        # 23:00 in Shanghai: deferred to 08:00 the next morning (00:00 UTC)
        (
            datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
            "deferred contact-window 2026-01-06 00:00:00+00:00",
        ),
    ],
)
def test_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: datetime, printed: str
) -> None:
    """The example as written, on a clock pinned to ``now`` (the README's reader uses the
    real one; the outcome depends on the hour, so the test fixes it)."""
    monkeypatch.chdir(tmp_path)
    (code,) = [b for b in blocks("python") if "Dispatcher(" in b]
    assert code.count(README_DISPATCHER) == 1, "the example's Dispatcher(...) call changed"
    pinned = code.replace(README_DISPATCHER, README_DISPATCHER[:-1] + ", clock=CLOCK)")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(pinned, "README.md", "exec"), {"__name__": "readme", "CLOCK": FakeClock(now)})
    assert out.getvalue().strip() == printed
    assert (tmp_path / ".notifysdk" / "ledger.db").exists()


@pytest.fixture
def all_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README speaks of the first-party plugins: load them all."""
    monkeypatch.delenv("NOTIFYSDK_LOAD_PLUGINS", raising=False)


@pytest.mark.usefixtures("all_plugins")
def test_real_channel_settings_load() -> None:
    from notifysdk_smtp.settings import SMTPSettings
    from notifysdk_twilio.settings import TwilioSettings

    (toml,) = [b for b in blocks("toml") if "[notifysdk.routes]" in b]
    doc = tomllib.loads(toml)["notifysdk"]
    channels = PluginManager().registry().channels
    for channel in doc["routes"].values():
        assert channel in channels, channel
    env = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t"}
    TwilioSettings.load(doc["channels"]["twilio-sms"], env)
    SMTPSettings.resolve(doc["channels"]["smtp-email"], {})


@pytest.mark.usefixtures("all_plugins")
def test_operator_commands_exist() -> None:
    table = README.split("## For operators", 1)[1].split("##", 1)[0]
    named = set(re.findall(r"`notifysdk ([a-z-]+)", table))
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "notifysdk", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    listed = set(re.findall(r"│ ([a-z-]+)\s{2,}", result.stdout))
    assert named and named <= listed, named - listed
