"""The same actions as a small JSON API, for a lender that builds its own app.

Under the page's mount (``/self-service`` on ``notifysdk serve``)::

    POST /api/v1/{token}/verify        VerifyRequest    → Session (401 wrong, 423 locked)
    GET  /api/v1/{token}/account       (bearer)         → AccountView
    POST /api/v1/{token}/plan          PlanRequest      → PlanView
    POST /api/v1/{token}/dispute       DisputeRequest   → Recorded
    POST /api/v1/{token}/preferences   PreferencesRequest → Recorded
    GET  /api/v1/openapi.json          the OpenAPI 3.1 description, generated from the
                                       models below (:func:`openapi`)

``verify`` answers a session (the same signed value as the page's cookie, bound to the
notice, valid ``session_minutes``) which the other calls carry as ``Authorization:
Bearer …``. The API takes no cookie, so a browser cannot be made to call it from
another site (no CSRF); the token, the limits per address, the lock after
``max_failures`` and the audit are the page's. Amounts are decimal strings, dates ISO
8601. Errors are ``{"error": CODE}`` with a code from :data:`ERRORS`, never a value.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

import pydantic
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..account_events import AccountEventKind
from .actions import (
    INCONVENIENT,
    LANGUAGES,
    OPT_OUT_MEDIA,
    PREFERRED_MEDIA,
    VerifyResult,
    Visit,
    log,
)
from .guard import Session, new_session, notice_ref, read_session, session_cookie
from .tokens import Purpose, TokenError

if TYPE_CHECKING:
    from .app import Page

PREFIX = "/api/v1"
MAX_JSON = 16 * 1024
ERRORS = {
    "malformed": 400,
    "bad_request": 400,
    "forged": 403,
    "wrong_purpose": 403,
    "unknown": 404,
    "expired": 410,
    "revoked": 410,
    "wrong": 401,
    "unauthenticated": 401,
    "locked": 423,
    "unavailable": 422,
    "no_such_plan": 422,
    "too_many": 429,
    "error": 503,
}
"""Error codes and their HTTP statuses."""

OptOut = Literal["sms", "email", "calls"]
Inconvenient = Literal["before_9", "after_20", "weekends", "at_work"]
Medium = Literal["sms", "email", "calls", "letter"]
Language = Literal["zh-CN", "en"]
# the API's choices are the page's (one list each, in actions.py)
assert get_args(OptOut) == tuple(OPT_OUT_MEDIA) and get_args(Inconvenient) == INCONVENIENT
assert get_args(Medium) == PREFERRED_MEDIA and get_args(Language) == LANGUAGES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)


class VerifyRequest(_Model):
    """The facts the lender configured, as the debtor typed them."""

    answers: dict[str, str] = Field(
        description="Fact name → answer: national_id_last4, birth_year, postal_code "
        "(whichever the lender configured).",
        max_length=5,
    )


class SessionView(_Model):
    """A verified session: send ``session`` as ``Authorization: Bearer``."""

    session: str
    expires_at: datetime


class ErrorView(_Model):
    """An error: a code from ERRORS; ``attempts_left`` after a wrong answer."""

    error: str
    attempts_left: int | None = None


class InstalmentView(_Model):
    """One instalment of a plan."""

    due: date
    amount: str = Field(description="A decimal string in the account's currency.")


class PlanView(_Model):
    """A plan on offer: ``count`` monthly instalments adding up to the total due."""

    count: int
    currency: str
    total: str
    instalments: list[InstalmentView]


class AccountView(_Model):
    """The debt as it stands (``fresh``: from the platform now; else the notice's)."""

    institution: str
    loan_id: str
    currency: str
    principal: str
    overdue_amount: str
    penalty_interest: str
    total_due: str
    due_date: date
    days_overdue: int
    fresh: bool
    plans: list[PlanView]
    promise_until: datetime | None = Field(
        None, description="When the recorded plan's pause of collection ends."
    )
    disputed: bool
    payment_url: str | None = None


class PlanRequest(_Model):
    """Choose the plan of ``count`` instalments (one of AccountView.plans)."""

    count: int = Field(ge=1, le=60)


class PlanChosen(_Model):
    """The plan recorded, and until when collection waits."""

    plan: PlanView
    until: datetime


class DisputeRequest(_Model):
    """Why the debtor disputes the debt (masked before it is stored)."""

    text: str = Field(min_length=1, max_length=10_000)


class PreferencesRequest(_Model):
    """Contact preferences (see docs/self-service.md for what the rules enforce)."""

    opt_out: list[OptOut] = Field(default_factory=list, max_length=3)
    inconvenient: list[Inconvenient] | None = Field(default=None, max_length=4)
    """The times that are inconvenient now (replacing the last statement; ``[]`` clears
    them); left out, the stated times stay as they are."""
    medium: Medium | None = None
    language: Language | None = None


class Recorded(_Model):
    """What was recorded (labels and counts)."""

    recorded: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


MODELS: tuple[type[BaseModel], ...] = (
    VerifyRequest,
    SessionView,
    ErrorView,
    InstalmentView,
    PlanView,
    AccountView,
    PlanRequest,
    PlanChosen,
    DisputeRequest,
    PreferencesRequest,
    Recorded,
)

OPERATIONS: tuple[tuple[str, str, str, type[BaseModel] | None, type[BaseModel], str], ...] = (
    ("post", "/{token}/verify", "verify", VerifyRequest, SessionView, "Verify the debtor."),
    ("get", "/{token}/account", "account", None, AccountView, "The debt and the plans."),
    ("post", "/{token}/plan", "plan", PlanRequest, PlanChosen, "Choose a plan."),
    ("post", "/{token}/dispute", "dispute", DisputeRequest, Recorded, "Dispute the debt."),
    (
        "post",
        "/{token}/preferences",
        "preferences",
        PreferencesRequest,
        Recorded,
        "Contact preferences.",
    ),
)
"""(method, path, operation id, request model, response model, summary)."""


def openapi(server: str = "/self-service") -> dict[str, Any]:
    """The API's OpenAPI 3.1 description, generated from :data:`MODELS` and
    :data:`OPERATIONS` (``server``: where the page is mounted)."""
    _, defs = pydantic.json_schema.models_json_schema(
        [(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}"
    )
    ref = "#/components/schemas/"
    paths: dict[str, Any] = {}
    for method, path, op_id, request, response, summary in OPERATIONS:
        op: dict[str, Any] = {
            "operationId": op_id,
            "summary": summary,
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "description": "The token of the notice's self-service link.",
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": ref + response.__name__}}},
                },
                "default": {
                    "description": "An error (see ERRORS)",
                    "content": {"application/json": {"schema": {"$ref": ref + "ErrorView"}}},
                },
            },
        }
        if request is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": ref + request.__name__}}},
            }
        if op_id != "verify":
            op["security"] = [{"session": []}]
        paths.setdefault(PREFIX + path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "notifysdk self-service API", "version": "1"},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"session": {"type": "http", "scheme": "bearer"}},
        },
    }


