"""The ``aliyun-sms`` channel: domestic SMS through the official
``alibabacloud-dysmsapi20170525`` client (SendSms, QuerySendDetails).

A send never carries free text. The channel finds the approved template for the
notice's kind and locale, reads the parameters out of the rendered body
(:mod:`notifysdk_aliyun_sms.approved`), and sends the template code, the sign name and
those parameters; the receipt carries Aliyun's ``BizId`` and ``RequestId`` and the
segments billed (70/67 characters, the 【sign】 included).

The vendor client's own retries are off (``autoretry=False``, no retry options): the
SDK's policy is the only retry layer. Failures map as :mod:`notifysdk_aliyun_sms.errors`
says; a request whose answer never came is ambiguous and :meth:`AliyunSmsChannel.reconcile`
looks it up by the ``OutId`` it carried (a digest of the idempotency key).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp
from alibabacloud_dysmsapi20170525 import models as sms_models  # type: ignore[import-untyped]
from alibabacloud_dysmsapi20170525.client import Client  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.utils_models import Config  # type: ignore[import-untyped]
from darabonba.exceptions import UnretryableException  # type: ignore[import-untyped]
from darabonba.policy.retry import RetryOptions  # type: ignore[import-untyped]
from darabonba.runtime import RuntimeOptions  # type: ignore[import-untyped]

from notifysdk.plugin import (
    AmbiguousDeliveryError,
    Attempt,
    Clock,
    DeliveryError,
    InvalidInputError,
    Message,
    Receipt,
    ReconcileResult,
    ReconcileStatus,
    TemplatedSmsChannel,
    TransientDeliveryError,
    check_segments,
)

from .errors import BEIJING, ProviderAccountError, map_code
from .settings import AliyunSmsSettings

log = logging.getLogger("notifysdk_aliyun_sms")

T = TypeVar("T")

SEND_STATUS = {1: "sending", 2: "failed", 3: "delivered"}
"""QuerySendDetails' ``SendStatus``: 1 waiting for the receipt, 2 failed, 3 delivered."""


class NotMainlandMobileError(InvalidInputError):
    """The destination is not a mainland China mobile number (+86 1xxxxxxxxxx)."""

    code = "phone_number"


