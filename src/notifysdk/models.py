"""Typed, validated data: accounts, people, contact points, notices, messages, outcomes.

All models are immutable pydantic models. Constructing one with bad data raises a
:class:`~notifysdk.errors.InvalidInputError` subclass that names the field and the reason
and never echoes the value (it may be personal data). Every field is bounded
(:mod:`notifysdk.limits`): identifiers are printable and short, texts hold no control
characters, lists and ``Notice.data`` have a maximum size.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, TypeVar
from zoneinfo import ZoneInfo

import pydantic
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from . import limits
from .enums import AccountState, ConsentBasis, Medium, NoticeKind, OutcomeStatus, Role
from .safejson import check_value
from .validation import (
    AddressLine,
    Amount,
    CurrencyCode,
    DayCount,
    Destination,
    EmailAddress,
    Identifier,
    LocaleTag,
    Name,
    PhoneNumber,
    ShortText,
    TimeZoneName,
    as_input_error,
    check_identifier,
    max_items,
)

__all__ = [
    "Account",
    "AccountState",
    "Attachment",
    "ConsentBasis",
    "ContactPoint",
    "EmailContact",
    "Medium",
    "Message",
    "Notice",
    "NoticeKind",
    "Outcome",
    "OutcomeStatus",
    "Party",
    "Person",
    "PhoneContact",
    "PostalAddress",
    "Receipt",
    "Recipient",
    "Restriction",
    "Role",
]


class SDKModel(BaseModel):
    """Base of every SDK model: frozen, no unknown fields, our typed errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except pydantic.ValidationError as exc:
            error = as_input_error(exc, _snake(type(self).__name__))
        # Raised outside the except block: pydantic's error keeps the input values and
        # must not ride along as __context__.
        raise error

    # Not a custom __init__ to pydantic: a nested model (the debtor of an account, each
    # contact point) is then validated inside pydantic-core, not by calling this method
    # for each one (six Python round trips per portfolio row). Its errors reach the
    # outer model with their full path, which as_input_error turns into ours alike.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Self:
        """Validate ``obj`` (a dict or model), raising our typed error on bad input."""
        try:
            return super().model_validate(
                obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
            )
        except pydantic.ValidationError as exc:
            error = as_input_error(exc, _snake(cls.__name__))
        raise error


_MAX_PROFILES = max_items(limits.MAX_PROFILES, "MAX_PROFILES", "profiles")


def _check_data(value: Any) -> Any:
    if isinstance(value, dict):
        check_value(value, "data")  # our error: pydantic re-roots it under the notice
    return value


def _check_key(value: str) -> str:
    return check_identifier(value) if value else value


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class _ContactBase(SDKModel):
    consent: ConsentBasis = ConsentBasis.CONTRACT
    opted_out: bool = False
    label: Name | None = None


class PhoneContact(_ContactBase):
    """A phone number, normalized to E.164."""

    kind: Literal["phone"] = "phone"
    value: PhoneNumber
    line_type: Literal["mobile", "landline", "work", "unknown"] = "mobile"


class EmailContact(_ContactBase):
    """An email address; ``is_work`` marks an employer-provided address."""

    kind: Literal["email"] = "email"
    value: EmailAddress
    is_work: bool = False


class PostalAddress(_ContactBase):
    """A postal address for letters and visits."""

    kind: Literal["address"] = "address"
    lines: Annotated[
        tuple[AddressLine, ...],
        BeforeValidator(max_items(limits.MAX_ADDRESS_LINES, "MAX_ADDRESS_LINES", "lines")),
        Field(min_length=1),
    ]
    city: AddressLine
    region: AddressLine | None = None
    postal_code: ShortText | None = None
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")

    @property
    def value(self) -> str:
        """The address on one line."""
        parts = [*self.lines, self.city, self.region or "", self.postal_code or "", self.country]
        return ", ".join(p for p in parts if p)


def _check_kind(value: Any) -> Any:
    """Refuse an unknown ``kind`` before pydantic's tagged union reads it (pydantic
    would quote the tag, and cannot even print a 5 000-digit int one)."""
    if isinstance(value, dict) and value.get("kind") not in (None, *_CONTACT_KINDS):
        kinds = ", ".join(_CONTACT_KINDS)
        raise PydanticCustomError("json_value", "unknown kind (one of {kinds})", {"kinds": kinds})
    return value


_CONTACT_KINDS = ("phone", "email", "address")

ContactPoint = Annotated[
    PhoneContact | EmailContact | PostalAddress,
    Field(discriminator="kind"),
    BeforeValidator(_check_kind),
]
"""A phone number, email address or postal address, each with consent and opt-out state."""


