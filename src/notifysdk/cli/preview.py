"""``notifysdk preview``: one notice rendered on every medium and locale, masked as sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from ..enums import Medium, NoticeKind, OutcomeStatus, Role
from ..errors import InvalidInputError, NotifyError, TemplateError
from .root import EXIT_ERROR, EXIT_FAILURES, app, clock_at, console

if TYPE_CHECKING:  # the models, settings and dispatcher load when the command runs
    from ..config import Settings
    from ..dispatch.dispatcher import Dispatcher
    from ..models import Account, Person

DEFAULT_LOCALES = ("zh-CN", "en")

PREVIEW_HELP = escape(
    "\n\n".join(
        (
            "Render one notice on every medium and locale, masked exactly as it would be sent.",
            "Each medium is routed to its channel as in a run (the [routes] table of the settings, "
            "default capture-<medium>); the notice then goes through the dispatcher's own policy, "
            "render, masking and leak-guard stages, but nothing is sent and nothing is recorded. "
            "The destination is shown masked. A medium with no template for the kind says so.",
            "By default the notice is for a built-in synthetic account; --portfolio with --account "
            "previews what one account of a portfolio would get.",
            "Exit status: 0 when every medium rendered, has no template for the kind or lacks "
            "sample data for one; 1 when a template failed (a syntax error, an unknown "
            "variable, a refusal of the sandbox, a render bound of docs/limits.md): its panel "
            "says which; 3 when the settings or the portfolio cannot be read.",
            "Examples:\n"
            "  notifysdk preview\n"
            "  notifysdk preview --kind final_demand --medium sms --locale en\n"
            "  notifysdk preview --role emergency_contact --medium sms\n"
            "  notifysdk preview --portfolio examples/portfolio.csv --account ACC0000007 --json",
        )
    )
)


@app.command("preview", help=PREVIEW_HELP)
def preview_command(
    kind: Annotated[NoticeKind, typer.Option("--kind", "-k", help="Notice kind.")] = (
        NoticeKind.OVERDUE_NOTICE
    ),
    media: Annotated[
        list[Medium] | None,
        typer.Option("--medium", "-m", help="Medium to preview (repeatable). Default: all."),
    ] = None,
    locales: Annotated[
        list[str] | None,
        typer.Option("--locale", help="Locale to preview (repeatable). Default: zh-CN and en."),
    ] = None,
    role: Annotated[
        Role,
        typer.Option("--role", help="Recipient role: a third party gets the limited form."),
    ] = Role.DEBTOR,
    portfolio: Annotated[
        Path | None,
        typer.Option("--portfolio", help="Portfolio (CSV/JSONL) holding the account to preview."),
    ] = None,
    account_id: Annotated[
        str | None, typer.Option("--account", help="Account id to look up in --portfolio.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Settings TOML (routes).")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Render (and check contact hours) as at this ISO instant."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of panels.")] = False,
) -> None:
    """Preview a notice on every medium and locale (see PREVIEW_HELP)."""
    import asyncio

    from ..config import Settings

    clock = clock_at(now)
    try:
        settings = Settings.load(config) if config else Settings.load()
        account = _find_account(portfolio, account_id) if portfolio else None
        results = asyncio.run(
            preview(
                settings,
                kind,
                list(media or Medium),
                list(locales or DEFAULT_LOCALES),
                role,
                account,
                clock,
            )
        )
    except NotifyError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from None
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for r in results:
            console.print(_panel(r))
    if any(r["status"] == TEMPLATE_FAILED for r in results):
        raise typer.Exit(EXIT_FAILURES)


TEMPLATE_DEFECTS = frozenset({"syntax", "encoding", "undefined", "sandbox", "bound", "failed"})
"""Problems of a template itself (exit 1), not of the data or the plugins at hand."""

TEMPLATE_FAILED = "template error"
"""The status of a preview whose template failed (exit 1); a missing template, or one
needing data the notice lacks, is ``not rendered``."""


def _find_account(portfolio: Path, account_id: str | None) -> Account:
    from ..campaign import read_portfolio
    from ..campaign.portfolio import PortfolioRow

    if not account_id:
        raise InvalidInputError("--account", "give the account id to preview from --portfolio")
    for row in read_portfolio(portfolio):
        if isinstance(row, PortfolioRow) and row.account.account_id == account_id:
            return row.account
    raise InvalidInputError("--account", "no valid row with that account id in the portfolio")


def _sample_for(locale: str) -> Account:
    from ..testing import sample_account

    if locale.startswith("zh"):
        return sample_account(locale="zh-CN", profiles=("cn",))
    return sample_account(
        locale=locale,
        profiles=("us-regf",),
        currency="USD",
        phone="+12125550123",
        time_zone="America/New_York",
        country="US",
    )


def _stand_in(locale: str) -> Person:
    """A synthetic third person for a role the account has nobody in."""
    from ..models import EmailContact, Person, PhoneContact

    zh = locale.startswith("zh")
    return Person(
        person_id="P-PREVIEW-3P",
        name="李四" if zh else "Sam Doe",
        locale=locale,
        contacts=(
            PhoneContact(value="+8613912345678" if zh else "+12125550150"),
            EmailContact(value="contact@example.com"),
        ),
    )


async def preview(
    settings: Settings,
    kind: NoticeKind,
    media: list[Medium],
    locales: list[str],
    role: Role,
    account: Account | None,
    clock: Any,
) -> list[dict[str, Any]]:
    """Build one preview per (medium, locale): verdict, masked destination and content."""
    from ..dispatch.dispatcher import Dispatcher
    from ..ledger.memory import MemoryLedger

    out: list[dict[str, Any]] = []
    async with Dispatcher(settings, clock=clock, ledger=MemoryLedger()) as d:
        for medium in media:
            channel = settings.routes.get(medium.value) or f"capture-{medium.value}"
            for locale in locales:
                acct = account or _sample_for(locale)
                out.append(await _one(d, kind, channel, medium, locale, role, acct))
    return out


async def _one(
    d: Dispatcher,
    kind: NoticeKind,
    channel: str,
    medium: Medium,
    locale: str,
    role: Role,
    account: Account,
) -> dict[str, Any]:
    from ..dispatch.stages import build_message
    from ..models import Notice, Recipient
    from ..privacy import KnownValues

    result: dict[str, Any] = {
        "medium": medium.value,
        "locale": locale,
        "channel": channel,
        "kind": kind.value,
        "role": role.value,
    }
    person = (
        account.debtor
        if role is Role.DEBTOR
        else next((p.person for p in account.parties if p.role is role), None) or _stand_in(locale)
    )
    notice = Notice(
        kind=kind,
        channel=channel,
        account=account,
        recipient=Recipient(person=person, role=role),
        locale=locale,
    )
    known = KnownValues.from_account(account)
    try:
        prepared = await d.prepare(notice)
        ctx = prepared.context
        message = ctx.message
        if message is None and ctx.to is not None and ctx.policy is None:
            # Stopped by a policy rule: still show what the notice would say, rendered
            # and masked by the same code as a send (the verdict above stays the send's).
            message, _ = build_message(d.pipeline, ctx)
    except TemplateError as exc:
        failed = exc.template is not None and exc.problem in TEMPLATE_DEFECTS
        result.update(status=TEMPLATE_FAILED if failed else "not rendered", reason=str(exc))
        return result
    except InvalidInputError as exc:
        result.update(status="not rendered", reason=str(exc))
        return result
    stop = prepared.outcome
    decision = prepared.decision
    vote = decision.deciding
    if stop is not None:
        result["verdict"] = "defer" if stop.status is OutcomeStatus.DEFERRED else "deny"
        result["rule"] = stop.rule
        result["reason"] = stop.reason
        if stop.until is not None:
            result["until"] = stop.until.isoformat()
    else:
        result["verdict"] = decision.verdict.name.lower()
        if vote is not None:
            result["rule"] = vote.rule
            result["reason"] = d.redactor.mask_for_log(vote.reason, known)
    to = ctx.to
    result["to"] = d.redactor.mask_for_log(to, known) if to else None
    if message is None:
        if stop is not None and stop.rule == "privacy":
            result.update(status="blocked by the leak guard", reason=stop.reason)
        else:
            result.update(status="not rendered")
        return result
    result.update(
        status="rendered",
        disclosure=message.metadata.get("disclosure"),
        template=message.metadata.get("template"),
        subject=message.subject,
        body=message.body,
        html=message.html is not None,
        attachments=[a.filename for a in message.attachments],
    )
    return result


def _panel(r: dict[str, Any]) -> Panel:
    head = Text(f"{r['status']} · verdict {r.get('verdict', '-')}")
    if r.get("rule"):
        head.append(f" ({r['rule']}: {r.get('reason', '')})")
    parts: list[Any] = [head]
    if r.get("to"):
        parts.append(Text(f"to: {r['to']}"))
    if r["status"] != "rendered":
        parts.append(Text(str(r.get("reason", "")), style="yellow"))
    else:
        if r.get("subject"):
            parts.append(Text(f"subject: {r['subject']}", style="bold"))
        parts.append(Text(r["body"].rstrip()))
        extras = [f"disclosure {r['disclosure']}"]
        if r["html"]:
            extras.append("+ HTML part")
        if r["attachments"]:
            extras.append("attachments: " + ", ".join(r["attachments"]))
        parts.append(Text(" · ".join(extras), style="dim"))
    title = f"{r['kind']} · {r['medium']} ({r['channel']}) · {r['locale']} · to {r['role']}"
    return Panel(Group(*parts), title=title, title_align="left")
