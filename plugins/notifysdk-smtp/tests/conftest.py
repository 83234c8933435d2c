"""Fixtures starting real SMTP peers on loopback (helpers live in ``smtp_peers.py``).

- ``smtp_server(handler=None, **smtp_kwargs)``: aiosmtpd in its own thread on a free
  loopback port (a :class:`smtp_peers.Recorder` records what it accepted).
- ``smtp_sink(*options)``: postfix's ``smtp-sink`` on a free loopback port (skipped with
  a message naming it when missing; a failure under ``CI=true``).
- ``tls_files``: a self-signed certificate for 127.0.0.1 made with ``openssl``.
- ``make_channel(**settings)``: an :class:`SMTPEmailChannel` on a fake clock, closed
  after the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifysdk.clock import FakeClock
from notifysdk_smtp import SMTPEmailChannel, SMTPSettings

sys.path.insert(0, str(Path(__file__).parent))

from smtp_peers import (
    DEFAULT_SETTINGS,
    LOOPBACK,
    LoopbackController,
    Recorder,
    Sink,
    free_port,
    need_smtp_sink,
)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., LoopbackController]]:
    """Start aiosmtpd servers (stopped after the test): ``smtp_server(handler, **kw)``."""
    started: list[LoopbackController] = []

    def start(handler: Any = None, **kwargs: Any) -> LoopbackController:
        controller = LoopbackController(handler or Recorder(), **kwargs)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for c in started:
        if c._thread is not None:
            c.stop()


@pytest.fixture
def smtp_sink() -> Iterator[Callable[..., Sink]]:
    """Start ``smtp-sink [options] 127.0.0.1:PORT`` processes (killed after the test)."""
    running: list[Sink] = []

    def start(*options: str) -> Sink:
        binary = need_smtp_sink()
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
        for _ in range(5):  # the port is free when chosen; retry if another process took it
            port = free_port()
            proc = subprocess.Popen(
                [binary, *user, *options, f"{LOOPBACK}:{port}", "16"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            sink = Sink(port, proc)
            running.append(sink)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with socket.create_connection((LOOPBACK, port), timeout=0.5):
                        return sink
                except OSError:
                    time.sleep(0.02)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        pytest.fail(f"smtp-sink did not start: {err.strip()}")

    yield start
    for sink in running:
        if sink.process.poll() is None:
            sink.process.terminate()
        sink.process.wait(timeout=5)
        if sink.process.stderr:
            sink.process.stderr.close()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(certificate, key) of a self-signed certificate for 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed; it makes the test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def make_channel() -> AsyncIterator[Callable[..., SMTPEmailChannel]]:
    """Build channels on a fake clock from ``DEFAULT_SETTINGS`` plus overrides."""
    built: list[SMTPEmailChannel] = []

    def build(**overrides: Any) -> SMTPEmailChannel:
        settings = SMTPSettings.resolve({**DEFAULT_SETTINGS, **overrides}, environ={})
        channel = SMTPEmailChannel(settings, clock=FakeClock())
        built.append(channel)
        return channel

    yield build
    for channel in built:
        await channel.aclose()
