"""``notifysdk worker``: one fleet worker process (Celery, Redis broker, PostgreSQL ledger).

Added through ``notifysdk_register_commands``. It sets the environment the application
reads (:mod:`notifysdk.worker.app`) and runs Celery's own worker in this process, so
``notifysdk worker -c notifysdk.toml -n w1@%h`` and ``NOTIFYSDK_CONFIG=notifysdk.toml
celery -A notifysdk.worker.app worker -n w1@%h`` are the same worker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..hookspecs import hookimpl

_HELP = (
    "Run a fleet worker: take notices from the Redis broker and send them through the "
    "same dispatch path as `send` (policy, caps reserved with the claim, the channel, "
    "the outcome and its audit entry in the PostgreSQL ledger). A task delivered twice "
    "meets its idempotency key and sends nothing. Settings: the [notifysdk] and [worker] "
    "tables of --config (see docs/deployment.md). --beat also runs the periodic run-due "
    "and recover on this machine (one beat per fleet, or two: a second firing is a "
    "no-op)."
)


def worker_command(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Settings TOML ([notifysdk] and [worker] tables)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            "-n",
            help="Celery node name (w1@%h), unique per worker process: it is the ledger "
            "owner of the worker's claims. Keep it when restarting: the worker then "
            "recovers its own claims at once. Default: one with this process's id "
            "(its claims are recovered once their lease expires).",
        ),
    ] = None,
    beat: Annotated[
        bool, typer.Option("--beat", "-B", help="Also run the beat (periodic run-due, recover).")
    ] = False,
    pool: Annotated[
        str, typer.Option("--pool", "-P", help="solo (one process, recommended) or prefork.")
    ] = "solo",
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", help="Prefork pool: child processes (solo: 1)."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Run as of this ISO 8601 instant with a zone (tests, drills)."),
    ] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option("--plugin", help="A module to register as a plugin by hand (repeatable)."),
    ] = None,
    schedule: Annotated[
        Path | None, typer.Option("--schedule", help="Beat schedule file (with --beat).")
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port",
            min=1,
            max=65535,
            help="Serve Prometheus GET /metrics on this port (needs the 'workers' extra).",
        ),
    ] = None,
    metrics_addr: Annotated[
        str, typer.Option("--metrics-addr", help="Address of --metrics-port (0.0.0.0: all).")
    ] = "127.0.0.1",
    loglevel: Annotated[str, typer.Option("--loglevel", "-l")] = "INFO",
) -> None:
    """Run one fleet worker (see ``notifysdk worker --help``)."""
    from ..cli.root import clock_at
    from ..config import Settings
    from ..errors import NotifyError
    from ..worker.runtime import CONFIG_ENV, NOW_ENV, PLUGINS_ENV
    from ..worker.settings import check_fleet, load_worker_settings

    if pool not in ("solo", "prefork"):
        raise typer.BadParameter("solo or prefork", param_hint="--pool")
    clock_at(now)  # a bad --now is a usage error before anything starts
    try:
        settings = Settings.load(config)
        worker = load_worker_settings(config)
        check_fleet(settings, worker)
    except NotifyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(3) from None
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
    if now:
        os.environ[NOW_ENV] = now
    if plugin:
        os.environ[PLUGINS_ENV] = ",".join(plugin)
    if metrics_port is not None:
        from ..observability.metrics import serve_metrics

        try:
            serve_metrics(metrics_port, metrics_addr)
        except NotifyError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(3) from None
        except OSError as exc:
            typer.echo(f"error: --metrics-port {metrics_port}: {exc.strerror}", err=True)
            raise typer.Exit(3) from None
    from ..worker.app import app

    node = name or f"notifysdk-{os.getpid()}@%h"
    argv = ["worker", "--pool", pool, "-n", node, "-Q", worker.queue, "--loglevel", loglevel]
    if concurrency and pool == "prefork":
        argv += ["--concurrency", str(concurrency)]
    if beat:
        target = schedule or settings.output_dir.parent / "celerybeat-schedule"
        argv += ["--beat", "--schedule", str(target)]
    app.worker_main(argv=argv)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``worker``."""
    app.command("worker", help=_HELP)(worker_command)
