"""Every requirement's sample wording satisfies the real ``required-content`` rule, and a
deny of that rule can be explained: which wording, which citation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from notifysdk.compliance import scopes as sc
from notifysdk.compliance.cli import register_commands
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules.content import RequiredContentRule
from notifysdk.compliance.specs import Requirement
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import Medium, Message
from notifysdk.plugin import RuleContext, Verdict, Vote
from notifysdk.reference.sample import NOW, sample_notice
from notifysdk.reference.wording import SAMPLES, requirements, vote_help

CASES = [
    (profile, req, lang)
    for profile, req in requirements(DEFAULT_PROFILES)
    for lang in sorted(req.patterns)
]


async def _votes(profile: str, req: Requirement, lang: str, text: str) -> list[Vote]:
    """The real rule's votes on a message carrying ``text`` on one of ``req``'s media,
    with the ledger saying first or later contact as ``req`` needs."""
    notice = sample_notice().model_copy(update={"profiles": (profile,)})
    ledger = MemoryLedger()
    if req.when == "later":
        scope = sc.person_scope(sc.Counter.COMM, notice.account, notice.recipient.person)
        await ledger.record_contact(scope, NOW - timedelta(days=30))
    medium = sorted(req.media)[0]
    message = Message(
        idempotency_key="k",
        channel=f"capture-{medium}",
        medium=Medium(medium),
        to="x",
        locale="zh-CN" if lang == "zh" else lang,
        body=text,
    )
    profiles = {p.name: p for p in DEFAULT_PROFILES if p.name == profile}
    ctx = RuleContext(notice, NOW, ledger, profiles, message=message, channel_medium=medium)
    votes = await RequiredContentRule().votes(ctx)
    return [v for v in votes if v.numbers.get("requirement") == req.id]


def test_every_requirement_and_language_has_a_sample() -> None:
    assert CASES, "the SDK's profiles require some wording"
    assert {(req.id, lang) for _, req, lang in CASES} == set(SAMPLES)


@pytest.mark.parametrize("case", CASES, ids=[f"{r.id}-{lang}" for _, r, lang in CASES])
async def test_the_sample_satisfies_the_rule(case: tuple[str, Requirement, str]) -> None:
    profile, req, lang = case
    votes = await _votes(profile, req, lang, SAMPLES[(req.id, lang)])
    assert [v.verdict for v in votes] == [Verdict.ALLOW]


@pytest.mark.parametrize("case", CASES, ids=[f"{r.id}-{lang}" for _, r, lang in CASES])
async def test_a_deny_is_explained_with_the_wording_and_the_citation(
    case: tuple[str, Requirement, str],
) -> None:
    profile, req, lang = case
    (vote,) = await _votes(profile, req, lang, "Hello.")
    assert vote.verdict is Verdict.DENY
    assert vote.reason == f"{req.id}: the message lacks the required wording"
    help = vote_help({p.name: p for p in DEFAULT_PROFILES}, vote)
    assert help is not None
    assert help.sample == SAMPLES[(req.id, lang)] and help.citation == req.citation
    assert help.when == req.when and list(help.patterns) == list(req.patterns[lang])


def test_vote_help_is_only_for_required_content() -> None:
    profiles = {p.name: p for p in DEFAULT_PROFILES}
    assert vote_help(profiles, Vote.deny("content-lint", "us-regf", "threat")) is None


@pytest.fixture
def app(notifysdk_plugins: object, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root."""

    register_commands(root)
    return root


def test_explain_says_which_wording_and_citation(
    app: typer.Typer, tmp_path: object, notifysdk_register_plugin: object
) -> None:
    """The issue's case: an English SMS without the mini-Miranda, explained."""
    from pathlib import Path

    from notifysdk.plugin import hookimpl

    folder = Path(str(tmp_path)) / "tpl" / "overdue_notice"
    folder.mkdir(parents=True)
    (folder / "sms.en.txt.j2").write_text("{{ institution }}: please pay. Reply STOP to opt out.")

    class Templates:
        @hookimpl
        def notifysdk_register_template_dirs(self, register: object) -> None:
            register(folder.parent)  # type: ignore[operator]

    notifysdk_register_plugin(Templates(), "bare-templates")  # type: ignore[operator]
    args = ["explain", "--sample", "--locale", "en", "--profile", "us-regf"]
    args += ["--phone", "+12125550123", "--tz", "America/New_York"]
    args += ["--now", "2026-01-05T15:00:00Z"]
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 1, text.output
    out = " ".join(text.output.split())  # the console wraps long lines
    assert "mini-miranda-first: the message lacks the required wording" in out
    assert "requires (en), e.g.: " + SAMPLES[("mini-miranda-first", "en")] in out
    assert "requirement mini-miranda-first of us-regf: 12 CFR 1006.18(e)(1)" in out
    data = json.loads(CliRunner().invoke(app, [*args, "--json"]).output)
    (deny,) = [v for v in data["votes"] if v["verdict"] == "deny"]
    assert deny["wording"]["requirement"] == "mini-miranda-first"
    assert deny["wording"]["sample"] == SAMPLES[("mini-miranda-first", "en")]
