"""Automated calls: TwiML <Say> in the notice's language, only with consent on record."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from notifysdk.dispatcher import Dispatcher
from notifysdk.models import ConsentBasis, NoticeKind, OutcomeStatus, PhoneContact
from notifysdk.testing import sample_account, sample_notice
from notifysdk_twilio.testing import FakeTwilioServer

PHONE = "+8613800138000"


def voice_notice(consent: ConsentBasis, locale: str = "zh-CN") -> Any:
    account = sample_account(locale=locale)
    debtor = account.debtor.model_copy(
        update={"contacts": (PhoneContact(value=PHONE, consent=consent),)}
    )
    account = account.model_copy(update={"debtor": debtor})
    return sample_notice(
        channel="twilio-voice", account=account, kind=NoticeKind.LIMITED_CONTENT, locale=locale
    )


def say_of(server: FakeTwilioServer) -> ET.Element:
    [call] = server.calls
    root = ET.fromstring(call["twiml"])
    assert root.tag == "Response"
    [say] = list(root)
    assert say.tag == "Say"
    return say


async def test_express_consent_places_a_call_speaking_chinese(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    outcome = await make_dispatcher().send(voice_notice(ConsentBasis.EXPRESS))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert outcome.receipt is not None
    assert outcome.receipt.provider_id == twilio_server.calls[0]["sid"]
    assert outcome.receipt.provider_id.startswith("CA")
    say = say_of(twilio_server)
    assert say.get("language") == "cmn-CN"
    assert "Example Bank" in (say.text or "") and "回电" in (say.text or "")
    assert twilio_server.calls[0]["to"] == PHONE
    assert twilio_server.violations == []


async def test_english_notice_says_in_english(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    outcome = await make_dispatcher().send(voice_notice(ConsentBasis.WRITTEN, locale="en"))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert say_of(twilio_server).get("language") == "en-US"


async def test_contract_consent_is_refused_without_calling(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    outcome = await make_dispatcher().send(voice_notice(ConsentBasis.CONTRACT))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.provider_code == "consent"
    assert "consent on record: contract" in (outcome.reason or "")
    assert outcome.attempts == 1
    assert twilio_server.calls == [] and twilio_server.requests == []


async def test_a_number_not_on_record_has_no_consent(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    notice = voice_notice(ConsentBasis.EXPRESS).model_copy(update={"to": "+8613900139000"})
    outcome = await make_dispatcher().send(notice)
    assert outcome.status is OutcomeStatus.FAILED and outcome.provider_code == "consent"
    assert "none on record" in (outcome.reason or "")
    assert twilio_server.calls == []


async def test_voice_consent_is_configurable(
    make_dispatcher: Callable[..., Dispatcher], twilio_server: FakeTwilioServer
) -> None:
    d = make_dispatcher(voice_consent=["express", "contract"])
    outcome = await d.send(voice_notice(ConsentBasis.CONTRACT))
    assert outcome.status is OutcomeStatus.DELIVERED, outcome.reason
    assert len(twilio_server.calls) == 1