class Person(SDKModel):
    """A natural person: the debtor, a guarantor, an emergency contact, an attorney."""

    person_id: Identifier
    name: Name = Field(min_length=1)
    national_id: ShortText | None = None
    locale: LocaleTag = "zh-CN"
    time_zone: TimeZoneName | None = None
    location_confirmed: bool = False
    """True when the person confirmed they are in ``time_zone``: contact hours are then
    read there alone. Otherwise every location on record counts (the phone's area code,
    the addresses' regions): see :mod:`notifysdk.compliance.zones`."""
    country: str | None = Field(default=None, min_length=2, max_length=2)
    contacts: Annotated[
        tuple[ContactPoint, ...],
        BeforeValidator(
            max_items(limits.MAX_CONTACTS_PER_PERSON, "MAX_CONTACTS_PER_PERSON", "contact points")
        ),
    ] = ()

    def contacts_of(self, kind: str) -> tuple[ContactPoint, ...]:
        """The contact points of one kind (``phone``, ``email``, ``address``)."""
        return tuple(c for c in self.contacts if c.kind == kind)


class Party(SDKModel):
    """A person connected to an account in a role other than debtor."""

    person: Person
    role: Role


class Account(SDKModel):
    """One overdue loan and the people connected to it."""

    account_id: Identifier
    loan_id: Identifier
    institution: Name = Field(min_length=1)
    agency: Name | None = None
    currency: CurrencyCode
    principal: Amount
    overdue_amount: Amount
    penalty_interest: Amount = Decimal("0")
    due_date: date
    days_overdue: DayCount
    debtor: Person
    parties: Annotated[
        tuple[Party, ...],
        BeforeValidator(
            max_items(limits.MAX_PARTIES_PER_ACCOUNT, "MAX_PARTIES_PER_ACCOUNT", "parties")
        ),
    ] = ()
    profiles: Annotated[tuple[Identifier, ...], BeforeValidator(_MAX_PROFILES)] = ("cn",)
    states: frozenset[AccountState] = frozenset()

    @property
    def total_due(self) -> Decimal:
        """Overdue amount plus penalty interest."""
        return self.overdue_amount + self.penalty_interest


class Recipient(SDKModel):
    """Who a notice goes to: a person in a role."""

    person: Person
    role: Role = Role.DEBTOR


class Notice(SDKModel):
    """One notice to send: what kind, on which channel, to whom, in which locale.

    ``idempotency_key`` is derived deterministically from the other fields when not
    given, so building the same notice twice yields the same key.
    """

    kind: NoticeKind
    channel: Identifier
    account: Account
    recipient: Recipient
    to: Destination | None = None
    """The destination (number, address); when ``None`` the channel picks one of the
    recipient's contact points of its kind that is not opted out."""
    locale: LocaleTag | None = None
    data: Annotated[dict[str, Any], BeforeValidator(_check_data)] = Field(default_factory=dict)
    """Extra template data: JSON-like, at most :data:`~notifysdk.limits.MAX_JSON_DEPTH`
    deep and :data:`~notifysdk.limits.MAX_NOTICE_DATA_CHARS` large."""
    profiles: Annotated[tuple[Identifier, ...] | None, BeforeValidator(_MAX_PROFILES)] = None
    idempotency_key: Annotated[str, AfterValidator(_check_key)] = ""
    stage: Identifier | None = None
    attachments: Annotated[
        tuple[Attachment, ...],
        BeforeValidator(max_items(limits.MAX_ATTACHMENTS, "MAX_ATTACHMENTS", "attachments")),
    ] = ()
    """Files sent with the message (a PDF letter). The leak guard cannot read them, so a
    notice with attachments is blocked unless its channel and role allow full disclosure."""

    def model_post_init(self, __context: Any) -> None:
        if self.locale is None:
            object.__setattr__(self, "locale", self.recipient.person.locale)
        if self.profiles is None:
            object.__setattr__(self, "profiles", self.account.profiles)
        if not self.idempotency_key:
            object.__setattr__(self, "idempotency_key", self.derive_key())

    def derive_key(self) -> str:
        """The deterministic key: a hash of what makes this notice this notice."""
        basis = {
            "kind": self.kind.value,
            "channel": self.channel,
            "account": self.account.account_id,
            "loan": self.account.loan_id,
            "person": self.recipient.person.person_id,
            "role": self.recipient.role.value,
            "to": self.to,
            "locale": self.locale,
            "stage": self.stage,
            "data": self.data,
        }
        blob = json.dumps(basis, sort_keys=True, default=str, ensure_ascii=False)
        return "nk_" + hashlib.sha256(blob.encode()).hexdigest()[:32]

    @property
    def effective_locale(self) -> str:
        """The locale the notice renders in."""
        return self.locale or self.recipient.person.locale

    @property
    def effective_profiles(self) -> tuple[str, ...]:
        """The compliance profiles the notice runs under."""
        return self.profiles if self.profiles is not None else self.account.profiles


