"""Ledger commands for operators, added through ``notifysdk_register_commands``:

``recover``, ``run-due``, ``audit verify|checkpoint|public-key|purge``,
``dead-letters list|show|redrive``. Each opens the ledger named by the settings
(``--config``, ``NOTIFYSDK_LEDGER_URL``) or ``--ledger``. Output is masked: keys,
channels, states, rules and reasons (already masked when stored), never a name, number
or address in clear.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from ..cli.root import clock_at
from ..errors import ConfigurationError
from ..hookspecs import hookimpl

if TYPE_CHECKING:  # the ledgers and the dispatcher load when a command runs
    from ..dispatcher import Dispatcher
    from ..ledger.durable import StoredNotice

T = TypeVar("T")
console = Console()

ConfigOpt = typer.Option(None, "--config", "-c", help="Settings TOML (ledger_url...).")
LedgerOpt = typer.Option(None, "--ledger", help="Ledger URL (overrides the settings).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")
KeepOpt = typer.Option(
    [], "--keep", help="PROFILE=YEARS to keep longer than the legal floor (cn=5, us-*=3)."
)
KeysArg = typer.Argument(..., help="Idempotency keys to send again.")


NowOpt = typer.Option(
    None, "--now", help="Run as of this ISO 8601 instant with a zone (the clock keeps running)."
)


def _run(
    config: Path | None,
    ledger: str | None,
    fn: Callable[[Dispatcher], Awaitable[T]],
    now: str | None = None,
) -> T:
    import asyncio

    from ..config import Settings
    from ..dispatcher import Dispatcher

    overrides: dict[str, Any] = {"recover_on_start": False}
    if ledger:
        overrides["ledger_url"] = ledger
    settings = Settings.load(config, **overrides)
    clock = clock_at(now)

    async def go() -> T:
        async with Dispatcher(settings, clock=clock) as dispatcher:
            return await fn(dispatcher)

    return asyncio.run(go())


def _print(data: Any, as_json: bool, table: Table | None = None) -> None:
    if as_json or table is None:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        console.print(table)


def recover_command(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    now: str | None = NowOpt,
) -> None:
    """Reclaim stale claims and reconcile attempts a crash interrupted (audited)."""
    from ..dispatch.recovery import require_durable

    async def go(d: Dispatcher) -> dict[str, int]:
        require_durable(d)
        r = await d.recover()
        return {
            "examined": r.examined,
            "delivered": r.delivered,
            "resent": r.resent,
            "held": r.held,
            "skipped": r.skipped,
        }

    _print(_run(config, ledger, go, now), True)


def run_due_command(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    limit: int = typer.Option(100, "--limit", min=1, help="Notices fetched per round."),
    now: str | None = NowOpt,
) -> None:
    """Send again the deferred notices whose allowed time has come."""

    async def go(d: Dispatcher) -> dict[str, int]:
        outcomes = await d.run_due(limit=limit)
        counts: dict[str, int] = {}
        for o in outcomes:
            counts[o.status.value] = counts.get(o.status.value, 0) + 1
        return {"sent_again": len(outcomes), **counts}

    _print(_run(config, ledger, go, now), True)


audit_app = typer.Typer(
    help="The keyed, hash-chained audit trail: verify it, sign checkpoints of it, purge "
    "past retention.",
    no_args_is_help=True,
)

CheckpointOpt = typer.Option(
    None, "--checkpoint", help="A signed checkpoint file (audit checkpoint) to check against."
)
PublicKeyOpt = typer.Option(
    [],
    "--public-key",
    help="An Ed25519 public key (PEM, or audit public-key's output) trusted to have signed "
    "the checkpoint (default: the local signing key's).",
)
OutOpt = typer.Option(None, "--out", help="Write to this file (mode 0600) instead of stdout.")


def _key_dir(config: Path | None) -> Path:
    from ..config import Settings

    return Path(Settings.load(config).key_dir)


def _trusted(config: Path | None, given: list[Path]) -> list[bytes]:
    """The raw public keys a checkpoint may be signed with: those given, else the local
    signing key's (none when there is no signing key here)."""
    from ..keys import SIGNING_FILE
    from ..ledger.checkpoints import local_public_key, parse_public_key

    if given:
        return [parse_public_key(_read(p), str(p)) for p in given]
    local = local_public_key(_key_dir(config) / SIGNING_FILE)
    return [] if local is None else [local]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None


def _emit(text: str, out: Path | None) -> None:
    from ..files import write_private

    if out is None:
        typer.echo(text, nl=False)
    else:
        write_private(out, text.encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)


