"""The ``twilio-sms`` and ``twilio-voice`` channels.

Both send through the official twilio client (see :mod:`notifysdk_twilio.transport`),
map failures with :func:`notifysdk_twilio.errors.map_rest_error` and never retry by
themselves. A request that may have reached Twilio without an answer (a timeout, a
dropped connection) is remembered: the next attempt for the same idempotency key
first looks for a message to the same number with the same body created since, and
returns it instead of sending a second SMS.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

import aiohttp
from pydantic_core import PydanticCustomError
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException  # type: ignore[import-untyped]

from notifysdk.channels import (
    Attempt,
    BaseChannel,
    Disclosure,
    ReconcileResult,
    ReconcileStatus,
)
from notifysdk.clock import Clock
from notifysdk.errors import (
    ConfigurationError,
    DeliveryError,
    InvalidPhoneNumberError,
    PermanentDeliveryError,
    TransientDeliveryError,
    UnknownLocaleError,
)
from notifysdk.models import ConsentBasis, Medium, Message, Receipt
from notifysdk.validation import normalize_phone

from .errors import (
    OPT_OUT_CODE,
    ConsentRequiredError,
    MessageTooLongError,
    map_rest_error,
)
from .segments import count_segments
from .settings import TwilioSettings
from .transport import build_client, last_response_headers
from .twiml import MAX_TWIML_CHARS, say_language, say_twiml

log = logging.getLogger("notifysdk_twilio")

T = TypeVar("T")

CLOCK_SKEW = timedelta(seconds=120)
"""How far before an attempt's start a provider record may be dated and still match."""

LOOKUP_PAGE_SIZE = 50


_E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@lru_cache(maxsize=65536)
def _valid_e164(value: str) -> str | None:
    try:
        normalized = normalize_phone(value)
    except PydanticCustomError as exc:
        return str(exc.message())
    return None if normalized == value else "not in E.164 form"


def check_e164(value: str, field: str = "message.to") -> str:
    """``value`` if it is an E.164 number valid in its country's numbering plan.

    Raises :class:`InvalidPhoneNumberError` naming ``field`` and the reason (never the
    value). Verdicts are cached: a campaign sends to the same numbers again and again.
    """
    if not isinstance(value, str) or not _E164.match(value):
        raise InvalidPhoneNumberError(
            field, "not an E.164 phone number (+, country code, at most 15 digits)"
        )
    problem = _valid_e164(value)
    if problem is not None:
        raise InvalidPhoneNumberError(field, problem)
    return value


