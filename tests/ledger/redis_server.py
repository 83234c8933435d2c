"""A throwaway Redis server on loopback, for the scale-out tests and benchmarks.

Uses Debian's ``redis-server`` binary: no persistence (``--save ''``, no AOF), a free
port, its folder in a temporary directory, stopped (and waited for) on exit.

    with RedisServer.start() as redis:
        url = redis.url(db=1)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pg_server import free_port


class RedisUnavailableError(RuntimeError):
    """The ``redis-server`` binary is missing (Debian package ``redis-server``)."""


START_ATTEMPTS = 5
"""How many ports :meth:`RedisServer.start` tries before it gives up."""


def find_binary() -> str:
    """The ``redis-server`` binary (``NOTIFYSDK_REDIS_SERVER`` overrides)."""
    path = os.environ.get("NOTIFYSDK_REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        raise RedisUnavailableError("redis-server not found (Debian package 'redis-server')")
    return path


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """A running server: its port and process."""

    port: int
    process: subprocess.Popen[bytes]
    folder: Path

    def url(self, db: int = 0) -> str:
        """``redis://127.0.0.1:PORT/DB``."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        """Empty every database (between tests sharing the session's server)."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "FLUSHALL"],
            check=True,
            capture_output=True,
            timeout=10,
        )

    @classmethod
    @contextlib.contextmanager
    def start(cls) -> Iterator[RedisServer]:
        """Start a server on a free loopback port; stop it on exit."""
        binary = find_binary()
        with tempfile.TemporaryDirectory(prefix="notifysdk-redis-") as tmp:
            last = ""
            for _ in range(START_ATTEMPTS):
                port = free_port()
                proc = subprocess.Popen(
                    [
                        binary,
                        "--port", str(port),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", "no",
                        "--dir", tmp,
                        "--databases", "64",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and proc.poll() is None:
                    if _ping(port):
                        break
                    time.sleep(0.05)
                if proc.poll() is None and _ping(port):
                    server = cls(port, proc, Path(tmp))
                    try:
                        yield server
                    finally:
                        proc.send_signal(signal.SIGTERM)
                        try:
                            proc.wait(10)
                        except subprocess.TimeoutExpired:
                            proc.kill()
                            proc.wait()
                    return
                proc.kill()
                out = proc.communicate()[0] or b""
                last = out.decode(errors="replace")[-500:]
            raise RedisUnavailableError(f"redis-server did not start: {last}")
