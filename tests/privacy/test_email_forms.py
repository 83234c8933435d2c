"""Email addresses as people write and disguise them, and the address-like tokens of
logs that are not anyone's address: Message-IDs, git remotes, ``user@localhost``, prose
with *at* and *dot* in it (issue 21)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifysdk.privacy import Redactor, default_detectors

REDACTOR = Redactor(default_detectors())


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in REDACTOR.find(text)]


@pytest.mark.parametrize(
    "value",
    [
        "_zhang@example.com",
        "__li.na88@qq.com",
        "_andrew.murphy@hotmail.co.uk",
        "zhang.wei+loan@mail.example.cn",
    ],
)
@pytest.mark.parametrize("template", ["邮箱{}谢谢", "Reach me at {}, or at the office.", "{}"])
def test_addresses_including_a_leading_underscore(value: str, template: str) -> None:
    assert found(template.format(value)) == [("email", value)]


@pytest.mark.parametrize(
    "value",
    [
        "name at example dot com",
        "john dot smith at gmail dot com",
        "li_na88 at qq dot com",
        "name [at] example [dot] com",
        "name [ AT ] example [ DOT ] com",
        "garethbro90[at]hotmail[dot]co.uk",
        "name(at)example.com",
        "name {at} example.com",
        "name [@] example.com",
        "name 艾特 example.com",
        "zhangwei艾特qq点com",
        "name＠example。com",
        "ｎａｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "name @ example.com",
        "name@ example.com",
        "name @example.com",
    ],
)
@pytest.mark.parametrize("template", ["客户邮箱：{}，已核实", "Email: {} (verified)", "{}"])
def test_disguised_addresses(value: str, template: str) -> None:
    assert found(template.format(value)) == [("email", value)]


def test_a_bare_at_needs_an_address_word_or_an_address_like_local_part() -> None:
    assert found("email: john at example.com") == [("email", "john at example.com")]
    assert found("write to li_na88 at qq.com") == [("email", "li_na88 at qq.com")]
    assert found("see you at example.com") == []  # no address word, a plain word


@pytest.mark.parametrize(
    "text",
    [
        "Message-ID: <1746.5@mail.example.com>",
        "message-id: <CA+abc=def123@mail.gmail.com>",
        "Mar  7 10:30:01 mx postfix/cleanup[1746]: 4F3A2: message-id=<1746.5@mail.example.com>",
        "msgid=<20260307103000.12345@mx.example.com> status=sent",
        "msgid=20260307.abc@mx.example.com",
        "In-Reply-To: <a1b2@mail.example.com>",
        "References: <a1@mail.example.com> <b2@mail.example.com>\n <c3@mail.example.com>",
        "sent notice <624810cc-d3a7-4364-a754-1d8a7359a305@mx.example-fin.com> ok",
        "bounce (<20260831180348.00172@mail.example.cn>)",
        "queued <23cb4656da83.1614.JavaMail.app@example.cn>",
        "queued <5f3a9c1e2b4d7a8e@mx.example.com>",
        "queued <CAszZdDd2Cz0C0LW5Jx1Jgi5MAYNdMlhfD795xafrr@mail.gmail.com>",
        "git@github.com:owner/repo.git",
        "git clone ssh://git@github.com/owner/repo",
        "connect postgres@localhost failed",
        "Let's meet at 5 dot",
        "He worked at amazon dot com for years.",
        "we laughed at pets dot com in 2001",
        "look at the dot com bubble",
        "Follow us @ twitter.com",
        "shop at amazon.com today",
        "I am at home. Then we talk.",
        "value at 3.5 dot 2",
    ],
)
def test_address_lookalikes_are_left_alone(text: str) -> None:
    assert [k for k, _ in found(text)] == []


def test_a_message_id_next_to_an_address_keeps_only_the_address_masked() -> None:
    text = "bounce for _tobrien21@protonmail.com (<20260831180348.00172@mail.example.cn>)"
    assert found(text) == [("email", "_tobrien21@protonmail.com")]
    text = "msgid=<20260307.abc@mx.example.com> from=<zhang@example.com>"
    assert found(text) == [("email", "zhang@example.com")]


def test_a_persons_address_in_angle_brackets_is_still_one() -> None:
    for text in (
        "From: Zhang Wei <zhang.wei@example.com>",
        "To: <13800138000@163.com>",
        "Return-Path: <li_na88@qq.com>",
        "To: <ZhangWei19900307Shanghai@gmail.com>",
    ):
        assert [k for k, _ in found(text)] == ["email"], text


@pytest.mark.parametrize(
    "prefix, value, suffix",
    [
        ("邮箱", "_zhang@example.com", "谢谢"),
        ("Email: ", "name [at] example [dot] com", " (verified)"),
        ("客户说", "zhangwei艾特qq点com", "，请发函"),
        ("邮箱 ", "name＠example。com", " 已核实"),
        ("Write to ", "name @ example.com", " today."),
        ("reach me at ", "john dot smith at gmail dot com", "."),
    ],
)
def test_redaction_round_trip(prefix: str, value: str, suffix: str) -> None:
    red = REDACTOR.mask(prefix + value + suffix, "log")
    assert red.clean
    assert value not in red.text
    assert red.text.startswith(prefix) and red.text.endswith(suffix)
    assert REDACTOR.find(red.text) == []
    local = value.split("@")[0].split(" ")[0].split("[")[0].split("(")[0].split("艾")[0]
    assert local[1:] not in red.text  # nothing of the local part but its first letter


_LOCAL = st.from_regex(r"[a-z_][a-z0-9_.]{2,12}[a-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
_FORMS = st.sampled_from(
    [
        "{l}@{d}.com",
        "{l} @ {d}.com",
        "{l}[at]{d}[dot]com",
        "{l} (at) {d} (dot) com",
        "{l}艾特{d}.com",
        "{l}＠{d}。com",
    ]
)


@given(_LOCAL, st.sampled_from(["qq", "example", "mail.example", "hotmail"]), _FORMS)
def test_every_form_of_every_address_is_found_whole(local: str, domain: str, form: str) -> None:
    value = form.format(l=local, d=domain)
    text = f"客户邮箱{value}，请核实"
    assert found(text) == [("email", value)]


_PIECES = [*"ab_.9@ <>[](){}:=-\n", "at", " at ", "dot", " dot ", "艾特", "。", "＠", "com", "qq"]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_gives_spans_with_a_marker_and_masks_to_nothing_detectable(text: str) -> None:
    for f in REDACTOR.find(text):
        if f.kind == "email":
            value = text[f.start : f.end].lower()
            assert "@" in value or "at" in value or "艾特" in value or "＠" in value
    masked = REDACTOR.mask_for_log(text)
    assert REDACTOR.find(masked) == [] or masked == "[redacted]"
