"""A throwaway PostgreSQL server on loopback, for tests and benchmarks.

Uses Debian's ``postgresql`` package binaries (``/usr/lib/postgresql/*/bin``). initdb and
postgres refuse to run as root, so when we are root they run as ``nobody`` through
``setpriv`` with the data folder in a temporary directory owned by that user. fsync is
off: the server's own durability is not what these tests measure.

    with PgServer.start() as pg:
        url = pg.create_database("t1")
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


class PgUnavailableError(RuntimeError):
    """The PostgreSQL binaries (or psycopg) are missing; the message names what."""


class PortInUseError(RuntimeError):
    """The server could not bind its port (someone took it between pick and start)."""


START_ATTEMPTS = 5
"""How many ports :meth:`PgServer.start` tries before it gives up."""


def find_bindir() -> Path:
    """The folder of ``initdb`` and ``postgres``, newest version first."""
    env = os.environ.get("NOTIFYSDK_PG_BINDIR")
    candidates = [env] if env else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "postgres").exists():
            return Path(c)
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise PgUnavailableError("PostgreSQL server binaries not found (Debian package 'postgresql')")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (another process may take it
    before the server binds it: :meth:`PgServer.start` retries on a new one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """A running server; ``url(db)`` gives a libpq URL for the superuser ``postgres``."""

    port: int
    datadir: Path
    proc: subprocess.Popen[bytes]
    root: Path
    log: BinaryIO | None = None

    @classmethod
    @contextlib.contextmanager
    def start(
        cls, *, port: int | None = None, attempts: int = START_ATTEMPTS
    ) -> Iterator[PgServer]:
        """Initialise a cluster in a temporary folder, start it, stop and remove it after.

        The server is started on ``port`` (default: a free one); when it cannot bind it,
        it is started again on a fresh free port, up to ``attempts`` times in all.
        """
        bindir = find_bindir()
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - dev dependency
            raise PgUnavailableError("psycopg is not installed") from exc
        root = Path(tempfile.mkdtemp(prefix="notifysdk-pg-"))
        try:
            server = cls._launch(bindir, root, port, attempts)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        try:
            yield server
        finally:
            server._stop()
            shutil.rmtree(root, ignore_errors=True)

    @classmethod
    def _launch(cls, bindir: Path, root: Path, port: int | None, attempts: int) -> PgServer:
        datadir = root / "data"
        sockdir = root / "sock"
        sockdir.mkdir()
        prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("nobody")
            for p in (root, sockdir):
                os.chown(p, user.pw_uid, user.pw_gid)
            prefix = [
                "setpriv",
                f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}",
                "--clear-groups",
                "--",
            ]
        env = {**os.environ, "LC_ALL": "C.UTF-8", "HOME": str(root)}
        subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=root,
        )
        clashes: list[int] = []
        for attempt in range(attempts):
            try_port = port if port is not None and attempt == 0 else free_port()
            log = open(root / "server.log", "wb")  # noqa: SIM115 - closed by _stop
            proc = subprocess.Popen(
                [
                    *prefix,
                    str(bindir / "postgres"),
                    "-D",
                    str(datadir),
                    "-p",
                    str(try_port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={sockdir}",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=60",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=root,
            )
            server = cls(try_port, datadir, proc, root, log)
            try:
                server._wait_ready()
            except PortInUseError:
                server._stop()
                clashes.append(try_port)
                continue
            except BaseException:
                server._stop()
                raise
            return server
        raise RuntimeError(f"postgres could not bind a port after {attempts} tries: {clashes}")

    def _stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.log is not None:
            self.log.close()

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL for ``dbname``."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until this server (not another one on the port) answers; raise
        :class:`PortInUseError` when it exited because it could not bind its port."""
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                log = (self.root / "server.log").read_text(errors="replace")
                if "could not bind" in log or "Address already in use" in log:
                    raise PortInUseError(f"port {self.port} is taken")
                raise RuntimeError(f"postgres exited at start:\n{log[-2000:]}")
            try:
                with psycopg.connect(self.url(), connect_timeout=2) as conn:
                    row = conn.execute("SHOW data_directory").fetchone()
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
                continue
            if row is not None and Path(row[0]).resolve() == self.datadir.resolve():
                return
            raise PortInUseError(f"port {self.port} answers for another server")

    def create_database(self, name: str) -> str:
        """Create a fresh database and return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
