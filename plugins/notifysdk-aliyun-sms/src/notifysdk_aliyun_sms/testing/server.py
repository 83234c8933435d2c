"""A loopback server that answers like Alibaba Cloud SMS's RPC API (version 2017-05-25).

What it checks on every request, refusing otherwise as Aliyun does (HTTP 4xx with
``{"Code", "Message", "RequestId"}``):

- the ACS3-HMAC-SHA256 signature (signature v3): ``Authorization`` names the
  configured access key id, its ``SignedHeaders`` include ``host`` and every
  ``x-acs-*`` header the v3 scheme requires, ``x-acs-content-sha256`` is the body's
  SHA-256 and the signature recomputed from the canonical request (method, path,
  sorted RFC 3986 query, signed headers, payload hash) with the secret matches;
- ``x-acs-action`` is ``SendSms`` or ``QuerySendDetails`` and ``x-acs-version``
  ``2017-05-25``; the action's required parameters are present.

``SendSms`` answers ``{"Code": "OK", "Message": "OK", "BizId", "RequestId"}`` and keeps
the message (its ``Content``: 【sign】 and the template rendered with the parameters
against the server's own copy of the approved templates, ``OutId``, ``SendDate``);
an unknown template answers ``isv.SMS_TEMPLATE_ILLEGAL``, a missing parameter
``isv.TEMPLATE_MISSING_PARAMETERS``, a bad number ``isv.MOBILE_NUMBER_ILLEGAL``.
``QuerySendDetails`` lists them by ``PhoneNumber`` and ``SendDate`` (and ``BizId``),
paged, with ``SendStatus`` 3 (delivered) once :meth:`FakeAliyunSms.deliver` says so,
1 before. Faults queued with :meth:`FakeAliyunSms.fail_next` shape the next SendSms
answers (a business ``Code`` with HTTP 200, an HTTP error, or: accept and never answer).

The listening socket sets TCP_NODELAY. No access log: requests carry phone numbers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import secrets
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

VERSION = "2017-05-25"
REQUIRED = {
    "SendSms": ("PhoneNumbers", "SignName", "TemplateCode"),
    "QuerySendDetails": ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"),
}
REQUIRED_SIGNED = (
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
_AUTH = re.compile(
    r"^ACS3-HMAC-SHA256 Credential=(?P<ak>[^,]+),SignedHeaders=(?P<signed>[^,]+),"
    r"Signature=(?P<sig>[0-9a-f]{64})$"
)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Fault:
    """One injected answer for the next SendSms: a business ``code`` (HTTP ``status``,
    200 by default, as Aliyun answers business errors), or ``hang``: keep the message
    (it was accepted) and answer only after ``hang_seconds``, past the client's timeout."""

    code: str = "isp.SYSTEM_ERROR"
    message: str = "system error"
    status: int = 200
    hang: bool = False
    hang_seconds: float = 30.0
    retry_after_ms: int | None = None
    """With an HTTP error ``status``: the ``x-acs-retry-after`` header (milliseconds)."""
    accept: bool = True
    """With ``hang``: False loses the request (nothing kept), as a drop before Aliyun
    took it would; the client cannot tell the two apart."""


@dataclass
class SentSms:
    """A message the fake accepted."""

    biz_id: str
    phone: str
    sign_name: str
    template_code: str
    params: dict[str, str]
    content: str
    out_id: str | None
    send_date: datetime
    send_status: int = 1
    err_code: str = "DELIVERED"


@dataclass
class RequestLog:
    """One request the fake saw (action and parameters; kept for assertions)."""

    action: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


def canonical_query(params: dict[str, str]) -> str:
    """Sorted ``key=value`` pairs, each value RFC 3986-encoded (``~`` kept)."""
    return "&".join(f"{k}={quote(params[k], safe='~')}" for k in sorted(params))


