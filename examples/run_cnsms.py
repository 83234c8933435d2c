"""Run the main job with the sample's Chinese SMS sent through the aliyun-sms channel to a
loopback server that answers as Alibaba Cloud SMS documents (what ``make run-cnsms`` does).

    python examples/run_cnsms.py PORTFOLIO [--config examples/notifysdk-cnsms.toml]
                                           [--now 2026-01-05T02:00:00+00:00]

It starts the plugin's loopback server (``notifysdk_aliyun_sms.testing.FakeAliyunSms``:
every request's ACS3 signature, action, version and parameters checked, the approved
templates and signs of the config's ``[notifysdk.channels.aliyun-sms]`` section) on the
section's ``endpoint`` (port 0: any free port), runs ``notifysdk run PORTFOLIO`` with the
config pointed at it (a copy in a temporary folder, the endpoint filled in), then prints
what the server accepted: counts by template and sign, and the codes it refused. No
message text, name or number is printed. The exit status is the run's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from notifysdk_aliyun_sms.testing import FakeAliyunSms

HERE = Path(__file__).resolve().parent


def _toml(value: Any) -> str:
    """``value`` as TOML: inline tables and arrays (JSON's strings, numbers and booleans
    are TOML's too)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _pointed(data: dict[str, Any], config: Path, folder: Path) -> Path:
    """A copy of the settings in ``folder`` (one inline table per top-level key), its
    ladder path made absolute (it was relative to ``config``)."""
    campaign = data.get("campaign")
    if isinstance(campaign, dict) and "ladder" in campaign:
        campaign["ladder"] = str((config.parent / campaign["ladder"]).resolve())
    path = folder / config.name
    path.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in data.items()), encoding="utf-8")
    return path


def _server(section: dict[str, Any]) -> FakeAliyunSms:
    templates = {
        spec["code"]: spec["text"]
        for by_locale in section.get("templates", {}).values()
        for spec in by_locale.values()
    }
    return FakeAliyunSms(
        access_key_id=str(section["access_key_id"]),
        access_key_secret=str(section["access_key_secret"]),
        templates=templates,
        sign_names=(str(section["sign_name"]), *map(str, section.get("sign_names", ()))),
    )


class Background:
    """The loopback server on its own event loop, in a daemon thread."""

    def __init__(self, server: FakeAliyunSms, port: int) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(server.start(port=port), self.loop).result(10)

    def stop(self) -> None:
        """Stop the server and its loop."""
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def report(server: FakeAliyunSms) -> None:
    """What the loopback server accepted and refused (counts and codes only)."""
    by_template = Counter(sms.template_code for sms in server.sent)
    by_sign = Counter(sms.sign_name for sms in server.sent)
    print(
        f"loopback Alibaba Cloud SMS: {server.sends()} SendSms requests, "
        f"{len(server.sent)} accepted"
    )
    for code, n in sorted(by_template.items()):
        print(f"  template {code}: {n}")
    for sign, n in sorted(by_sign.items()):
        print(f"  sign 【{sign}】: {n}")
    if server.refused:
        print("  refused: " + ", ".join(f"{c} ×{n}" for c, n in Counter(server.refused).items()))


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("portfolio", type=Path)
    parser.add_argument("--config", type=Path, default=HERE / "notifysdk-cnsms.toml")
    parser.add_argument("--channel", default="aliyun-sms")
    parser.add_argument("--now", help="fix the clock, e.g. 2026-01-05T02:00:00+00:00")
    args = parser.parse_args(argv)
    data = tomllib.loads(args.config.read_text(encoding="utf-8"))
    section: dict[str, Any] = data.get("notifysdk", data)["channels"][args.channel]
    host, _, port = str(section["endpoint"]).rpartition(":")
    if host != "127.0.0.1" or section.get("protocol") != "http":
        parser.error(f"{args.config}: the {args.channel} endpoint must be http://127.0.0.1:PORT")
    server = _server(section)
    try:
        background = Background(server, int(port))
    except OSError as exc:
        print(f"cannot listen on {section['endpoint']}: {exc.strerror}", file=sys.stderr)
        return 2
    section["endpoint"] = server.endpoint
    try:
        with tempfile.TemporaryDirectory(prefix="notifysdk-cnsms-") as folder:
            config = _pointed(data, args.config, Path(folder))
            command = [sys.executable, "-m", "notifysdk", "run", str(args.portfolio)]
            command += ["--config", str(config)]
            if args.now:
                command += ["--now", args.now]
            code = subprocess.run(command, check=False).returncode
    finally:
        background.stop()
    report(server)
    return code


if __name__ == "__main__":
    sys.exit(main())