class TwilioChannel(BaseChannel):
    """What the SMS and voice channels share: the client, error mapping, reconciling."""

    resource: ClassVar[str] = ""
    MEDIUM: ClassVar[Medium]
    DISCLOSURE: ClassVar[Disclosure]

    def __init__(self, name: str, settings: TwilioSettings, clock: Clock) -> None:
        self.name = name
        self.medium = self.MEDIUM
        self.disclosure = self.DISCLOSURE
        self.contact_kind = "phone"
        self.settings = settings
        self.clock = clock
        self.client, self.http = build_client(settings)
        self._ambiguous: dict[str, datetime] = {}
        self.opted_out: set[str] = set()
        """Numbers Twilio answered 21610 for (STOP): refused locally from then on."""

    def _resource_list(self) -> Any:
        account = self.client.api.v2010.account
        return account.messages if self.resource == "messages" else account.calls

    async def _call(self, key: str | None, fn: Callable[[], Awaitable[T]]) -> T:
        """Run one Twilio request; map every failure into the SDK's tree."""
        started = self.clock.now()
        try:
            return await fn()
        except (TwilioRestException, TwilioServiceException) as exc:
            raise map_rest_error(exc, last_response_headers.get(), self.clock.now()) from None
        except aiohttp.ClientConnectorError:
            raise TransientDeliveryError(
                "could not connect to Twilio (nothing was sent)", provider_code="connect"
            ) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The request may have reached Twilio: remember it, look before re-sending.
            if key is not None:
                self._ambiguous.setdefault(key, started)
            raise TransientDeliveryError(
                f"no answer from Twilio ({type(exc).__name__}); it may have accepted the request",
                provider_code="ambiguous",
            ) from None
        except TwilioException as exc:
            raise PermanentDeliveryError(
                f"the twilio client failed: {type(exc).__name__}", provider_code="client"
            ) from None

    async def _find_recent(
        self, to: str, since: datetime, body: str | None = None
    ) -> tuple[list[Any], bool]:
        """Provider records to ``to`` created since ``since`` (and with ``body``, if given).

        Returns the matches and whether the listing was complete (one page covered the
        window).
        """
        page = await self._call(
            None, lambda: self._resource_list().page_async(to=to, page_size=LOOKUP_PAGE_SIZE)
        )
        matches, complete = [], page.next_page_url is None
        for record in page:
            created = getattr(record, "date_created", None)
            if created is None or created < since - CLOCK_SKEW:
                complete = True
                continue
            if body is not None and getattr(record, "body", body) != body:
                continue
            matches.append(record)
        return matches, complete

    async def _recover(self, message: Message, body: str | None) -> Receipt | None:
        """After an ambiguous failure, the record Twilio made for this key, if any."""
        since = self._ambiguous.get(message.idempotency_key)
        if since is None:
            return None
        matches, _ = await self._find_recent(message.to, since, body)
        self._ambiguous.pop(message.idempotency_key, None)
        if not matches:
            return None
        record = matches[0]
        return self._receipt(record, {"recovered": True})

    def _receipt(self, record: Any, detail: dict[str, Any]) -> Receipt:
        return Receipt(
            channel=self.name,
            provider_id=record.sid,
            status=str(record.status or "accepted"),
            accepted_at=self.clock.now(),
            detail={"resource": self.resource, **detail},
        )

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Did an interrupted attempt reach Twilio?

        With a SID, fetch it. Without one (a crash before Twilio answered), list the
        records to the same number created since the attempt began: exactly one is
        taken as this attempt's, none on a complete listing means not sent, anything
        else is unknown.
        """
        try:
            if attempt.provider_id:
                sid = attempt.provider_id
                res = self._resource_list()
                record = await self._call(None, lambda: res(sid).fetch_async())
                return ReconcileResult(
                    ReconcileStatus.SENT,
                    record.sid,
                    {"status": str(record.status), "matched_by": "sid"},
                )
            to = check_e164(attempt.to, "attempt.to")
            started = attempt.started_at
            matches, complete = await self._find_recent(to, started)
        except PermanentDeliveryError as exc:
            if exc.status == 404:
                return ReconcileResult(
                    ReconcileStatus.UNKNOWN,
                    attempt.provider_id,
                    {"reason": "Twilio has no record of this SID"},
                )
            raise
        if len(matches) == 1:
            return ReconcileResult(
                ReconcileStatus.SENT,
                matches[0].sid,
                {"status": str(matches[0].status), "matched_by": "to+time"},
            )
        if not matches and complete:
            return ReconcileResult(ReconcileStatus.NOT_SENT, None, {"matched_by": "to+time"})
        return ReconcileResult(
            ReconcileStatus.UNKNOWN, None, {"candidates": len(matches), "matched_by": "to+time"}
        )

    def _refuse_opted_out(self, to: str) -> None:
        if to in self.opted_out:
            raise PermanentDeliveryError(
                "the recipient replied STOP to this sender earlier (Twilio error 21610); not sent",
                provider_code=OPT_OUT_CODE,
                opt_out=True,
            )

    def _note_opt_out(self, exc: DeliveryError, to: str) -> None:
        if isinstance(exc, PermanentDeliveryError) and exc.opt_out:
            self.opted_out.add(to)

    async def aclose(self) -> None:
        """Close the pooled HTTP session."""
        await self.http.close()


class TwilioSmsChannel(TwilioChannel):
    """SMS through Twilio's Messages API, with segment counting and a segment cap."""

    MEDIUM = Medium.SMS
    DISCLOSURE = Disclosure.LIMITED
    resource: ClassVar[str] = "messages"

    def __init__(self, name: str, settings: TwilioSettings, clock: Clock) -> None:
        super().__init__(name, settings, clock)
        if not settings.from_ and not settings.messaging_service_sid:
            raise ConfigurationError(
                f"{name}: set 'from' (TWILIO_FROM) or 'messaging_service_sid' "
                "(TWILIO_MESSAGING_SERVICE_SID)"
            )

    async def send(self, message: Message) -> Receipt:
        """Send one SMS; the receipt's detail carries the segment count and encoding."""
        to = check_e164(message.to)
        segments = count_segments(message.body)
        if segments.segments > self.settings.max_segments:
            raise MessageTooLongError(
                "message.body",
                f"needs {segments.segments} SMS segments ({segments.encoding}), more than the "
                f"configured maximum of {self.settings.max_segments}",
            )
        self._refuse_opted_out(to)
        recovered = await self._recover(message, message.body)
        if recovered is not None:
            return recovered.model_copy(
                update={"detail": {**recovered.detail, **segments.as_detail()}}
            )
        s = self.settings
        params: dict[str, Any] = {"to": to, "body": message.body}
        if s.messaging_service_sid:
            params["messaging_service_sid"] = s.messaging_service_sid
        if s.from_:
            params["from_"] = s.from_
        if s.status_callback:
            params["status_callback"] = s.status_callback
        messages = self.client.api.v2010.account.messages
        try:
            record = await self._call(
                message.idempotency_key, lambda: messages.create_async(**params)
            )
        except DeliveryError as exc:
            self._note_opt_out(exc, to)
            raise
        self._ambiguous.pop(message.idempotency_key, None)
        return self._receipt(
            record, {**segments.as_detail(), "twilio_segments": record.num_segments}
        )


