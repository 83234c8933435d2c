"""End to end: a batch of notices with synthetic personal data, errors provoked on
purpose, and every place an observer could look scanned for the raw values."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import random
from collections.abc import Awaitable, Iterator
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pii_corpus import legacy_id, mobile, resident_id
from pii_scan import PiiScanner, account_values
from typer.testing import CliRunner

from notifysdk.cli.app import get_app
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher, open_ledger
from notifysdk.errors import (
    InvalidInputError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifysdk.hookspecs import hookimpl
from notifysdk.models import (
    Account,
    EmailContact,
    Message,
    Notice,
    NoticeKind,
    Outcome,
    OutcomeStatus,
    Party,
    Person,
    PhoneContact,
    PostalAddress,
    Recipient,
    Role,
)
from notifysdk.plugins import PluginManager, set_plugin_manager
from notifysdk.retry import RetryPolicy
from notifysdk.testing import NO_RULES_PROFILE, MockChannel, NoRulesProfile

NAMES_ZH = ("欧阳明", "李秀英", "王建国", "陈静怡")
NAMES_EN = ("Jordan Whitfield", "Priya Raman")


def _person(rng: random.Random, n: int, name: str, *, zh: bool) -> Person:
    number = "+86" + mobile(rng) if zh else f"+1415555{2600 + n:04d}"
    return Person(
        person_id=f"P{n:04d}",
        name=name,
        national_id=resident_id(rng) if n % 2 else legacy_id(rng),
        locale="zh-CN" if zh else "en",
        time_zone="Asia/Shanghai",
        country="CN",
        contacts=(
            PhoneContact(value=number),
            EmailContact(value=f"user{n}.{rng.randrange(10**6)}@example.org"),
            PostalAddress(
                lines=(f"{n}{rng.randrange(100, 999)} Orchard Lane",), city="Shanghai", country="CN"
            ),
        ),
    )


def _accounts(rng: random.Random) -> list[Account]:
    accounts = []
    for i, name in enumerate(NAMES_ZH + NAMES_EN):
        zh = name in NAMES_ZH
        debtor = _person(rng, 10 * i + 1, name, zh=zh)
        contact = _person(rng, 10 * i + 2, f"{name[0]}{'芳' if zh else 'Casey Lee'}", zh=zh)
        accounts.append(
            Account(
                account_id=f"ACC{i:04d}",
                loan_id=f"LOAN-{rng.randrange(10**9, 10**10)}",
                institution="Example Bank",
                currency="CNY",
                principal=Decimal("8000.00"),
                overdue_amount=Decimal(f"{rng.randrange(1000, 9000)}.{rng.randrange(10, 99)}"),
                penalty_interest=Decimal("23.40"),
                due_date=date(2025, 12, 1),
                days_overdue=35,
                debtor=debtor,
                parties=(Party(person=contact, role=Role.EMERGENCY_CONTACT),),
                profiles=(NO_RULES_PROFILE,),
            )
        )
    return accounts


def _deny_everything(message: Message) -> None:
    raise PermanentDeliveryError(
        f"carrier refused {message.to}: {message.body[:20]}", provider_code=21211
    )


def _always_busy(message: Message) -> None:
    raise TransientDeliveryError(f"timeout sending to {message.to}", provider_code="timeout")


class LeakyHooks:
    """A careless third-party plugin: its event hook raises with personal data in it."""

    @hookimpl
    def notifysdk_on_outcome(self, notice: Notice, outcome: Outcome) -> Awaitable[None]:
        async def file() -> None:
            person = notice.recipient.person
            if outcome.status is OutcomeStatus.FAILED:
                raise ValueError(
                    f"cannot file {person.name} / {person.national_id} / "
                    f"{person.contacts[0].value} / {notice.account.loan_id}"
                )

        return file()


@pytest.fixture
def traced_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginManager]:
    monkeypatch.setenv("NOTIFYSDK_TRACE_HOOKS", "1")
    pm = PluginManager()
    pm.register(LeakyHooks(), name="leaky-hooks")
    pm.register(NoRulesProfile(), name=NO_RULES_PROFILE)  # only privacy guards these sends
    old = set_plugin_manager(pm)
    yield pm
    set_plugin_manager(old)


def _notices(accounts: list[Account]) -> list[Notice]:
    notices = []
    for i, account in enumerate(accounts):
        debtor = Recipient(person=account.debtor, role=Role.DEBTOR)
        contact = Recipient(person=account.parties[0].person, role=Role.EMERGENCY_CONTACT)
        kinds = [
            ("capture-sms", debtor, NoticeKind.OVERDUE_NOTICE),
            ("capture-email", debtor, NoticeKind.OVERDUE_NOTICE),
            ("capture-sms", contact, NoticeKind.OVERDUE_NOTICE),  # blocked: privacy
            ("capture-sms", contact, NoticeKind.LIMITED_CONTENT),
            ("refusing", debtor, NoticeKind.OVERDUE_NOTICE),  # failed, message has the number
            ("busy", debtor, NoticeKind.PRE_DUE_REMINDER),  # dead-lettered
        ]
        for channel, recipient, kind in kinds:
            notices.append(Notice(kind=kind, channel=channel, account=account, recipient=recipient))
        # Bad input: a national number where E.164 is required.
        bad_to = account.debtor.contacts[0].value.removeprefix("+86").removeprefix("+1")
        notices.append(
            Notice(
                kind=NoticeKind.OVERDUE_NOTICE,
                channel="capture-sms",
                account=account,
                recipient=debtor,
                to=bad_to,
                stage=f"bad{i}",
            )
        )
    return notices


def _delivered_to(out: Path, person: Person) -> dict[str, str]:
    """What the capture channels wrote for ``person``, by medium: the email as a reader
    sees it (headers and decoded body), the SMS record as written."""
    address = next(c.value for c in person.contacts if isinstance(c, EmailContact))
    number = next(c.value for c in person.contacts if isinstance(c, PhoneContact))
    found: dict[str, str] = {}
    for path in sorted((out / "email").glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if mail["To"] == address:
            assert isinstance(mail, EmailMessage)
            body = mail.get_body(("plain",))
            assert body is not None
            found["email"] = f"To: {mail['To']}\nSubject: {mail['Subject']}\n\n" + str(
                body.get_content()
            )
    for path in sorted((out / "sms").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["to"] == number:
            found["sms"] = json.dumps(record, ensure_ascii=False)
    return found


def _exception_texts(accounts: list[Account]) -> list[str]:
    """Messages of errors raised to the caller on bad personal input."""
    texts: list[str] = []
    debtor = accounts[0].debtor
    bad_inputs: list[dict[str, Any]] = [
        {"value": debtor.contacts[0].value[:-2] + "X"},  # PhoneContact
        {"value": f"{debtor.name}\r\n@example.org"},  # EmailContact
    ]
    for cls, data in zip((PhoneContact, EmailContact), bad_inputs, strict=True):
        with pytest.raises(InvalidInputError) as info:
            cls(**data)
        texts.extend([str(info.value), repr(info.value), *map(str, info.value.problems)])
    return texts


async def test_no_raw_personal_data_in_logs_ledger_outcomes_errors_or_cli(
    traced_plugins: PluginManager,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG, logger="notifysdk")
    accounts = _accounts(random.Random(7))
    notices = _notices(accounts)
    refusing = MockChannel(_deny_everything, name="refusing")
    busy = MockChannel(_always_busy, name="busy")
    ledger = open_ledger(f"sqlite:///{tmp_path}/ledger.db")  # the durable one, scanned below
    dispatcher = Dispatcher(
        Settings(output_dir=tmp_path / "out", institution_contact="400-820-8820"),
        plugins=traced_plugins,
        clock=FakeClock(),
        ledger=ledger,
        retry=RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=5),
        channels={"refusing": refusing, "busy": busy},
    )
    async with dispatcher:
        outcomes = await dispatcher.send_many(notices, concurrency=8)
        with pytest.raises(InvalidInputError) as direct:
            await dispatcher.send(notices[-1])

    statuses = {o.status for o in outcomes}
    assert statuses >= {
        OutcomeStatus.DELIVERED,
        OutcomeStatus.BLOCKED,
        OutcomeStatus.FAILED,
        OutcomeStatus.DEAD_LETTERED,
    }
    assert {o.rule for o in outcomes} >= {"privacy", "input", "retry"}
    assert refusing.calls and len(busy.calls) == 3 * len(accounts)

    scanner = PiiScanner.for_accounts(accounts)
    # Positive control: the same scanner, fed what the SDK itself delivered, finds the raw
    # values that belong there — every debtor's email carries their address, name, loan
    # id and amount (full disclosure), every debtor's SMS their number and amount — so
    # zero hits below means something.
    for account in accounts:
        delivered = _delivered_to(tmp_path / "out", account.debtor)
        assert sorted(delivered) == ["email", "sms"], account.account_id
        control = PiiScanner.for_accounts([account])
        control.add("delivered email", delivered["email"])
        control.add("delivered sms", delivered["sms"])
        found = {(h.source, h.kind) for h in control.hits}
        assert found == {
            ("delivered email", "email"),
            ("delivered email", "name"),
            ("delivered email", "loan_id"),
            ("delivered email", "amount"),
            ("delivered sms", "phone"),
            ("delivered sms", "amount"),
        }, (account.account_id, control.report())

    assert any(r.name == "notifysdk.hooks" for r in caplog.records)
    assert any(r.exc_text for r in caplog.records)  # the leaky hook's traceback
    scanner.add_log_records(caplog.records)
    scanner.add("log text", caplog.text)
    scanner.add_outcomes(outcomes)
    await scanner.add_ledger(ledger, {n.idempotency_key for n in notices})
    for text in [str(direct.value), *_exception_texts(accounts)]:
        scanner.add("exception", text)

    raw_text = "\n".join(f"{kind}: {value}" for kind, value in account_values(accounts[0]))
    known = tmp_path / "known.json"
    by_kind: dict[str, list[str]] = {}
    for kind, value in account_values(accounts[0]):
        by_kind.setdefault(kind, []).append(value)
    known.write_text(json.dumps(by_kind, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    app = get_app()
    for args, code in (
        # a third party may not learn of the loan or the amount: blocked, exit status 1
        (["redact", "--role", "third_party", "--channel", "sms", "--known", str(known)], 1),
        (["redact", "--role", "debtor", "--channel", "log", "--json", "--known", str(known)], 0),
        (["plugins"], 0),
        (["plugins", "--json"], 0),
    ):
        result = runner.invoke(app, args, input=raw_text)
        assert result.exit_code == code, result.output
        scanner.add("cli " + " ".join(args), result.output)
        scanner.add("cli stderr " + " ".join(args), result.stderr)

    assert scanner.sources["log"] > 50 and scanner.sources["ledger.audit"] >= len(notices) - len(
        accounts
    )
    assert scanner.hits == [], scanner.report()
    await ledger.aclose()
