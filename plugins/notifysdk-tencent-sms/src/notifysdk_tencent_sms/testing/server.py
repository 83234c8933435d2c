"""A loopback server that answers like Tencent Cloud SMS's API 3.0 (version 2021-01-11).

What it checks on every request, refusing otherwise with the documented error body
``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`` (HTTP 200, as API 3.0 does):

- the TC3-HMAC-SHA256 signature: ``Authorization`` names the configured secret id, the
  credential scope ``DATE/sms/tc3_request`` with DATE the UTC day of
  ``X-TC-Timestamp`` (within five minutes of the server's time), signed headers
  ``content-type;host``, and the signature recomputed from the canonical request
  (method, path, query, those headers, the body's SHA-256) with the derived key
  (``TC3`` + key → date → service → ``tc3_request``) matches;
- ``X-TC-Version`` is ``2021-01-11`` and ``X-TC-Action`` one of the actions below, with
  its required parameters and this application's ``SmsSdkAppId``.

``SendSms`` keeps each message (the template rendered against the server's own copy of
the approved texts with ``TemplateParamSet``) and answers ``SendStatusSet`` entries
``{SerialNo, PhoneNumber, Fee, SessionContext, Code: "Ok", Message, IsoCode}``; faults
queued with :meth:`FakeTencentSms.fail_next` answer a per-number code, a request-level
error, or accept and never answer in time. ``PullSmsSendStatusByPhoneNumber`` lists the
carrier reports of a number in a time range, ``PullSmsSendStatus`` and
``PullSmsReplyStatus`` hand out queued reports and replies once each.

Answers are ``Content-Type: application/json`` exactly (the SDK reads errors only then).
The listening socket sets TCP_NODELAY; no access log (requests carry phone numbers).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

VERSION = "2021-01-11"
SERVICE = "sms"
REQUIRED = {
    "SendSms": ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"),
    "PullSmsSendStatusByPhoneNumber": (
        "BeginTime",
        "Offset",
        "Limit",
        "PhoneNumber",
        "SmsSdkAppId",
    ),
    "PullSmsSendStatus": ("Limit", "SmsSdkAppId"),
    "PullSmsReplyStatus": ("Limit", "SmsSdkAppId"),
}
_AUTH = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<svc>[a-z]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z;-]+), Signature=(?P<sig>[0-9a-f]{64})$"
)
_VAR = re.compile(r"\{([1-9][0-9]?)\}")
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Fault:
    """One injected answer for the next SendSms: ``code`` as the number's
    ``SendStatus.Code`` (``request_error``: as the request's ``Error`` instead), or
    ``hang``: keep the message when ``accept`` and answer only after ``hang_seconds``."""

    code: str = "InternalError.Timeout"
    request_error: bool = False
    hang: bool = False
    hang_seconds: float = 30.0
    accept: bool = True


@dataclass
class SentSms:
    """A message the fake accepted, and its carrier report once there is one."""

    serial_no: str
    phone: str
    sign_name: str
    template_id: str
    params: list[str]
    content: str
    session_context: str
    sent_at: datetime
    report: str | None = "SUCCESS"
    description: str = "用户短信送达成功"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def verify_tc3(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    *,
    secret_id: str,
    secret_key: str,
    now: float | None = None,
) -> str | None:
    """``None`` when the request carries a valid TC3-HMAC-SHA256 signature for the key,
    else the Tencent error code to answer."""
    auth = _AUTH.match(headers.get("authorization", ""))
    if auth is None:
        return "AuthFailure.SignatureFailure"
    if auth.group("id") != secret_id:
        return "AuthFailure.SecretIdNotFound"
    try:
        stamp = int(headers.get("x-tc-timestamp", ""))
    except ValueError:
        return "AuthFailure.InvalidAuthorization"
    if abs((now if now is not None else time.time()) - stamp) > 300:
        return "AuthFailure.SignatureExpire"
    date = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    if auth.group("date") != date or auth.group("svc") != SERVICE:
        return "AuthFailure.InvalidAuthorization"
    signed = auth.group("signed").split(";")
    if "content-type" not in signed or "host" not in signed:
        return "AuthFailure.InvalidAuthorization"
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip().lower()}\n" for h in signed)
    canonical = "\n".join(
        [method, path, query, canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()]
    )
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(stamp),
            f"{date}/{SERVICE}/tc3_request",
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), SERVICE), "tc3_request")
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, auth.group("sig")):
        return "AuthFailure.SignatureFailure"
    return None


class FakeTencentSms:
    """The loopback server; ``templates`` maps template ID → approved text."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sms_sdk_app_id: str,
        templates: dict[str, str],
        sign_names: tuple[str, ...],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = sms_sdk_app_id
        self.templates = templates
        self.sign_names = sign_names
        self.now = now
        self.sent: list[SentSms] = []
        self.actions: list[str] = []
        self.refused: list[str] = []
        self._faults: deque[Fault] = deque()
        self._reports: deque[SentSms] = deque()
        self._replies: deque[dict[str, Any]] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``: the channel's ``endpoint`` setting (protocol ``http``)."""
        return f"127.0.0.1:{self.port}"

    def fail_next(self, *faults: Fault) -> None:
        """Answer the next SendSms requests with these faults, in order."""
        self._faults.extend(faults)

    def report(self, serial_no: str, *, ok: bool, description: str = "") -> None:
        """The carrier's report for a message: queued for PullSmsSendStatus."""
        for sms in self.sent:
            if sms.serial_no == serial_no:
                sms.report = "SUCCESS" if ok else "FAIL"
                sms.description = description or ("用户短信送达成功" if ok else "DELIVRD_FAIL")
                self._reports.append(sms)

    def reply(self, phone: str, text: str) -> None:
        """An uplink reply from ``phone`` (E.164): queued for PullSmsReplyStatus."""
        at = self.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        self._replies.append(
            {
                "ExtendCode": "",
                "CountryCode": "86",
                "PhoneNumber": phone,
                "SignName": self.sign_names[0],
                "ReplyContent": text,
                "ReplyTime": at,
                "SubscriberNumber": phone[3:],
            }
        )

    def sends(self) -> int:
        """How many SendSms requests arrived (accepted or not)."""
        return self.actions.count("SendSms")

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0: any free one; TCP_NODELAY); returns the
        endpoint."""
        app = web.Application()
        app.router.add_route("POST", "/", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self.endpoint

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- handling ------------------------------------------------------------------

    def _error(self, code: str, message: str = "refused") -> web.Response:
        self.refused.append(code)
        return _json({"Error": {"Code": code, "Message": message}})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        problem = verify_tc3(
            request.method,
            request.path,
            request.query_string,
            headers,
            body,
            secret_id=self.secret_id,
            secret_key=self.secret_key,
        )
        if problem is not None:
            return self._error(problem)
        action = headers.get("x-tc-action", "")
        if headers.get("x-tc-version") != VERSION or action not in REQUIRED:
            return self._error("InvalidAction", "unknown action or version")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return self._error("InvalidParameter", "the body is not JSON")
        self.actions.append(action)
        missing = [p for p in REQUIRED[action] if params.get(p) in (None, "", [])]
        if missing:
            return self._error("MissingParameter", f"missing {missing[0]}")
        if params["SmsSdkAppId"] != self.app_id:
            return self._error("UnauthorizedOperation.SmsSdkAppIdVerifyFail")
        if action == "SendSms":
            return await self._send(params)
        if action == "PullSmsSendStatusByPhoneNumber":
            return self._by_number(params)
        if action == "PullSmsSendStatus":
            out = [_report(s) for s in _take(self._reports, int(params["Limit"]))]
            return _json({"PullSmsSendStatusSet": out})
        return _json({"PullSmsReplyStatusSet": _take(self._replies, int(params["Limit"]))})

    async def _send(self, p: dict[str, Any]) -> web.StreamResponse:
        fault = self._faults.popleft() if self._faults else None
        if fault is not None and fault.request_error:
            return self._error(fault.code)
        if fault is not None and fault.hang and not fault.accept:
            await asyncio.sleep(fault.hang_seconds)
            return self._error("InternalError.Timeout")
        if p.get("SignName") not in self.sign_names:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved")
        text = self.templates.get(str(p["TemplateId"]))
        if text is None:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved")
        values = p.get("TemplateParamSet") or []
        if not isinstance(values, list) or len(values) != len(set(_VAR.findall(text))):
            return self._error("InvalidParameterValue.TemplateParameterFormatError")
        content = (
            "【" + p["SignName"] + "】" + _VAR.sub(lambda m: values[int(m.group(1)) - 1], text)
        )
        fee = 1 if len(content) <= 70 else -(-len(content) // 67)
        statuses = []
        for phone in p["PhoneNumberSet"]:
            if fault is not None and not fault.hang:
                statuses.append(_status("", phone, 0, p, fault.code, "refused"))
                continue
            if not re.fullmatch(r"\+861\d{10}", phone):
                statuses.append(
                    _status("", phone, 0, p, "InvalidParameterValue.IncorrectPhoneNumber", "bad")
                )
                continue
            sms = SentSms(
                serial_no=f"2645:{secrets.randbelow(10**19):019d}",
                phone=phone,
                sign_name=p["SignName"],
                template_id=str(p["TemplateId"]),
                params=list(values),
                content=content,
                session_context=str(p.get("SessionContext") or ""),
                sent_at=self.now(),
            )
            self.sent.append(sms)
            statuses.append(_status(sms.serial_no, phone, fee, p, "Ok", "send success"))
        if fault is not None and fault.hang:
            await asyncio.sleep(fault.hang_seconds)
        return _json({"SendStatusSet": statuses})

    def _by_number(self, p: dict[str, Any]) -> web.Response:
        begin = int(p["BeginTime"])
        end = int(p.get("EndTime") or 2**31)
        offset, limit = int(p["Offset"]), int(p["Limit"])
        if not 0 < limit <= 100:
            return self._error("InvalidParameterValue", "Limit 1-100")
        rows = [
            s
            for s in self.sent
            if s.phone == p["PhoneNumber"]
            and s.report is not None
            and begin <= int(s.sent_at.timestamp()) <= end
        ]
        return _json({"PullSmsSendStatusSet": [_report(s) for s in rows[offset : offset + limit]]})


def _take(queue: deque[Any], n: int) -> list[Any]:
    out: list[Any] = []
    while queue and len(out) < n:
        out.append(queue.popleft())
    return out


def _status(
    serial: str, phone: str, fee: int, p: dict[str, Any], code: str, msg: str
) -> dict[str, Any]:
    return {
        "SerialNo": serial,
        "PhoneNumber": phone,
        "Fee": fee,
        "SessionContext": p.get("SessionContext") or "",
        "Code": code,
        "Message": msg,
        "IsoCode": "CN",
    }


def _report(s: SentSms) -> dict[str, Any]:
    return {
        "UserReceiveTime": int(s.sent_at.timestamp()),
        "CountryCode": "86",
        "SubscriberNumber": s.phone[3:],
        "PhoneNumber": s.phone,
        "SerialNo": s.serial_no,
        "ReportStatus": s.report,
        "Description": s.description,
        "SessionContext": s.session_context,
    }


def _json(response: dict[str, Any]) -> web.Response:
    response["RequestId"] = secrets.token_hex(16)
    return web.Response(
        body=json.dumps({"Response": response}, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
