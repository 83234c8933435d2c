"""The declared template variables are what ``notice_context`` gives, and every filter
the reference documents has a working example."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from notifysdk.models import Party, Person, Recipient, Role
from notifysdk.reference.sample import NOW, sample_context, sample_notice
from notifysdk.reference.variables import documented_filters, render_example
from notifysdk.template_variables import FILTER_EXAMPLES, RAW_TYPES, variables
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import sample_account
from notifysdk.testing import sample_notice as plain_notice


def _contexts() -> list[dict[str, Any]]:
    """The sample notice, a zh-CN one and one to an emergency contact."""
    zh = plain_notice(account=sample_account(), channel="capture-sms")
    debtor_account = sample_account(locale="en", currency="USD", profiles=("us-regf",))
    contact = Person(person_id="P-EC", name="Sam Doe", locale="en")
    account = debtor_account.model_copy(
        update={"parties": (Party(person=contact, role=Role.EMERGENCY_CONTACT),)}
    )
    third = plain_notice(account=account, channel="capture-sms").model_copy(
        update={"recipient": Recipient(person=contact, role=Role.EMERGENCY_CONTACT)}
    )
    return [sample_context()] + [notice_context(n, now=NOW) for n in (zh, third)]


@pytest.mark.parametrize("ctx", _contexts(), ids=["sample", "zh-CN", "emergency-contact"])
def test_the_declared_variables_are_exactly_the_context(ctx: dict[str, Any]) -> None:
    declared = [v.name for v in variables()]
    assert len(declared) == len(set(declared))
    assert set(declared) == set(ctx), "declare it in notifysdk/template_variables.py"
    for v in variables():
        assert isinstance(ctx[v.name], v.python_types), (v.name, type(ctx[v.name]))


def test_formatted_variables_are_text_and_their_raw_value_is_where_it_says() -> None:
    ctx = sample_context()
    for v in variables():
        if not v.formatted:
            assert not v.raw, v.name
            continue
        assert isinstance(str(ctx[v.name]), str)
        if not v.raw:
            continue
        path, kind = v.raw.split(" (")
        value: Any = ctx
        for part in path.split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        assert isinstance(value, RAW_TYPES[kind.rstrip(")")]), v.name
    # The confusion, stated by the declaration: raw prints unformatted.
    renderer = TemplateRenderer([])
    assert renderer.render_string("{{ account.overdue_amount }}", ctx) == "1234.50"
    assert renderer.render_string("{{ overdue_amount }}", ctx) == "$1,234.50"
    assert isinstance(ctx["account"].overdue_amount, Decimal)


def test_every_example_renders_for_the_sample() -> None:
    ctx = sample_context()
    for v in variables():
        assert render_example(v.example, ctx).strip(), v.name


def test_every_documented_filter_has_an_example_that_renders() -> None:
    names = [name for name, _, _ in documented_filters()]
    assert {"money", "long_date"} <= set(names)
    assert set(names) == set(FILTER_EXAMPLES), "give each filter an example in FILTER_EXAMPLES"
    ctx = sample_context()
    shown = {name: render_example(FILTER_EXAMPLES[name], ctx) for name in names}
    assert shown["money"] == "$1,234.50"
    assert shown["long_date"] == "December 26, 2025"


def test_the_sample_is_synthetic() -> None:
    notice = sample_notice()
    assert notice.account.institution == "Example Bank"
    assert notice.recipient.person.person_id.startswith("P")
