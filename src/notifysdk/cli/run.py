"""``notifysdk run``: the main job — today's campaign over a portfolio."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import NotifyError
from .root import EXIT_ERROR, EXIT_FAILURES, EXIT_OK, EXIT_USAGE, app, clock_at, console

if TYPE_CHECKING:  # the campaign, settings and dispatcher load when the command runs
    from collections.abc import Callable

    from ..campaign import Ladder, Summary
    from ..campaign.portfolio import Row
    from ..clock import Clock
    from ..config import Settings
    from ..worker.settings import WorkerSettings

EXIT_BAD_ROWS = 4
"""``notifysdk run``: the run completed, but some portfolio rows were refused and skipped."""

_PARAGRAPHS = (
    "Run today's campaign over PORTFOLIO: plan each account's ladder stages, then send.",
    "PORTFOLIO is a CSV file (a header row; the columns are those of "
    "examples/portfolio.csv) or a JSONL file (.jsonl/.ndjson), read one row at a time. "
    "A bad row is reported with its line number and the reason (never its contents) and "
    "skipped; the other rows go on. So does a row whose processing fails (whatever it "
    "raises: it is reported by line with the kind of error). Only a fault of the run "
    "itself (the ledger cannot be reached or written, the disk is full) stops the run, "
    "with a one-line message (--debug adds the traceback).",
    "Each account gets the stages due at its days overdue (see --ladder). A stage names a "
    "medium (sms, email, call_script, letter...); the [routes] table of the settings maps "
    "it to a channel, by default the capture-<medium> channel, which writes what would be "
    "sent under the output folder. Idempotency keys come from account, stage and the "
    "debtor's local date, so a second run on the same day sends nothing new (with a "
    "durable ledger).",
    "--workers N (with --dry-run) plans the portfolio in N processes: the parent reads "
    "it in chunks of consecutive rows, each worker validates and plans a chunk, and the "
    "chunks' counts are merged in portfolio order, so the summary (bad and failed rows "
    "each listed once, by line, in file order) is the one a single process gives. Use "
    "at most one worker per core. A live run stays in one process (its rules read and "
    "write the ledger as it goes) unless it goes to the fleet:",
    "--workers celery (or --enqueue) sends the run through a fleet of `notifysdk worker` "
    "processes on any number of machines: this process streams and plans the portfolio "
    "and enqueues each due stage on the Redis broker ([worker] broker_url), waiting when "
    "max_in_flight stages are unsettled; the workers send through the same dispatch path "
    "over the shared PostgreSQL ledger (a SQLite ledger is refused), and the summary is "
    "read back from the ledger once every stage has settled. No personal data crosses "
    "the broker in clear. See docs/deployment.md.",
    "Examples:\n"
    "  notifysdk run examples/portfolio.csv --config examples/notifysdk.toml\n"
    "  notifysdk run portfolio.jsonl --dry-run --json\n"
    "  notifysdk run portfolio.csv --dry-run --workers 2\n"
    "  notifysdk run portfolio.csv --config fleet.toml --workers celery\n"
    "  notifysdk run portfolio.csv --now 2026-01-05T02:00:00+00:00",
    "Exit codes:\n"
    f"  {EXIT_OK}  every notice was delivered, deferred, blocked by a rule, or already done\n"
    f"  {EXIT_FAILURES}  some notices failed permanently or were dead-lettered "
    "(after fallbacks)\n"
    f"  {EXIT_USAGE}  bad command line (unknown option, bad --now, --workers N without "
    "--dry-run)\n"
    f"  {EXIT_ERROR}  could not run, or stopped: bad settings or ladder, bad portfolio "
    "header, the ledger unreachable or read-only, a full disk\n"
    f"  {EXIT_BAD_ROWS}  the run completed, but some rows were refused or failed (and no "
    "notice failed)",
)
RUN_HELP = escape("\n\n".join(_PARAGRAPHS))
"""The ``--help`` text of ``notifysdk run`` (rich markup escaped)."""

_CONFIG_HELP = escape(
    "Settings TOML ([notifysdk] table: ledger_url, output_dir, routes, channels; a "
    "top-level [campaign] table may name the ladder file)."
)
_LADDER_HELP = escape(
    "Ladder TOML (stages by days overdue). Default: [campaign] ladder in the settings "
    "file, else the built-in ladder."
)
_WORKERS_HELP = (
    "N (dry run only): plan in N processes (chunks of rows, merged in portfolio order; "
    "the summary is the same as with 1). 'celery': send through the fleet of workers."
)
_ENQUEUE_HELP = "Send through the fleet of workers (the same as --workers celery)."
FLEET = "celery"
"""The ``--workers`` value that sends the run through the fleet."""


def _workers(value: str) -> int | str:
    if value.strip().lower() == FLEET:
        return FLEET
    try:
        n = int(value)
    except ValueError:
        raise typer.BadParameter(
            f"a number of processes (1-64) or {FLEET!r}", param_hint="--workers"
        ) from None
    if not 1 <= n <= 64:
        raise typer.BadParameter("between 1 and 64", param_hint="--workers")
    return n


_NOW_HELP = (
    "Run as if it were this ISO 8601 instant with a time zone (2026-01-05T10:00:00+08:00): "
    "rules, windows and keys see it; time then moves on from it and retries really wait."
)


@app.command("run", help=RUN_HELP)
def run_command(
    portfolio: Annotated[
        Path, typer.Argument(help="CSV or JSONL portfolio to run.", show_default=False)
    ],
    config: Annotated[Path | None, typer.Option("--config", "-c", help=_CONFIG_HELP)] = None,
    ladder: Annotated[Path | None, typer.Option("--ladder", "-l", help=_LADDER_HELP)] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan and count only: send nothing, record nothing.")
    ] = False,
    now: Annotated[str | None, typer.Option("--now", help=_NOW_HELP)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", "-j", min=1, max=1000, help="Accounts handled at once."),
    ] = 10,
    workers: Annotated[str, typer.Option("--workers", "-w", help=_WORKERS_HELP)] = "1",
    enqueue: Annotated[bool, typer.Option("--enqueue", help=_ENQUEUE_HELP)] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="On an error that stops the run, print its traceback (masked) too."
        ),
    ] = False,
) -> None:
    """Run today's campaign over a portfolio (see RUN_HELP)."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..campaign import read_portfolio, run_campaign
    from ..campaign.portfolio import count_records
    from ..config import Settings
    from ..dispatcher import Dispatcher

    clock = clock_at(now)
    chosen = FLEET if enqueue else _workers(workers)
    fleet = chosen == FLEET
    processes = chosen if isinstance(chosen, int) else 1
    if processes > 1 and not dry_run:
        raise typer.BadParameter(
            "needs --dry-run: a live run stays in one process (or use --workers celery)",
            param_hint="--workers",
        )
    if fleet and dry_run:
        raise typer.BadParameter(
            "a dry run sends nothing: plan it here (--workers N)", param_hint="--workers"
        )
    try:
        settings = Settings.load(config) if config else Settings.load()
        worker_settings = _fleet_settings(settings, config) if fleet else None
        the_ladder = _ladder(ladder, config)
        rows = read_portfolio(portfolio)
        total = count_records(portfolio)
    except NotifyError as exc:
        _fail(exc, debug)
    err = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]accounts"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    )
    task = progress.add_task("run", total=total)

    def advance(_row: Row) -> None:
        progress.advance(task)

    def advance_by(count: int) -> None:
        progress.advance(task, count)

    async def go() -> Summary:
        if processes > 1:
            return await _in_processes(
                settings, the_ladder, clock, portfolio, processes, advance_by
            )
        async with Dispatcher(settings, clock=clock) as dispatcher:
            sink = None
            if worker_settings is not None:
                from ..keys import load_settings_keys
                from ..worker.planner import FleetSink

                keys = load_settings_keys(settings)
                sink = FleetSink(dispatcher, worker_settings, the_ladder, keys)
            return await run_campaign(
                dispatcher,
                rows,
                the_ladder,
                dry_run=dry_run,
                concurrency=concurrency,
                on_row=advance,
                sink=sink,
            )

    from ..campaign.gc_tuning import planning_gc

    try:
        with progress, planning_gc() if dry_run else contextlib.nullcontext():
            summary = asyncio.run(go())
    except NotifyError as exc:
        _fail(exc, debug)
    except Exception as exc:  # opening the ledger, recovery at start...
        _fail(_stopped(exc), debug, exc)
    if as_json:
        doc = summary.as_dict()
        doc["ledger_url"] = _safe_url(settings.ledger_url.get_secret_value())
        doc["output_dir"] = str(settings.output_dir)
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print_summary(summary, settings)
    raise typer.Exit(exit_code(summary))


