"""``notifysdk preview`` runs the content rules the dispatcher runs on the rendered
message, says which template file each channel uses, and exits 1 when a rule would
block what a template says."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.plugin import hookimpl
from notifysdk.reference.wording import SAMPLES

IN_HOURS = "2026-01-05T15:00:00+00:00"  # 10:00 in New York
AT_NIGHT = "2026-01-05T03:00:00+00:00"  # 22:00 in New York: contact-window defers
NO_MIRANDA = (
    "{{ institution }}: your payment of {{ amount_due }} is overdue. Reply STOP to opt out."
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


@pytest.fixture
def sms_template(
    tmp_path: Path, notifysdk_register_plugin: Callable[..., str]
) -> Callable[[str], None]:
    """Register a template pack whose English overdue SMS says ``text``."""

    def use(text: str) -> None:
        folder = tmp_path / "pack" / "overdue_notice"
        folder.mkdir(parents=True)
        (folder / "sms.en.txt.j2").write_text(text, encoding="utf-8")

        class Pack:
            @hookimpl
            def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
                register(folder.parent)

        notifysdk_register_plugin(Pack(), "test-pack")

    return use


def _preview(*args: str, now: str = IN_HOURS) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(
        get_app(), ["preview", "--now", now, "--json", "--medium", "sms", "--locale", "en", *args]
    )
    return result.exit_code, json.loads(result.stdout)


def test_default_templates_pass_the_content_rules() -> None:
    code, (r,) = _preview()
    assert code == 0
    assert r["status"] == "rendered" and r["content"]["verdict"] == "allow"
    assert r["template"] == "overdue_notice/sms.en.txt.j2"
    required = {v["wording"]["requirement"] for v in r["content"]["votes"] if v["wording"]}
    assert required == {"opt-out-line", "mini-miranda-first"}
    assert {v["rule"] for v in r["content"]["votes"]} >= {"required-content", "content-lint"}


def test_missing_wording_blocks_with_the_wording_and_the_citation(
    sms_template: Callable[[str], None],
) -> None:
    sms_template(NO_MIRANDA)
    code, (r,) = _preview()
    assert code == 1
    assert r["status"] == "blocked by a content rule"
    assert r["content"]["verdict"] == "deny" and r["content"]["rule"] == "required-content"
    (deny,) = [v for v in r["content"]["votes"] if v["verdict"] == "deny"]
    assert deny["reason"] == "mini-miranda-first: the message lacks the required wording"
    assert deny["wording"]["sample"] == SAMPLES[("mini-miranda-first", "en")]
    assert deny["wording"]["citation"].startswith("12 CFR 1006.18(e)(1)")
    assert r["body"].startswith("Example Bank: your payment")


def test_content_rules_run_even_when_a_policy_rule_stops_the_notice(
    sms_template: Callable[[str], None],
) -> None:
    """The issue's case: previewed at night it said "defer"; it was blocked later."""
    sms_template(NO_MIRANDA)
    code, (r,) = _preview(now=AT_NIGHT)
    assert r["verdict"] == "defer" and r["rule"] == "contact-window"
    assert r["content"]["verdict"] == "deny" and r["content"]["rule"] == "required-content"
    assert code == 1


def test_later_contact_needs_the_later_wording(sms_template: Callable[[str], None]) -> None:
    sms_template(NO_MIRANDA)
    code, (r,) = _preview("--later")
    assert code == 1
    (deny,) = [v for v in r["content"]["votes"] if v["verdict"] == "deny"]
    assert deny["wording"]["requirement"] == "mini-miranda-later"
    assert deny["wording"]["sample"] == SAMPLES[("mini-miranda-later", "en")]


def test_the_later_wording_is_enough_for_a_later_contact(
    sms_template: Callable[[str], None],
) -> None:
    sms_template(NO_MIRANDA.replace("Reply", SAMPLES[("mini-miranda-later", "en")] + " Reply"))
    assert _preview("--later")[0] == 0
    assert _preview()[0] == 1  # a first contact still needs the full wording


def test_panels_show_the_rule_the_wording_and_the_template(
    sms_template: Callable[[str], None],
) -> None:
    sms_template(NO_MIRANDA)
    result = CliRunner().invoke(
        get_app(), ["preview", "--now", IN_HOURS, "--medium", "sms", "--locale", "en"]
    )
    assert result.exit_code == 1
    out = " ".join(result.output.replace("│", " ").split())
    assert "content deny: required-content (us-regf) - mini-miranda-first" in out
    assert "requires (en), e.g.: " + SAMPLES[("mini-miranda-first", "en")] in out
    assert "template: overdue_notice/sms.en.txt.j2" in out
