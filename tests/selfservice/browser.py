"""A real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
Selenium, and ``notifysdk serve`` started on loopback for it.

Never downloads a browser: the Debian chromedriver at ``/usr/bin/chromedriver`` drives
``/usr/bin/chromium``. Outside CI a missing browser skips (naming the packages); under
``CI=true`` it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PACKAGES = "Debian packages chromium and chromium-driver (.ci/run installs them)"


def require_browser() -> None:
    """Skip (or, under CI, fail) when the browser or its driver is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        message = f"no {', '.join(missing)}: install the {PACKAGES}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def chromium(lang: str = "en", *, javascript: bool = True) -> Iterator[Any]:
    """One headless Chromium with a phone-sized window (``javascript=False``: with
    JavaScript switched off, as on a locked-down phone)."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--no-first-run",
        "--window-size=420,900",
        f"--lang={lang}",
    ):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_config(folder: Path, institution_contact: str) -> Path:
    """Settings for ``notifysdk serve`` and the test's dispatcher: one SQLite ledger and
    key folder, a Twilio section (serve needs one; nothing is sent through it)."""
    path = folder / "notifysdk.toml"
    path.write_text(
        f"""[notifysdk]
ledger_url = "sqlite:///{folder.as_posix()}/ledger.db"
key_dir = "{folder.as_posix()}/keys"
output_dir = "{folder.as_posix()}/out"
institution_contact = "{institution_contact}"

[notifysdk.channels.twilio-sms]
account_sid = "AC{"0" * 32}"
auth_token = "test-token"
from = "+15005550006"
""",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def serve(config: Path, port: int, log: Path, env: dict[str, str]) -> Iterator[str]:
    """``notifysdk serve`` on ``127.0.0.1:port`` until the block ends; yields its base
    URL. Its log lines go to ``log``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "notifysdk",
                "serve",
                "--config",
                str(config),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"notifysdk serve did not start: {log.read_text(errors='replace')}"
                        ) from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
