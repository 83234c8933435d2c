"""Visible restrictions: a notice a RESTRICT vote downgraded to a limited-content variant
says so on its outcome (variant, rule, profile, reason), in the ledger and in campaign
summaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from notifysdk.campaign.summary import Summary
from notifysdk.clock import FakeClock
from notifysdk.dispatcher import Dispatcher
from notifysdk.hookspecs import hookimpl
from notifysdk.models import (
    Account,
    Attachment,
    Medium,
    Notice,
    NoticeKind,
    Outcome,
    OutcomeStatus,
    Party,
    Person,
    PhoneContact,
    Recipient,
    Restriction,
    Role,
)
from notifysdk.policy import RuleContext, Vote
from notifysdk.testing import MockChannel, sample_account

NOON = datetime.fromisoformat("2026-01-05T12:00:00+00:00")


@pytest.fixture(autouse=True)
def _builtin_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFYSDK_LOAD_PLUGINS", "")


@pytest.fixture
def notifysdk_ledger_url(durable_ledger_url: str) -> str:
    """The restriction is stored with the outcome: every durable ledger."""
    return durable_ledger_url


@pytest.fixture
def build(
    dispatcher: Callable[..., Dispatcher], fake_clock: FakeClock
) -> Callable[[], tuple[Dispatcher, MockChannel]]:
    def make() -> tuple[Dispatcher, MockChannel]:
        fake_clock.set(NOON)
        sms = MockChannel(name="sms", medium=Medium.SMS, clock=fake_clock)
        return dispatcher(sms), sms

    return make


def _uk() -> tuple[Account, Person]:
    base = sample_account(
        1,
        profiles=("uk-conc",),
        locale="en",
        currency="GBP",
        phone="+447911123456",
        time_zone="Europe/London",
        country="GB",
    )
    other = Person(
        person_id="X-third",
        name="Sam Roe",
        locale="en",
        contacts=(PhoneContact(value="+447911123457"),),
    )
    account = base.model_copy(update={"parties": (Party(person=other, role=Role.THIRD_PARTY),)})
    return account, other


def _to_third_party(**kw: object) -> Notice:
    account, other = _uk()
    return Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="sms",
        account=account,
        recipient=Recipient(person=other, role=Role.THIRD_PARTY),
        **kw,  # type: ignore[arg-type]
    )


def _to_debtor() -> Notice:
    account, _ = _uk()
    return Notice(
        kind=NoticeKind.OVERDUE_NOTICE,
        channel="sms",
        account=account,
        recipient=Recipient(person=account.debtor, role=Role.DEBTOR),
    )


async def test_a_restrict_vote_names_variant_rule_profile_and_reason(
    build: Callable[[], tuple[Dispatcher, MockChannel]],
) -> None:
    d, _ = build()
    prepared = await d.prepare(_to_third_party())
    deciding = prepared.decision.deciding
    assert prepared.ready and deciding is not None
    assert prepared.context.kind == "limited_content"
    assert prepared.context.restriction == Restriction(
        variant="limited_content",
        rule="recipient-guard",
        profile="uk-conc",
        reason=deciding.reason,
    )
    assert deciding.reason


async def test_an_unrestricted_notice_has_none(
    build: Callable[[], tuple[Dispatcher, MockChannel]],
) -> None:
    d, _ = build()
    out = await d.send(_to_debtor())
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert out.restriction is None


async def test_delivered_outcome_carries_the_restriction_and_the_ledger_keeps_it(
    build: Callable[[], tuple[Dispatcher, MockChannel]],
) -> None:
    d, sms = build()
    notice = _to_third_party()
    out = await d.send(notice)
    assert out.status is OutcomeStatus.DELIVERED, out.reason
    assert sms.sent[-1].metadata["kind"] == "limited_content"
    assert (out.rule, out.reason) == (None, None)  # nothing stopped it
    assert out.restriction is not None
    assert (out.restriction.variant, out.restriction.rule, out.restriction.profile) == (
        "limited_content",
        "recipient-guard",
        "uk-conc",
    )
    record = await d.ledger.get(notice.idempotency_key)
    assert record is not None and record.outcome is not None
    assert record.outcome.restriction == out.restriction
    again = await d.send(notice)
    assert again.duplicate and again.restriction == out.restriction
    (entry,) = [
        e
        for e in await d.ledger.audit_entries()
        if e.event == "outcome" and e.key == notice.idempotency_key
    ]
    assert entry.detail["restriction"] == out.restriction.model_dump(mode="json")


async def test_a_restricted_notice_blocked_later_still_says_it_was_restricted(
    build: Callable[[], tuple[Dispatcher, MockChannel]],
) -> None:
    # An attachment needs full disclosure: the limited variant to a third party is
    # blocked by the privacy stage, and the outcome says which variant it was.
    d, sms = build()
    pdf = Attachment(filename="letter.pdf", content_type="application/pdf", data=b"%PDF-1.4")
    notice = _to_third_party(attachments=(pdf,))
    out = await d.send(notice)
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "privacy"), out.reason
    assert out.restriction is not None
    assert (out.restriction.variant, out.restriction.rule) == ("limited_content", "recipient-guard")
    assert sms.sent == []
    record = await d.ledger.get(notice.idempotency_key)  # stored with the outcome
    assert record is not None and record.outcome is not None
    assert record.outcome.restriction == out.restriction


class _NoLimitedContent:
    """A lender's content rule that refuses every limited-content message."""

    name = "t-no-limited-content"
    citation = "test"
    profiles = frozenset({"*"})
    stage = "content"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        if ctx.message is not None and ctx.message.metadata.get("kind") == "limited_content":
            return Vote.deny(self.name, "*", "no limited content here")
        return None

    @hookimpl
    def notifysdk_register_rules(self, register: Callable[[object], None]) -> None:
        register(self)


