"""False authority (issue 17): a message that claims to be, or to speak for, a court,
procuratorate, police or government body is blocked, in Chinese (simplified and
traditional) and English; lawful mentions of courts and places named after them are
delivered.

The sentences are in ``impersonation/cases.toml``; each runs through the real linter and
through a real dispatch (rendered by a free-text template, sent to the mock SMS channel).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.clock import FakeClock
from notifysdk.compliance import lint
from notifysdk.compliance.authority import AUTHORITY_PHRASES, AuthorityKind, citation_for
from notifysdk.compliance.explain import explain
from notifysdk.compliance.lint import Linter, LintFinding
from notifysdk.compliance.phrases import PHRASES
from notifysdk.compliance.profiles import ALL_LINT
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import Account, OutcomeStatus
from notifysdk.privacy.normalize import to_simplified
from notifysdk.testing import sample_account

from .conftest import cn_account, notice_for, us_account, utc

HERE = Path(__file__).parent
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "impersonation" / "cases.toml").read_text())[
    "case"
]
BLOCK = [c for c in CASES if c["expect"] == "block"]
DELIVER = [c for c in CASES if c["expect"] == "deliver"]
MIRANDA = (
    " This is an attempt to collect a debt and any information obtained will be used "
    "for that purpose."
)
OPT = " Reply STOP to opt out."
NOON = {
    "cn": utc("2026-01-05T12:00:00+08:00"),
    "us-regf": utc("2026-01-05T12:00:00-05:00"),
    "uk-conc": utc("2026-01-05T12:00:00+00:00"),
}
LAW = {"cn": "CBA", "us-regf": "1006.18", "uk-conc": "7.11"}
"""What the profile's lint citation must name for a false-authority block."""


def _id(case: dict[str, Any]) -> str:
    return f"{case['profile']}:{case['text'][:24]}"


