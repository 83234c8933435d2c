"""``notifysdk ledger``: the keys of the ledger's encryption at rest.

- ``ledger erase ACCOUNT``: destroy the account's data key (PIPL Art. 47, GDPR Art. 17
  deletion by crypto-shredding); audited without personal data.
- ``ledger rotate-key``: start a master key rotation; ``ledger rotate-key --finish``
  ends it.
- ``ledger key-status``: which master key ids wrap the data keys.

Rotation without downtime, with a key file (``.notifysdk/keys/ledger.key``)::

    notifysdk ledger rotate-key          # 1. new key on line 1, the old one kept on line 2;
                                         #    every data key wrapped under both
    (restart the workers, one by one)    # 2. each now reads both keys; a worker still on
                                         #    the old key keeps working meanwhile
    notifysdk ledger rotate-key --finish # 3. only the new key wraps; line 2 dropped

With ``NOTIFYSDK_LEDGER_KEY``: set it to ``NEW,OLD`` everywhere (generate NEW with
``python -c "import notifysdk.keys as k; print(k.new_key())"``), run ``rotate-key``,
then set it to ``NEW`` and run ``rotate-key --finish``. Back up the key file (or the
variable) apart from the database: without it the ledger's personal data is lost.

Output names key ids (8 hex digits, not reversible), never a key or a personal value.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ..config import Settings
    from ..keys import LedgerKeys
    from ..ledger.sql import SqlLedger

T = TypeVar("T")

ledger_app = typer.Typer(
    help="The ledger's encryption keys: erase an account, rotate the master key.",
    no_args_is_help=True,
)

ConfigOpt = typer.Option(None, "--config", "-c", help="Settings TOML (ledger_url, key_dir...).")
LedgerOpt = typer.Option(None, "--ledger", help="Ledger URL (overrides the settings).")


def _settings(config: Path | None, ledger: str | None) -> Settings:
    from ..config import Settings

    overrides: dict[str, Any] = {"recover_on_start": False}
    if ledger:
        overrides["ledger_url"] = ledger
    return Settings.load(config, **overrides)


def _with_ledger(
    settings: Settings, keys: LedgerKeys, fn: Callable[[SqlLedger], Awaitable[T]]
) -> T:
    from ..dispatcher import open_ledger
    from ..ledger.sql import SqlLedger

    async def go() -> T:
        led = open_ledger(settings.ledger_url.get_secret_value(), keys=lambda: keys)
        try:
            if not isinstance(led, SqlLedger):
                raise ConfigurationError("this ledger does not encrypt at rest (memory://?)")
            return await fn(led)
        finally:
            await led.aclose()

    import asyncio  # here: --help must not pay for asyncio

    return asyncio.run(go())


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@ledger_app.command("erase")
def erase_command(
    account: str = typer.Argument(..., help="The account id (account_id of the portfolio)."),
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Make an account's stored personal data unreadable for good (its data key is
    destroyed); the audit trail keeps its masked entries and still verifies."""
    from datetime import UTC, datetime

    from ..keys import load_settings_keys

    if not yes:
        typer.confirm(
            "Erase this account's personal data from the ledger? It cannot be undone",
            abort=True,
        )
    settings = _settings(config, ledger)
    keys = load_settings_keys(settings, create=False)

    async def go(led: SqlLedger) -> dict[str, Any]:
        r = await led.erase(account, now=datetime.now(UTC))
        return {
            "erased": bool(r.data_keys),
            "account_ref": r.account_ref,
            "data_keys": r.data_keys,
            "notices": r.notices,
        }

    _echo(_with_ledger(settings, keys, go))


@ledger_app.command("rotate-key")
def rotate_key_command(
    config: Path | None = ConfigOpt,
    ledger: str | None = LedgerOpt,
    finish: bool = typer.Option(
        False, "--finish", help="End the rotation: drop the retired key (every worker restarted)."
    ),
) -> None:
    """Rotate the master key: re-wrap every data key (the data is not re-encrypted)."""
    from datetime import UTC, datetime

    from ..keys import finish_key_file, key_id, load_settings_keys, rotate_key_file

    settings = _settings(config, ledger)
    keys = load_settings_keys(settings, create=False)
    now = datetime.now(UTC)
    status = _with_ledger(settings, keys, lambda led: led.key_status())
    ours = key_id(keys.master.current)
    path = keys.master.path

    if finish:
        if status.current not in (None, ours):
            raise ConfigurationError(
                f"the ledger's current master key is {status.current}, this process holds "
                f"{ours}: run `notifysdk ledger rotate-key` first"
            )
        n = _with_ledger(settings, keys, lambda led: led.rotate_master_key(now=now, finish=True))
        if path is not None and keys.master.retired:
            finish_key_file(path)
        _echo(
            {
                "finished": True,
                "key_id": ours,
                "data_keys_rewrapped": n,
                "key_file": str(path) if path else None,
                "next": None if path else f"set {keys.master.origin} to the current key only",
            }
        )
        return

    if status.current in (None, ours):
        if status.retired:
            _echo(
                {
                    "rotating": True,
                    "key_id": ours,
                    "retired": list(status.retired),
                    "next": "restart every worker, then: notifysdk ledger rotate-key --finish",
                }
            )
            return
        if path is None:
            raise ConfigurationError(
                f"{keys.master.origin} holds the ledger's current key only: set it to "
                "NEW,OLD (a new key first) and run rotate-key again"
            )
        rotate_key_file(path)
        keys = load_settings_keys(settings, create=False)
        ours = key_id(keys.master.current)
    n = _with_ledger(settings, keys, lambda led: led.rotate_master_key(now=now))
    _echo(
        {
            "rotating": True,
            "key_id": ours,
            "retired": [key_id(k) for k in keys.master.retired],
            "data_keys_rewrapped": n,
            "key_file": str(path) if path else None,
            "next": "restart every worker, then: notifysdk ledger rotate-key --finish",
        }
    )


@ledger_app.command("key-status")
def key_status_command(config: Path | None = ConfigOpt, ledger: str | None = LedgerOpt) -> None:
    """Which master key ids wrap the ledger's data keys, and how many are erased."""
    from ..keys import key_id, load_settings_keys

    settings = _settings(config, ledger)
    keys = load_settings_keys(settings, create=False)
    s = _with_ledger(settings, keys, lambda led: led.key_status())
    _echo(
        {
            "current": s.current,
            "retired": list(s.retired),
            "held": [key_id(k) for k in keys.master.all],
            "data_keys": s.data_keys,
            "erased": s.erased,
            "by_master_key": s.by_master,
        }
    )