M = TypeVar("M", bound=BaseModel)


class BadRequestError(Exception):
    """A body without a length, or larger than :data:`MAX_JSON`."""


def _error(code: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, **extra}, ERRORS[code])


class Api:
    """The JSON endpoints, over the page's service and limits."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.svc = page.svc

    async def _run(self, request: Request, op: str) -> Response:
        if not self.page.limits.request(self.page._address(request)):
            return _error("too_many")
        try:
            visit = await self.svc.open(request.path_params["token"], Purpose.PAGE)
        except TokenError as exc:
            return _error(exc.reason)
        try:
            handler: Any = getattr(self, f"_{op}")
            response: Response = await handler(request, visit)
            return response
        except (pydantic.ValidationError, BadRequestError):
            return _error("bad_request")
        except Exception as exc:
            log.error("self-service api %s failed: %s", op, type(exc).__name__)
            return _error("error")

    async def _body(self, request: Request, model: type[M]) -> M:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > MAX_JSON:
            raise BadRequestError
        return model.model_validate_json(await request.body())

    def _session(self, request: Request, visit: Visit) -> Session | None:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        ref = notice_ref(self.svc.keys.refs, visit.key)
        session = read_session(self.svc.keys.session, ref, auth[7:].strip())
        return session if session is not None and session.verified(self.svc.now()) else None

    async def _verify(self, request: Request, visit: Visit) -> Response:
        body = await self._body(request, VerifyRequest)
        address = self.page._address(request)
        if not self.page.limits.may_answer(address):
            return _error("too_many")
        result, left = await self.svc.verify(visit, body.answers)
        if result is VerifyResult.OK:
            until = self.svc.now() + timedelta(minutes=self.svc.config.session_minutes)
            session = Session(new_session().sid, until)
            ref = notice_ref(self.svc.keys.refs, visit.key)
            value = session_cookie(self.svc.keys.session, ref, session)
            return JSONResponse(
                SessionView(session=value, expires_at=until).model_dump(mode="json")
            )
        if result in (VerifyResult.WRONG, VerifyResult.LOCKED):
            self.page.limits.wrong_answer(address)
        if result is VerifyResult.WRONG:
            return _error("wrong", attempts_left=left)
        return _error("locked" if result is VerifyResult.LOCKED else "unavailable")

    async def _authorized(self, request: Request, visit: Visit) -> Response | None:
        if self._session(request, visit) is None:
            return _error("unauthenticated")
        if await self.svc.locked(visit):
            return _error("locked")
        return None

    async def _account(self, request: Request, visit: Visit) -> Response:
        if (refused := await self._authorized(request, visit)) is not None:
            return refused
        s = await self.svc.standing(visit)
        await self.svc.audit(visit.key, "view", "shown", fresh=s.fresh, api=True)
        a = s.account
        promise = s.latest(AccountEventKind.PROMISE_TO_PAY)
        view = AccountView(
            institution=a.institution,
            loan_id=a.loan_id,
            currency=a.currency,
            principal=str(a.principal),
            overdue_amount=str(a.overdue_amount),
            penalty_interest=str(a.penalty_interest),
            total_due=str(a.total_due),
            due_date=a.due_date,
            days_overdue=a.days_overdue,
            fresh=s.fresh,
            plans=[_plan(p) for p in s.plans],
            promise_until=promise.until if promise is not None else None,
            disputed=s.latest(AccountEventKind.DISPUTE) is not None,
            payment_url=self.svc.config.payment_url,
        )
        return JSONResponse(view.model_dump(mode="json"))

    async def _plan(self, request: Request, visit: Visit) -> Response:
        if (refused := await self._authorized(request, visit)) is not None:
            return refused
        body = await self._body(request, PlanRequest)
        plan = await self.svc.choose_plan(visit, body.count)
        if plan is None:
            return _error("no_such_plan")
        events = (await self.svc.standing(visit)).latest(AccountEventKind.PROMISE_TO_PAY)
        assert events is not None and events.until is not None
        chosen = PlanChosen(plan=_plan(plan), until=events.until)
        return JSONResponse(chosen.model_dump(mode="json"))

    async def _dispute(self, request: Request, visit: Visit) -> Response:
        if (refused := await self._authorized(request, visit)) is not None:
            return refused
        body = await self._body(request, DisputeRequest)
        await self.svc.dispute(visit, body.text)
        return JSONResponse(Recorded().model_dump(mode="json"))

    async def _preferences(self, request: Request, visit: Visit) -> Response:
        if (refused := await self._authorized(request, visit)) is not None:
            return refused
        body = await self._body(request, PreferencesRequest)
        detail = await self.svc.preferences(
            visit,
            opt_out=body.opt_out,
            inconvenient=body.inconvenient,
            medium=body.medium,
            language=body.language,
        )
        return JSONResponse(Recorded(detail=detail).model_dump(mode="json"))

    async def describe(self, request: Request) -> Response:
        """GET /api/v1/openapi.json."""
        return JSONResponse(openapi(request.scope.get("root_path", "") or "/"))

    def routes(self) -> list[Route]:
        """The API's routes (before the page's catch-all ones)."""

        def endpoint(op: str) -> Any:
            async def handle(request: Request) -> Response:
                return await self._run(request, op)

            return handle

        out = [Route(PREFIX + "/openapi.json", self.describe, methods=["GET"])]
        for method, path, op, _, _, _ in OPERATIONS:
            out.append(Route(PREFIX + path, endpoint(op), methods=[method.upper()]))
        return out


def _plan(p: Any) -> PlanView:
    return PlanView(
        count=p.count,
        currency=p.currency,
        total=str(p.total),
        instalments=[InstalmentView(due=d, amount=str(a)) for d, a in p.instalments],
    )
