"""The content lint's fast paths, held to the plain definitions they stand for:

- ``normalize`` of an ASCII text, or of a text of plain characters once its common
  full-width punctuation is replaced, is its case fold (NFKC, Simplified forms and the
  rest change nothing there);
- ``_nfkc`` replaces the common full-width punctuation before the other forms;
- ``_blank`` folds an ASCII value without ``<`` or ``&`` directly;
- the Chinese literals are looked for one by one among those whose first character
  the text has, instead of with the trie;
- ``_personal_values`` reads the debtor alone directly;
- ``content-lint`` evaluates in one coroutine.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.compliance import lint
from notifysdk.compliance.profiles import DEFAULT_PROFILES
from notifysdk.compliance.rules import ContentLintRule
from notifysdk.compliance.rules import content as content_rules
from notifysdk.compliance.rules.base import DirectVoteRule
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import (
    AccountState,
    EmailContact,
    Medium,
    Message,
    Notice,
    NoticeKind,
    Party,
    Person,
    PhoneContact,
    PostalAddress,
    Recipient,
    Role,
)
from notifysdk.policy import RuleContext
from notifysdk.testing import sample_account

from .conftest import drive


def _reference_normalize(text: str) -> str:
    """``normalize`` as first written: tags, entities, NFKC, case fold, Simplified."""
    if "<" in text:
        text = lint._TAG.sub(" ", text)
    text = html.unescape(text)
    folded = unicodedata.normalize("NFKC", text).casefold()
    table, _ = lint._traditional()
    return folded.translate(table)


_TRADITIONAL = "後負騙廢賤傳訴執檢帳戶殺門發賣還結聯係單領導網貸員臺"
_WIDE = "，：！？（）；\u3000＜＞＆Ａｚ０９～\uff61\uff64\uffe5\uffe0\uff9e"
_ODD = "\u0301\u0338\u2026\u00e9\u1100\u1161\u11a8\uf900\u2f00\u3300Å\u212b\u00b5ß"
_ALPHABET = (
    "abcXYZ019 <>&;#x4e;amp;lt;b/"
    + "您好的借款已逾期应还请尽快联系我们协商起诉法院传票"
    + "、。【】《》“”¥—·"
)
_TEXT = st.text(
    alphabet=st.sampled_from(list(_ALPHABET + _TRADITIONAL + _WIDE + _ODD)), max_size=40
)


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_normalize_is_the_plain_definition(text: str) -> None:
    assert lint.normalize(text) == _reference_normalize(text)


@pytest.mark.parametrize(
    "text",
    [
        "【Example Bank】张**您好，您的借款已逾期10天，应还¥1,246.80。回复TD退订",
        "後果自負",
        "ＡＢＣ，起訴",
        "e\u0301 and \u2026",
        "Dear Customer &amp; <b>Friend</b>",
        "\u1100\u1161",
        "",
    ],
)
def test_normalize_on_examples(text: str) -> None:
    assert lint.normalize(text) == _reference_normalize(text)


def test_plain_characters_are_stable_and_never_compose() -> None:
    """What the plain-text path of ``normalize`` relies on: each plain character is its
    own NFKC, NFKD, case fold and Simplified form, no starter-pair composition is made
    of two plain characters, and Traditional characters are not plain."""
    not_plain = lint._not_plain()
    table, _ = lint._traditional()
    plain = {chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000} - set(
        not_plain.findall("".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000))
    )
    assert "张" in plain and "，" not in plain and "後" not in plain and "a" in plain
    for ch in plain:
        if ch.isascii():
            continue
        assert unicodedata.normalize("NFKC", ch) == ch
        assert ch.casefold() == ch
        assert ord(ch) not in table
        assert unicodedata.combining(ch) == 0
    for c in range(0x110000):
        if 0xD800 <= c < 0xE000:
            continue
        decomposed = unicodedata.normalize("NFD", chr(c))
        if len(decomposed) > 1:
            assert not all(d in plain for d in decomposed), hex(c)


@settings(max_examples=1000, deadline=None)
@given(_TEXT)
def test_nfkc_is_unicodedata(text: str) -> None:
    assert lint._nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_on_every_wide_form_and_its_neighbours() -> None:
    for c in [0x3000, *range(0xFF00, 0xFFF0)]:
        for text in (chr(c), f"a{chr(c)}\u0301", f"，{chr(c)}，", f"{chr(c)}\u3099"):
            assert lint._nfkc(text) == unicodedata.normalize("NFKC", text), hex(c)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ&<>; \tltmp#x41你好Ａ後é\u0301")), max_size=16))
def test_blank_is_the_normalized_value_stripped(value: str) -> None:
    assert lint._blank(value) == lint.normalize(value).strip()


def _literal_texts() -> st.SearchStrategy[str]:
    sel = lint._selection(frozenset(lint.CATEGORIES))
    chars = sorted({c for lit in (*sel.zh.within, *sel.en.within) for c in lit})
    pieces = st.one_of(
        st.sampled_from(sorted(sel.zh.within)),
        st.sampled_from(sorted(sel.en.within)),
        st.text(alphabet=st.sampled_from(chars), max_size=6),
    )
    return st.lists(pieces, max_size=8).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_literal_texts())
def test_literals_present_is_every_literal_in_the_text(text: str) -> None:
    for categories in (lint.CATEGORIES, frozenset({"violence"}), frozenset({"legal_action"})):
        sel = lint._selection(frozenset(categories))
        for finder in (sel.zh, sel.en):
            expected = {lit for lit in finder.within if lit in text}
            assert finder.present(text) == expected
            assert lint._Literals.of(finder.within).present(text) == expected  # the trie


def test_the_chinese_literals_are_looked_for_by_first_character() -> None:
    sel = lint._selection(frozenset(lint.CATEGORIES))
    assert sel.zh.first is not None and sel.en.first is None
    assert sorted(lit for lits in sel.zh.starting.values() for lit in lits) == sorted(sel.zh.within)


def _reference_personal_values(ctx: RuleContext) -> tuple[str, ...]:
    """``_personal_values`` as first written (every person on the account, once)."""
    account = ctx.notice.account
    people = [account.debtor, ctx.notice.recipient.person, *(p.person for p in account.parties)]
    values: list[str] = []
    seen: set[int] = set()
    for person in people:
        if id(person) in seen:
            continue
        seen.add(id(person))
        values.append(person.name)
        values.extend(c.value for c in person.contacts if c.kind != "phone")
    return tuple(dict.fromkeys(values))


_NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
_OTHER = Person(
    person_id="G1",
    name="李娜",
    contacts=(
        PhoneContact(value="+8613912345678"),
        EmailContact(value="li@example.com"),
        PostalAddress(lines=("2 Road",), city="City", country="CN"),
    ),
)
_TEXTS = [
    "【Example Bank】张**您好，您的借款已逾期10天，应还¥1,246.80。回复TD退订",
    "张伟您好，再不还款就起诉你，通知你的单位领导。borrower@example.com",
    "We will sue you, 李娜. 2 Road, City, CN",
    "Your payment is overdue. Reply STOP to opt out.",
]


def _contexts() -> list[RuleContext]:
    by_name = {p.name: p for p in DEFAULT_PROFILES}
    out = []
    for i, names in enumerate([("cn",), ("us-regf",), ("cn", "us-regf"), ("uk-conc",)]):
        for parties in ((), (Party(person=_OTHER, role=Role.GUARANTOR),)):
            for to_other in (False, True):
                for email in ("borrower@example.com", None, "张伟@例子.中国"):
                    account = sample_account(i, profiles=names, email=email).model_copy(
                        update={
                            "parties": parties,
                            "states": frozenset({AccountState.TIME_BARRED})
                            if i % 2
                            else frozenset(),
                        }
                    )
                    person = _OTHER if to_other else account.debtor
                    role = Role.GUARANTOR if to_other else Role.DEBTOR
                    notice = Notice(
                        kind=NoticeKind.OVERDUE_NOTICE,
                        channel="x",
                        account=account,
                        recipient=Recipient(person=person, role=role),
                    )
                    for j, text in enumerate(_TEXTS):
                        medium = [Medium.SMS, Medium.EMAIL, Medium.CALL_SCRIPT][j % 3]
                        message = Message(
                            idempotency_key="k",
                            channel="x",
                            medium=medium,
                            to="+8613800138000",
                            locale="zh-CN",
                            body=text,
                            subject="法院传票" if j == 1 else None,
                        )
                        out.append(
                            RuleContext(
                                notice,
                                _NOW,
                                MemoryLedger(),
                                {n: by_name[n] for n in names},
                                to="+8613800138000",
                                message=message,
                            )
                        )
    return out


def test_personal_values_as_first_written() -> None:
    contexts = _contexts()
    assert any(not c.notice.account.parties for c in contexts)
    for ctx in contexts:
        assert content_rules._personal_values(ctx) == _reference_personal_values(ctx)


def test_content_lint_evaluates_as_direct_vote_rule_does() -> None:
    rule = ContentLintRule()
    verdicts = set()
    for ctx in _contexts():
        mine = drive(rule.evaluate(ctx))
        general = drive(DirectVoteRule.evaluate(rule, ctx))
        assert repr(mine) == repr(general)
        assert repr(mine) == repr(rule.strictest(drive(rule.votes(ctx))))
        verdicts.add(mine.verdict if mine else None)
    assert len(verdicts) >= 2  # allows and denials both
