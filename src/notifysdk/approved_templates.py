"""Approved templates as data: a provider's template code and a local copy of the
approved text with its placeholders (``${name}`` at Alibaba Cloud, ``{1}`` at Tencent
Cloud: a :class:`PlaceholderSyntax`).

A domestic Chinese SMS cannot carry free text: the carrier delivers the approved
template with the parameters filled in. So before a send a channel takes what the SDK
rendered, masked and linted (the :class:`~notifysdk.models.Message` body, less the
【sign】 prefix), reads the parameters out of it by matching the approved text as a
pattern, renders the approved text with them and requires the two to be equal: what the
compliance engine checked is then exactly what the carrier delivers. The China SMS
plugins share this engine (through :mod:`notifysdk.plugin`).

Errors name the template, the parameter and the position, never a parameter's value
(it is the borrower's name or an amount).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self, TypeVar

from .errors import InvalidInputError

if TYPE_CHECKING:
    from .models import Message


@dataclass(frozen=True)
class PlaceholderSyntax:
    """How a provider writes a parameter in an approved text: ``pattern``'s group 1 is
    the parameter's name, written back as ``opening + name + closing``; ``numbered``:
    the names are ``1``..``n`` without gaps (parameters travel as a list in that order)."""

    pattern: re.Pattern[str]
    opening: str
    closing: str
    numbered: bool = False

    def show(self, param: str) -> str:
        """A placeholder as the approved text writes it."""
        return self.opening + param + self.closing


DOLLAR_BRACES = PlaceholderSyntax(re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"), "${", "}")
"""``${name}`` (Alibaba Cloud SMS)."""

NUMBERED_BRACES = PlaceholderSyntax(re.compile(r"\{([1-9][0-9]?)\}"), "{", "}", numbered=True)
"""``{1}``, ``{2}``… (Tencent Cloud SMS)."""


_SIGN = re.compile(r"^【([^【】]{1,20})】")
_EXCERPT = 12


class TemplateMismatchError(InvalidInputError):
    """The rendered message is not the approved template with parameters filled in."""

    code = "approved_template"


class NoApprovedTemplateError(InvalidInputError):
    """No approved template is configured for the notice's kind and locale."""

    code = "approved_template"


class TemplateParamError(InvalidInputError):
    """A template parameter is missing (empty) or longer than the provider allows."""

    code = "template_param"


