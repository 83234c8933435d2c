"""``notifysdk cnsms poll``: one command for every domestic Chinese SMS provider plugin,
for deployments without a public callback URL.

Each provider plugin registers its poller from its ``notifysdk_register_commands`` hook
with :func:`register_poller` (the first one adds the ``cnsms`` group and its ``poll``
command; the others join it, where two ``cnsms`` groups would replace each other). A
poller takes the open dispatcher and the channel's name, pulls what its provider offers
(delivery reports, replies) into the ledger and returns one line of counts, which the
command prints; ``--provider`` chooses among the installed ones (needed when more than
one is). No personal data is printed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from .dispatcher import Dispatcher

__all__ = ["Poller", "register_poller"]

Poller = Callable[["Dispatcher", str], Awaitable[str]]
"""``await poll(dispatcher, channel_name)`` → one line of counts (one round)."""


@dataclass(frozen=True)
class _Provider:
    name: str
    channel: str
    poll: Poller


_PROVIDERS: dict[str, _Provider] = {}


def register_poller(app: typer.Typer, provider: str, *, channel: str, poll: Poller) -> None:
    """Make ``notifysdk cnsms poll --provider PROVIDER`` run ``poll`` on the channel named
    ``channel`` by default (``--channel`` names another)."""
    _PROVIDERS[provider] = _Provider(provider, channel, poll)
    if any(group.name == "cnsms" for group in app.registered_groups):
        return
    cnsms = typer.Typer(help="Domestic Chinese SMS providers: reports and replies.")
    cnsms.command("poll")(_poll_command)
    app.add_typer(cnsms, name="cnsms")


def _poll_command(
    provider: str = typer.Option(
        None, "--provider", "-p", help="aliyun, tencent…: needed when several are installed."
    ),
    config: Path = typer.Option(None, "--config", "-c", help="Settings TOML."),  # noqa: B008
    ledger: str = typer.Option(None, "--ledger", help="Ledger URL (overrides settings)."),
    channel: str = typer.Option(None, help="The channel to poll (default: the provider's)."),
    interval: float = typer.Option(0.0, help="Seconds between rounds; 0: one round."),
) -> None:
    """Pull the provider's delivery reports (and replies, where it has them: 退订 →
    opt-out) into the ledger; counts only are printed."""
    import asyncio

    chosen = _choose(provider)
    asyncio.run(_run(chosen, config, ledger, channel or chosen.channel, interval))


def _choose(provider: str | None) -> _Provider:
    names = ", ".join(sorted(_PROVIDERS)) or "none"
    if provider is None:
        if len(_PROVIDERS) == 1:
            return next(iter(_PROVIDERS.values()))
        raise typer.BadParameter(f"choose one of: {names}", param_hint="--provider")
    found = _PROVIDERS.get(provider)
    if found is None:
        raise typer.BadParameter(
            f"{provider!r} is not an installed provider (installed: {names})",
            param_hint="--provider",
        )
    return found


async def _run(
    provider: _Provider, config: Path | None, ledger_url: str | None, name: str, interval: float
) -> None:
    import asyncio

    from .config import Settings
    from .dispatcher import Dispatcher

    overrides: dict[str, Any] = {"ledger_url": ledger_url} if ledger_url else {}
    settings = Settings.load(config, **overrides)
    async with Dispatcher(settings) as d:
        while True:
            typer.echo(await provider.poll(d, name))
            if interval <= 0:
                return
            await asyncio.sleep(interval)