def out_id(idempotency_key: str) -> str:
    """The ``OutId`` sent with a notice: 32 hex digits of its key's SHA-256, so the
    detail query can find our own message without the provider storing the key."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]


def domestic_number(to: str, field: str = "message.to") -> str:
    """``+8613800138000`` → ``13800138000``; a typed error (never the value) otherwise."""
    digits = to[3:] if to.startswith("+86") else None
    if digits is None or len(digits) != 11 or not digits.isdigit() or digits[0] != "1":
        raise NotMainlandMobileError(field, "not a mainland China mobile number in E.164 (+86 1…)")
    return digits


class AliyunSmsChannel(TemplatedSmsChannel[AliyunSmsSettings]):
    """Domestic SMS through Alibaba Cloud SMS with approved templates (finding the
    template, the sign and the parameters: the SDK's
    :class:`~notifysdk.plugin.TemplatedSmsChannel`)."""

    def __init__(self, name: str, settings: AliyunSmsSettings, clock: Clock) -> None:
        super().__init__(name, settings, clock)
        self.client = Client(
            Config(
                access_key_id=settings.access_key_id,
                access_key_secret=settings.access_key_secret.get_secret_value(),
                endpoint=settings.endpoint,
                protocol=settings.protocol.upper(),
                region_id=settings.region_id,
                connect_timeout=int(settings.connect_timeout_seconds * 1000),
                read_timeout=int(settings.timeout_seconds * 1000),
                retry_options=RetryOptions(retryable=False),
            )
        )
        self.runtime = RuntimeOptions(
            autoretry=False,
            max_attempts=0,
            connect_timeout=int(settings.connect_timeout_seconds * 1000),
            read_timeout=int(settings.timeout_seconds * 1000),
        )

    # -- sending -----------------------------------------------------------------

    async def send(self, message: Message) -> Receipt:
        """Send one templated SMS; the receipt's provider id is Aliyun's ``BizId``."""
        phone = domestic_number(message.to)
        template, params, content = self.prepare(message)
        sign = self.sign_for(message)
        segments = check_segments(sign, content, self.settings.max_segments)
        oid = out_id(message.idempotency_key)
        request = sms_models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=sign,
            template_code=template.code,
            template_param=json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            out_id=oid,
        )
        response = await self._call(
            lambda: self.client.send_sms_with_options_async(request, self.runtime)
        )
        body = response.body
        code = str(getattr(body, "code", "") or "")
        if code != "OK":
            raise map_code(code or "unknown", getattr(body, "message", None), self.clock.now())
        return Receipt(
            channel=self.name,
            provider_id=str(body.biz_id),
            status="accepted",
            accepted_at=self.clock.now(),
            detail={
                "request_id": body.request_id,
                "template_code": template.code,
                "out_id": oid,
                **segments.as_detail(),
            },
        )

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """One request through the vendor client, its failures mapped."""
        try:
            return await fn()
        except ThrottlingException as exc:
            after = getattr(exc, "retry_after", None)
            raise TransientDeliveryError(
                f"Aliyun throttled the API, retry later (code {exc.code})",
                provider_code=str(exc.code),
                retry_after=after / 1000 if isinstance(after, int | float) else None,
                status=exc.status_code,
            ) from None
        except AlibabaCloudException as exc:
            raise map_code(str(exc.code), None, self.clock.now(), status=exc.status_code) from None
        except UnretryableException as exc:
            raise _transport_error(exc.inner_exception) from None

    # -- reconciling -------------------------------------------------------------

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Did an attempt whose answer never came reach Aliyun?

        QuerySendDetails lists what was sent to the number on the attempt's day (by
        ``BizId`` when the attempt has one); the record whose ``OutId`` is this notice's
        is ours. Exactly one → ``sent``; none on a complete listing once
        ``timeout_seconds + reconcile_settle_seconds`` have passed since the attempt
        began (waiting on the channel's clock until then) → ``not_sent``; anything
        else, or a failed look-up → ``unknown``. Never a send.
        """
        try:
            phone = domestic_number(attempt.to, "attempt.to")
        except InvalidInputError:
            return ReconcileResult(
                ReconcileStatus.UNKNOWN, attempt.provider_id, {"reason": "no number"}
            )
        started = _as_datetime(attempt.started_at)
        oid = out_id(attempt.idempotency_key)
        settle = self.settings.timeout_seconds + self.settings.reconcile_settle_seconds
        waited = False
        while True:
            try:
                records, complete = await self._details(phone, started, attempt.provider_id)
            except (DeliveryError, ProviderAccountError) as exc:
                return ReconcileResult(
                    ReconcileStatus.UNKNOWN,
                    attempt.provider_id,
                    {"reason": f"the look-up failed: {type(exc).__name__}"},
                )
            ours = [r for r in records if getattr(r, "out_id", None) == oid]
            if len(ours) == 1:
                status = SEND_STATUS.get(int(getattr(ours[0], "send_status", 0) or 0), "accepted")
                return ReconcileResult(
                    ReconcileStatus.SENT,
                    attempt.provider_id,
                    {"matched_by": "out_id", "status": status},
                )
            if ours or not complete:
                return ReconcileResult(
                    ReconcileStatus.UNKNOWN,
                    attempt.provider_id,
                    {"candidates": len(ours), "complete": complete, "matched_by": "out_id"},
                )
            remaining = settle - (self.clock.now() - started).total_seconds()
            if remaining <= 0 or waited:
                return ReconcileResult(
                    ReconcileStatus.NOT_SENT,
                    None,
                    {"matched_by": "out_id", "settled_seconds": settle},
                )
            await self.clock.sleep(remaining)
            waited = True

    async def _details(
        self, phone: str, started: datetime, biz_id: str | None
    ) -> tuple[list[Any], bool]:
        """Detail records to ``phone`` on the attempt's Beijing-time day (and the next,
        when the attempt began near midnight); whether the listing is complete."""
        days = {started.astimezone(BEIJING).date()}
        days.add(
            (started + timedelta(seconds=self.settings.timeout_seconds + 60))
            .astimezone(BEIJING)
            .date()
        )
        found: list[Any] = []
        for day in sorted(days):
            page, total = 1, None
            while True:
                request = sms_models.QuerySendDetailsRequest(
                    phone_number=phone,
                    send_date=day.strftime("%Y%m%d"),
                    page_size=self.settings.query_page_size,
                    current_page=page,
                    biz_id=biz_id,
                )
                response = await self._call(
                    lambda r=request: self.client.query_send_details_with_options_async(
                        r, self.runtime
                    )  # type: ignore[misc]
                )
                body = response.body
                code = str(getattr(body, "code", "") or "")
                if code != "OK":
                    raise map_code(code or "unknown", None, self.clock.now())
                dtos = (
                    getattr(
                        getattr(body, "sms_send_detail_dtos", None), "sms_send_detail_dto", None
                    )
                    or []
                )
                found.extend(dtos)
                total = int(getattr(body, "total_count", 0) or 0)
                if page * self.settings.query_page_size >= total or not dtos:
                    break
                page += 1
                if page > 20:
                    return found, False
        return found, True

    async def details(self, phone: str, day: datetime, biz_id: str | None = None) -> list[Any]:
        """The detail records of ``phone`` (E.164) on ``day`` (``notifysdk cnsms poll``)."""
        records, _ = await self._details(domestic_number(phone, "phone"), day, biz_id)
        return records

    async def aclose(self) -> None:
        """The vendor client opens a session per request: nothing to release."""


def _transport_error(inner: BaseException | None) -> DeliveryError:
    """What a failure below the HTTP answer means: before the request left, or after."""
    cause = inner.__context__ if inner is not None and inner.__context__ is not None else inner
    if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return TransientDeliveryError(
            "could not connect to Aliyun (nothing was sent)", provider_code="connect"
        )
    if isinstance(cause, TimeoutError):
        return AmbiguousDeliveryError(
            "no answer from Aliyun in time; it may have accepted the request",
            provider_code="timeout",
        )
    return AmbiguousDeliveryError(
        f"the connection to Aliyun was lost ({type(cause).__name__}); it may have accepted "
        "the request",
        provider_code="disconnected",
    )


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