class TwilioVoiceChannel(TwilioChannel):
    """Automated calls through Twilio's Calls API: TwiML ``<Say>`` in the notice's language.

    Only to a number whose consent on record (``message.metadata["consent"]``, set by the
    dispatcher from the destination contact point) is in ``settings.voice_consent``
    (express or written by default); otherwise :class:`ConsentRequiredError`. Its
    disclosure level is ``none``: whoever answers may not be the debtor.
    """

    MEDIUM = Medium.VOICE
    DISCLOSURE = Disclosure.NONE
    resource: ClassVar[str] = "calls"

    def __init__(self, name: str, settings: TwilioSettings, clock: Clock) -> None:
        super().__init__(name, settings, clock)
        if not settings.sender_is_number:
            raise ConfigurationError(
                f"{name}: 'from' (TWILIO_FROM) must be an E.164 number to place calls"
            )

    def _check_consent(self, message: Message) -> None:
        raw = message.metadata.get("consent")
        try:
            consent = ConsentBasis(raw) if raw is not None else None
        except ValueError:
            consent = None
        if consent is None or consent not in self.settings.voice_consent:
            allowed = ", ".join(sorted(c.value for c in self.settings.voice_consent))
            on_record = consent.value if consent is not None else "none on record"
            raise ConsentRequiredError(
                f"automated calls need consent ({allowed}) for the destination; "
                f"consent on record: {on_record}",
                provider_code="consent",
            )

    async def send(self, message: Message) -> Receipt:
        """Place one call that speaks ``message.body``."""
        to = check_e164(message.to)
        self._check_consent(message)
        language = say_language(message.locale, self.settings.voice_languages)
        if language is None:
            raise UnknownLocaleError(
                "message.locale", "no <Say> language configured for this locale"
            )
        voice = (
            say_language(message.locale, self.settings.voice_names)
            if self.settings.voice_names
            else None
        )
        twiml = say_twiml(message.body, language=language, voice=voice)
        if len(twiml) > MAX_TWIML_CHARS:
            raise MessageTooLongError(
                "message.body",
                f"the call's TwiML is {len(twiml)} characters, over Twilio's {MAX_TWIML_CHARS}",
            )
        self._refuse_opted_out(to)
        recovered = await self._recover(message, None)
        if recovered is not None:
            return recovered
        assert self.settings.from_ is not None
        params: dict[str, Any] = {"to": to, "from_": self.settings.from_, "twiml": twiml}
        if self.settings.status_callback:
            params["status_callback"] = self.settings.status_callback
        calls = self.client.api.v2010.account.calls
        record = await self._call(message.idempotency_key, lambda: calls.create_async(**params))
        self._ambiguous.pop(message.idempotency_key, None)
        return self._receipt(record, {"language": language, "twiml_chars": len(twiml)})
