"""The ``twilio-sms`` and ``twilio-voice`` channels.

Both send through the official twilio client (see :mod:`notifysdk_twilio.transport`),
map failures with :func:`notifysdk_twilio.errors.map_rest_error` and never retry by
themselves:

- nothing went out (connection refused, a connect timeout, 429, 5xx):
  :class:`~notifysdk.errors.TransientDeliveryError`, retried by the SDK's policy;
- the request left and no answer came back (a timeout, a dropped connection):
  :class:`~notifysdk.errors.AmbiguousDeliveryError`. Twilio may hold the message, so
  the dispatcher does not retry it but asks :meth:`TwilioChannel.reconcile`, which
  looks the message up (one mechanism: the channel itself never looks before sending);
- Twilio refused it (21211, 21614, 21610 STOP, other 4xx):
  :class:`~notifysdk.errors.PermanentDeliveryError`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

import aiohttp
from pydantic_core import PydanticCustomError
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException  # type: ignore[import-untyped]

from notifysdk.plugin import (
    AmbiguousDeliveryError,
    Attempt,
    BaseChannel,
    Clock,
    ConfigurationError,
    ConsentBasis,
    DeliveryError,
    Disclosure,
    InvalidPhoneNumberError,
    Medium,
    Message,
    PermanentDeliveryError,
    Receipt,
    ReconcileResult,
    ReconcileStatus,
    TransientDeliveryError,
    UnknownLocaleError,
    normalize_phone,
)

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
LOOKUP_MAX_PAGES = 5
"""A listing that has not reached records older than the attempt after this many pages
is incomplete: reconcile then answers unknown rather than not sent."""

BODY_DIGEST = "body_sha256"
"""The key in :attr:`Attempt.detail` under which reconcile looks for the SHA-256 (hex)
of the SMS body the attempt sent (see :func:`body_digest`)."""

_REMEMBERED_BODIES = 4096


def body_digest(body: str) -> str:
    """SHA-256 of an SMS body (UTF-8, hex): what reconcile compares with each listed
    message's body, so an attempt can be matched without the ledger storing the text."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _digest_of(detail: Mapping[str, Any]) -> str | None:
    value = detail.get(BODY_DIGEST)
    return value if isinstance(value, str) and value else None


def _digest_of_record(record: Any) -> str | None:
    body = getattr(record, "body", None)
    return body_digest(body) if isinstance(body, str) else None


def _lookup_failed(attempt: Attempt, exc: DeliveryError) -> ReconcileResult:
    """A look-up that failed tells nothing: unknown, with the reason (never a number)."""
    return ReconcileResult(
        ReconcileStatus.UNKNOWN,
        attempt.provider_id,
        {"reason": f"the look-up failed: {exc}", "provider_code": exc.provider_code},
    )


