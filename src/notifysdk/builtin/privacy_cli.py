"""``notifysdk redact``: mask a text as it would be masked for a role on a channel.

Operators pipe their own texts through it to see what a recipient would receive::

    echo "张伟您好，卡号6222021380013800" | notifysdk redact --role debtor --channel sms
    notifysdk redact --role emergency_contact --channel capture-sms --json < draft.txt

Names, addresses and loan ids have no pattern: ``--known FILE`` (JSON, kind → list of
values, e.g. ``{"name": ["张伟"], "loan_id": ["LN2026..."]}``) lets the tool find an
account's own values too, without putting them on the command line.

``--channel`` takes a registered channel name (its medium and disclosure level are
used), a medium (``sms``, ``email``, ``voice``, ``call_script``, ``letter``), or one of
the SDK's own levels (``envelope``, ``log``). Exit status 0 when the text could be sent,
1 when the leak guard would block it, 2 on a bad option.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..enums import Medium, Role
from ..errors import ConfigurationError, InvalidInputError
from ..hookspecs import hookimpl
from ..plugins import get_plugin_manager

if TYPE_CHECKING:  # the detectors and settings load when the command runs
    from ..privacy import KnownValues, Level, Redactor

EXIT_BLOCKED = 1
EXIT_USAGE = 2


def resolve_level(role: str, channel: str) -> Level:
    """The disclosure level for ``role`` on ``channel`` (a channel name, a medium or a
    level name); raises :class:`InvalidInputError` naming the option."""
    import tempfile

    from ..channels import ChannelContext, Disclosure
    from ..clock import SystemClock
    from ..privacy import Level, effective_disclosure

    try:
        who = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidInputError("--role", f"unknown role (known: {known})") from None
    if channel in (Level.ENVELOPE.value, Level.LOG.value):
        return Level(channel)
    if channel in {m.value for m in Medium}:
        medium = Medium(channel)
        return Level(effective_disclosure(Disclosure.FULL, who, medium).value)
    factory = get_plugin_manager().registry().channels.get(channel)
    if factory is None:
        media = ", ".join(m.value for m in Medium)
        raise InvalidInputError(
            "--channel", f"not a registered channel, a medium ({media}), envelope or log"
        )
    with tempfile.TemporaryDirectory() as tmp:
        try:
            built = factory(ChannelContext(name=channel, clock=SystemClock(), output_dir=Path(tmp)))
        except Exception as exc:  # a channel that needs settings: the medium will do
            raise InvalidInputError(
                "--channel",
                f"channel could not be built here ({type(exc).__name__}); pass its medium",
            ) from None
    return Level(effective_disclosure(built.disclosure, who, built.medium).value)


def read_known(path: Path | None) -> KnownValues:
    """Known values from a JSON file mapping kind → list of values; raises
    :class:`InvalidInputError` naming ``--known`` (never echoing the file's content)."""
    from ..privacy import KnownValues

    if path is None:
        return KnownValues()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError("--known", f"cannot read the file ({type(exc).__name__})") from None
    except json.JSONDecodeError:
        raise InvalidInputError("--known", "not valid JSON") from None
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in doc.items()
    ):
        raise InvalidInputError("--known", "must map each kind to a list of strings")
    return KnownValues.expand((kind, value) for kind, values in doc.items() for value in values)


def redact_report(
    text: str, level: Level, redactor: Redactor, known: KnownValues | None = None
) -> dict[str, Any]:
    """The masked text and, for each finding, its kind, span and masked form."""
    red = redactor.mask(text, level, known)
    return {
        "level": level.value,
        "text": red.text,
        "blocked": not red.clean,
        "findings": [
            {"kind": f.kind, "span": [f.start, f.end], "masked": out, "detector": f.detector}
            for f, out in zip(red.findings, red.replacements, strict=True)
        ],
        "leaks": sorted({f.kind for f in red.leaks}),
    }


def redact_command(
    role: str = typer.Option(
        ...,
        "--role",
        help="Recipient role: debtor, guarantor, emergency_contact, attorney, third_party.",
    ),
    channel: str = typer.Option(
        ..., "--channel", help="A channel name, a medium, or envelope / log."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON with the findings (kind, span, masked form)."
    ),
    known: Path | None = typer.Option(  # noqa: B008 - typer reads its options from defaults
        None, "--known", help="JSON file: kind → list of an account's own values to find."
    ),
    config: Path | None = typer.Option(  # noqa: B008
        None, "--config", "-c", help="Settings TOML: the institution's public values."
    ),
) -> None:
    """Read text on stdin, write it masked for ROLE on CHANNEL on stdout, exactly as the
    dispatcher masks it (same detectors, same public values, same known-value forms)."""
    from ..config import Settings
    from ..privacy.configured import configured_redactor

    try:
        settings = Settings.load(config) if config else Settings.load()
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        level = resolve_level(role, channel)
        known_values = read_known(known)
    except InvalidInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    redactor = configured_redactor(get_plugin_manager().registry().detectors.values(), settings)
    report = redact_report(sys.stdin.read(), level, redactor, known_values)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report["text"])
        if report["blocked"]:
            typer.echo(
                f"blocked: role {role} may not receive {', '.join(report['leaks'])} "
                f"on {channel} (level {level.value})",
                err=True,
            )
    if report["blocked"]:
        raise typer.Exit(EXIT_BLOCKED)


@hookimpl
def notifysdk_register_commands(app: typer.Typer) -> None:
    """Add ``notifysdk redact``."""
    app.command("redact")(redact_command)