class Attachment(SDKModel):
    """A file carried by a message (a PDF letter)."""

    # JSON (the ledger stores notices as JSON) carries the bytes as base64.
    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64"
    )

    filename: str = Field(min_length=1)
    content_type: str = "application/octet-stream"
    data: bytes


class Message(SDKModel):
    """What a channel receives: rendered, masked, checked content for one destination."""

    idempotency_key: str
    channel: str
    medium: Medium
    to: str
    locale: str
    subject: str | None = None
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


_MESSAGE_SET = frozenset(
    (
        "idempotency_key",
        "channel",
        "medium",
        "to",
        "locale",
        "subject",
        "body",
        "html",
        "attachments",
        "metadata",
    )
)
"""The fields :func:`_message` is given (the fields set of the message it builds)."""


_M = TypeVar("_M", bound=SDKModel)


def _built(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """An instance of ``cls`` holding ``values`` (every field, in order) as validation
    would leave it, built without validation: for values already exact (see
    :func:`_message`, :func:`_outcome`). No extra and no private values."""
    model = cls.__new__(cls)
    _set = object.__setattr__
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _message(
    idempotency_key: str,
    channel: str,
    medium: Medium,
    to: str,
    locale: str,
    subject: str | None,
    body: str,
    html: str | None,
    attachments: tuple[Attachment, ...],
    metadata: dict[str, Any],
) -> Message:
    """``Message(idempotency_key=..., ..., metadata=...)`` (every field but ``headers``
    given), without pydantic's validation when every value already is what it would
    keep: a plain ``str`` (``None`` for subject and html), a :class:`Medium`, a tuple of
    :class:`Attachment` instances (validation keeps instances as they are) and a dict with
    ``str`` keys (validation copies it: pass a fresh one, it is kept). The same object:
    the same ``__dict__`` (field order, ``headers`` a new empty dict), fields set, no
    extra and no private values. Anything else (a ``str`` subclass such as ``Markup``, a
    medium given as text) takes the validating constructor. The dispatcher builds one
    message per notice (3 -> 0.6 us)."""
    if (
        type(idempotency_key) is str
        and type(channel) is str
        and type(medium) is Medium
        and type(to) is str
        and type(locale) is str
        and (subject is None or type(subject) is str)
        and type(body) is str
        and (html is None or type(html) is str)
        and type(attachments) is tuple
        and type(metadata) is dict
    ):
        # loops, not all() over a generator: these few items cost less than one
        for attachment in attachments:
            if type(attachment) is not Attachment:
                break
        else:
            for key in metadata:
                if type(key) is not str:
                    break
            else:
                return _built(
                    Message,
                    {
                        "idempotency_key": idempotency_key,
                        "channel": channel,
                        "medium": medium,
                        "to": to,
                        "locale": locale,
                        "subject": subject,
                        "body": body,
                        "html": html,
                        "attachments": attachments,
                        "headers": {},
                        "metadata": metadata,
                    },
                    set(_MESSAGE_SET),
                )
    return Message(
        idempotency_key=idempotency_key,
        channel=channel,
        medium=medium,
        to=to,
        locale=locale,
        subject=subject,
        body=body,
        html=html,
        attachments=attachments,
        metadata=metadata,
    )


class Receipt(SDKModel):
    """What a channel returns when a provider accepted a message."""

    channel: str
    provider_id: str | None = None
    status: str = "accepted"
    accepted_at: AwareDatetime
    detail: dict[str, Any] = Field(default_factory=dict)


HELD_RULES = frozenset({"recovery-hold", "unknown-hold"})
"""Rules of a ``dead_lettered`` outcome that hold a notice whose delivery is unknown."""

INTERNAL_ERROR_RULE = "internal-error"
"""The rule of a ``failed`` outcome ended by an unexpected exception while the notice
was prepared or sent (a bug, a value no bound caught): the notice, and in a campaign its
portfolio row, failed; the run goes on. Its reason names the exception's type only."""


class Restriction(SDKModel):
    """Why a notice went out in a restricted form: the limited-content ``variant`` it
    was rendered as, the ``rule`` and ``profile`` whose RESTRICT vote picked it, and the
    vote's ``reason`` (masked like every outcome reason)."""

    variant: str
    rule: str
    profile: str | None = None
    reason: str | None = None


class Outcome(SDKModel):
    """How a notice ended: the status and everything needed to explain it."""

    idempotency_key: str
    status: OutcomeStatus
    channel: str
    at: AwareDatetime
    until: AwareDatetime | None = None
    """For ``deferred``: the earliest instant the notice may go."""
    rule: str | None = None
    profile: str | None = None
    reason: str | None = None
    provider_code: str | None = None
    receipt: Receipt | None = None
    attempts: int = 0
    duplicate: bool = False
    """True when the ledger already held an outcome for this key and nothing was sent."""
    restriction: Restriction | None = None
    """Set when a RESTRICT vote had the notice rendered as a limited-content variant
    (whatever ended it after that): what was sent, or would have been, and why. ``rule``
    and ``reason`` above name what ended the notice (``None`` for ``delivered``)."""

    @property
    def ok(self) -> bool:
        """True for ``delivered``."""
        return self.status is OutcomeStatus.DELIVERED

    @property
    def held(self) -> bool:
        """True for a notice held for an operator because nobody can tell whether it went
        out (``dead_lettered`` by ``recovery-hold`` or ``unknown-hold``): not a failure,
        so a campaign does not fall back to another medium."""
        return self.status is OutcomeStatus.DEAD_LETTERED and self.rule in HELD_RULES


_ZONES = (timezone, ZoneInfo)
"""Zones that always give an offset: a plain ``datetime`` in one is what
``AwareDatetime`` keeps as it is."""

_OUTCOME_TYPES: dict[str, type] = {
    "until": datetime,
    "rule": str,
    "profile": str,
    "provider_code": str,
    "receipt": Receipt,
    "attempts": int,
    "duplicate": bool,
    "restriction": Restriction,
}
"""The fields :func:`_outcome` takes as keywords, each with the exact type of a value
that validation keeps as it is (``None`` too, but for :data:`_OUTCOME_NOT_NONE`)."""

_OUTCOME_NOT_NONE = frozenset(("attempts", "duplicate"))

_OUTCOME_TEMPLATE: dict[str, Any] = {
    name: None if info.is_required() else info.default
    for name, info in Outcome.model_fields.items()
}
"""Every field in order, the optional ones at their defaults (immutable: None, 0, False)."""

_OUTCOME_GIVEN = ("idempotency_key", "status", "channel", "at", "reason")


def _outcome(
    idempotency_key: str,
    status: OutcomeStatus,
    channel: str,
    at: datetime,
    reason: str | None,
    kw: dict[str, Any],
) -> Outcome:
    """``Outcome(idempotency_key=..., status=..., channel=..., at=..., reason=..., **kw)``
    without pydantic's validation when every value already is what it would keep: plain
    ``str`` (or ``None``), an :class:`OutcomeStatus`, a plain ``datetime`` in a
    ``timezone`` or ``ZoneInfo``, an exact ``int`` attempts and ``bool`` duplicate, a
    :class:`Receipt` and :class:`Restriction` instance (kept as they are). The same object:
    the same ``__dict__`` (field order, defaults), fields set (the names given), no extra
    and no private values. Anything else (an unknown keyword, a ``str`` subclass, a
    status given as text, a naive or other-zoned datetime) takes the validating
    constructor, with its errors. Every outcome of the dispatcher is built here."""
    if (
        type(idempotency_key) is str
        and type(status) is OutcomeStatus
        and type(channel) is str
        and type(at) is datetime
        and type(at.tzinfo) in _ZONES
        and (reason is None or type(reason) is str)
    ):
        types = _OUTCOME_TYPES
        for name, value in kw.items():
            kind = types.get(name)
            if kind is None:
                break  # not a field, or one given twice: the constructor says so
            if type(value) is not kind:
                if value is not None or name in _OUTCOME_NOT_NONE:
                    break
            elif kind is datetime and type(kw[name].tzinfo) not in _ZONES:
                break
        else:
            values = _OUTCOME_TEMPLATE.copy()
            values["idempotency_key"] = idempotency_key
            values["status"] = status
            values["channel"] = channel
            values["at"] = at
            values["reason"] = reason
            fields_set = set(_OUTCOME_GIVEN)
            if kw:
                values.update(kw)
                fields_set.update(kw)
            return _built(Outcome, values, fields_set)
    return Outcome(
        idempotency_key=idempotency_key,
        status=status,
        channel=channel,
        at=at,
        reason=reason,
        **kw,
    )