@dataclass(frozen=True)
class ApprovedTemplate:
    """One approved template: ``name`` (``KIND/LOCALE``), the provider's ``code`` and
    the approved ``text``; ``literals`` are the fixed pieces around ``params`` (the
    placeholder names in order, repeats included: ``len(literals) == len(params) + 1``).
    """

    name: str
    code: str
    text: str
    literals: tuple[str, ...]
    params: tuple[str, ...]
    pattern: re.Pattern[str]
    syntax: PlaceholderSyntax = field(default=DOLLAR_BRACES, compare=False)

    @classmethod
    def parse(
        cls, name: str, code: str, text: str, syntax: PlaceholderSyntax = DOLLAR_BRACES
    ) -> Self:
        """Split ``text`` at its placeholders and compile the matching pattern once."""
        show = syntax.show
        literals: list[str] = []
        params: list[str] = []
        pos = 0
        for m in syntax.pattern.finditer(text):
            literals.append(text[pos : m.start()])
            params.append(m.group(1))
            pos = m.end()
        literals.append(text[pos:])
        for i, lit in enumerate(literals[1:-1], start=1):
            if not lit:
                raise InvalidInputError(
                    f"templates.{name}.text",
                    f"placeholders {show(params[i - 1])} and {show(params[i])} touch: the "
                    "parameters could not be told apart in the rendered text",
                )
        groups: dict[str, str] = {}
        regex = [re.escape(literals[0])]
        for param, lit in zip(params, literals[1:], strict=True):
            if param in groups:
                regex.append(f"(?P={groups[param]})")
            else:
                groups[param] = f"v{len(groups)}"
                regex.append(f"(?P<{groups[param]}>.*?)")
            regex.append(re.escape(lit))
        if syntax.numbered:
            numbers = sorted(int(p) for p in groups)
            if numbers != list(range(1, len(numbers) + 1)):
                raise InvalidInputError(
                    f"templates.{name}.text",
                    f"placeholders must be numbered {show('1')}..{show('n')} without gaps",
                )
        pattern = re.compile("".join(regex), re.DOTALL)
        return cls(name, code, text, tuple(literals), tuple(params), pattern, syntax)

    def param_set(self, values: Mapping[str, str]) -> list[str]:
        """The values of a numbered syntax's ``{1}``…``{n}``, in order (Tencent's
        ``TemplateParamSet``)."""
        return [values[str(i)] for i in range(1, len(self.names) + 1)]

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct parameter names, in their first order."""
        return tuple(dict.fromkeys(self.params))

    def render(self, values: Mapping[str, str]) -> str:
        """The approved text with ``values`` filled in (as the carrier will deliver it)."""
        out = [self.literals[0]]
        for param, lit in zip(self.params, self.literals[1:], strict=True):
            out.append(values[param])
            out.append(lit)
        return "".join(out)

    def extract(self, content: str, *, max_chars: int) -> dict[str, str]:
        """The parameters that make the approved text equal ``content``.

        Raises :class:`TemplateMismatchError` naming the template and the first
        difference, or :class:`TemplateParamError` for an empty parameter or one longer
        than ``max_chars``; nothing is sent in either case.
        """
        m = self.pattern.fullmatch(content)
        if m is None:
            raise TemplateMismatchError("message.body", self._first_difference(content))
        values = dict(zip(self.names, m.groups(), strict=True))
        for name, value in values.items():
            if not value.strip():
                raise TemplateParamError(
                    f"template_param.{name}",
                    f"template {self.name} ({self.code}): the parameter is empty",
                )
            if len(value) > max_chars:
                raise TemplateParamError(
                    f"template_param.{name}",
                    f"template {self.name} ({self.code}): {len(value)} characters, over "
                    f"the provider's limit of {max_chars}",
                )
        if self.render(values) != content:  # the pattern makes this hold; kept as the rule
            raise TemplateMismatchError("message.body", self._first_difference(content))
        return values

    def _first_difference(self, content: str) -> str:
        """Where ``content`` first leaves the approved text (quoting the approved side
        only: the message carries personal data)."""
        head = f"template {self.name} ({self.code}) no longer matches its approved text"
        pos = 0
        for i, lit in enumerate(self.literals):
            if i == 0:
                found = pos if content.startswith(lit) else -1
            elif lit == "" and i == len(self.literals) - 1:
                return head + ": the message matches up to a trailing parameter"
            else:
                found = content.find(lit, pos) if lit else pos
            after = f" after {self.syntax.show(self.params[i - 1])}" if i else ""
            if found < 0:
                common = (
                    _common_prefix(content, lit, pos)
                    if i == 0
                    else _found_prefix(content, lit, pos)
                )
                if i:  # the parameter's end is unknown: locate the longest prefix found
                    pos = content.find(lit[:common], pos) if common else pos
                expected = lit[common : common + _EXCERPT]
                return (
                    f"{head}: the approved text expects {expected!r}{after} at character "
                    f"{pos + common} of the message (template text offset "
                    f"{self._offset(i) + common})"
                )
            pos = found + len(lit)
        return f"{head}: the message runs on past the approved text's end at character {pos}"

    def _offset(self, literal_index: int) -> int:
        """Offset in the approved text of literal ``literal_index``."""
        offset = 0
        for i in range(literal_index):
            offset += len(self.literals[i]) + len(self.syntax.show(self.params[i]))
        return offset


def _common_prefix(content: str, literal: str, start: int) -> int:
    n = 0
    limit = min(len(literal), len(content) - start)
    while n < limit and content[start + n] == literal[n]:
        n += 1
    return n


def _found_prefix(content: str, literal: str, start: int) -> int:
    """Length of the longest prefix of ``literal`` that occurs in ``content`` from ``start``."""
    for k in range(len(literal) - 1, 0, -1):
        if content.find(literal[:k], start) >= 0:
            return k
    return 0


def signed_as(body: str, sign_name: str, others: Collection[str] = ()) -> str:
    """The sign a send of ``body`` goes out under: its own leading 【sign】 when that is
    ``sign_name`` or one of the ``others`` registered on the account (one lender, several
    brands), else ``sign_name`` (and :func:`split_sign` then refuses a body signed with a
    name that is not registered)."""
    m = _SIGN.match(body.lstrip())
    if m is not None and m.group(1) in others:
        return m.group(1)
    return sign_name


def split_sign(body: str, sign_name: str, template: ApprovedTemplate) -> str:
    """The template part of ``body``: without its leading 【sign】, which must be the
    configured sign name (the provider adds it itself); a body without one is the
    template part as it is. Trailing white space (a template file's last newline) is
    not part of an SMS."""
    body = body.rstrip()
    m = _SIGN.match(body)
    if m is None:
        return body
    if m.group(1) != sign_name:
        raise TemplateMismatchError(
            "message.body",
            f"template {template.name} ({template.code}): the message is signed 【…】 with "
            "another name than the configured sign_name",
        )
    return body[m.end() :]


@dataclass(frozen=True)
class SegmentCount:
    """How the provider bills a domestic SMS: every character counts as one, the
    【sign】 included; up to 70 in one SMS, 67 a part beyond."""

    characters: int
    segments: int

    def as_detail(self) -> dict[str, int]:
        """The count as a receipt detail (numbers only)."""
        return {"characters": self.characters, "segments": self.segments}


def count_segments(sign_name: str, content: str) -> SegmentCount:
    """Segments of ``【sign_name】content`` as the provider bills them."""
    n = len(sign_name) + 2 + len(content)
    return SegmentCount(n, 1 if n <= 70 else -(-n // 67))


_T = TypeVar("_T", bound=ApprovedTemplate)


def find_template(templates: Mapping[tuple[str, str], _T], message: Message, channel: str) -> _T:
    """The approved template of ``message``'s kind and locale, else
    :class:`NoApprovedTemplateError` (a templated channel cannot send free text)."""
    kind = str(message.metadata.get("kind") or "")
    found = templates.get((kind, message.locale))
    if found is None:
        raise NoApprovedTemplateError(
            "message.metadata.kind",
            f"no approved template configured for {kind or '(no kind)'}/{message.locale} "
            f"on {channel}: free text cannot be sent",
        )
    return found


def check_segments(sign_name: str, content: str, max_segments: int) -> SegmentCount:
    """:func:`count_segments`, refused (:class:`InvalidInputError`) past ``max_segments``."""
    segments = count_segments(sign_name, content)
    if segments.segments > max_segments:
        raise InvalidInputError(
            "message.body",
            f"needs {segments.segments} SMS ({segments.characters} characters with the "
            f"sign), more than the configured maximum of {max_segments}",
        )
    return segments


def approved_form(
    sign_name: str, template: ApprovedTemplate, params: object, content: str
) -> dict[str, object]:
    """What a send would carry, as ``notifysdk preview`` shows it: the sign, the
    provider's template code and approved text, the parameters, the segments billed."""
    return {
        "sign_name": sign_name,
        "template_code": template.code,
        "approved_text": template.text,
        "params": params,
        **count_segments(sign_name, content).as_detail(),
    }
