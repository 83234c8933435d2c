"""The fleet the worker tests start: real ``celery -A notifysdk.worker.app worker``
processes (solo pool) on a real redis-server, over a real PostgreSQL ledger, sending to
the loopback peer of ``tests/ledger/peer.py``.

``FleetFiles`` writes the settings file every process reads (the planner in the test
process too); ``Workers`` starts, SIGKILLs, restarts and stops worker processes by
their node names.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEDGER_TESTS = HERE.parent / "ledger"


@dataclass
class FleetFiles:
    """The settings file of a fleet, and the environment of its processes."""

    folder: Path
    ledger_url: str
    broker_url: str
    peer_url: str
    lease_seconds: float = 6
    visibility_timeout: float = 12
    batch: int = 100
    extra: str = ""
    worker_extra: str = ""
    """More lines of the ``[worker]`` table."""
    only_builtins: bool = True
    """Workers load the built-in plugins and the peer only (no entry points)."""

    @property
    def config(self) -> Path:
        """The settings TOML."""
        return self.folder / "fleet.toml"

    def worker_table(self) -> str:
        """The ``[worker]`` table: short lease and visibility timeout, fast restores."""
        return (
            "[worker]\n"
            f'broker_url = "{self.broker_url}"\n'
            f"visibility_timeout = {self.visibility_timeout}\n"
            "restore_interval = 1\n"
            f"batch = {self.batch}\n"
            "busy_retry_seconds = 1\n"
            "poll_seconds = 0.1\n" + self.worker_extra
        )

    def write(self) -> Path:
        """Write the settings file; its path."""
        self.config.write_text(
            "[notifysdk]\n"
            f'ledger_url = "{self.ledger_url}"\n'
            f'output_dir = "{(self.folder / "out").as_posix()}"\n'
            f"lease_seconds = {self.lease_seconds}\n"
            'on_unknown_delivery = "resend"\n'
            'institution_contact = "400-000-0000"\n'
            f"{self.extra}"
            "[notifysdk.channels.peer-sms]\n"
            f'url = "{self.peer_url}"\n' + self.worker_table(),
            encoding="utf-8",
        )
        return self.config

    def env(self) -> dict[str, str]:
        """The environment of a worker: the settings file, the peer plugin, no
        entry-point plugins (the built-ins and the peer only), the shared keys."""
        paths = [str(HERE), str(LEDGER_TESTS), os.environ.get("PYTHONPATH", "")]
        env = {
            **os.environ,
            "NOTIFYSDK_CONFIG": str(self.config),
            "NOTIFYSDK_WORKER_PLUGINS": "peer_plugin",
            "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        }
        if self.only_builtins:
            env["NOTIFYSDK_LOAD_PLUGINS"] = ""
        return env


@dataclass
class Workers:
    """Worker processes by node name."""

    files: FleetFiles
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    restarts: int = 0

    def start(
        self, name: str, *extra: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``celery -A notifysdk.worker.app worker -n NAME@%h`` (solo pool)."""
        log = self.files.folder / f"{name}.{self.restarts}.log"
        self.logs[name] = log
        self.envs[name] = env = env if env is not None else self.envs.get(name, {})
        cmd = [
            sys.executable, "-m", "celery", "-A", "notifysdk.worker.app", "worker",
            "--pool", "solo", "-n", f"{name}@%h", "-Q", "notifysdk", "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat", *extra,
        ]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**self.files.env(), **env},
                cwd=self.files.folder,
            )
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL a worker (no warm shutdown: its unacknowledged task stays in Redis)."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        """Start a killed worker again under the same node name (and environment)."""
        self.restarts += 1
        return self.start(name)

    def alive(self) -> Iterator[str]:
        """Names of the workers still running."""
        return (n for n, p in self.procs.items() if p.poll() is None)

    def check_alive(self) -> None:
        """Fail with a worker's log when one has exited on its own."""
        for name, proc in self.procs.items():
            if proc.poll() is not None and proc.returncode != -signal.SIGKILL:
                raise AssertionError(
                    f"worker {name} exited ({proc.returncode}): {self.log(name)[-3000:]}"
                )

    def log(self, name: str) -> str:
        """The worker's output so far."""
        return self.logs[name].read_text(errors="replace")

    def stop(self) -> None:
        """Stop every worker (SIGTERM, then SIGKILL after 20 s)."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
