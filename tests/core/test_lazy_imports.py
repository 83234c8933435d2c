"""Start-up loads no vendor stack: ``import notifysdk``, ``notifysdk --help`` and
``notifysdk plugins`` leave the libraries of the channels, ledgers and servers unimported
(they load when a channel, ledger or server is built), and every lazily re-exported
public name still resolves.

Each case runs in a fresh interpreter (this one has imported everything long ago) with
the first-party plugins enabled, and reads that interpreter's ``sys.modules`` at the end.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIRST_PARTY = (
    "callscript",
    "smtp",
    "twilio",
    "visitletter",
    "aliyun-sms",
    "tencent-sms",
    "otel",
)
"""The plugins of this repository; the example test plugin is a third party's business."""

VENDOR = frozenset(
    {
        "fpdf",
        "fontTools",
        "numpy",
        "PIL",
        "aiohttp",
        "twilio",
        "aiosmtplib",
        "psycopg",
        "starlette",
        "uvicorn",
        "opentelemetry",
        "alibabacloud_dysmsapi20170525",
        "alibabacloud_tea_openapi",
        "tencentcloud",
    }
)
"""Loaded only when a channel (PDF letters, Twilio, SMTP), the PostgreSQL ledger or the
webhook server is built: never by registering the plugins, not even by ``plugins``."""

MODELS = frozenset(
    {
        "pydantic",
        "notifysdk.models",
        "notifysdk.config",
        "email_validator",
        "phonenumbers",
        "jinja2",
        "babel",
        "holidays",
        "chinese_calendar",
    }
)
"""The models, settings, validators, templates and calendars: loaded by a command that
runs (or builds the registry), never by the help."""

SERVICES = frozenset(
    {
        "asyncio",
        "starlette",
        "celery",
        "redis",
        "prometheus_client",
        "opentelemetry",
        "cryptography",
    }
)
"""The event loop, the web, queue and metrics stacks and the ledger's crypto: loaded by the
command (or the first event) that uses them, never by the help."""

HELP_MACHINERY = frozenset(
    {
        "rich.markdown",
        "rich.traceback",
        "markdown_it",
        "pygments",
        "attr",
        "importlib.metadata",
        "email",
    }
)
"""What typer's help and the plugin discovery would load but the help does not need:
rich's Markdown and tracebacks (:mod:`notifysdk.cli.rich_help`) and ``importlib.metadata``
with the ``email`` package (:mod:`notifysdk.entrypoints`)."""

_PROBE = """
import json, sys
out, args = sys.argv[1], json.loads(sys.argv[2])
if args is None:
    import notifysdk
else:
    sys.argv = ["notifysdk", *args]
    from notifysdk.cli import main
    try:
        main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
with open(out, "w", encoding="utf-8") as f:
    json.dump(sorted(sys.modules), f)
"""


def _loaded(tmp_path: Path, args: list[str] | None) -> tuple[set[str], str]:
    """The top-level packages and the modules loaded by the end of a fresh run, and its
    stdout."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "NOTIFYSDK_LOAD_PLUGINS": ",".join(FIRST_PARTY)}
    env.pop("NOTIFYSDK_DISABLE_PLUGINS", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(out.read_text(encoding="utf-8"))
    return {m.split(".")[0] for m in modules} | set(modules), done.stdout


def test_import_notifysdk_loads_no_models_and_no_vendor_library(tmp_path: Path) -> None:
    loaded, _ = _loaded(tmp_path, None)
    assert "notifysdk" in loaded
    assert sorted(loaded & (VENDOR | MODELS | {"asyncio", "pluggy", "typer"})) == []


def test_help_loads_no_models_and_no_vendor_library(tmp_path: Path) -> None:
    loaded, out = _loaded(tmp_path, ["--help"])
    # The plugins did register their commands: the help is the real one.
    assert "serve" in out and "dead-letters" in out and "explain" in out
    assert {"notifysdk_twilio", "notifysdk_visitletter", "notifysdk_smtp"} <= loaded
    assert sorted(loaded & (VENDOR | MODELS)) == []
    assert sorted(loaded & (SERVICES | HELP_MACHINERY)) == []


@pytest.mark.parametrize(
    "command",
    [
        ["preview"],
        ["run"],
        ["lint"],
        ["serve"],
        ["plugins"],
        ["account", "event", "record"],
        ["ledger", "erase"],
        ["audit", "verify"],
        ["dead-letters", "show"],
        ["cnsms", "poll"],
        ["plugin", "new"],
    ],
)
def test_a_command_s_help_loads_no_models_and_no_vendor_library(
    tmp_path: Path, command: list[str]
) -> None:
    # The root's and each group's options are processed before the subcommand's help:
    # typer would build pydantic adapters for them (notifysdk.cli.text_options).
    loaded, out = _loaded(tmp_path, [*command, "--help"])
    assert f"notifysdk {' '.join(command)}" in " ".join(out.split())
    assert sorted(loaded & (VENDOR | MODELS | SERVICES | HELP_MACHINERY)) == []


def test_plugins_command_loads_no_vendor_library(tmp_path: Path) -> None:
    loaded, out = _loaded(tmp_path, ["plugins", "--json"])
    infos = {i["name"]: i for i in json.loads(out)}
    # Every first-party plugin registered what it has, without building it.
    assert {n: infos[n]["error"] for n in FIRST_PARTY} == dict.fromkeys(FIRST_PARTY)
    assert infos["twilio"]["registered"]["channel"] == ["twilio-sms", "twilio-voice"]
    assert infos["visitletter"]["registered"]["channel"] == ["visitletter"]
    assert infos["smtp"]["registered"]["channel"] == ["smtp-email"]
    assert sorted(loaded & VENDOR) == []
    # Building the registry loads the rules and models, but no server, queue or metrics
    # stack (asyncio comes with the credit-bureau channel's module).
    assert sorted(loaded & (SERVICES - {"asyncio"})) == []
    assert sorted(loaded & {"rich.markdown", "rich.traceback", "markdown_it", "pygments"}) == []


@pytest.mark.parametrize(
    "package",
    [
        "notifysdk",
        "notifysdk.compliance",
        "notifysdk.builtin.capture",
        "notifysdk.builtin.rules",
        "notifysdk_callscript",
        "notifysdk_smtp",
        "notifysdk_twilio",
        "notifysdk_twilio.webhooks",
        "notifysdk_visitletter",
    ],
)
def test_every_lazily_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = module.not_a_name


def test_a_lazy_name_is_the_defining_module_object() -> None:
    import notifysdk
    import notifysdk_twilio
    from notifysdk import models
    from notifysdk_twilio import channels

    assert notifysdk.Notice is models.Notice
    assert notifysdk.Medium is models.Medium
    assert notifysdk_twilio.TwilioSmsChannel is channels.TwilioSmsChannel
