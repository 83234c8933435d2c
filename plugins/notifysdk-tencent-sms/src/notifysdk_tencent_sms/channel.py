"""The ``tencent-sms`` channel: domestic SMS through the official Tencent Cloud SDK
(``tencentcloud-sdk-python-sms``, API 2021-01-11, its async client over httpx).

A send never carries free text: the approved template for the notice's kind and locale
is matched against the rendered body (:mod:`notifysdk_tencent_sms.approved`) and
``SendSms`` carries the template ID, the sign name and ``TemplateParamSet``; the receipt
carries the number's ``SerialNo``, ``Fee`` (SMS billed) and the ``RequestId``.

The vendor client's retries are off (no retryer: its ``NoopRetryer``), as is its region
circuit breaker (a fail-over to another endpoint is not ours to decide). Every send
carries ``SessionContext`` = ``nsdk:`` + a digest of the idempotency key, which the
status query returns: :meth:`TencentSmsChannel.reconcile` finds an ambiguous attempt by
it (``PullSmsSendStatusByPhoneNumber``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from tencentcloud.common.abstract_client_async import AbstractClient  # type: ignore[import-untyped]
from tencentcloud.common.credential import Credential  # type: ignore[import-untyped]
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (  # type: ignore[import-untyped]
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile  # type: ignore[import-untyped]
from tencentcloud.common.profile.http_profile import HttpProfile  # type: ignore[import-untyped]
from tencentcloud.sms.v20210111 import models  # type: ignore[import-untyped]
from tencentcloud.sms.v20210111.sms_client_async import SmsClient  # type: ignore[import-untyped]

from notifysdk.plugin import (
    AmbiguousDeliveryError,
    ApprovedTemplate,
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

from .errors import ProviderAccountError, map_code
from .settings import TencentSmsSettings

log = logging.getLogger("notifysdk_tencent_sms")

T = TypeVar("T")

CLOCK_SKEW = timedelta(seconds=120)
LOOKUP_LIMIT = 100
LOOKUP_MAX_PAGES = 5


class NotMainlandMobileError(InvalidInputError):
    """The destination is not a mainland China mobile number (+86 1xxxxxxxxxx)."""

    code = "phone_number"


def session_context(idempotency_key: str) -> str:
    """What a send carries as ``SessionContext``: ``nsdk:`` and 32 hex digits of the
    key's SHA-256 (the provider never sees the key itself)."""
    return "nsdk:" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]


def check_mainland(to: str, field: str = "message.to") -> str:
    """``to`` when it is ``+86`` and an 11-digit mobile; a typed error otherwise."""
    digits = to[3:] if to.startswith("+86") else ""
    if len(digits) != 11 or not digits.isdigit() or digits[0] != "1":
        raise NotMainlandMobileError(field, "not a mainland China mobile number in E.164 (+86 1…)")
    return to


def build_client(settings: TencentSmsSettings) -> Any:
    """The official async client, pointed at ``settings.endpoint`` over
    ``settings.protocol``, no retryer, no region breaker, keep-alive on."""
    http = HttpProfile(
        protocol=settings.protocol,
        endpoint=settings.endpoint,
        reqMethod="POST",
        reqTimeout=settings.timeout_seconds,
        keepAlive=True,
    )
    profile = ClientProfile(
        httpProfile=http, signMethod="TC3-HMAC-SHA256", disable_region_breaker=True, retryer=None
    )
    cred = Credential(settings.secret_id, settings.secret_key.get_secret_value())
    client: AbstractClient = SmsClient(cred, settings.region, profile)
    return client


