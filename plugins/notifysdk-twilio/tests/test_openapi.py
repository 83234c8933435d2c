"""Request shapes: what the official client sends through our channels matches Twilio's
OpenAPI description, and the checker really catches requests that do not."""

from __future__ import annotations

import base64

import aiohttp

from notifysdk.channels import Attempt
from notifysdk.clock import FakeClock
from notifysdk.models import Medium, Message
from notifysdk_twilio import TwilioSettings, TwilioSmsChannel, TwilioVoiceChannel
from notifysdk_twilio.testing import FakeTwilioServer, OpenAPIChecker

from .conftest import ACCOUNT_SID, AUTH_TOKEN

MSG_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def sms(key: str, body: str = "Example Bank: please call us back.") -> Message:
    return Message(
        idempotency_key=key,
        channel="twilio-sms",
        medium=Medium.SMS,
        to="+14155550100",
        locale="en",
        body=body,
    )


async def test_every_request_the_channels_make_conforms(
    oai_checker: OpenAPIChecker, fake_clock: FakeClock
) -> None:
    server = FakeTwilioServer(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, checker=oai_checker, now=fake_clock.now
    )
    async with server:
        base = {
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "base_url": server.base_url,
            "status_callback": "https://hooks.example.com/status",
        }
        with_from = TwilioSmsChannel(
            "twilio-sms",
            TwilioSettings.load({**base, "from": "+14155552345"}, environ={}),
            fake_clock,
        )
        with_service = TwilioSmsChannel(
            "twilio-sms",
            TwilioSettings.load({**base, "messaging_service_sid": "MG" + "ab" * 16}, environ={}),
            fake_clock,
        )
        voice = TwilioVoiceChannel(
            "twilio-voice",
            TwilioSettings.load({**base, "from": "+14155552345"}, environ={}),
            fake_clock,
        )
        receipt = await with_from.send(sms("k1"))
        await with_service.send(sms("k2", "您好，请回电。"))
        call = await voice.send(
            sms("k3").model_copy(
                update={"medium": Medium.VOICE, "metadata": {"consent": "express"}}
            )
        )
        await with_from.reconcile(
            Attempt(
                "k1",
                "twilio-sms",
                1,
                "+14155550100",
                fake_clock.now(),
                provider_id=receipt.provider_id,
            )
        )
        await with_from.reconcile(Attempt("k1", "twilio-sms", 1, "+14155550100", fake_clock.now()))
        await voice.reconcile(
            Attempt(
                "k3",
                "twilio-voice",
                1,
                "+14155550100",
                fake_clock.now(),
                provider_id=call.provider_id,
            )
        )
        for ch in (with_from, with_service, voice):
            await ch.aclose()
    assert [r.status for r in server.requests] == [201, 201, 201, 200, 200, 200]
    assert server.violations == []
    form = dict(server.requests[0].form)
    assert set(form) == {"To", "From", "Body", "StatusCallback"}
    assert "MessagingServiceSid" in dict(server.requests[1].form)
    assert "Twiml" in dict(server.requests[2].form)
    assert dict(server.requests[4].query)["To"] == "+14155550100"


def test_the_checker_catches_departures(oai_checker: OpenAPIChecker) -> None:
    ok = [("To", "+14155550100"), ("From", "+14155552345"), ("Body", "hi")]
    assert oai_checker.check("POST", MSG_PATH, form=ok) == []
    assert any(
        "required form field To" in v for v in oai_checker.check("POST", MSG_PATH, form=ok[1:])
    )
    bad_sid = MSG_PATH.replace(ACCOUNT_SID, "AC123")
    assert any("path AccountSid" in v for v in oai_checker.check("POST", bad_sid, form=ok))
    assert any(
        "Bodyy" in v for v in oai_checker.check("POST", MSG_PATH, form=[*ok, ("Bodyy", "x")])
    )
    assert any(
        "not a phone number" in v
        for v in oai_checker.check("POST", MSG_PATH, form=[("To", "+1 (415) 555")])
    )
    assert any(
        "not in the OpenAPI" in v for v in oai_checker.check("POST", "/2010-04-01/Nope.json")
    )
    assert any(
        "query parameter" in v
        for v in oai_checker.check("GET", MSG_PATH, query=[("Recipient", "x")])
    )
    calls = MSG_PATH.replace("Messages", "Calls")
    twiml = [("To", "+14155550100"), ("From", "+14155552345"), ("Twiml", "<Say>unclosed")]
    assert any("TwiML" in v for v in oai_checker.check("POST", calls, form=twiml))


async def test_the_server_answers_400_21604_when_to_is_missing(
    oai_checker: OpenAPIChecker,
) -> None:
    async with FakeTwilioServer(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, checker=oai_checker
    ) as server:
        auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                server.base_url + MSG_PATH,
                data={"Body": "hi", "From": "+14155552345"},
                headers={"Authorization": auth},
            ) as resp,
        ):
            body = await resp.json()
    assert resp.status == 400
    assert body["code"] == 21604 and set(body) == {"code", "message", "more_info", "status"}
    assert server.messages == []