async def _in_processes(
    settings: Settings,
    ladder: Ladder,
    clock: Clock,
    portfolio: Path,
    workers: int,
    on_rows: Callable[[int], None],
) -> Summary:
    """A dry run over ``workers`` processes (:mod:`notifysdk.campaign.parallel`). The
    parent's dispatcher opens the ledger as a one-process run does (recovering it when
    the settings say so) and checks the routes; the workers plan at its instant."""
    import asyncio

    from ..campaign import CampaignRunner
    from ..campaign.parallel import WorkerSpec, dry_run_in_processes
    from ..dispatcher import Dispatcher

    async with Dispatcher(settings, clock=clock) as dispatcher:
        CampaignRunner(dispatcher, ladder, dry_run=True).check_routes()
        spec = WorkerSpec(settings=settings, ladder=ladder, now=dispatcher.clock.now())
    return await asyncio.to_thread(
        dry_run_in_processes, portfolio, spec, workers=workers, on_rows=on_rows
    )


def _fleet_settings(settings: Settings, config: Path | None) -> WorkerSettings:
    """The ``[worker]`` settings of a fleet run, checked against the ledger's (a SQLite
    ledger is refused with :class:`~notifysdk.worker.SharedLedgerRequiredError`)."""
    from ..worker.settings import check_fleet, load_worker_settings

    worker = load_worker_settings(config)
    check_fleet(settings, worker)
    return worker


