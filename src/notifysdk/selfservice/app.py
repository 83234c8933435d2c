"""The self-service page: a Starlette app, server-rendered (jinja2), no JavaScript.

Routes (under the mount prefix, ``/self-service`` on ``notifysdk serve``)::

    GET  /{token}                 verify form; once verified, the debt, plans, dispute
                                  and contact preferences
    POST /{token}/verify          the configured facts
    POST /{token}/plan            count=N → promise_to_pay
    POST /{token}/dispute         text → dispute (masked before storage)
    POST /{token}/preferences     opt_out=sms|email|calls, inconvenient=..., medium,
                                  language
    GET  /unsubscribe/{token}     a button (GET never unsubscribes)
    POST /unsubscribe/{token}     RFC 8058 one-click: List-Unsubscribe=One-Click
    GET|POST /unsubscribe/smtp/{channel}/{token}
                                  the same, for the URL the SMTP plugin writes itself
                                  (its ``{token}``: key + HMAC under the channel's
                                  ``unsubscribe_secret``)
    GET  /static/style.css

Until the visitor verifies, a page holds only the neutral sender name and the hotline.
Every form carries a CSRF token bound to the session cookie (``HttpOnly``,
``SameSite=Strict``, ``Secure`` over https, scoped to the mount); a form without it is
refused (403). Every response carries ``Content-Security-Policy: default-src 'self';
frame-ancestors 'none'``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``
(the token in the URL never leaks to the lender's payment page) and ``Cache-Control:
no-store, private``. Requests are limited per client address; wrong answers per link
(locked after ``max_failures``, in the ledger) and per address. Nothing is logged but
the action and its result: never a token, a key, an answer or a text (``notifysdk
serve``'s access log shows these paths as ``<other>``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..account_events import AccountEventKind
from ..templating import long_date, money
from .actions import (
    INCONVENIENT,
    OPT_OUT_MEDIA,
    PREFERRED_MEDIA,
    SelfService,
    Standing,
    VerifyResult,
    Visit,
    _zone,
)
from .api import Api
from .guard import (
    AddressLimits,
    Session,
    csrf_ok,
    csrf_token,
    new_session,
    notice_ref,
    read_session,
    session_cookie,
)
from .keys import SelfServiceKeys, settings_self_service_keys
from .messages import messages
from .settings import SelfServiceSettings, self_service_settings
from .tokens import LinkToken, Purpose, TokenError

if TYPE_CHECKING:
    from ..dispatch.dispatcher import Dispatcher

log = logging.getLogger("notifysdk.selfservice")

HERE = Path(__file__).parent / "templates"
COOKIE = "nss"
MAX_BODY = 64 * 1024
FORMS = ("verify", "plan", "dispute", "preferences")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
        b"object-src 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store, private"),
    (b"pragma", b"no-cache"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_STATUS = {
    "malformed": 400,
    "forged": 403,
    "expired": 410,
    "revoked": 410,
    "wrong_purpose": 403,
    "unknown": 404,
}


class SecurityHeaders:
    """ASGI middleware: the security headers on every response of the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add :data:`SECURITY_HEADERS` (replacing any the app set)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {n for n, _ in SECURITY_HEADERS}
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message["headers"] = kept + list(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


class Page:
    """The page's endpoints over one :class:`SelfService`."""

    def __init__(self, service: SelfService) -> None:
        self.svc = service
        cfg = service.config
        self.limits = AddressLimits(
            service.keys.refs,
            per_minute=cfg.ip_requests_per_minute,
            failures_per_hour=cfg.ip_failures_per_hour,
        )
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.css = (HERE / "style.css").read_bytes()

    # -- plumbing ----------------------------------------------------------------

    def _html(
        self, template: str, request: Request, locale: str, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        t = messages(locale)
        base = {
            "t": t,
            "root": request.scope.get("root_path", ""),
            "name": ctx.pop("name", None) or t["title"],
            "hotline": self.svc.config.hotline,
            "notice_text": "",
        }
        body = self.env.get_template(template).render({**base, **ctx})
        return HTMLResponse(body, status)

    def _message(
        self, request: Request, locale: str, key: str, status: int, name: str | None = None
    ) -> HTMLResponse:
        return self._html(
            "message.html.j2", request, locale, status, message=messages(locale)[key], name=name
        )

    def _address(self, request: Request) -> str:
        """The client's address, through the trusted proxies' ``X-Forwarded-For``."""
        host = request.client.host if request.client else "unknown"
        trusted = self.svc.config.trusted_proxies
        if host not in trusted:
            return host
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
        for hop in reversed(hops):
            if hop and hop not in trusted:
                return hop[:64]
        return host

    def _locale_guess(self, request: Request) -> str:
        accept = request.headers.get("accept-language", "").lower()
        return "zh-CN" if accept.startswith("zh") else "en"

    async def guarded(
        self, request: Request, handler: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Limit per address, then run ``handler``; a failure is answered 503 and logged
        by its type only."""
        if not self.limits.request(self._address(request)):
            response: Response = self._message(
                request, self._locale_guess(request), "too_many", 429
            )
            response.headers["retry-after"] = "60"
            return response
        try:
            return await handler(request)
        except Exception as exc:
            log.error("self-service %s failed: %s", request.method, type(exc).__name__)
            return self._message(request, self._locale_guess(request), "error", 503)

    async def _form(self, request: Request) -> FormData | None:
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit() or int(declared) > MAX_BODY:
            return None
        return await request.form(max_files=0, max_fields=40)

    async def _open(self, request: Request, purpose: Purpose) -> Visit | Response:
        try:
            return await self.svc.open(request.path_params["token"], purpose)
        except TokenError as exc:
            log.info("self-service link refused: %s", exc.reason)
            return self._message(
                request, self._locale_guess(request), f"link_{exc.reason}", _STATUS[exc.reason]
            )

    def _session(self, request: Request, visit: Visit) -> Session | None:
        ref = notice_ref(self.svc.keys.refs, visit.key)
        return read_session(self.svc.keys.session, ref, request.cookies.get(COOKIE))

    def _set_session(
        self, request: Request, response: Response, visit: Visit, session: Session
    ) -> Response:
        ref = notice_ref(self.svc.keys.refs, visit.key)
        secure = request.url.scheme == "https" or (
            self.svc.config.public_base_url or ""
        ).startswith("https://")
        response.set_cookie(
            COOKIE,
            session_cookie(self.svc.keys.session, ref, session),
            max_age=self.svc.config.session_minutes * 60 + 3600,
            path=request.scope.get("root_path", "") or "/",
            httponly=True,
            secure=secure,
            samesite="strict",
        )
        return response

    def _csrf(self, visit: Visit, session: Session) -> dict[str, str]:
        ref = notice_ref(self.svc.keys.refs, visit.key)
        return {f: csrf_token(self.svc.keys.forms, session, ref, f) for f in FORMS}

    def _here(self, request: Request, visit: Visit) -> str:
        return f"{request.scope.get('root_path', '')}/{request.path_params['token']}"

    # -- GET /{token} --------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        """The verify form, or (verified) the account page."""
        return await self.guarded(request, self._page)

    async def _page(self, request: Request) -> Response:
        visit = await self._open(request, Purpose.PAGE)
        if isinstance(visit, Response):
            return visit
        name = self.svc.neutral_name(visit)
        if await self.svc.locked(visit):
            return self._message(request, visit.locale, "locked", 403, name)
        session = self._session(request, visit)
        fresh = session is None
        session = session or new_session()
        now = self.svc.now()
        done = request.query_params.get("done", "")
        t = messages(visit.locale)
        notice_text = t.get(f"{done}_done", "") if done in {"plan", "dispute", "prefs"} else ""
        if session.verified(now):
            response = await self._account(request, visit, session, name, notice_text)
        elif not self.svc.can_verify(visit):
            response = self._message(request, visit.locale, "unavailable", 200, name)
        else:
            response = self._verify_form(request, visit, session, name)
        return self._set_session(request, response, visit, session) if fresh else response

    def _verify_form(
        self, request: Request, visit: Visit, session: Session, name: str, notice_text: str = ""
    ) -> HTMLResponse:
        return self._html(
            "verify.html.j2",
            request,
            visit.locale,
            name=name,
            facts=self.svc.config.verify,
            csrf=self._csrf(visit, session),
            here=self._here(request, visit),
            notice_text=notice_text,
        )

    async def _account(
        self, request: Request, visit: Visit, session: Session, name: str, notice_text: str
    ) -> HTMLResponse:
        standing = await self.svc.standing(visit)
        await self.svc.audit(visit.key, "view", "shown", fresh=standing.fresh)
        loc = visit.locale
        a = standing.account
        fmt = {
            "overdue_amount": money(a.overdue_amount, a.currency, loc),
            "penalty_interest": money(a.penalty_interest, a.currency, loc),
            "total_due": money(a.total_due, a.currency, loc),
            "principal": money(a.principal, a.currency, loc),
            "due_date": long_date(a.due_date, loc),
        }
        return self._html(
            "account.html.j2",
            request,
            loc,
            name=name,
            account=a,
            fmt=fmt,
            fresh=standing.fresh,
            plans=_plan_texts(standing, loc),
            promise=_promise_text(standing, visit),
            disputed=standing.latest(AccountEventKind.DISPUTE) is not None,
            payment_url=self.svc.config.payment_url,
            dispute_chars=self.svc.config.dispute_chars,
            opt_out_media=tuple(OPT_OUT_MEDIA),
            inconvenient=INCONVENIENT,
            stated_times=await self.svc.stated_times(visit),
            preferred_media=PREFERRED_MEDIA,
            csrf=self._csrf(visit, session),
            here=self._here(request, visit),
            notice_text=notice_text,
        )

    # -- POST /{token}/verify and the actions --------------------------------------

    async def post(self, request: Request) -> Response:
        """``/{token}/{action}``: verify, plan, dispute or preferences."""
        return await self.guarded(request, self._post)

    async def _post(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in FORMS:
            return Response(status_code=404)
        visit = await self._open(request, Purpose.PAGE)
        if isinstance(visit, Response):
            return visit
        name = self.svc.neutral_name(visit)
        form = await self._form(request)
        session = self._session(request, visit)
        ref = notice_ref(self.svc.keys.refs, visit.key)
        given = form.get("csrf") if form is not None else None
        if form is None or not csrf_ok(
            self.svc.keys.forms, session, ref, action, given if isinstance(given, str) else None
        ):
            await self.svc.audit(visit.key, action, "csrf_refused")
            return self._message(request, visit.locale, "csrf", 403, name)
        assert session is not None  # csrf_ok needs one
        if action == "verify":  # it audits an attempt on a locked link itself
            return await self._verify(request, visit, session, form, name)
        if await self.svc.locked(visit):
            return self._message(request, visit.locale, "locked", 403, name)
        if not session.verified(self.svc.now()):
            return RedirectResponse(self._here(request, visit), 303)
        if action == "plan":
            raw = form.get("count")
            count = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 3 else 0
            await self.svc.choose_plan(visit, count)
            done = "plan"
        elif action == "dispute":
            text = form.get("text")
            await self.svc.dispute(visit, text if isinstance(text, str) else "")
            done = "dispute"
        else:
            medium, language = form.get("medium"), form.get("language")
            await self.svc.preferences(
                visit,
                opt_out=[v for v in form.getlist("opt_out") if isinstance(v, str)],
                inconvenient=[v for v in form.getlist("inconvenient") if isinstance(v, str)],
                medium=medium if isinstance(medium, str) and medium else None,
                language=language if isinstance(language, str) and language else None,
            )
            done = "prefs"
        return RedirectResponse(f"{self._here(request, visit)}?done={done}", 303)

    async def _verify(
        self, request: Request, visit: Visit, session: Session, form: FormData, name: str
    ) -> Response:
        address = self._address(request)
        if not self.limits.may_answer(address):
            return self._message(request, visit.locale, "too_many", 429, name)
        answers: dict[str, str] = {
            f: v for f in self.svc.config.verify if isinstance(v := form.get(f), str)
        }
        result, left = await self.svc.verify(visit, answers)
        if result is VerifyResult.OK:
            now = self.svc.now()
            # a new session id on verification: a planted cookie never becomes verified
            verified = Session(
                new_session().sid, now + timedelta(minutes=self.svc.config.session_minutes)
            )
            response = RedirectResponse(self._here(request, visit), 303)
            return self._set_session(request, response, visit, verified)
        if result is VerifyResult.WRONG:
            self.limits.wrong_answer(address)
            text = messages(visit.locale)["wrong"].format(left=left)
            return self._verify_form(request, visit, session, name, notice_text=text)
        if result is VerifyResult.LOCKED:
            self.limits.wrong_answer(address)
            return self._message(request, visit.locale, "locked", 403, name)
        return self._message(request, visit.locale, "unavailable", 200, name)

    # -- one-click unsubscribe -----------------------------------------------------

    async def unsubscribe(self, request: Request) -> Response:
        """GET: a button; POST ``List-Unsubscribe=One-Click``: the email opt-out."""
        return await self.guarded(request, self._unsubscribe)

    async def _unsubscribe(self, request: Request) -> Response:
        visit = await self._open(request, Purpose.UNSUBSCRIBE)
        if isinstance(visit, Response):
            return visit
        here = f"{request.scope.get('root_path', '')}/unsubscribe/{request.path_params['token']}"
        return await self._unsubscribe_visit(request, visit, here)

    async def _unsubscribe_visit(self, request: Request, visit: Visit, here: str) -> Response:
        name = self.svc.neutral_name(visit)
        if request.method == "GET":
            return self._html("unsubscribe.html.j2", request, visit.locale, name=name, here=here)
        form = await self._form(request)
        if form is None or form.get("List-Unsubscribe") != "One-Click":
            return Response("the body must be List-Unsubscribe=One-Click", 400)
        await self.svc.unsubscribe_email(visit)
        return self._message(request, visit.locale, "unsubscribe_done", 200, name)

    async def smtp_unsubscribe(self, request: Request) -> Response:
        """``/unsubscribe/smtp/{channel}/{token}``: the one-click URL the SMTP plugin
        writes itself (its ``{token}`` placeholder: the key and an HMAC under the
        channel's ``unsubscribe_secret``); GET shows the button, POST opts out."""
        return await self.guarded(request, self._smtp_unsubscribe)

    async def _smtp_unsubscribe(self, request: Request) -> Response:
        locale = self._locale_guess(request)
        section = self.svc.dispatcher.settings.channels.get(request.path_params["channel"])
        secret = section.get("unsubscribe_secret") if isinstance(section, dict) else None
        if not isinstance(secret, str) or not secret:
            # without a secret the SMTP token is the bare key: anyone could forge it
            return self._message(request, locale, "link_unknown", 404)
        key = smtp_token_key(request.path_params["token"], secret)
        if key is None:
            log.info("self-service link refused: forged")
            return self._message(request, locale, "link_forged", 403)
        now = self.svc.now()
        link = LinkToken(key, Purpose.UNSUBSCRIBE, (now + timedelta(days=1)).date())
        try:
            visit = await self.svc.visit(link)
        except TokenError as exc:
            return self._message(request, locale, f"link_{exc.reason}", _STATUS[exc.reason])
        return await self._unsubscribe_visit(request, visit, request.url.path)

    async def style(self, request: Request) -> Response:
        """The stylesheet (the CSP allows no inline style)."""
        return Response(self.css, media_type="text/css")


def smtp_token_key(token: str, secret: str) -> str | None:
    """The idempotency key in the SMTP plugin's ``{token}`` (``KEY.TAG``, the tag the
    first 16 bytes of HMAC-SHA256(secret, KEY), urlsafe base64 without padding), or
    ``None`` when the tag does not match."""
    key, dot, tag = token.rpartition(".")
    if not dot or not key or len(token) > 300:
        return None
    digest = hmac.new(secret.encode(), key.encode(), hashlib.sha256).digest()[:16]
    want = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return key if hmac.compare_digest(want.encode(), tag.encode()) else None


def _plan_texts(standing: Standing, locale: str) -> list[dict[str, Any]]:
    t = messages(locale)
    sep = "；" if locale.startswith("zh") else "; "
    out = []
    for p in standing.plans:
        if p.count == 1:
            day, amount = p.instalments[0]
            text = t["plan_full"].format(
                amount=money(amount, p.currency, locale), date=long_date(day, locale)
            )
        else:
            schedule = sep.join(
                f"{long_date(d, locale)} {money(a, p.currency, locale)}" for d, a in p.instalments
            )
            text = t["plan_n"].format(count=p.count, schedule=schedule)
        out.append({"count": p.count, "text": text})
    return out


def _promise_text(standing: Standing, visit: Visit) -> str:
    promise = standing.latest(AccountEventKind.PROMISE_TO_PAY)
    if promise is None or promise.until is None:
        return ""
    day = (promise.until.astimezone(_zone(visit.notice)) - timedelta(days=1)).date()
    return messages(visit.locale)["plan_current"].format(date=long_date(day, visit.locale))


def create_app(
    dispatcher: Dispatcher,
    config: SelfServiceSettings | None = None,
    keys: SelfServiceKeys | None = None,
) -> Starlette:
    """The self-service app over ``dispatcher`` (its ledger must store notices: SQLite
    or PostgreSQL), with ``config`` (default: from the dispatcher's settings) and the
    self-service key of the settings' key folder."""
    cfg = config or self_service_settings(dispatcher.settings)
    service = SelfService(dispatcher, cfg, keys or settings_self_service_keys(dispatcher.settings))
    page = Page(service)
    routes = [
        *Api(page).routes(),
        Route("/static/style.css", page.style, methods=["GET"]),
        Route("/unsubscribe/{token}", page.unsubscribe, methods=["GET", "POST"]),
        Route(
            "/unsubscribe/smtp/{channel}/{token}", page.smtp_unsubscribe, methods=["GET", "POST"]
        ),
        Route("/{token}", page.page, methods=["GET"]),
        Route("/{token}/{action}", page.post, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.self_service = service
    app.add_middleware(SecurityHeaders)
    return app