async def test_a_restricted_notice_a_content_rule_blocks_says_it_was_restricted(
    build: Callable[[], tuple[Dispatcher, MockChannel]], register_plugin: Callable[..., str]
) -> None:
    register_plugin(_NoLimitedContent(), "t-no-limited-content")
    d, sms = build()
    notice = _to_third_party()
    out = await d.send(notice)
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "t-no-limited-content")
    assert out.restriction is not None and out.restriction.profile == "uk-conc"
    assert sms.sent == []
    unrestricted = await d.prepare(_to_debtor())
    assert unrestricted.ready and unrestricted.context.restriction is None


async def test_the_restriction_reason_is_masked_like_an_outcome_reason(
    build: Callable[[], tuple[Dispatcher, MockChannel]],
) -> None:
    d, _ = build()
    prepared = await d.prepare(_to_third_party())
    name = prepared.context.notice.account.debtor.name
    vote = Vote.restrict("t-rule", "t-profile", f"{name} asked us to", "limited_content")
    restriction = d.pipeline.restriction(prepared.context, vote)
    assert restriction.reason and name not in restriction.reason
    assert (restriction.rule, restriction.profile) == ("t-rule", "t-profile")


def test_outcomes_stored_before_the_field_existed_still_load() -> None:
    old = Outcome(
        idempotency_key="k", status=OutcomeStatus.DELIVERED, channel="sms", at=NOON
    ).model_dump_json(exclude={"restriction"})
    assert "restriction" not in old
    assert Outcome.model_validate_json(old).restriction is None


def _outcome(status: OutcomeStatus, restriction: Restriction | None, **kw: object) -> Outcome:
    return Outcome(
        idempotency_key="k",
        status=status,
        channel="sms",
        at=NOON,
        restriction=restriction,
        **kw,  # type: ignore[arg-type]
    )


def test_summary_counts_restricted_deliveries_by_rule_and_variant() -> None:
    notice = _to_third_party()
    guard = Restriction(variant="limited_content", rule="recipient-guard", profile="uk-conc")
    first, later = Summary(), Summary()
    first.record(notice, _outcome(OutcomeStatus.DELIVERED, guard))
    first.record(notice, _outcome(OutcomeStatus.DELIVERED, None))
    first.record(notice, _outcome(OutcomeStatus.BLOCKED, guard, rule="privacy"))
    later.record(notice, _outcome(OutcomeStatus.DELIVERED, guard))
    later.record(notice, _outcome(OutcomeStatus.DELIVERED, guard, duplicate=True))
    other = Restriction(variant="limited_content", rule="t-rule")
    later.record(notice, _outcome(OutcomeStatus.DELIVERED, other))
    first.merge(later)
    assert first.as_dict()["restricted"] == {
        "recipient-guard (uk-conc): limited_content": 2,
        "t-rule: limited_content": 1,
    }
    assert first.new_deliveries == 4


def test_the_run_summary_table_shows_restricted_deliveries() -> None:
    from rich.console import Console

    from notifysdk.cli.run import print_summary
    from notifysdk.config import Settings

    summary = Summary()
    guard = Restriction(variant="limited_content", rule="recipient-guard", profile="uk-conc")
    summary.record(_to_third_party(), _outcome(OutcomeStatus.DELIVERED, guard))
    out = Console(record=True, width=120)
    print_summary(summary, Settings(ledger_url="memory://"), out)
    text = out.export_text()
    assert "delivered as a restricted variant" in text
    assert "recipient-guard (uk-conc): limited_content" in text