def exit_code(summary: Summary) -> int:
    """The exit code for a completed run (documented in ``notifysdk run --help``)."""
    if summary.failures:
        return EXIT_FAILURES
    if summary.bad_row_count or summary.failed_row_count:
        return EXIT_BAD_ROWS
    return EXIT_OK


def _ladder(path: Path | None, config: Path | None) -> Ladder:
    from ..campaign import default_ladder, load_ladder
    from ..config_errors import read_toml

    if path is not None:
        return load_ladder(path)
    if config is not None:
        raw = read_toml(config, "settings")  # the reader Settings.load uses: bounded, typed
        campaign = raw.get("campaign") if "notifysdk" in raw else None
        named = campaign.get("ladder") if isinstance(campaign, dict) else None
        if isinstance(named, str) and named:
            return load_ladder((config.parent / named) if not Path(named).is_absolute() else named)
    return default_ladder()


def _stopped(exc: BaseException) -> NotifyError:
    """The typed error for an exception that stopped the run outside any one row: the
    fault it is (:func:`~notifysdk.faults.run_fault`), else one naming its type only
    (its message may quote data)."""
    from ..errors import RunFaultError
    from ..faults import run_fault

    return run_fault(exc) or RunFaultError(f"the run stopped: unexpected {type(exc).__name__}")


