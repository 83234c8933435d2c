"""Account event and cancellation commands, added through ``notifysdk_register_commands``:

``account event record ACCOUNT_ID KIND``, ``account events ACCOUNT_ID`` and ``cancel
(--key K | --account A) --reason TEXT``. Each opens the ledger named by the settings
(``--config``, ``NOTIFYSDK_LEDGER_URL``) or ``--ledger``. Output is masked: a note is
masked with the SDK's redactor before it is stored and again when shown, a number or
address is shown masked, never in clear.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from ..hookspecs import hookimpl
from .ledger_cli import ConfigOpt, JsonOpt, LedgerOpt, NowOpt, _print, _run

if TYPE_CHECKING:
    from ..account_events import AccountEvent
    from ..dispatcher import Dispatcher

account_app = typer.Typer(
    help="What happened to an account (paid, dispute, cease...): the rules read it at "
    "every decision.",
    no_args_is_help=True,
)
event_app = typer.Typer(help="Record an account event.", no_args_is_help=True)
account_app.add_typer(event_app, name="event")

AccountArg = typer.Argument(..., help="The account's id (as in Account.account_id).")


def _instant(value: str | None, option: str, *, day_ends: bool = False) -> datetime | None:
    """An ISO 8601 instant with a zone, or a date: the start of that day in UTC, or with
    ``day_ends`` the instant that day has ended everywhere on Earth (12:00 UTC the next
    day: the day's end at UTC-12), so a promise to pay by a date holds through that date
    wherever the debtor is."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1, hours=12) if day_ends else start
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("not an ISO 8601 date or instant", param_hint=option) from None
    if instant.tzinfo is None:
        raise typer.BadParameter("an instant needs a time zone (…Z or …+08:00)", param_hint=option)
    return instant


def _contact(value: str | None) -> str | None:
    from ..privacy import mask_value

    if value is None:
        return None
    kind = "phone" if value.startswith("+") else "email" if "@" in value else "address"
    return mask_value(kind, value)


def _shown(d: Dispatcher, event: AccountEvent) -> dict[str, Any]:
    """An event as the CLI prints it: the contact masked, the note masked again."""
    return {
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "until": None if event.until is None else event.until.isoformat(),
        "contact": _contact(event.contact),
        "note": None if event.note is None else d.redactor.mask_for_log(event.note),
        "source": event.source,
    }


@event_app.command("record")
def event_record(
    account_id: str = AccountArg,
    kind: str = typer.Argument(
        ...,
        help="paid, settled, promise_to_pay, dispute, cease, attorney, bankruptcy, deceased "
        "or number_invalid.",
    ),
    until: str | None = typer.Option(
        None,
        "--until",
        help="promise_to_pay: the promised date (YYYY-MM-DD: collection waits until that day "
        "has ended everywhere, 12:00 UTC the next day) or an exact instant with a zone.",
    ),
    contact: str | None = typer.Option(
        None, "--contact", help="number_invalid: the E.164 number or address it concerns."
    ),
    note: str | None = typer.Option(None, "--note", help="Free text (masked before storage)."),
    at: str | None = typer.Option(
        None, "--at", help="When it happened (ISO 8601 with a zone; default: now)."
    ),
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    now: str | None = NowOpt,
) -> None:
    """Record what happened to an account (audited; the note is masked)."""
    from ..account_events import AccountEvent, record_account_event
    from ..errors import InvalidInputError

    when = _instant(at, "--at")
    promised = _instant(until, "--until", day_ends=True)

    async def go(d: Dispatcher) -> dict[str, Any]:
        instant = when or d.clock.now()
        try:
            event = AccountEvent(kind, instant, promised, contact, note, source="cli")  # type: ignore[arg-type]
        except InvalidInputError as exc:
            raise typer.BadParameter(exc.reason, param_hint=exc.field) from None
        try:
            stored = await record_account_event(
                d.ledger, account_id, event, redactor=d.redactor, now=d.clock.now()
            )
        except InvalidInputError as exc:  # bad input (exit 2), not a failure of the run
            raise typer.BadParameter(exc.reason, param_hint=exc.field) from None
        # as stored: its note masked with the account's own names and numbers known
        return {"recorded": _shown(d, stored)}

    _print(_run(config, ledger, go, now), True)


@account_app.command("events")
def events_list(
    account_id: str = AccountArg,
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    as_json: bool = JsonOpt,
    now: str | None = NowOpt,
) -> None:
    """The account's events on record, oldest first (masked)."""
    from ..account_events import account_events, just_after

    async def go(d: Dispatcher) -> list[dict[str, Any]]:
        found = await account_events(d.ledger, account_id, before=just_after(d.clock.now()))
        return [_shown(d, e) for e in found]

    rows = _run(config, ledger, go, now)
    table = Table("kind", "at", "until", "contact", "note", "source")
    for r in rows:
        table.add_row(
            *(str(r[c] or "") for c in ("kind", "at", "until", "contact", "note")), r["source"]
        )
    _print(rows, as_json, table)


def cancel_command(
    key: str | None = typer.Option(None, "--key", help="The idempotency key of one notice."),
    account: str | None = typer.Option(
        None, "--account", help="An account id: every pending notice of the account."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (masked, stored and audited)."),
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    now: str | None = NowOpt,
) -> None:
    """Stop pending (deferred, not yet sent) notices: each gets a blocked outcome by rule
    'cancelled' (audited). A notice in flight or done is left as it is, and listed."""
    if (key is None) == (account is None):
        raise typer.BadParameter("give --key or --account (one of them)")
    if not reason.strip():
        raise typer.BadParameter(
            "say why (it is stored and audited, masked)", param_hint="--reason"
        )

    async def go(d: Dispatcher) -> dict[str, Any]:
        result = await d.cancel(key=key, account_id=account, reason=reason)
        return {
            "cancelled": [o.idempotency_key for o in result.cancelled],
            "untouched": dict(result.untouched),
        }

    _print(_run(config, ledger, go, now), True)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``account`` (``event record``, ``events``) and ``cancel``."""
    app.add_typer(account_app, name="account")
    app.command("cancel")(cancel_command)
