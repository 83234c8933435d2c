"""Every hook a notifysdk plugin can implement.

Registration hooks take a ``register`` callback (as ``llm`` and ``datasette`` do); the
core validates what is registered. pluggy does not await: hooks that do I/O return an
awaitable (or ``None``) and the core awaits it. The hook reference in
``docs/hooks.md`` is checked against this module by the test suite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

    from .asgi import AsgiAppFactory
    from .channels import Attempt, ChannelFactory
    from .ledger.base import LedgerFactory
    from .models import Account, Notice, Outcome
    from .policy import Profile, Rule
    from .privacy import Detector
    from .webhooks import Webhook

PROJECT = "notifysdk"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register delivery channels.

    Called once, when the plugin registry is first built. Call
    ``register(name, factory)`` for each channel; ``factory(ctx: ChannelContext)`` is
    called lazily by a dispatcher the first time it needs the channel and returns an
    object implementing :class:`notifysdk.channels.Channel`. A name registered by two
    plugins is an error naming both. Returns nothing.
    """


@hookspec
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register compliance rules.

    Called once, when the registry is built. Call ``register(rule)`` with objects
    implementing :class:`notifysdk.policy.Rule`; rule names must be unique. Returns
    nothing.
    """


@hookspec
def notifysdk_register_profiles(register: Callable[[Profile], None]) -> None:
    """Register compliance profiles (named parameter sets such as ``cn`` or ``us-regf``).

    Called once, when the registry is built. Call ``register(profile)`` with a
    :class:`notifysdk.policy.Profile`; names must be unique. Returns nothing.
    """


@hookspec
def notifysdk_register_detectors(register: Callable[[Detector], None]) -> None:
    """Register PII detectors used for masking and the leak guard.

    Called once, when the registry is built. Call ``register(detector)`` with objects
    implementing :class:`notifysdk.privacy.Detector`; names must be unique. Returns
    nothing.
    """


@hookspec
def notifysdk_register_template_dirs(register: Callable[[Path], None]) -> None:
    """Register folders of jinja2 templates (``KIND/CHANNEL.LOCALE.PART.j2`` for one
    channel, ``KIND/MEDIUM.LOCALE.PART.j2`` for every channel of a medium).

    Called once, when the registry is built. A channel's own templates are looked up
    before its medium's. Folders registered later (third-party plugins load after the
    built-ins) are searched first, so a plugin can override a medium's default template
    by naming the medium. Returns nothing.
    """


@hookspec
def notifysdk_register_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register jinja2 filters available to every template.

    Called once, when the registry is built. Call ``register(name, function)``; a name
    registered twice is an error naming both plugins. Returns nothing.
    """


@hookspec
def notifysdk_register_ledgers(register: Callable[[str, LedgerFactory], None]) -> None:
    """Register ledger back-ends by URL scheme (``memory``, ``sqlite``, ``postgresql``).

    Called once, when the registry is built. ``factory(url)`` returns an object
    implementing :class:`notifysdk.ledger.Ledger`. Returns nothing.
    """


@hookspec
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add sub-commands to the ``notifysdk`` command line.

    Called once, when the CLI starts, with the root :class:`typer.Typer` app. Returns
    nothing.
    """


@hookspec
def notifysdk_register_webhooks(register: Callable[[str, Webhook], None]) -> None:
    """Register webhooks that ``notifysdk serve`` mounts (a provider's delivery reports
    and replies).

    Called once, when the registry is built. Call ``register(path, handler)``: ``path``
    such as ``/aliyun-sms/report`` (POST), ``handler`` an async function taking a
    :class:`notifysdk.webhooks.WebhookRequest` and returning a
    :class:`~notifysdk.webhooks.WebhookResponse` (or raising
    :class:`~notifysdk.webhooks.WebhookRefusedError`). The server bounds the body and the
    time; the handler authenticates the request. A path registered twice, or one of the
    server's own, is an error naming both plugins. Returns nothing.
    """


@hookspec
def notifysdk_register_asgi_apps(register: Callable[[str, AsgiAppFactory], None]) -> None:
    """Register ASGI apps that ``notifysdk serve`` mounts under a path prefix (the
    debtor's self-service page).

    Called once, when the registry is built. Call ``register(prefix, factory)``:
    ``prefix`` such as ``/self-service``, ``factory(dispatcher)`` returning an ASGI app,
    called once when the server starts (see :mod:`notifysdk.asgi`). The app reads its
    own requests and bounds their bodies itself. A prefix registered twice is an error
    naming both plugins. Returns nothing.
    """


@hookspec
def notifysdk_on_attempt(
    notice: Notice, attempt: Attempt, error: BaseException | None
) -> Awaitable[None] | None:
    """Observe one delivery attempt after it ended.

    Called by the dispatcher after every call to a channel's ``send``, with the
    attempt as the ledger recorded it before the call (number, destination, start) and
    the error it raised (``None`` on success). The attempt's end is written with the
    next attempt or, for the last one, in the outcome's transaction. May return an
    awaitable, which is awaited; an exception raised here is logged, never propagated.
    """


@hookspec
def notifysdk_on_outcome(notice: Notice, outcome: Outcome) -> Awaitable[None] | None:
    """Observe the final outcome of a notice (delivered, deferred, blocked, failed,
    dead_lettered).

    Called once per ``send`` after the ledger stored the outcome, duplicates included
    (``outcome.duplicate`` is then true). May return an awaitable, which is awaited; an
    exception raised here is logged, never propagated.
    """


@hookspec(firstresult=True)
def notifysdk_refresh_account(account: Account) -> Account | Awaitable[Account | None] | None:
    """Supply fresh account data before a deferred notice is sent again.

    Called by ``run-due`` (:meth:`notifysdk.dispatch.Dispatcher.run_due`) for each due
    notice, with the account snapshot stored when the notice was deferred. Returns an
    :class:`~notifysdk.models.Account` with the same ``account_id`` (current amounts,
    states) that replaces the snapshot for this send, or ``None`` to keep it; may
    return an awaitable of either (a platform's API is I/O). The first implementation
    that returns something other than ``None`` decides (``firstresult``). When it
    raises, or answers with another account, the notice stays deferred for the next
    run (logged by exception type only).
    """