def _fail(exc: NotifyError, debug: bool = False, cause: BaseException | None = None) -> NoReturn:
    """One line on stderr (masked), the masked traceback too with ``--debug``; exit 3."""
    import traceback

    from ..redaction_logging import redact_text

    err = Console(stderr=True)
    line = redact_text(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    err.print(f"[red]error:[/red] {escape(line)}", markup=True, highlight=False)
    if debug:
        text = "".join(traceback.format_exception(cause or exc))
        err.print(redact_text(text), markup=False, highlight=False)
    raise typer.Exit(EXIT_ERROR)


def _safe_url(url: str) -> str:
    """A ledger URL with any password replaced."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def print_summary(summary: Summary, settings: Settings, out: Console | None = None) -> None:
    """Print the run summary as rich tables: totals, outcomes, rules, channels, files."""
    out = out or console
    title = "dry run: nothing sent or recorded" if summary.dry_run else "campaign run"
    when = summary.now.isoformat(timespec="seconds") if summary.now else "-"
    totals = Table(title=f"{title}\n{when}", show_header=False)
    totals.add_column("what")
    totals.add_column("count", justify="right")
    rows: list[tuple[str, Any]] = [
        ("rows read", summary.rows),
        ("valid accounts", summary.accounts),
        ("bad rows skipped", summary.bad_row_count),
        ("rows failed (the run went on)", summary.failed_row_count),
        ("accounts with no stage today", summary.no_stage),
        ("stages due", summary.stages_due),
        ("notices planned" if summary.dry_run else "notices", summary.notices),
    ]
    if not summary.dry_run:
        rows += [
            ("delivered now", summary.new_deliveries),
            ("already done (sent nothing)", summary.duplicates),
            ("fallbacks tried", summary.fallbacks),
        ]
    for label, value in rows:
        totals.add_row(label, str(value))
    out.print(totals)
    _counter_table(out, "by outcome", summary.by_outcome)
    _counter_table(out, "blocked / deferred by rule", summary.by_rule)
    _counter_table(out, "delivered as a restricted variant", summary.restricted)
    _counter_table(out, "skipped", summary.skipped)
    if summary.by_channel:
        statuses = sorted({s for c in summary.by_channel.values() for s in c})
        table = Table(title="by channel")
        table.add_column("channel")
        for s in statuses:
            table.add_column(s, justify="right")
        for name, counts in sorted(summary.by_channel.items()):
            table.add_row(name, *(str(counts.get(s, 0)) for s in statuses))
        out.print(table)
    if summary.next_due:
        out.print(f"deferred notices may go from {summary.next_due.isoformat(timespec='minutes')}")
    if summary.bad_rows:
        out.print(f"[yellow]{summary.bad_row_count} bad row(s) skipped:[/yellow]")
        for bad in summary.bad_rows[:20]:
            out.print(f"  {bad}", markup=False, highlight=False)
        if summary.bad_row_count > 20:
            out.print(f"  … and {summary.bad_row_count - 20} more (see --json)")
    if summary.failed_rows:
        out.print(f"[yellow]{summary.failed_row_count} row(s) failed:[/yellow]")
        for failed in summary.failed_rows[:20]:
            out.print(f"  {failed}", markup=False, highlight=False)
        if summary.failed_row_count > 20:
            out.print(f"  … and {summary.failed_row_count - 20} more (see --json)")
    if summary.written:
        out.print("messages and letters written to:")
        for folder, count in sorted(summary.written.items()):
            out.print(f"  {folder}  ({count} file(s))", markup=False, highlight=False)
    elif not summary.dry_run:
        out.print(f"output folder: {settings.output_dir} (nothing new written)", markup=False)
    out.print(
        f"ledger: {_safe_url(settings.ledger_url.get_secret_value())}",
        markup=False,
        highlight=False,
    )


def _counter_table(out: Console, title: str, counter: dict[str, int]) -> None:
    if not counter:
        return
    table = Table(title=title)
    table.add_column(title.split(" ")[-1])
    table.add_column("count", justify="right")
    for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(key, str(value))
    out.print(table)