@audit_app.command("verify")
def audit_verify(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    checkpoint: Path | None = CheckpointOpt,
    public_key: list[Path] = PublicKeyOpt,
) -> None:
    """Check the keyed audit chain (and a signed checkpoint); exit 1 naming the bad entry.

    Every link is checked, keyed entries with the audit key; with --checkpoint, also that
    the chain still holds every entry the checkpoint saw, with the hash it saw."""
    from ..dispatch.recovery import require_durable
    from ..ledger.checkpoints import parse_checkpoint

    cp = None if checkpoint is None else parse_checkpoint(_read(checkpoint), str(checkpoint))
    trusted = [] if cp is None else _trusted(config, public_key)

    async def go(d: Dispatcher) -> dict[str, Any]:
        r = await require_durable(d).verify_audit(checkpoint=cp, trusted=trusted)
        return {
            "ok": r.ok,
            "entries": r.entries,
            "position": r.position,
            "seq": r.seq,
            "problem": r.problem,
            "detail": r.detail,
            "keyed_from": r.keyed_from,
            "unkeyed": r.unkeyed,
            "checkpoint": r.checkpoint or None,
        }

    report = _run(config, ledger, go)
    if as_json:
        _print(report, True)
    elif report["ok"]:
        if report["keyed_from"] is None:
            keyed = (
                "none keyed (plain SHA-256: written before the ledger had an audit key, "
                "or re-hashed by someone without it; a checkpoint tells which)"
                if report["entries"]
                else "empty"
            )
        elif report["unkeyed"]:
            keyed = (
                f"keyed from seq {report['keyed_from']}; the {report['unkeyed']} before it "
                "plain SHA-256 (written before the audit key)"
            )
        else:
            keyed = "all keyed"
        console.print(f"audit chain intact: {report['entries']} entries, {keyed}")
        if report["checkpoint"]:
            console.print(report["checkpoint"])
    elif report["problem"] == "unaudited":
        console.print(
            f"[red]unaudited outcomes[/red] (the chain of {report['entries']} "
            f"entries is intact): {report['detail']}"
        )
    elif report["problem"] == "checkpoint":
        console.print(f"[red]checkpoint not trusted[/red]: {report['detail']}")
    else:
        console.print(
            f"[red]audit chain broken[/red]: entry at position {report['position']} "
            f"(seq {report['seq']}) {report['problem']}: {report['detail']}"
        )
    if not report["ok"]:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    config: Path | None = ConfigOpt, ledger: str | None = LedgerOpt, out: Path | None = OutOpt
) -> None:
    """Sign a checkpoint of the verified chain's head; keep it away from the database.

    The checkpoint states the head's sequence number, hash and time, the entry count and
    the public key, signed with the Ed25519 checkpoint key (audit-signing.key)."""
    from ..config import Settings
    from ..keys import load_settings_keys
    from ..ledger.checkpoints import make_checkpoint
    from ..ledger.sql import SqlLedger

    signing = load_settings_keys(Settings.load(config)).signing_key()

    async def go(d: Dispatcher) -> tuple[dict[str, Any], str]:
        led = d.ledger
        if not isinstance(led, SqlLedger):
            raise ConfigurationError("audit checkpoint needs a durable ledger (sqlite, postgres)")
        report, entries = await led.verified_entries()
        if not report.ok:
            return {"problem": report.problem, "detail": report.detail, "seq": report.seq}, ""
        return {}, make_checkpoint(entries, signing, now=d.clock.now()).to_json()

    problem, text = _run(config, ledger, go)
    if problem:
        console.print(
            f"[red]not signed[/red]: the chain does not verify (seq {problem['seq']}, "
            f"{problem['problem']}): {problem['detail']}"
        )
        raise typer.Exit(1)
    _emit(text, out)


@audit_app.command("public-key")
def audit_public_key(config: Path | None = ConfigOpt, out: Path | None = OutOpt) -> None:
    """Print the checkpoint key's public half (PEM), for audit verify --public-key.

    A verifier without the signing key checks checkpoints with it."""
    from ..config import Settings
    from ..keys import load_settings_keys
    from ..ledger.checkpoints import public_key_pem

    _emit(public_key_pem(load_settings_keys(Settings.load(config)).signing_key()), out)