class TencentSmsChannel(TemplatedSmsChannel[TencentSmsSettings]):
    """Domestic SMS through Tencent Cloud SMS with approved templates (finding the
    template, the sign and the parameters: the SDK's
    :class:`~notifysdk.plugin.TemplatedSmsChannel`)."""

    def __init__(self, name: str, settings: TencentSmsSettings, clock: Clock) -> None:
        super().__init__(name, settings, clock)
        self.client = build_client(settings)

    def wire_params(self, template: ApprovedTemplate, values: dict[str, str]) -> list[str]:
        """``TemplateParamSet``: the values in placeholder order ({1}, {2}…)."""
        return template.param_set(values)

    async def send(self, message: Message) -> Receipt:
        """Send one templated SMS; the receipt's provider id is Tencent's ``SerialNo``."""
        to = check_mainland(message.to)
        template, params, content = self.prepare(message)
        sign = self.sign_for(message)
        segments = check_segments(sign, content, self.settings.max_segments)
        context = session_context(message.idempotency_key)
        req = models.SendSmsRequest()
        req.PhoneNumberSet = [to]
        req.SmsSdkAppId = self.settings.sms_sdk_app_id
        req.TemplateId = template.code
        req.SignName = sign
        req.TemplateParamSet = params
        req.SessionContext = context
        resp = await self._call(lambda: self.client.SendSms(req))
        statuses = list(resp.SendStatusSet or [])
        if len(statuses) != 1:
            raise AmbiguousDeliveryError(
                f"Tencent answered {len(statuses)} send statuses for one number",
                provider_code="status_set",
            )
        status = statuses[0]
        code = str(status.Code or "")
        if code != "Ok":
            raise map_code(code or "unknown", self.clock.now())
        return Receipt(
            channel=self.name,
            provider_id=str(status.SerialNo),
            status="accepted",
            accepted_at=self.clock.now(),
            detail={
                "request_id": resp.RequestId,
                "template_id": template.code,
                "fee": status.Fee,
                "session_context": context,
                **segments.as_detail(),
            },
        )

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """One request through the vendor client, its failures mapped."""
        try:
            return await fn()
        except TencentCloudSDKException as exc:
            code = str(exc.get_code() or "unknown")
            if code == "ServerNetworkError":  # a non-200 HTTP answer: the gateway refused
                raise TransientDeliveryError(
                    "Tencent's API answered an HTTP error, retry later",
                    provider_code=code,
                ) from None
            raise map_code(code, self.clock.now()) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise TransientDeliveryError(
                "could not connect to Tencent Cloud (nothing was sent)", provider_code="connect"
            ) from None
        except httpx.TimeoutException:
            raise AmbiguousDeliveryError(
                "no answer from Tencent Cloud in time; it may have accepted the request",
                provider_code="timeout",
            ) from None
        except httpx.TransportError as exc:
            raise AmbiguousDeliveryError(
                f"the connection to Tencent Cloud was lost ({type(exc).__name__}); it may "
                "have accepted the request",
                provider_code="disconnected",
            ) from None

    async def statuses(self, phone: str, begin: datetime, end: datetime) -> tuple[list[Any], bool]:
        """Status reports of ``phone`` between ``begin`` and ``end``
        (``PullSmsSendStatusByPhoneNumber``, paged); whether the listing is complete."""
        found: list[Any] = []
        for page in range(LOOKUP_MAX_PAGES):
            req = models.PullSmsSendStatusByPhoneNumberRequest()
            req.BeginTime = int(begin.timestamp())
            req.EndTime = int(end.timestamp())
            req.Offset = page * LOOKUP_LIMIT
            req.Limit = LOOKUP_LIMIT
            req.PhoneNumber = phone
            req.SmsSdkAppId = self.settings.sms_sdk_app_id
            resp = await self._call(lambda r=req: self.client.PullSmsSendStatusByPhoneNumber(r))  # type: ignore[misc]
            batch = list(resp.PullSmsSendStatusSet or [])
            found.extend(batch)
            if len(batch) < LOOKUP_LIMIT:
                return found, True
        return found, False

    async def reconcile(self, attempt: Attempt) -> ReconcileResult:
        """Did an attempt whose answer never came reach Tencent?

        Its status reports to ``attempt.to`` since the attempt began are searched for
        this notice's ``SessionContext``: exactly one → ``sent`` (with its
        ``SerialNo``); several, an incomplete listing or a failed look-up → ``unknown``;
        none → ``unknown``, or ``not_sent`` once ``reconcile_not_sent_after_seconds``
        (when set) have passed since the attempt began. Never a send.
        """
        try:
            to = check_mainland(attempt.to, "attempt.to")
        except InvalidInputError:
            return ReconcileResult(
                ReconcileStatus.UNKNOWN, attempt.provider_id, {"reason": "no number"}
            )
        started = _as_datetime(attempt.started_at)
        context = session_context(attempt.idempotency_key)
        try:
            records, complete = await self.statuses(
                to, started - CLOCK_SKEW, self.clock.now() + CLOCK_SKEW
            )
        except (DeliveryError, ProviderAccountError) as exc:
            return ReconcileResult(
                ReconcileStatus.UNKNOWN,
                attempt.provider_id,
                {"reason": f"the look-up failed: {type(exc).__name__}"},
            )
        ours = [r for r in records if getattr(r, "SessionContext", None) == context]
        if len(ours) == 1:
            return ReconcileResult(
                ReconcileStatus.SENT,
                str(ours[0].SerialNo),
                {"matched_by": "session_context", "status": str(ours[0].ReportStatus)},
            )
        after = self.settings.reconcile_not_sent_after_seconds
        if not ours and complete and after is not None:
            remaining = after - (self.clock.now() - started).total_seconds()
            if remaining > 0:
                await self.clock.sleep(remaining)
                return await self._recheck(attempt, to, started, context)
            return ReconcileResult(
                ReconcileStatus.NOT_SENT, None, {"matched_by": "session_context"}
            )
        return ReconcileResult(
            ReconcileStatus.UNKNOWN,
            attempt.provider_id,
            {"candidates": len(ours), "complete": complete, "matched_by": "session_context"},
        )

    async def _recheck(
        self, attempt: Attempt, to: str, started: datetime, context: str
    ) -> ReconcileResult:
        try:
            records, complete = await self.statuses(
                to, started - CLOCK_SKEW, self.clock.now() + CLOCK_SKEW
            )
        except (DeliveryError, ProviderAccountError):
            return ReconcileResult(
                ReconcileStatus.UNKNOWN, attempt.provider_id, {"reason": "look-up failed"}
            )
        ours = [r for r in records if getattr(r, "SessionContext", None) == context]
        if len(ours) == 1:
            return ReconcileResult(
                ReconcileStatus.SENT, str(ours[0].SerialNo), {"matched_by": "session_context"}
            )
        if not ours and complete:
            return ReconcileResult(
                ReconcileStatus.NOT_SENT, None, {"matched_by": "session_context"}
            )
        return ReconcileResult(
            ReconcileStatus.UNKNOWN, attempt.provider_id, {"candidates": len(ours)}
        )

    async def pull_statuses(self, limit: int = LOOKUP_LIMIT) -> list[Any]:
        """The next status reports of the queue (``PullSmsSendStatus``: each once)."""
        req = models.PullSmsSendStatusRequest()
        req.Limit = limit
        req.SmsSdkAppId = self.settings.sms_sdk_app_id
        resp = await self._call(lambda: self.client.PullSmsSendStatus(req))
        return list(resp.PullSmsSendStatusSet or [])

    async def pull_replies(self, limit: int = LOOKUP_LIMIT) -> list[Any]:
        """The next uplink replies of the queue (``PullSmsReplyStatus``: each once)."""
        req = models.PullSmsReplyStatusRequest()
        req.Limit = limit
        req.SmsSdkAppId = self.settings.sms_sdk_app_id
        resp = await self._call(lambda: self.client.PullSmsReplyStatus(req))
        return list(resp.PullSmsReplyStatusSet or [])

    async def aclose(self) -> None:
        """Close the client's pooled connections (safe twice)."""
        await self.client.close()


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
