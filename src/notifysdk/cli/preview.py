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
    from ..dispatch.context import Prepared
    from ..dispatch.dispatcher import Dispatcher
    from ..models import Account, Message, Notice, Person
    from ..privacy import KnownValues

DEFAULT_LOCALES = ("zh-CN", "en")

PREVIEW_HELP = escape(
    "\n\n".join(
        (
            "Render one notice on every medium and locale, masked exactly as it would be sent.",
            "Each medium is routed to its channel as in a run (the [routes] table of the settings, "
            "default capture-<medium>); the notice then goes through the dispatcher's own policy, "
            "render, masking, leak-guard and content stages, but nothing is sent and nothing is "
            "recorded. The destination is shown masked, with the template file the channel "
            "uses (its own KIND/CHANNEL.LOCALE.txt.j2, else its medium's). A medium with no "
            "template for the kind says so.",
            "The content rules (required wording, prohibited language) run on the rendered "
            "message even when a policy rule (contact hours, a cap) stops the notice: each "
            "vote is shown with its rule and reason, and a block by the required-content rule "
            "with the wording it looks for and its citation (docs/reference/required-"
            "wording.md). The notice is judged as a first contact; --later judges it as a later "
            "one (a communication to the recipient on record).",
            "By default the notice is for a built-in synthetic account; --portfolio with --account "
            "previews what one account of a portfolio would get.",
            "Exit status: 0 when every medium rendered and no content rule would block it, has "
            "no template for the kind or lacks sample data for one; 1 when a template failed "
            "(a syntax error, an unknown variable, a filter that raised, a refusal of the "
            "sandbox, a render bound of docs/limits.md) or a content rule would block what it "
            'renders (status "blocked by a content rule"): its panel says which; 3 when the '
            "settings or the portfolio cannot be read.",
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
    later: Annotated[
        bool,
        typer.Option(
            "--later", help="Judge as a later contact (the first-contact wording is not due)."
        ),
    ] = False,
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
                later=later,
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
    if any(r["status"] in (TEMPLATE_FAILED, CONTENT_BLOCKED, CHANNEL_REFUSED) for r in results):
        raise typer.Exit(EXIT_FAILURES)


TEMPLATE_DEFECTS = frozenset({"syntax", "encoding", "undefined", "sandbox", "bound", "failed"})
"""Problems of a template itself (exit 1), not of the data or the plugins at hand."""

TEMPLATE_FAILED = "template error"
"""The status of a preview whose template failed (exit 1); a missing template, or one
needing data the notice lacks, is ``not rendered``."""

CONTENT_BLOCKED = "blocked by a content rule"
"""The status of a preview whose rendered message a content rule denies or defers
(exit 1): a send would stop there whatever the time."""

CHANNEL_REFUSED = "refused by the channel"
"""The status of a preview whose channel would refuse the rendered message before
sending (exit 1): a China SMS channel whose approved template it does not match."""

LATER_CONTACT_DAYS = 30
"""For ``--later``: how long before ``--now`` the earlier communication is put on record
(far enough back that no weekly cap counts it)."""


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
    *,
    later: bool = False,
) -> list[dict[str, Any]]:
    """Build one preview per (medium, locale): verdict, masked destination, content and
    the content rules' votes; ``later``: judged as a later contact."""
    from ..dispatch.dispatcher import Dispatcher
    from ..ledger.memory import MemoryLedger

    out: list[dict[str, Any]] = []
    async with Dispatcher(settings, clock=clock, ledger=MemoryLedger()) as d:
        for medium in media:
            default = settings.routes.get(medium.value) or f"capture-{medium.value}"
            for locale in locales:
                # as a run routes it: the locale's channel, then the language's, then the
                # medium's (campaign.planner.locale_route)
                channel = (
                    settings.routes.get(f"{medium.value}.{locale}")
                    or settings.routes.get(f"{medium.value}.{locale.split('-', 1)[0]}")
                    or default
                )
                acct = account or _sample_for(locale)
                out.append(await _one(d, kind, channel, medium, locale, role, acct, later))
    return out


async def _one(
    d: Dispatcher,
    kind: NoticeKind,
    channel: str,
    medium: Medium,
    locale: str,
    role: Role,
    account: Account,
    later: bool = False,
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
    if later:
        await _record_earlier_contact(d, notice)
    result["template"] = _template_for(d, kind, medium, locale, channel)
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
    content = await _content(d, prepared, message, known)
    result["content"] = content
    if content["verdict"] in ("deny", "defer"):
        result["status"] = CONTENT_BLOCKED
    _approved_form(ctx.channel, message, result)
    return result


def _approved_form(channel: Any, message: Message, result: dict[str, Any]) -> None:
    """A channel that sends only provider-approved templates (China's SMS providers)
    says what a send would carry through ``approved_form(message)``: shown, or its
    refusal (a mismatch with the approved text) as the status."""
    form = getattr(channel, "approved_form", None)
    if not callable(form):
        return
    try:
        result["approved"] = form(message)
    except NotifyError as exc:
        result.update(status=CHANNEL_REFUSED, reason=str(exc))


async def _content(
    d: Dispatcher, prepared: Prepared, message: Message, known: KnownValues
) -> dict[str, Any]:
    """The content stage's verdict on ``message`` (the dispatcher's own stage: run by
    ``prepare`` when no policy rule stopped the notice, else run here on what it would
    say) and every content rule's vote, masked like a log line."""
    from ..compliance.explain import content_votes
    from ..dispatch.stages import content_stage
    from ..models import Outcome

    ctx = prepared.context
    if ctx.content is not None:  # the content stage let it through in prepare
        stop = None
    elif ctx.message is not None and prepared.outcome is not None:
        stop = prepared.outcome  # the content stage stopped it in prepare
    else:
        staged = await content_stage(d.pipeline, ctx.evolve(message=message))
        stop = staged if isinstance(staged, Outcome) else None
    rows, _ = await content_votes(d, ctx, message)
    out: dict[str, Any] = {"verdict": "allow", "rule": None, "reason": None}
    if stop is not None:
        out.update(
            verdict="defer" if stop.status is OutcomeStatus.DEFERRED else "deny",
            rule=stop.rule,
            reason=stop.reason,
        )
    out["votes"] = [
        {
            "rule": r.rule,
            "profile": r.profile,
            "verdict": r.verdict,
            "reason": d.redactor.mask_for_log(r.reason, known) if r.reason else "",
            "citation": r.citation,
            "wording": r.wording.as_dict() if r.wording is not None else None,
        }
        for r in rows
        if r.verdict not in ("inactive", "abstain")
    ]
    return out


async def _record_earlier_contact(d: Dispatcher, notice: Notice) -> None:
    """Put a communication to the recipient on the preview's own ledger, so the notice
    is a later contact (first-contact wording no longer due)."""
    from datetime import timedelta

    from ..compliance import scopes as sc

    person = notice.recipient.person
    at = d.clock.now() - timedelta(days=LATER_CONTACT_DAYS)
    await d.ledger.record_contact(sc.person_scope(sc.Counter.COMM, notice.account, person), at)


def _template_for(
    d: Dispatcher, kind: NoticeKind, medium: Medium, locale: str, channel: str
) -> str | None:
    """The body template the channel would render ``kind`` from (``None``: none)."""
    try:
        found = d.pipeline.renderer.template_for(kind.value, medium.value, locale, channel)
    except TemplateError:
        return None  # the render below reports it
    return found[1] if found is not None else None


def _panel(r: dict[str, Any]) -> Panel:
    head = Text(f"{r['status']} · verdict {r.get('verdict', '-')}")
    if r.get("rule"):
        head.append(f" ({r['rule']}: {r.get('reason', '')})")
    parts: list[Any] = [head]
    if r.get("to"):
        parts.append(Text(f"to: {r['to']}"))
    if r["status"] not in ("rendered", CONTENT_BLOCKED):
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
    if r.get("template"):
        parts.append(Text(f"template: {r['template']}", style="dim"))
    approved = r.get("approved")
    if approved:
        parts.append(
            Text(
                f"approved template {approved.get('template_code')} "
                f"(sign {approved.get('sign_name')}): {approved.get('approved_text')}",
                style="cyan",
            )
        )
        given = approved.get("params") or {}
        # named (Aliyun's ${name}) or in placeholder order (Tencent's {1}, {2}...)
        pairs = given.items() if isinstance(given, dict) else enumerate(given, start=1)
        params = ", ".join(f"{k}={v}" for k, v in pairs)
        parts.append(Text(f"parameters: {params or '-'}", style="cyan"))
    for vote in (r.get("content") or {}).get("votes", ()):
        parts.extend(_vote_lines(vote))
    title = f"{r['kind']} · {r['medium']} ({r['channel']}) · {r['locale']} · to {r['role']}"
    return Panel(Group(*parts), title=title, title_align="left")


def _vote_lines(vote: dict[str, Any]) -> list[Text]:
    """One content vote: its rule, verdict and reason; for a block, the wording looked
    for and the citation."""
    from ..compliance.cli import wording_lines

    blocking = vote["verdict"] in ("deny", "defer")
    line = f"content {vote['verdict']}: {vote['rule']} ({vote['profile']})"
    if vote["reason"]:
        line += f" - {vote['reason']}"
    out = [Text(line, style="red" if blocking else "dim")]
    if not blocking:
        return out
    wording = vote.get("wording")
    if wording is not None:
        out.extend(Text(f"    {s}") for s in wording_lines(wording))
    elif vote["citation"]:
        out.append(Text(f"    cites: {vote['citation']}"))
    return out