@audit_app.command("purge")
def audit_purge(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    keep: list[str] = KeepOpt,
) -> None:
    """Remove records past retention (per profile; never below the legal floor)."""
    from ..dispatch.recovery import require_durable
    from ..ledger.retention import default_retention, retention_for

    years: dict[str, float] = {}
    for item in keep:
        name, sep, value = item.partition("=")
        try:
            years[name] = float(value) if sep else float("nan")
        except ValueError:
            raise ConfigurationError(f"--keep {name}: years must be a number") from None
        if years[name] != years[name]:
            raise ConfigurationError(f"--keep {item}: use PROFILE=YEARS")
    retention = retention_for(years)

    async def go(d: Dispatcher) -> dict[str, Any]:
        r = await require_durable(d).purge(d.clock.now(), retention, default=default_retention())
        return {
            "notices": r.notices,
            "audit_entries": r.audit_entries,
            "contacts": r.contacts,
            "kept_from_seq": r.kept_from_seq,
        }

    _print(_run(config, ledger, go), True)


dead_app = typer.Typer(
    help="Dead letters: notices whose retries ran out, or held for review.", no_args_is_help=True
)


def _summary(s: StoredNotice) -> dict[str, Any]:
    o = s.outcome
    return {
        "key": s.key,
        "state": s.state.value,
        "channel": s.notice.channel,
        "kind": s.notice.kind.value,
        "role": s.notice.recipient.role.value,
        "rule": o.rule if o else None,
        "reason": o.reason if o else None,
        "provider_code": o.provider_code if o else None,
        "attempts": o.attempts if o else 0,
        "at": o.at.isoformat() if o else None,
    }


@dead_app.command("list")
def dead_list(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    limit: int = typer.Option(100, "--limit", min=1),
) -> None:
    """List dead-lettered notices, most recent first."""
    from ..dispatch.recovery import require_durable
    from ..ledger.base import NoticeState

    async def go(d: Dispatcher) -> list[dict[str, Any]]:
        stored = await require_durable(d).notices(NoticeState.DEAD_LETTERED, limit=limit)
        return [_summary(s) for s in stored]

    rows = _run(config, ledger, go)
    table = Table(title=f"dead letters ({len(rows)})")
    for col in ("key", "channel", "kind", "rule", "attempts", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["key"],
            r["channel"],
            r["kind"],
            r["rule"] or "-",
            str(r["attempts"]),
            r["reason"] or "-",
        )
    _print(rows, as_json, table)


@dead_app.command("show")
def dead_show(
    key: str = typer.Argument(..., help="The idempotency key."),
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
) -> None:
    """Show one stored notice, masked: outcome, attempts, transitions."""
    from ..dispatch.recovery import require_durable
    from ..privacy import mask_value

    async def go(d: Dispatcher) -> dict[str, Any]:
        from ..ledger.crypto import DataErasedError

        led = require_durable(d)
        try:
            stored = await led.load(key)
        except DataErasedError:
            return {"key": key, "erased": True}
        if stored is None:
            raise ConfigurationError(f"no stored notice with key {key}")
        n = stored.notice
        data = _summary(stored)
        data["recipient"] = {
            "name": mask_value("name", n.recipient.person.name),
            "role": n.recipient.role.value,
        }
        data["loan"] = mask_value("loan_id", n.account.loan_id)
        data["attempts"] = [
            {
                "number": a.number,
                "started_at": a.started_at.isoformat(),
                "to": mask_value(
                    "phone" if a.to.startswith("+") else "email" if "@" in a.to else "address", a.to
                ),
                "status": a.detail.get("_status"),
                "error": a.detail.get("error"),
                "provider_code": a.detail.get("provider_code"),
            }
            for a in await led.attempts(key)
        ]
        data["transitions"] = [
            {
                "from": t.from_state.value if t.from_state else None,
                "to": t.to_state.value,
                "at": t.at.isoformat(),
                "reason": t.reason,
            }
            for t in await led.transitions(key)
        ]
        return data

    _print(_run(config, ledger, go), True)


@dead_app.command("redrive")
def dead_redrive(
    keys: list[str] = KeysArg,
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
) -> None:
    """Send dead-lettered (or failed) notices again (audited); prints each new outcome."""

    async def go(d: Dispatcher) -> list[dict[str, Any]]:
        return [
            {"key": o.idempotency_key, "status": o.status.value, "rule": o.rule, "reason": o.reason}
            for o in await d.redrive(keys)
        ]

    _print(_run(config, ledger, go), True)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``recover``, ``run-due``, ``audit``, ``dead-letters`` and ``ledger``
    (erase, rotate-key, key-status)."""
    app.command("recover")(recover_command)
    app.command("run-due")(run_due_command)
    app.add_typer(audit_app, name="audit")
    app.add_typer(dead_app, name="dead-letters")
    from .ledger_keys_cli import ledger_app

    app.add_typer(ledger_app, name="ledger")