class TwilioChannel(BaseChannel):
    """What the SMS and voice channels share: the client, error mapping, reconciling."""

    resource: ClassVar[str] = ""
    MEDIUM: ClassVar[Medium]
    DISCLOSURE: ClassVar[Disclosure]
    lookup_page_size: int = LOOKUP_PAGE_SIZE
    lookup_max_pages: int = LOOKUP_MAX_PAGES

    def __init__(self, name: str, settings: TwilioSettings, clock: Clock) -> None:
        self.name = name
        self.medium = self.MEDIUM
        self.disclosure = self.DISCLOSURE
        self.contact_kind = "phone"
        self.settings = settings
        self.clock = clock
        self.client, self.http = build_client(settings)
        self._bodies: OrderedDict[str, str] = OrderedDict()
        """Idempotency key → body digest of the request whose answer never came, so the
        dispatcher's reconcile right after it can match by body when the ledger's
        attempt does not carry :data:`BODY_DIGEST`. A hint only: never used to send."""
        self.opted_out: set[str] = set()
        """Numbers Twilio answered 21610 for (STOP): refused locally from then on."""

    def sender_id(self, message: Message) -> str:
        """What Twilio's throughput limits count: the ``from`` number or sender ID, else
        the messaging service (the rate limiter's sender, see ``notifysdk.ratelimit``)."""
        return self.settings.from_ or self.settings.messaging_service_sid or self.name

    def _resource_list(self) -> Any:
        account = self.client.api.v2010.account
        return account.messages if self.resource == "messages" else account.calls

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run one Twilio request; map every failure into the SDK's tree."""
        try:
            return await fn()
        except (TwilioRestException, TwilioServiceException) as exc:
            raise map_rest_error(exc, last_response_headers.get(), self.clock.now()) from None
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            raise TransientDeliveryError(
                "could not connect to Twilio (nothing was sent)", provider_code="connect"
            ) from None
        except TimeoutError:  # aiohttp's ServerTimeoutError too: the request had left
            raise AmbiguousDeliveryError(
                "no answer from Twilio in time; it may have accepted the request",
                provider_code="timeout",
            ) from None
        except aiohttp.ClientError as exc:
            raise AmbiguousDeliveryError(
                f"the connection to Twilio was lost ({type(exc).__name__}); it may have "
                "accepted the request",
                provider_code="disconnected",
            ) from None
        except TwilioException as exc:
            raise PermanentDeliveryError(
                f"the twilio client failed: {type(exc).__name__}", provider_code="client"
            ) from None

    async def _create(self, key: str, body: str | None, fn: Callable[[], Awaitable[T]]) -> T:
        """One create request; on an ambiguous failure keep the body's digest for the
        reconcile that follows."""
        try:
            record = await self._call(fn)
        except AmbiguousDeliveryError:
            if body is not None:
                self._bodies[key] = body_digest(body)
                self._bodies.move_to_end(key)
                while len(self._bodies) > _REMEMBERED_BODIES:
                    self._bodies.popitem(last=False)
            raise
        return record

    async def _list_since(self, to: str, since: datetime) -> tuple[list[Any], bool]:
        """Provider records to ``to`` (from our sender, when it is a number) created
        since ``since`` minus :data:`CLOCK_SKEW`, newest first.

        Returns them and whether the listing is complete: it reached a record older than
        the window, or the last page, within ``lookup_max_pages`` pages.
        """
        filters: dict[str, Any] = {"to": to, "page_size": self.lookup_page_size}
        if self.settings.from_ and self.settings.sender_is_number:
            filters["from_"] = self.settings.from_
        page = await self._call(lambda: self._resource_list().page_async(**filters))
        found: list[Any] = []
        for _ in range(self.lookup_max_pages):
            reached_older = False
            for record in page:
                created = getattr(record, "date_created", None)
                if created is None or created < since - CLOCK_SKEW:
                    reached_older = True
                    continue
                found.append(record)
            if reached_older or page.next_page_url is None:
                return found, True
            page = await self._call(page.next_page_async)
            if page is None:
                return found, True
        return found, False

    def _receipt(self, record: Any, detail: dict[str, Any]) -> Receipt:
        return Receipt(
            channel=self.name,
            provider_id=record.sid,
            status=str(record.status or "accepted"),
            accepted_at=self.clock.now(),
            detail={"resource": self.resource, **detail},
        )

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Did an attempt whose answer never came reach Twilio?

        With a SID (``attempt.provider_id``), fetch it: found → ``sent``. Without one,
        list the records to ``attempt.to`` (from our sender when it is a number) created
        since the attempt began, narrowed by the body's SHA-256 when it is known (from
        ``attempt.detail["body_sha256"]``, else from this channel's own note of the
        request that went unanswered):

        - exactly one match → ``sent`` (with its SID);
        - none, and nothing else in the window, on a complete listing → ``not_sent``;
          but only once ``timeout_seconds + reconcile_settle_seconds`` have passed since
          the attempt began (a request that timed out may still be being processed):
          before that, reconcile waits on the channel's clock and lists again;
        - anything else (several matches, other messages in the window when matching by
          body, an incomplete listing, a failed look-up) → ``unknown``.

        The Message resource returns nothing else we send (not the status callback,
        not ``Attempt``), so the body is the only per-attempt marker.
        """
        try:
            if attempt.provider_id:
                return await self._reconcile_sid(attempt.provider_id)
            return await self._reconcile_listing(attempt)
        except PermanentDeliveryError as exc:
            if exc.status == 404:
                return ReconcileResult(
                    ReconcileStatus.UNKNOWN,
                    attempt.provider_id,
                    {"reason": "Twilio has no record of this SID"},
                )
            return _lookup_failed(attempt, exc)
        except DeliveryError as exc:
            return _lookup_failed(attempt, exc)

    async def _reconcile_sid(self, sid: str) -> ReconcileResult:
        res = self._resource_list()
        record = await self._call(lambda: res(sid).fetch_async())
        return ReconcileResult(
            ReconcileStatus.SENT, record.sid, {"status": str(record.status), "matched_by": "sid"}
        )

    async def _reconcile_listing(self, attempt: Attempt) -> ReconcileResult:
        to = check_e164(attempt.to, "attempt.to")
        started = _as_datetime(attempt.started_at)
        digest = _digest_of(attempt.detail) or self._bodies.get(attempt.idempotency_key)
        matched_by = "to+time+body" if digest else "to+time"
        settle = self.settings.timeout_seconds + self.settings.reconcile_settle_seconds
        waited = False
        while True:
            records, complete = await self._list_since(to, started)
            matches = [r for r in records if _digest_of_record(r) == digest] if digest else records
            if len(matches) == 1:
                self._bodies.pop(attempt.idempotency_key, None)
                return ReconcileResult(
                    ReconcileStatus.SENT,
                    matches[0].sid,
                    {"status": str(matches[0].status), "matched_by": matched_by},
                )
            if matches or records or not complete:
                return ReconcileResult(
                    ReconcileStatus.UNKNOWN,
                    None,
                    {
                        "candidates": len(matches),
                        "others_in_window": len(records) - len(matches),
                        "complete": complete,
                        "matched_by": matched_by,
                    },
                )
            remaining = settle - (self.clock.now() - started).total_seconds()
            if remaining <= 0 or waited:
                self._bodies.pop(attempt.idempotency_key, None)
                return ReconcileResult(
                    ReconcileStatus.NOT_SENT,
                    None,
                    {"matched_by": matched_by, "settled_seconds": round(settle, 3)},
                )
            await self.clock.sleep(remaining)
            waited = True

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
            record = await self._create(
                message.idempotency_key, message.body, lambda: messages.create_async(**params)
            )
        except DeliveryError as exc:
            self._note_opt_out(exc, to)
            raise
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
        assert self.settings.from_ is not None
        params: dict[str, Any] = {"to": to, "from_": self.settings.from_, "twiml": twiml}
        if self.settings.status_callback:
            params["status_callback"] = self.settings.status_callback
        calls = self.client.api.v2010.account.calls
        record = await self._create(
            message.idempotency_key, None, lambda: calls.create_async(**params)
        )
        return self._receipt(record, {"language": language, "twiml_chars": len(twiml)})
