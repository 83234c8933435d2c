"""A plugin filter that raises: a typed error naming the template, the filter and the
reason, one line in ``preview``, never a traceback or the value."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from notifysdk.cli import get_app
from notifysdk.errors import TemplateError
from notifysdk.filter_errors import FORMATTED_HINT, FilterError, failure_reason
from notifysdk.plugin import hookimpl
from notifysdk.templating import LazyText

NOW = "2026-01-05T15:00:00+00:00"


def in_cents(amount: Decimal, currency: str) -> str:
    """A plugin's filter that needs the currency."""
    return f"{int(amount * 100)} {currency}"


def shout_name(name: str) -> str:
    """A plugin's filter that puts its value in its exception (which must not show)."""
    raise ValueError(f"cannot shout {name}")


class FilterPlugin:
    """A real plugin: the two filters and a template pack using them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def notifysdk_register_filters(self, register: Callable[[str, Any], None]) -> None:
        register("in_cents", in_cents)
        register("shout_name", shout_name)

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        register(self.folder)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


@pytest.fixture
def sms_template(
    tmp_path: Path, notifysdk_register_plugin: Callable[..., str]
) -> Callable[[str], None]:
    def use(text: str) -> None:
        folder = tmp_path / "pack" / "overdue_notice"
        folder.mkdir(parents=True)
        (folder / "sms.en.txt.j2").write_text(text, encoding="utf-8")
        notifysdk_register_plugin(FilterPlugin(folder.parent), "filter-plugin")

    return use


def test_the_reason_says_which_arguments_do_not_fit() -> None:
    try:
        in_cents(Decimal("1.50"))  # type: ignore[call-arg]
    except TypeError as exc:
        reason = failure_reason("in_cents", in_cents, (Decimal("1.50"),), {}, exc)
    assert reason == (
        "called with arguments that do not fit in_cents(amount, currency): "
        "missing a required argument: 'currency'"
    )


def test_the_reason_never_carries_the_value() -> None:
    try:
        shout_name("Alex Smith")
    except ValueError as exc:
        reason = failure_reason("shout_name", shout_name, ("Alex Smith",), {}, exc)
    assert reason == "raised ValueError" and "Alex" not in reason


def test_formatted_text_given_to_a_filter_is_pointed_out() -> None:
    text = LazyText(lambda: "$1,246.80")
    try:
        in_cents(text, "USD")  # type: ignore[arg-type]
    except TypeError as exc:
        reason = failure_reason("in_cents", in_cents, (text, "USD"), {}, exc)
    assert reason == "raised TypeError" + FORMATTED_HINT


def test_filter_error_is_a_template_error_naming_both() -> None:
    err = FilterError("overdue_notice/sms.en.txt.j2", "in_cents", "raised TypeError")
    assert isinstance(err, TemplateError)
    assert (err.template, err.filter, err.problem) == (
        "overdue_notice/sms.en.txt.j2",
        "in_cents",
        "failed",
    )
    assert str(err) == (
        "template overdue_notice/sms.en.txt.j2: filter 'in_cents' failed: raised TypeError"
    )


def test_preview_names_the_template_the_filter_and_the_reason(
    sms_template: Callable[[str], None],
) -> None:
    sms_template("Pay {{ account.overdue_amount | in_cents }} now. Reply STOP to opt out.")
    result = CliRunner().invoke(
        get_app(), ["preview", "--now", NOW, "--medium", "sms", "--locale", "en", "--json"]
    )
    assert result.exit_code == 1
    (r,) = json.loads(result.stdout)
    assert r["status"] == "template error"
    assert r["reason"] == (
        "template overdue_notice/sms.en.txt.j2: filter 'in_cents' failed: called with "
        "arguments that do not fit in_cents(amount, currency): missing a required "
        "argument: 'currency'"
    )
    assert "Traceback" not in result.output


def test_preview_of_a_filter_raising_on_a_value_shows_no_value(
    sms_template: Callable[[str], None],
) -> None:
    sms_template("{{ recipient.name | shout_name }} Reply STOP to opt out.")
    result = CliRunner().invoke(
        get_app(), ["preview", "--now", NOW, "--medium", "sms", "--locale", "en"]
    )
    assert result.exit_code == 1
    out = " ".join(result.output.replace("│", " ").split())
    assert "filter 'shout_name' failed: raised ValueError" in out
    assert "Alex" not in result.output and "Traceback" not in result.output
