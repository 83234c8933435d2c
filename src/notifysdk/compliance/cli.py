"""``notifysdk lint`` and ``notifysdk explain``.

::

    notifysdk lint                      # every registered template folder
    notifysdk lint templates/ --json    # one pack; exit 1 on a phrase or a broken template
    notifysdk explain notice.json --now 2026-03-08T08:30:00-04:00
    notifysdk explain --sample --profile us-regf --channel capture-sms --locale en \\
        --phone +12085550123 --no-tz --now 2026-01-05T15:00:00Z

Exit status: 0 clean / allowed, 1 findings / the notice would not go now, 2 bad option.
A template that cannot be used (a syntax error, a refusal of the sandbox, one of the render
bounds of :mod:`notifysdk.template_limits`, a file that is not UTF-8) is a finding of lint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..enums import NoticeKind, Role
from ..errors import InvalidInputError, NaiveDatetimeError, NotifyError
from ..plugins import get_plugin_manager

if TYPE_CHECKING:  # templates, models and the dispatcher load when a command runs
    from ..config import Settings
    from ..models import Notice
    from .explain import Explanation
    from .lint import Linter, LintFinding

__all__ = ["LintResult", "lint_pack", "record_lines", "register_commands", "wording_lines"]

EXIT_FINDINGS = 1
EXIT_USAGE = 2

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_NAME = re.compile(
    r"^(?P<stem>[A-Za-z0-9][A-Za-z0-9_-]*)\.(?P<locale>[A-Za-z-]+)\.(?P<part>subject|txt|html)\.j2$"
)
"""``MEDIUM.LOCALE.PART.j2`` or a channel's own ``CHANNEL.LOCALE.PART.j2``."""


@dataclass(frozen=True)
class LintResult:
    """The lint of one template file: findings in its source and in its rendering."""

    path: Path
    name: str
    findings: tuple[LintFinding, ...]
    rendered: bool
    note: str = ""
    error: str = ""
    """Why the template cannot be used (a syntax error, an unknown variable, a refusal of
    the sandbox, a render bound): a failure like a finding. Data the sample notice lacks
    (``data.visit``) is a note."""


def _sample_notice(locale: str) -> Notice:
    from ..testing import sample_account, sample_notice

    zh = locale.startswith("zh")
    account = sample_account(
        locale=locale,
        currency="CNY" if zh else "USD",
        profiles=("cn",) if zh else ("us-regf",),
    )
    return sample_notice(account=account, channel="capture-sms", locale=locale)


def lint_pack(dirs: list[Path], linter: Linter | None = None) -> list[LintResult]:
    """Lint every ``KIND/MEDIUM.LOCALE.PART.j2`` (or ``KIND/CHANNEL.LOCALE.PART.j2``)
    under ``dirs``: its source with the
    template syntax removed, and its rendering with a synthetic account in its locale."""
    from ..errors import TemplateError
    from ..templating import TemplateRenderer, notice_context, read_source
    from .lint import Linter, LintFinding

    linter = linter or Linter()
    filters = get_plugin_manager().registry().filters
    results: list[LintResult] = []
    now = datetime.fromisoformat("2026-01-05T10:00:00+00:00")
    for root in dirs:
        files = [root] if root.is_file() else sorted(root.rglob("*.j2"))
        base = root.parent.parent if root.is_file() else root
        renderer = TemplateRenderer([base], filters)
        for path in files:
            name = path.relative_to(base).as_posix()
            try:
                source = read_source(path)
            except TemplateError as exc:
                results.append(LintResult(path, name, (), False, error=exc.reason))
                continue
            findings = [
                LintFinding(f.phrase, f.category, "source", f.kind)
                for f in linter.check(_JINJA.sub(" ", source), "source")
            ]
            match = _NAME.match(path.name)
            rendered, note, error = False, "", ""
            if match:
                try:
                    ctx = notice_context(
                        _sample_notice(match["locale"]), now=now, institution_contact="400-000-0000"
                    )
                    text = renderer.render_file(name, ctx, match["part"])
                    findings += linter.check(text, "rendered")
                    rendered = True
                except TemplateError as exc:
                    if exc.problem in ("missing_data", "missing_filter"):
                        note = f"not rendered with sample data ({exc.reason})"
                    else:
                        error = exc.reason
                except NotifyError as exc:
                    note = f"not rendered with sample data ({type(exc).__name__})"
            else:
                note = "not named MEDIUM.LOCALE.PART.j2 or CHANNEL.LOCALE.PART.j2: source only"
            unique = tuple(dict.fromkeys(findings))
            results.append(LintResult(path, name, unique, rendered, note, error))
    return results


