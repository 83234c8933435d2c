"""What every domestic Chinese SMS channel shares, whatever its provider's SDK: settings
with a sign and approved templates, and a channel that turns a rendered message into the
approved template's parameters before a send.

A provider plugin (Alibaba Cloud, Tencent Cloud…) subclasses both:

- :class:`TemplatedSmsSettings` with its credentials and endpoint (``CREDENTIAL_ENV``
  names the environment variables its SDK reads for them, ``SYNTAX`` its placeholder
  syntax), overriding a default where its provider differs (``max_param_chars``);
- :class:`TemplatedSmsChannel` with ``send`` and ``reconcile`` through its SDK, and
  :meth:`TemplatedSmsChannel.wire_params` when the parameters travel otherwise than as
  a name → value mapping (Tencent's ordered list).

The channel finds the approved template of the message's kind and locale, picks the
sign (the body's own 【sign】 when it is registered on the account, else ``sign_name``),
reads the parameters out of the body and requires the approved text filled in with
them to be the body (:mod:`notifysdk.approved_templates`), and declares to the
compliance rules that it is a domestic carrier route adding its sign itself
(``content_traits``, read as :attr:`notifysdk.policy.RuleContext.channel_traits`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from .approved_templates import (
    DOLLAR_BRACES,
    ApprovedTemplate,
    PlaceholderSyntax,
    approved_form,
    find_template,
    signed_as,
    split_sign,
)
from .channels import BaseChannel, Disclosure
from .clock import Clock
from .config_errors import configuration_error
from .enums import Medium
from .models import Message

__all__ = ["ApprovedTemplateSpec", "TemplatedSmsChannel", "TemplatedSmsSettings"]


class ApprovedTemplateSpec(BaseModel):
    """One approved template: the provider's code (template ID) and the approved text."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    code: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=500)


class TemplatedSmsSettings(BaseModel):
    """The settings every templated SMS channel has; ``templates`` is kind → locale →
    :class:`ApprovedTemplateSpec`."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    CREDENTIAL_ENV: ClassVar[Mapping[str, str]] = {}
    """Setting → the environment variable its SDK reads it from when the section has none."""
    SYNTAX: ClassVar[PlaceholderSyntax] = DOLLAR_BRACES
    """How the provider writes a parameter in an approved text."""
    MAX_CODE_CHARS: ClassVar[int] = 64
    """The longest template code (ID) the provider issues."""

    callback_token: SecretStr | None = None
    """The secret ``token`` query parameter of the push URLs registered in the console
    (``notifysdk serve`` refuses pushes without it)."""
    sign_name: str = Field(min_length=1, max_length=20)
    """The approved sign, without 【】."""
    sign_names: tuple[str, ...] = ()
    """Other signs registered on the same account (one lender, several brands): a body
    signed 【one of them】 goes out under it; any other sign is refused before sending."""
    registered_domains: tuple[str, ...] = ()
    """Domains the SMS may link to, as registered with the provider (ICP-filed and in
    the approved templates): the ``cn`` profile's ``carrier-links`` rule refuses a link
    to any other (subdomains count)."""
    protocol: Literal["https", "http"] = "https"
    timeout_seconds: float = Field(10.0, gt=0)
    """Read timeout: past it a sent request may have been taken (ambiguous)."""
    max_param_chars: int = Field(35, ge=1)
    """Longest template parameter the provider accepts."""
    max_segments: int = Field(3, ge=1)
    templates: dict[str, dict[str, ApprovedTemplateSpec]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _codes_fit(self) -> Self:
        for kind, by_locale in self.templates.items():
            for locale, spec in by_locale.items():
                if len(spec.code) > self.MAX_CODE_CHARS:
                    raise ValueError(
                        f"templates.{kind}.{locale}.code: longer than the provider's "
                        f"{self.MAX_CODE_CHARS} characters"
                    )
        return self

    @classmethod
    def load(cls, section: Mapping[str, Any], *, name: str) -> Self:
        """From the channel's section over the environment (``CREDENTIAL_ENV``); a typed
        error naming each setting's location (never a value) when invalid."""
        data = dict(section)
        for setting, variable in cls.CREDENTIAL_ENV.items():
            data.setdefault(setting, os.environ.get(variable))
        data = {k: v for k, v in data.items() if v is not None}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise configuration_error(
                exc, f"invalid {name} settings", location=f"notifysdk.channels.{name}"
            ) from None

    def approved(self) -> dict[tuple[str, str], ApprovedTemplate]:
        """Every template parsed once, by (kind, locale)."""
        return {
            (kind, locale): ApprovedTemplate.parse(
                f"{kind}/{locale}", spec.code, spec.text, self.SYNTAX
            )
            for kind, by_locale in self.templates.items()
            for locale, spec in by_locale.items()
        }


S = TypeVar("S", bound=TemplatedSmsSettings)


class TemplatedSmsChannel(BaseChannel, Generic[S]):
    """A domestic SMS channel sending approved templates only (see the module)."""

    medium = Medium.SMS
    disclosure = Disclosure.LIMITED
    contact_kind = "phone"

    def __init__(self, name: str, settings: S, clock: Clock) -> None:
        self.name = name
        self.settings = settings
        self.clock = clock
        self.templates: dict[tuple[str, str], ApprovedTemplate] = settings.approved()
        self.content_traits: Mapping[str, object] = MappingProxyType(
            {
                "carrier_route": "cn",
                "sign_name": settings.sign_name,
                "registered_domains": settings.registered_domains,
            }
        )
        """What the compliance rules must know of the form this channel delivers
        (``RuleContext.channel_traits``): a domestic carrier route that adds the
        configured 【sign】 itself, whose links may go to the registered domains."""

    def sign_for(self, message: Message) -> str:
        """The sign ``message`` goes out under: its own 【sign】 when it is one of the
        ``sign_names`` registered beside ``sign_name``, else ``sign_name``."""
        return signed_as(message.body, self.settings.sign_name, self.settings.sign_names)

    def sender_id(self, message: Message) -> str:
        """What the provider's and carriers' flow control counts: the sign the message
        goes out under (the rate limiter's sender, see ``notifysdk.ratelimit``)."""
        return self.sign_for(message)

    def template_for(self, message: Message) -> ApprovedTemplate:
        """The approved template of the message's kind and locale."""
        return find_template(self.templates, message, self.name)

    def wire_params(self, template: ApprovedTemplate, values: dict[str, str]) -> Any:
        """The parameters as the provider's send takes them: name → value here."""
        return values

    def prepare(self, message: Message) -> tuple[ApprovedTemplate, Any, str]:
        """The template, its parameters (as :meth:`wire_params` gives them) and the
        content (the body less its 【sign】), checked against the approved text; raises
        before anything is sent."""
        template = self.template_for(message)
        content = split_sign(message.body, self.sign_for(message), template)
        values = template.extract(content, max_chars=self.settings.max_param_chars)
        return template, self.wire_params(template, values), content

    def approved_form(self, message: Message) -> dict[str, object]:
        """What a send of ``message`` would carry, for ``notifysdk preview``: the sign,
        the template code and approved text, the parameters and the segments billed.
        Raises as :meth:`send` would before sending (a mismatch, a missing template)."""
        template, params, content = self.prepare(message)
        return approved_form(self.sign_for(message), template, params, content)
