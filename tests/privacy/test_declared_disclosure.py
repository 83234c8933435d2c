"""A detector declares the levels at which its own kind may be shown (the built-in
table is data it extends); without a declaration a custom kind is masked for everyone,
and no plugin can loosen a built-in kind."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from notifysdk.privacy import (
    Finding,
    KindDisclosure,
    KnownValues,
    Redactor,
    default_detectors,
)

_MEMBER = re.compile(r"MB\d{8}")
TEXT = "会员号 MB12345678，请尽快还款。"


class MemberIds:
    name = "member-id"

    def __init__(self, disclosure: dict[str, KindDisclosure] | None = None) -> None:
        if disclosure is not None:
            self.disclosure = disclosure

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        return [Finding("member_id", m.start(), m.end(), self.name) for m in _MEMBER.finditer(text)]


def test_an_undeclared_kind_is_masked_at_every_level() -> None:
    redactor = Redactor([*default_detectors(), MemberIds()])
    for level in ("full", "limited", "none", "envelope", "log"):
        assert "MB12345678" not in redactor.mask(TEXT, level).text, level


def test_a_declared_kind_is_shown_where_declared_and_masked_elsewhere() -> None:
    declared = {"member_id": KindDisclosure(raw={"full", "limited"}, forbidden={"none"})}
    redactor = Redactor([*default_detectors(), MemberIds(declared)])
    assert "MB12345678" in redactor.mask(TEXT, "full").text
    assert "MB12345678" in redactor.mask(TEXT, "limited").text
    envelope = redactor.mask(TEXT, "envelope")
    assert "MB12345678" not in envelope.text and not envelope.leaks
    blocked = redactor.mask(TEXT, "none")
    assert [f.kind for f in blocked.leaks] == ["member_id"]  # forbidden even masked
    # the declaration is this redactor's: the shared table is unchanged
    assert "MB12345678" not in Redactor([*default_detectors(), MemberIds()]).mask(TEXT, "full").text


def test_a_plugin_cannot_redeclare_a_builtin_kind() -> None:
    with pytest.raises(ValueError, match="built-in kinds cannot be redeclared: national_id"):
        Redactor([MemberIds({"national_id": KindDisclosure(raw={"none"})})])


def test_two_detectors_declaring_one_kind_differently_are_named() -> None:
    a = MemberIds({"member_id": KindDisclosure(raw={"full"})})
    b = MemberIds({"member_id": KindDisclosure(raw={"limited"})})
    b.name = "other"
    with pytest.raises(ValueError, match="'member-id' and 'other' declare kind 'member_id'"):
        Redactor([a, b])


def test_a_declaration_is_checked() -> None:
    with pytest.raises(ValueError, match="logs"):
        KindDisclosure(raw={"log"})
    with pytest.raises(ValueError, match="both show and forbid"):
        KindDisclosure(raw={"full"}, forbidden={"full"})
    with pytest.raises(Exception, match="unknown disclosure level"):
        KindDisclosure(raw={"public"})
