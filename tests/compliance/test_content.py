"""Required content and the language lint, on rendered text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.builtin.templates import default_template_dir
from notifysdk.clock import FakeClock
from notifysdk.compliance.cli import lint_pack
from notifysdk.compliance.lint import Linter
from notifysdk.compliance.phrases import PHRASES
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import AccountState, Medium, NoticeKind, OutcomeStatus
from notifysdk.testing import MockChannel

from .conftest import cn_account, notice_for, us_account, utc

FREETEXT = Path(__file__).parent / "freetext"
NY_NOON = utc("2026-01-05T12:00:00-05:00")
OPT = " Reply STOP to opt out."
MIRANDA = (
    " This is an attempt to collect a debt and any information obtained will be used "
    "for that purpose."
)


class FreeText:
    """Templates that render ``data.text`` as is."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register ``tests/compliance/freetext``."""
        register(FREETEXT)


@pytest.fixture
def free(
    build: Callable[..., Dispatcher], register_plugin: Callable[..., str], fake_clock: FakeClock
) -> Dispatcher:
    register_plugin(FreeText(), "compliance-freetext")
    fake_clock.set(NY_NOON)
    return build()


def test_phrase_list_has_forty_plus_phrases_in_both_languages() -> None:
    zh = [p for p in PHRASES if p.lang == "zh"]
    en = [p for p in PHRASES if p.lang == "en"]
    assert len(PHRASES) >= 40 and len(zh) >= 20 and len(en) >= 20


@pytest.mark.parametrize("phrase", PHRASES, ids=lambda p: p.id)
def test_every_phrase_and_its_variants_are_caught(phrase) -> None:
    linter = Linter()
    assert len(phrase.examples) >= 1
    for example in phrase.examples:
        text = f"您好。{example}。谢谢" if phrase.lang == "zh" else f"Hello. {example}. Thanks"
        found = linter.check(text)
        assert phrase.id in {f.phrase for f in found}, example


def test_every_default_template_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFYSDK_LOAD_PLUGINS")  # every plugin's filters, for rendering
    results = lint_pack([default_template_dir()])
    assert len(results) >= 20
    assert [(r.name, r.findings) for r in results if r.findings] == []
    assert sum(r.rendered for r in results) >= 20


def test_quoted_never_say_sections_are_not_linted() -> None:
    text = "> Hello.\n<!-- section: never_say -->\n- Never say anyone will be arrested.\n"
    assert Linter().check(text) == []
    assert Linter().check(text + "<!-- section: closing -->\n> You will be arrested.")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Example Bank: please pay." + MIRANDA + OPT, "delivered"),
        ("Example Bank: pay or you will be arrested." + MIRANDA + OPT, "blocked"),
        ("Example Bank: pay today, you deadbeat." + MIRANDA + OPT, "blocked"),
        ("Example Bank: borrow money to pay us." + MIRANDA + OPT, "blocked"),
    ],
)
async def test_rendered_text_failing_lint_is_never_sent(
    free: Dispatcher, text: str, status: str
) -> None:
    out = await free.send(notice_for(us_account(), "sms", data={"text": text}))
    assert out.status.value == status, out.reason
    if status == "blocked":
        assert (out.rule, out.profile) == ("content-lint", "us-regf")
        assert free.channel("sms").sent == []


async def test_borrower_name_never_trips_the_lint(free: Dispatcher) -> None:
    account = us_account()
    account = account.model_copy(
        update={"debtor": account.debtor.model_copy(update={"name": "Dana Liar"})}
    )
    out = await free.send(
        notice_for(
            account, "sms", data={"text": "Example Bank: Dana Liar, please pay." + MIRANDA + OPT}
        )
    )
    assert out.status is OutcomeStatus.DELIVERED, out.reason


async def test_threat_to_sue_only_blocked_when_time_barred(free: Dispatcher) -> None:
    text = "Example Bank: we may take legal action." + MIRANDA + OPT
    ok = await free.send(notice_for(us_account(), "sms", data={"text": text}))
    barred = us_account(2).model_copy(update={"states": frozenset({AccountState.TIME_BARRED})})
    no = await free.send(notice_for(barred, "sms", data={"text": text}))
    assert ok.status is OutcomeStatus.DELIVERED, ok.reason
    assert (no.status, no.rule) == (OutcomeStatus.BLOCKED, "content-lint")


async def test_zh_lint_variants_block(free: Dispatcher, fake_clock: FakeClock) -> None:
    fake_clock.set(utc("2026-01-05T12:00:00+08:00"))
    out = await free.send(
        notice_for(cn_account(), "sms", data={"text": "【Example Bank】再不还钱就让你坐 牢"})
    )
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "content-lint")


@pytest.mark.parametrize(
    ("text", "status", "why"),
    [
        ("Example Bank: please pay." + MIRANDA, "blocked", "opt-out-line"),
        ("Example Bank: please pay." + OPT, "blocked", "mini-miranda-first"),
        ("Example Bank: please pay." + MIRANDA + OPT, "delivered", None),
    ],
)
async def test_us_required_content(
    free: Dispatcher, text: str, status: str, why: str | None
) -> None:
    out = await free.send(notice_for(us_account(), "sms", data={"text": text}))
    assert out.status.value == status, out.reason
    if why:
        assert out.rule == "required-content" and why in (out.reason or "")


async def test_mini_miranda_first_then_later(free: Dispatcher, fake_clock: FakeClock) -> None:
    later_only = "Example Bank: this communication is from a debt collector." + OPT
    account = us_account()
    first = await free.send(notice_for(account, "sms", data={"text": later_only}))
    assert (first.status, first.rule) == (OutcomeStatus.BLOCKED, "required-content")
    full = await free.send(
        notice_for(account, "sms", data={"text": "Example Bank: please pay." + MIRANDA + OPT})
    )
    assert full.status is OutcomeStatus.DELIVERED
    fake_clock.advance(hours=1)
    later = await free.send(notice_for(account, "sms", data={"text": later_only, "n": 2}))
    assert later.status is OutcomeStatus.DELIVERED, later.reason


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("PRIVATE AND CONFIDENTIAL\nExample Bank: about your account.", "delivered"),
        ("Example Bank: about your account.", "blocked"),
    ],
)
async def test_uk_letters_private_and_confidential(
    dispatcher: Callable[..., Dispatcher],
    register_plugin: Callable[..., str],
    fake_clock: FakeClock,
    text: str,
    status: str,
) -> None:
    register_plugin(FreeText(), "compliance-freetext")
    fake_clock.set(utc("2026-01-05T12:00:00+00:00"))
    letter = MockChannel(
        name="letter", medium=Medium.LETTER, contact_kind="address", clock=fake_clock
    )
    account = us_account(profiles=("uk-conc",), phone="+447911123456", time_zone="Europe/London")
    d = dispatcher(letter)
    out = await d.send(
        notice_for(account, "letter", kind=NoticeKind.VISIT_LETTER, data={"text": text})
    )
    assert out.status.value == status, out.reason