def lint_command(
    path: Path | None = typer.Argument(  # noqa: B008
        None,
        help="A template folder or file (default: every registered template folder).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check a template pack, in every locale, for prohibited language and for templates
    that cannot be rendered (exit 1 on either)."""
    if path is not None and not path.exists():
        typer.echo(f"error: path: {path} does not exist", err=True)
        raise typer.Exit(EXIT_USAGE)
    dirs = [path] if path is not None else list(get_plugin_manager().registry().template_dirs)
    results = lint_pack(dirs)
    bad = [r for r in results if r.findings or r.error]
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "template": r.name,
                        "path": str(r.path),
                        "rendered": r.rendered,
                        "note": r.note,
                        "error": r.error,
                        "findings": [
                            {
                                "phrase": f.phrase,
                                "category": f.category,
                                "kind": f.kind,
                                "part": f.part,
                            }
                            for f in r.findings
                        ],
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        console = Console()
        table = Table(
            title=f"notifysdk lint: {len(results)} templates, {len(bad)} with findings or errors"
        )
        for col in ("template", "category", "phrase", "where"):
            table.add_column(col)
        for r in bad:
            for f in r.findings:
                table.add_row(r.name, f.category, f.phrase, f.part)
        console.print(table)
        for r in results:
            if r.error:
                console.print(f"[red]error[/red] {escape(r.name)}: {escape(r.error)}")
            if r.note:
                console.print(f"[yellow]note[/yellow] {r.name}: {r.note}")
    if bad:
        raise typer.Exit(EXIT_FINDINGS)


def _parse_now(value: str | None) -> datetime:
    if value is None:
        from ..clock import SystemClock

        return SystemClock().now()
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError("--now", "not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise NaiveDatetimeError("--now", "give a UTC offset or Z (e.g. 2026-01-05T21:59:59+08:00)")
    return at


def _build_notice(
    path: Path | None,
    *,
    profiles: list[str],
    channel: str,
    locale: str,
    role: str,
    kind: str,
    phone: str | None,
    tz: str | None,
    no_tz: bool,
) -> Notice:
    from ..models import Notice, Recipient
    from ..testing import sample_account

    if path is not None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InvalidInputError(
                "notice", f"cannot read a JSON notice ({type(exc).__name__})"
            ) from None
        return Notice.model_validate(raw)
    zh = locale.startswith("zh")
    person: dict[str, Any] = {}
    if phone:
        person["phone"] = phone
    if no_tz:
        person["time_zone"] = None
    elif tz:
        person["time_zone"] = tz
    if not zh:
        person.setdefault("country", "US")
    account = sample_account(
        locale=locale,
        currency="CNY" if zh else "USD",
        profiles=tuple(profiles) or (("cn",) if zh else ("us-regf",)),
        **person,
    )
    try:
        who = Role(role)
        what = NoticeKind(kind)
    except ValueError as exc:
        raise InvalidInputError("--role/--kind", str(exc)) from None
    return Notice(
        kind=what,
        channel=channel,
        account=account,
        locale=locale,
        recipient=Recipient(person=account.debtor, role=who),
    )


def wording_lines(wording: Mapping[str, Any]) -> list[str]:
    """How ``explain`` and ``preview`` say what a ``required-content`` vote looks for
    (``wording``: :meth:`RequirementHelp.as_dict
    <notifysdk.reference.wording.RequirementHelp.as_dict>`)."""
    lang = wording["lang"]
    lines = []
    if wording["sample"]:
        lines.append(f"requires ({lang}), e.g.: {wording['sample']}")
    groups = " AND ".join(" or ".join(g) for g in wording["patterns"])
    lines.append(f"accepted ({lang}): {groups or 'no wording is known in this language'}")
    lines.append(
        f"requirement {wording['requirement']} of {wording['profile']}: {wording['citation']}"
    )
    return lines


_INLINE = 48
"""Longer strings (a citation, a sentence) get a line of their own."""
_WIDTH = 78
"""The width ``key=value`` pairs are packed into."""


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple | set | frozenset)


def record_lines(numbers: Mapping[str, Any], indent: str = "") -> list[str]:
    """How ``explain`` prints a vote's record (its ``numbers``): short values as
    ``key=value`` on one line, each table (the reachability record, the location sources,
    counts by outcome) indented under its name, lists of short values inline and a list
    of tables one line per item. Values are printed as given: ``explain`` masked them."""
    lines: list[str] = []
    short: list[str] = []
    nested: list[tuple[str, Any]] = []
    for key, value in numbers.items():
        if _is_scalar(value) and len(_scalar(value)) <= _INLINE:
            short.append(f"{key}={_scalar(value)}")
        elif isinstance(value, list | tuple | set | frozenset) and all(
            _is_scalar(v) for v in value
        ):
            text = ", ".join(_scalar(v) for v in value)
            if len(text) <= _INLINE:
                short.append(f"{key}=[{text}]")
            else:
                nested.append((key, [_scalar(v) for v in value]))
        else:
            nested.append((key, value))
    line = ""
    for item in short:  # as many key=value pairs a line as fit in _WIDTH
        if line and len(indent) + len(line) + 2 + len(item) > _WIDTH:
            lines.append(indent + line + ",")
            line = ""
        line = f"{line}, {item}" if line else item
    if line:
        lines.append(indent + line)
    for key, value in nested:
        if isinstance(value, Mapping):
            inner = record_lines(value, indent + "  ")
            if len(inner) == 1 and len(indent + key) + len(inner[0].strip()) + 2 <= _WIDTH:
                lines.append(f"{indent}{key}: {inner[0].strip()}")
            else:
                lines.append(f"{indent}{key}:")
                lines.extend(inner or [f"{indent}  (none)"])
        elif isinstance(value, list | tuple):
            lines.append(f"{indent}{key}:")
            for item in value:
                if isinstance(item, Mapping):
                    head, *rest = record_lines(item, indent + "    ") or [""]
                    lines.append(f"{indent}  - {head.strip()}")
                    lines.extend(rest)
                else:
                    lines.append(f"{indent}  - {_scalar(item)}")
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}")
    return lines


def _print_explanation(exp: Explanation) -> None:
    console = Console(highlight=False)
    console.print(
        f"notifysdk explain at {exp.now.isoformat()} "
        f"(profiles: {', '.join(exp.profiles) or 'none'})"
    )
    for r in exp.rows:
        line = f"[{r.stage}] {r.rule} ({r.profile}): {r.verdict.upper()}"
        if r.reason:
            line += f" - {r.reason}"
        if r.until:
            line += f"; until {r.until.isoformat()}"
        if r.variant:
            line += f"; variant {r.variant}"
        console.print(line, markup=False)
        if r.numbers:
            record = record_lines(r.numbers, "      ")
            first = record[0].strip() if record and record[0].startswith("      ") else ""
            if first and not first.endswith(":") and len(record) == 1:
                console.print(f"    record: {first}", markup=False)
            else:
                console.print("    record:", markup=False)
                for line in record:
                    console.print(line, markup=False)
        if r.reservations:  # shown without the scopes' unkeyed pseudonyms, as --json is
            console.print("    reserves: " + ", ".join(r.shown_reservations), markup=False)
        if r.citation and r.verdict != "inactive":
            console.print(f"    cites: {r.citation}", markup=False)
        if r.wording is not None and r.verdict in ("deny", "defer"):
            for line in wording_lines(r.wording.as_dict()):
                console.print(f"    {line}", markup=False)
    if exp.note:
        console.print(exp.note, markup=False)
    d = exp.as_dict()["decision"]
    line = f"decision: {d['verdict']}"
    if d["rule"]:
        line += f" by {d['rule']} ({d['profile']}): {d['reason']}"
    if d["until"]:
        line += f"; next allowed {d['until']}"
    console.print(line, markup=False)


def explain_command(
    notice_file: Path | None = typer.Argument(  # noqa: B008
        None, help="A notice as JSON (Notice fields)."
    ),
    now: str | None = typer.Option(
        None, "--now", help="The instant to judge at (ISO 8601 with an offset)."
    ),
    sample: bool = typer.Option(
        False, "--sample", help="Explain a synthetic notice instead of a file."
    ),
    profile: list[str] = typer.Option(  # noqa: B008
        [], "--profile", help="Profiles for --sample (repeatable)."
    ),
    channel: str = typer.Option("capture-sms", "--channel", help="Channel for --sample."),
    locale: str = typer.Option("zh-CN", "--locale", help="Locale for --sample."),
    role: str = typer.Option("debtor", "--role", help="Recipient role for --sample."),
    kind: str = typer.Option("overdue_notice", "--kind", help="Notice kind for --sample."),
    phone: str | None = typer.Option(None, "--phone", help="Phone number for --sample (E.164)."),
    tz: str | None = typer.Option(None, "--tz", help="The recipient's IANA zone for --sample."),
    no_tz: bool = typer.Option(False, "--no-tz", help="--sample recipient with no known zone."),
    config: Path | None = typer.Option(  # noqa: B008
        None, "--config", help="Settings TOML (overrides, ledger)."
    ),
    ledger: str | None = typer.Option(None, "--ledger", help="Ledger URL to count contacts in."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print every rule's vote for a notice at --now, and why."""
    import asyncio

    from ..config import Settings
    from ..policy import Verdict

    if notice_file is None and not sample:
        typer.echo("error: give a notice JSON file or --sample", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        at = _parse_now(now)
        notice = _build_notice(
            notice_file,
            profiles=profile,
            channel=channel,
            locale=locale,
            role=role,
            kind=kind,
            phone=phone,
            tz=tz,
            no_tz=no_tz,
        )
        overrides: dict[str, Any] = {}
        if ledger:
            overrides["ledger_url"] = ledger
        settings = Settings.load(config, **overrides)
        exp = asyncio.run(_explain(settings, notice, at))
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(exp.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_explanation(exp)
    if exp.final.verdict in (Verdict.DENY, Verdict.DEFER):
        raise typer.Exit(EXIT_FINDINGS)


async def _explain(settings: Settings, notice: Notice, at: datetime) -> Explanation:
    from ..clock import FakeClock
    from ..dispatcher import Dispatcher
    from .explain import explain

    async with Dispatcher(settings, clock=FakeClock(at)) as dispatcher:
        return await explain(dispatcher, notice, at)


def register_commands(app: typer.Typer) -> None:
    """Add ``lint`` and ``explain`` to the root app."""
    app.command("lint")(lint_command)
    app.command("explain")(explain_command)
