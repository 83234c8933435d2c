"""Redactor and disclosure-table lines the first mutation run (issue 22) left unchecked.

Every test asserts what a caller sees: the masked text, the leak verdict, the error a bad
level raises, the level a role gets, the warning a refused log line leaves. The detectors
are the built-in ones; values are an account's known values where a detector needs them.
"""

from __future__ import annotations

import logging
from typing import cast

import pytest

from notifysdk.channels import Disclosure
from notifysdk.errors import InvalidInputError
from notifysdk.models import Medium, Role
from notifysdk.privacy import KnownValues, Level, Redactor, default_detectors, merge_findings
from notifysdk.privacy.disclosure import as_level, effective_disclosure
from notifysdk.privacy.findings import Finding

REDACTOR = Redactor(default_detectors())
NAME = KnownValues(values=(("name", "张伟"),))
LOAN = KnownValues(values=(("loan_id", "LN2024001"),))


# -- merge_findings: which finding wins an overlap, and what is not an overlap ----------


def test_of_two_findings_starting_together_the_longer_wins_with_its_kind() -> None:
    short = Finding("national_id", 0, 18, "cn-resident-id")
    long = Finding("email", 0, 25, "email")
    assert merge_findings([short, long]) == [long]
    assert merge_findings([long, short]) == [long]


def test_findings_that_only_touch_are_kept_apart() -> None:
    amount = Finding("amount", 2, 6, "money")
    name = Finding("name", 6, 8, "known-values")
    assert merge_findings([name, amount]) == [amount, name]


def test_an_address_whose_local_part_is_an_id_is_masked_as_an_address() -> None:
    """The resident-ID finding and the e-mail finding start together; the e-mail is the
    longer one, so the whole address gets the e-mail mask (the ID's digits are hidden)."""
    red = REDACTOR.mask("write to 11010519491231002X@qq.com", Level.LIMITED)
    assert red.text == "write to 1***@qq.com"
    assert [f.kind for f in red.findings] == ["email"]
    assert red.clean


def test_a_name_right_after_an_amount_is_masked_on_its_own() -> None:
    """An amount may be carried as written at ``limited``; the name touching it may not.
    Were the two merged, the name would ride along as part of the amount, unmasked."""
    red = REDACTOR.mask("欠款¥500张伟请还款", Level.LIMITED, NAME)
    assert red.text == "欠款¥500张**请还款"
    assert red.replacements == ("¥500", "张**")
    assert "张伟" not in red.text


# -- the leak guard's use of the account's known values ---------------------------------


def test_the_second_look_uses_the_known_values() -> None:
    """A loan id in an address's domain survives the address mask; only the known-values
    detector sees it in the masked text, so the second look must be given the values."""
    red = REDACTOR.mask("mail wei@LN2024001.cn now", Level.LOG, LOAN)
    assert red.text == "mail w***@LN2024001.cn now"
    assert not red.clean
    assert [(f.kind, red.text[f.start : f.end]) for f in red.leaks] == [("loan_id", "LN2024001")]


def test_without_the_values_the_same_text_is_not_a_known_leak() -> None:
    """The control: without the account's values no detector calls the domain a loan id."""
    red = REDACTOR.mask("mail wei@LN2024001.cn now", Level.LOG)
    assert red.text == "mail w***@LN2024001.cn now"
    assert red.clean


def test_leaks_finds_known_values_it_is_given() -> None:
    assert [
        (f.kind, f.start, f.end) for f in REDACTOR.leaks("尊敬的张伟：请还款", Level.NONE, NAME)
    ] == [("name", 3, 5)]
    assert REDACTOR.leaks("尊敬的张伟：请还款", Level.NONE) == []


# -- mask_for_log: a refused line says how many values it held, never which --------------


def test_a_log_line_the_guard_refuses_is_replaced_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="notifysdk.privacy")
    text = "write to alice@example.combob@example.org today"
    assert REDACTOR.mask_for_log(text) == "[redacted]"
    records = [r for r in caplog.records if r.name == "notifysdk.privacy"]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, "log redaction left 1 detectable values; replaced the text")
    ]
    assert "example.org" not in caplog.text


def test_a_log_line_the_guard_accepts_leaves_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="notifysdk.privacy")
    assert REDACTOR.mask_for_log("write to alice@example.com") == "write to a***@example.com"
    assert [r for r in caplog.records if r.name == "notifysdk.privacy"] == []


# -- the disclosure table: unknown roles and media fail closed ---------------------------


@pytest.mark.parametrize("medium", [None, Medium.SMS, Medium.EMAIL])
def test_a_role_the_table_does_not_know_learns_nothing(medium: Medium | None) -> None:
    unknown = cast(Role, "debt_buyer")
    assert effective_disclosure(Disclosure.FULL, unknown, medium) is Disclosure.NONE


@pytest.mark.parametrize("role", [Role.DEBTOR, Role.ATTORNEY])
def test_a_medium_the_table_does_not_know_carries_nothing(role: Role) -> None:
    unknown = cast(Medium, "fax")
    assert effective_disclosure(Disclosure.FULL, role, unknown) is Disclosure.NONE
    # the control: the same role on a medium the table knows
    assert effective_disclosure(Disclosure.FULL, role, Medium.EMAIL) is Disclosure.FULL


def test_an_unknown_level_names_the_known_ones() -> None:
    with pytest.raises(InvalidInputError) as info:
        as_level("secret")
    assert info.value.field == "level"
    reason = "unknown disclosure level (known: full, limited, none, envelope, log)"
    assert info.value.reason == reason
    assert str(info.value) == f"level: {reason}"


# -- found while triaging: an e-mail whose local part is a resident ID ------------------


def test_an_id_inside_an_address_is_not_carried_raw_at_full() -> None:
    """E-mail addresses go out as written at 'full', IDs do not: the address that holds
    an ID is masked, and one that holds none is still carried."""
    red = REDACTOR.mask("write to 11010519491231002X@qq.com", Level.FULL)
    assert "11010519491231002X" not in red.text and red.clean
    assert red.text == "write to 1***@qq.com"
    assert REDACTOR.mask("write to zhang.wei@qq.com", Level.FULL).text == (
        "write to zhang.wei@qq.com"
    )


def test_a_loan_id_written_as_an_amount_is_masked_at_limited() -> None:
    """Amounts go out as written at 'limited', loan ids do not."""
    known = KnownValues((("loan_id", "12345678901"),))
    red = REDACTOR.mask("应还¥12345678901", Level.LIMITED, known)
    assert "12345678901" not in red.text