def verify_acs3(
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    *,
    access_key_id: str,
    secret: str,
) -> str | None:
    """``None`` when the request carries a valid ACS3-HMAC-SHA256 signature for the key,
    else why not (the Aliyun error code to answer)."""
    auth = _AUTH.match(headers.get("authorization", ""))
    if auth is None:
        return "MissingAuthorization"
    if auth.group("ak") != access_key_id:
        return "InvalidAccessKeyId.NotFound"
    signed = auth.group("signed").split(";")
    if signed != sorted(signed) or any(h not in signed for h in REQUIRED_SIGNED):
        return "IncompleteSignature"
    if hashlib.sha256(body).hexdigest() != headers.get("x-acs-content-sha256"):
        return "IncompleteSignature"
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed)
    canonical = "\n".join(
        [
            method,
            path or "/",
            canonical_query(query),
            canonical_headers,
            ";".join(signed),
            headers["x-acs-content-sha256"],
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, auth.group("sig")):
        return "SignatureDoesNotMatch"
    return None


class FakeAliyunSms:
    """The loopback server; ``templates`` maps template code → approved text."""

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        templates: dict[str, str],
        sign_names: tuple[str, ...],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.templates = templates
        self.sign_names = sign_names
        self.now = now
        self.sent: list[SentSms] = []
        self.requests: list[RequestLog] = []
        self.refused: list[str] = []
        self._faults: deque[Fault] = deque()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``: the channel's ``endpoint`` setting (protocol ``http``)."""
        return f"127.0.0.1:{self.port}"

    def fail_next(self, *faults: Fault) -> None:
        """Answer the next SendSms requests with these faults, in order."""
        self._faults.extend(faults)

    def deliver(self, biz_id: str, *, ok: bool = True, err_code: str = "DELIVERED") -> None:
        """Mark a message delivered (SendStatus 3) or failed (2) with ``err_code``."""
        for sms in self.sent:
            if sms.biz_id == biz_id:
                sms.send_status = 3 if ok else 2
                sms.err_code = err_code

    def sends(self) -> int:
        """How many SendSms requests arrived (accepted or not)."""
        return sum(1 for r in self.requests if r.action == "SendSms")

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0: any free one; TCP_NODELAY); returns the
        endpoint."""
        app = web.Application()
        app.router.add_route("*", "/", self._handle)
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

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> web.Response:
        self.refused.append(code)
        return web.json_response(
            {"Code": code, "Message": message, "RequestId": _request_id()},
            status=status,
            headers=headers,
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        query = dict(request.query)
        problem = verify_acs3(
            request.method,
            request.path,
            query,
            headers,
            body,
            access_key_id=self.access_key_id,
            secret=self.access_key_secret,
        )
        if problem is not None:
            return self._error(
                403 if problem != "MissingAuthorization" else 400, problem, "refused"
            )
        action = headers.get("x-acs-action", "")
        if headers.get("x-acs-version") != VERSION or action not in REQUIRED:
            return self._error(404, "InvalidAction.NotFound", "unknown action or version")
        self.requests.append(RequestLog(action, query, headers))
        missing = [p for p in REQUIRED[action] if not query.get(p)]
        if missing:
            return self._error(400, "MissingParameter", f"missing {missing[0]}")
        if action == "SendSms":
            return await self._send(query)
        return self._query(query)

    async def _send(self, q: dict[str, str]) -> web.StreamResponse:
        fault = self._faults.popleft() if self._faults else None
        if fault is not None and not fault.hang:
            if fault.status != 200:
                after = fault.retry_after_ms
                headers = {"x-acs-retry-after": str(after)} if after is not None else None
                return self._error(fault.status, fault.code, fault.message, headers)
            return web.json_response(
                {"Code": fault.code, "Message": fault.message, "RequestId": _request_id()}
            )
        if fault is not None and not fault.accept:
            await asyncio.sleep(fault.hang_seconds)
            return _business("isp.SYSTEM_ERROR", "lost")
        phone = q["PhoneNumbers"]
        if not re.fullmatch(r"1\d{10}", phone):
            return _business("isv.MOBILE_NUMBER_ILLEGAL", "invalid number")
        if q["SignName"] not in self.sign_names:
            return _business("isv.SMS_SIGNATURE_ILLEGAL", "sign name not approved")
        text = self.templates.get(q["TemplateCode"])
        if text is None:
            return _business("isv.SMS_TEMPLATE_ILLEGAL", "template not approved")
        try:
            params = json.loads(q.get("TemplateParam") or "{}")
        except ValueError:
            return _business("isv.INVALID_JSON_PARAM", "bad json")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return _business("isv.INVALID_JSON_PARAM", "values must be strings")
        names = _VAR.findall(text)
        if any(n not in params for n in names):
            return _business("isv.TEMPLATE_MISSING_PARAMETERS", "missing parameter")
        content = "【" + q["SignName"] + "】" + _VAR.sub(lambda m: params[m.group(1)], text)
        sms = SentSms(
            biz_id=f"{secrets.randbelow(10**6):06d}^{secrets.randbelow(10**10):010d}",
            phone=phone,
            sign_name=q["SignName"],
            template_code=q["TemplateCode"],
            params=params,
            content=content,
            out_id=q.get("OutId"),
            send_date=self.now(),
        )
        self.sent.append(sms)
        if fault is not None and fault.hang:
            await asyncio.sleep(fault.hang_seconds)
        return web.json_response(
            {"Code": "OK", "Message": "OK", "BizId": sms.biz_id, "RequestId": _request_id()}
        )

    def _query(self, q: dict[str, str]) -> web.Response:
        try:
            day = datetime.strptime(q["SendDate"], "%Y%m%d").date()
            size, page = int(q["PageSize"]), int(q["CurrentPage"])
        except ValueError:
            return _business("isv.INVALID_PARAMETERS", "bad SendDate or paging")
        if not 1 <= size <= 50 or page < 1:
            return _business("isv.INVALID_PARAMETERS", "PageSize 1-50")
        rows = [
            s
            for s in self.sent
            if s.phone == q["PhoneNumber"]
            and s.send_date.astimezone(BEIJING).date() == day
            and (not q.get("BizId") or s.biz_id == q["BizId"])
        ]
        chunk = rows[(page - 1) * size : page * size]
        return web.json_response(
            {
                "Code": "OK",
                "Message": "OK",
                "RequestId": _request_id(),
                "TotalCount": len(rows),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": [_dto(s) for s in chunk]},
            }
        )


def _dto(s: SentSms) -> dict[str, Any]:
    fmt = "%Y-%m-%d %H:%M:%S"
    local = s.send_date.astimezone(BEIJING)
    return {
        "PhoneNum": s.phone,
        "SendStatus": s.send_status,
        "ErrCode": s.err_code,
        "TemplateCode": s.template_code,
        "Content": s.content,
        "SendDate": local.strftime(fmt),
        "ReceiveDate": local.strftime(fmt) if s.send_status == 3 else "",
        "OutId": s.out_id or "",
    }


def _business(code: str, message: str) -> web.Response:
    return web.json_response({"Code": code, "Message": message, "RequestId": _request_id()})


def _request_id() -> str:
    return secrets.token_hex(16).upper()
