"""A hostile template pack (``hostile/CASE/sms.en.txt.j2``: SSTI payloads, nested loops,
huge strings and integers, recursion, broken files) through ``send``, ``notifysdk
preview`` and ``notifysdk lint``.

Each gives a typed error within the documented bound (docs/limits.md), with the exit code
the command documents, no traceback, and no personal value of the notice in the output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.dispatcher import Dispatcher
from notifysdk.errors import TemplateError
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Medium, OutcomeStatus
from notifysdk.template_limits import DEFAULT_LIMITS
from notifysdk.testing import sample_account, sample_notice

HERE = Path(__file__).parent
PACK = HERE / "hostile"
CASES = sorted(p.name for p in PACK.iterdir() if (p / "sms.en.txt.j2").is_file())
PHONE = "+8613957246813"
ACCOUNT = sample_account(locale="en", phone=PHONE)
PERSONAL = ("张伟", "Alex Smith", PHONE, "13800138000", "borrower@example.com", "Sample Road")
"""The debtors' values in the notices of these tests, lint's and preview's included."""
CPU_SLACK = 2.0
NOW = "2026-01-05T15:00:00+00:00"


def _clean(text: str) -> None:
    assert "Traceback" not in text, text[-2000:]
    shown = [p for p in PERSONAL if p in text]
    assert not shown, f"{shown} in: {text[-2000:]}"


def test_the_pack_has_every_kind_of_hostile_template() -> None:
    assert len(CASES) >= 40
    assert {"nested_loops", "string_repeat", "integer_power", "macro_recursion"} <= set(CASES)
    assert sum(c.startswith("ssti_") for c in CASES) >= 8


@pytest.mark.parametrize("case", CASES)
async def test_send_raises_a_template_error_within_the_bound(
    dispatcher: Callable[..., Dispatcher],
    register_plugin: Callable[..., str],
    tmp_path: Path,
    case: str,
) -> None:
    folder = tmp_path / "tpl" / "overdue_notice"
    folder.mkdir(parents=True)
    shutil.copy(PACK / case / "sms.en.txt.j2", folder / "sms.en.txt.j2")

    class Pack:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
            register(folder.parent)

    register_plugin(Pack(), "hostile-template-pack")
    d = dispatcher()
    notice = sample_notice(account=ACCOUNT, channel="capture-sms")
    started = time.thread_time()
    with pytest.raises(TemplateError) as info:
        await d.send(notice)
    assert time.thread_time() - started < DEFAULT_LIMITS.cpu_seconds + CPU_SLACK
    assert info.value.template == "overdue_notice/sms.en.txt.j2"
    _clean(str(info.value))
    # send_many: one bad template is that notice's blocked outcome, not an exception.
    (outcome,) = await d.send_many([notice])
    assert outcome.status is OutcomeStatus.BLOCKED and outcome.rule == "input"
    _clean(outcome.reason or "")
    assert not list((tmp_path / "out").rglob("*.json")) if (tmp_path / "out").exists() else True


def _cli(
    *args: str, pack: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NOTIFYSDK_LOAD_PLUGINS": ""}
    command = [sys.executable, "-m", "notifysdk", *args]
    if pack is not None:
        command = [sys.executable, str(HERE / "hostile_cli.py"), str(pack), *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def test_lint_reports_every_hostile_template_as_an_error() -> None:
    started = time.monotonic()
    result = _cli("lint", str(PACK), "--json")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr[-2000:]
    _clean(result.stdout + result.stderr)
    rows = {r["template"].split("/")[0]: r for r in json.loads(result.stdout)}
    assert set(rows) == set(CASES)
    for case, row in rows.items():
        assert row["error"], (case, row)
        assert not row["rendered"]
    # Each template stops within the CPU bound; the rest is the command's start-up.
    assert elapsed < len(CASES) * DEFAULT_LIMITS.cpu_seconds / 4 + 60


def test_lint_prints_the_errors_as_text_too() -> None:
    result = _cli("lint", str(PACK / "ssti_mro"))
    assert result.returncode == 1
    _clean(result.stdout + result.stderr)
    assert "error sms.en.txt.j2: refused by the sandbox" in result.stdout


PREVIEWED = [
    c
    for c in CASES
    if c.startswith("ssti_")
    or c
    in (
        "nested_loops",
        "string_repeat",
        "integer_power",
        "macro_recursion",
        "macro_fan_out",
        "output_flood",
        "block_replay",
        "recursion_in_repr",
        "syntax_error",
        "not_utf8",
        "overflow",
        "filter_value_error",
    )
]
SLOTS = [(m, loc) for m in Medium for loc in ("en", "zh-CN")]


@pytest.mark.parametrize("batch", range(0, len(PREVIEWED), len(SLOTS)))
def test_preview_shows_a_template_error_for_each_hostile_template(
    tmp_path: Path, batch: int
) -> None:
    placed: dict[tuple[str, str], str] = {}
    for case, (medium, locale) in zip(PREVIEWED[batch : batch + len(SLOTS)], SLOTS, strict=False):
        folder = tmp_path / "pack" / "overdue_notice"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACK / case / "sms.en.txt.j2", folder / f"{medium.value}.{locale}.txt.j2")
        placed[(medium.value, locale)] = case
    started = time.monotonic()
    result = _cli("preview", "--now", NOW, "--json", pack=tmp_path / "pack")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr[-2000:]
    _clean(result.stderr)
    assert "Traceback" not in result.stdout
    for r in json.loads(result.stdout):
        case = placed.get((r["medium"], r["locale"]))
        if case is None:  # a default template, rendered as the medium discloses
            continue
        _clean(json.dumps(r, ensure_ascii=False))
        assert r["status"] == "template error", (case, r)
        assert r["reason"].startswith("template overdue_notice/"), (case, r)
    assert elapsed < len(placed) * DEFAULT_LIMITS.cpu_seconds + 60