class FreeText:
    """Templates that render ``data.text`` as is."""

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register ``tests/compliance/freetext``."""
        register(HERE / "freetext")


@pytest.fixture
def notifysdk_ledger_url(tmp_path: Path) -> str:
    """The lint does not read the ledger: one durable ledger is enough here."""
    return f"sqlite:///{tmp_path}/ledger.db"


def _account(profile: str) -> Account:
    if profile == "cn":
        return cn_account()
    if profile == "uk-conc":
        return sample_account(
            profiles=("uk-conc",),
            locale="en",
            currency="GBP",
            phone="+447911123456",
            time_zone="Europe/London",
            country="GB",
        )
    return us_account()


def _text(case: dict[str, Any], account: Account) -> str:
    """The case as a lender would send it: naming the institution (a message to the
    debtor must); in China signed 【…】 at the start (the carriers' rule: a text that
    begins with a bracketed name is signed by it); in the US with the mini-Miranda and
    the opt-out line."""
    text, name = case["text"], account.institution
    if case["profile"] == "cn":
        text = text if text.startswith("【") else f"【{name}】{text}"
        return text if name in text else f"{text}——{name}"
    text = text if name in text else f"{name}: {text}"
    return text + (MIRANDA + OPT if case["profile"] == "us-regf" else "")


# -- the list ----------------------------------------------------------------------


def test_the_list_has_thirty_of_each_in_every_script_and_the_issues_boundary_forms() -> None:
    assert len(BLOCK) >= 30 and len(DELIVER) >= 30
    by = Counter((c["expect"], c["script"]) for c in CASES)
    for script in ("zh-Hans", "zh-Hant", "en"):
        assert by["block", script] >= 5 and by["deliver", script] >= 5, script
    assert {c["kind"] for c in BLOCK} == set(AuthorityKind)
    assert {c["boundary"] for c in CASES if "boundary" in c} == {
        "法院 without an action word",
        "本院",
        "bracketed sender",
        "this is the court",
        "traditional form outside the old table",
    }
    assert {c["profile"] for c in BLOCK} == {c["profile"] for c in DELIVER} == set(NOON)
    assert len({c["text"] for c in CASES}) == len(CASES)


# -- the linter --------------------------------------------------------------------


@pytest.mark.parametrize("case", BLOCK, ids=_id)
def test_a_claim_to_be_an_authority_is_found_with_its_kind(case: dict[str, Any]) -> None:
    found = Linter(ALL_LINT).check(case["text"])
    assert case["kind"] in {f.kind for f in found if f.category == "impersonation"}, found


@pytest.mark.parametrize("case", DELIVER, ids=_id)
def test_a_lawful_mention_is_left_alone(case: dict[str, Any]) -> None:
    # Every category but the threat to sue (lawful unless the debt is time-barred).
    assert Linter(ALL_LINT).check(case["text"]) == []


@pytest.mark.parametrize("phrase", AUTHORITY_PHRASES, ids=lambda p: p.id)
def test_every_authority_phrase_catches_its_examples(phrase: Any) -> None:
    linter = Linter()
    assert phrase.category == "impersonation" and phrase.examples
    for example in phrase.examples:
        text = f"您好。{example}。谢谢" if phrase.lang == "zh" else f"Hello. {example}. Thanks"
        assert phrase.id in {f.phrase for f in linter.check(text)}, example


def test_a_finding_names_the_authority_and_its_sources() -> None:
    (finding,) = Linter().check("【北京市朝阳区人民法院】您好")
    assert str(finding) == "impersonation (court): zh-court-sender (in body)"
    assert finding.citation == citation_for("court")
    for source in ("CBA", "12 CFR 1006.18", "CONC 7.11", "(court)"):
        assert source in (finding.citation or ""), source
    (other,) = Linter().check("you deadbeat")
    assert other.kind is None and other.citation is None and str(other).startswith("insult: ")


def test_the_kind_does_not_change_what_a_finding_is() -> None:
    """Findings compare by phrase, category and part (the prefilter's reference builds
    them without a kind)."""
    assert LintFinding("zh-court", "impersonation", "body", "court") == LintFinding(
        "zh-court", "impersonation", "body"
    )


# -- traditional characters, for every phrase ----------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("法院判決書已寄出", "zh-court"),  # 決: not in the old table
        ("再不還就讓你好看", "zh-consequences"),  # 讓
        ("走著瞧", "zh-consequences"),  # 著 is also a simplified character
        ("依法凍結帳戶", "zh-seize"),  # 帳 → 账 (OpenCC says 帐)
        ("檢察官", "zh-procuratorate-body"),
        ("經偵大隊", "zh-police-body"),
        ("說你是騙子", "zh-cheat"),
        ("賣掉房子還債", "zh-sell-property"),
    ],
)
def test_traditional_forms_are_read_as_simplified(text: str, phrase: str) -> None:
    assert phrase in {f.phrase for f in Linter().check(text)}


def test_every_chinese_phrase_is_written_in_simplified_characters() -> None:
    """The text is simplified before matching: a traditional character in a pattern
    could never match."""
    for p in lint.ALL_PHRASES:
        if p.lang == "zh":
            assert to_simplified(p.pattern) == p.pattern, p.id


def test_simplified_and_ascii_text_is_not_rewritten() -> None:
    text = "【示例银行】您的借款已逾期。请尽快还款, Reply STOP"
    assert lint.normalize(text) == text.casefold()
    assert lint.normalize("臺北 檢察官") == "台北 检察官"


# -- the prefilter, over the whole list -------------------------------------------------


def _reference(text: str) -> list[LintFinding]:
    """Every phrase searched on the text it runs on, with no prefilter."""
    norm = lint.normalize(lint.strip_quoted(text))
    squeezed = lint._NOT_CJK_OR_ALNUM.sub("", norm)
    leet = lint._unleet(norm)
    found = []
    for c in lint._compiled():
        if c.squeezed:
            hit = c.regex.search(squeezed)
        else:
            hit = c.regex.search(norm) or c.regex.search(leet)
        if hit:
            found.append(LintFinding(c.phrase.id, c.phrase.category, "body"))
    return found


_PIECES = [e for p in lint.ALL_PHRASES for e in p.examples] + [c["text"] for c in CASES]
_NOISE = st.text(
    alphabet=st.sampled_from([*"abceiortu01 .:'-【】[]()", "院", "法", "您"]), max_size=10
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), _NOISE), max_size=4))
def test_the_prefiltered_linter_finds_what_the_reference_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert Linter().check(text) == _reference(text)


def test_the_general_list_is_unchanged_by_the_authority_list() -> None:
    assert lint.ALL_PHRASES[: len(PHRASES)] == PHRASES
    assert len({p.id for p in lint.ALL_PHRASES}) == len(lint.ALL_PHRASES)
    assert all(c.literals for c in lint._compiled())


# -- through a real dispatch ---------------------------------------------------------


@pytest.fixture
def free(build: Callable[..., Dispatcher], register_plugin: Callable[..., str]) -> Dispatcher:
    register_plugin(FreeText(), "compliance-freetext")
    return build()


async def _send(d: Dispatcher, clock: FakeClock, case: dict[str, Any]) -> tuple[Any, Any]:
    now: datetime = NOON[case["profile"]]
    clock.set(now)
    account = _account(case["profile"])
    notice = notice_for(account, "sms", data={"text": _text(case, account)})
    explained = await explain(d, notice, now)
    return await d.send(notice), explained


@pytest.mark.parametrize("case", BLOCK, ids=_id)
async def test_a_claim_to_be_an_authority_is_never_sent(
    free: Dispatcher, fake_clock: FakeClock, case: dict[str, Any]
) -> None:
    out, explained = await _send(free, fake_clock, case)
    denials = {r.rule: r for r in explained.rows if r.verdict == "deny"}
    assert out.status is OutcomeStatus.BLOCKED and out.rule in denials, out.reason
    lint_row = denials["content-lint"]
    assert lint_row.profile == case["profile"]
    assert f"impersonation ({case['kind']})" in lint_row.reason
    assert LAW[case["profile"]] in lint_row.citation
    assert citation_for(case["kind"]) in lint_row.citation  # the vote cites the claim too
    assert case["kind"] in lint_row.numbers["authority"]
    if set(denials) == {"content-lint"}:  # else a carrier rule (a second 【…】) came first
        assert (out.rule, out.reason) == ("content-lint", lint_row.reason)
    assert free.channel("sms").sent == []


@pytest.mark.parametrize("case", DELIVER, ids=_id)
async def test_a_lawful_mention_is_delivered(
    free: Dispatcher, fake_clock: FakeClock, case: dict[str, Any]
) -> None:
    out, _ = await _send(free, fake_clock, case)
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert len(free.channel("sms").sent) == 1
