"""Rendering notices with sandboxed jinja2.

Templates live in registered folders as ``KIND/MEDIUM.LOCALE.PART.j2`` where PART is
``subject``, ``txt`` or ``html`` (for example ``overdue_notice/sms.zh-CN.txt.j2``), or as
``KIND/CHANNEL.LOCALE.PART.j2`` for one channel only (``overdue_notice/wecom-bot.en.txt.j2``):
a channel's own templates are looked up before its medium's, so a plugin's templates
for its channel never change what another channel of the same medium sends (a plugin
that means to override a medium names the medium). The body decides: when a channel has
its own body template, its subject and html come from its own templates too. A locale
such as ``en-US`` falls back to ``en``. Rendering uses :class:`StrictUndefined`
(an unknown variable is a :class:`~notifysdk.errors.TemplateError` naming it) and
autoescapes HTML parts.

Every part renders in :class:`~notifysdk.template_sandbox.BoundedSandbox` under the
bounds of :class:`~notifysdk.template_limits.TemplateLimits` (time, steps, sizes, depth):
a template that exceeds one raises :class:`~notifysdk.errors.TemplateBoundError`, and
whatever else a template's code raises (``OverflowError``, ``RecursionError``, a filter's
``ValueError``...) is a :class:`~notifysdk.errors.TemplateError` naming the template and
the exception's type, never a value.

The variables a template sees are the SDK's own (:func:`notice_context`); a notice's
``data`` is reachable under ``data`` only (``{{ data.agent_name }}``), so it can never
replace an SDK variable such as ``amount_due``.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import babel
import jinja2
import markupsafe
from babel.dates import format_date
from babel.numbers import format_currency

from .enums import Medium
from .errors import TemplateBoundError, TemplateError, UnknownLocaleError
from .frozen import fast_init
from .models import Notice
from .template_limits import DEFAULT_LIMITS, TemplateLimits
from .template_sandbox import (
    BoundedFileSystemLoader,
    BoundedSandbox,
    compile_error,
    render_bounded,
)

PARTS = ("subject", "txt", "html")

FRESH_SECONDS = 1.0
"""How long a compiled template is used before its file is looked at again: jinja's
auto-reload reads the file's mtime on every ``get_template``, and a run renders the same
few templates thousands of times a second. An edited template is picked up within this
long."""


@fast_init
@dataclass(frozen=True)
class Rendered:
    """The rendered parts of one notice."""

    template: str
    locale: str
    body: str
    subject: str | None = None
    html: str | None = None


@functools.lru_cache(maxsize=64)
def _babel_locale(locale: str) -> babel.Locale:
    # Parsing a locale is most of what formatting costs: parse each one once.
    return babel.Locale.parse(locale.replace("-", "_"))


def money(amount: Decimal | float | int, currency: str, locale: str = "en") -> str:
    """Format an amount in a currency for a locale (¥1,234.50 / $1,234.50)."""
    return _money(str(amount), currency, locale)


@functools.lru_cache(maxsize=4096)
def _money(amount: str, currency: str, locale: str) -> str:
    # Formatting is a third of a render; a campaign prints the same amounts many times.
    return format_currency(Decimal(amount), currency, locale=_babel_locale(locale))


def long_date(value: date | datetime, locale: str = "en") -> str:
    """Format a date in the locale's long style (2026年1月5日 / January 5, 2026)."""
    # Two aware datetimes of one instant are equal (and hash alike) in any zone, yet
    # fall on different dates: the UTC offset is part of the cache key.
    offset = value.utcoffset() if isinstance(value, datetime) else None
    return _long_date(value, offset, locale)


@functools.lru_cache(maxsize=1024)
def _long_date(value: date | datetime, offset: object, locale: str) -> str:
    return format_date(value, format="long", locale=_babel_locale(locale))


_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_MEDIA = frozenset(m.value for m in Medium)
"""A channel named like a medium (``sms``) has no templates of its own: the name is the
medium's."""


@functools.lru_cache(maxsize=256)
def _stems(medium: str, channel: str | None) -> tuple[str, ...]:
    """Where a channel's templates are looked up, in order: its own name (when it is a
    plain file-name word and not a medium's name), then its medium."""
    if channel and channel not in _MEDIA and _SAFE_STEM.fullmatch(channel):
        return (channel, medium)
    return (medium,)


def locale_candidates(locale: str) -> list[str]:
    """``en-US`` → ``["en-US", "en"]``."""
    out = [locale]
    if "-" in locale:
        out.append(locale.split("-", 1)[0])
    return out


class TemplateRenderer:
    """Finds and renders a notice's templates from the registered folders."""

    def __init__(
        self,
        dirs: Sequence[Path],
        filters: Mapping[str, Callable[..., Any]] | None = None,
        *,
        limits: TemplateLimits = DEFAULT_LIMITS,
    ) -> None:
        self.dirs = tuple(Path(d) for d in dirs)
        self.limits = limits
        loader = BoundedFileSystemLoader([str(d) for d in self.dirs], limits)
        self.env = BoundedSandbox(
            limits=limits,
            loader=loader,
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html", "html.j2"), default_for_string=False
            ),
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._names: dict[tuple[str, str, str, str], str | None] = {}
        self._parts: dict[tuple[str, str, str, str | None], tuple[str | None, str, str | None]] = {}
        """``(subject, body, html)`` template names by ``render``'s (kind, medium, locale,
        channel): see :meth:`_part_names`."""
        self._templates: dict[str, tuple[jinja2.Template, float]] = {}
        """Compiled templates by name, with the monotonic time until which they are
        used without looking at their file (see :data:`FRESH_SECONDS`)."""
        self.env.filters["money"] = money
        self.env.filters["long_date"] = long_date
        for name, fn in (filters or {}).items():
            self.env.filters[name] = fn

    def available_locales(self, kind: str, medium: str) -> list[str]:
        """Locales that have a body template for ``kind`` on ``medium``."""
        found = set()
        for d in self.dirs:
            for p in (d / kind).glob(f"{medium}.*.txt.j2"):
                found.add(p.name[len(medium) + 1 : -len(".txt.j2")])
        return sorted(found)

    def template_names(self) -> list[str]:
        """Every template name the renderer can see."""
        return sorted(set(self.env.list_templates(extensions=["j2"])))

    def _name(self, kind: str, medium: str, locale: str, part: str) -> str | None:
        key = (kind, medium, locale, part)
        if key not in self._names:
            self._names[key] = self._find_name(kind, medium, locale, part)
        return self._names[key]

    def _find_name(self, kind: str, medium: str, locale: str, part: str) -> str | None:
        for loc in locale_candidates(locale):
            name = f"{kind}/{medium}.{loc}.{part}.j2"
            try:
                self.env.get_template(name)
            except jinja2.TemplateNotFound:
                continue
            except Exception as exc:  # syntax, a bound, RecursionError...
                raise compile_error(name, exc) from None
            return name
        return None

    def template_for(
        self, kind: str, medium: str, locale: str, channel: str | None = None
    ) -> tuple[str, str] | None:
        """``(stem, body template name)`` a notice of ``kind`` on ``channel`` (of
        ``medium``) renders from: the channel's own template, else the medium's; ``None``
        when neither exists (``preview`` and ``lint`` show it per channel)."""
        for stem in _stems(medium, channel):
            name = self._name(kind, stem, locale, "txt")
            if name is not None:
                return stem, name
        return None

    def render(
        self,
        kind: str,
        medium: str,
        locale: str,
        context: Mapping[str, Any],
        *,
        channel: str | None = None,
    ) -> Rendered:
        """Render body (required), subject and html (optional) for one notice, from
        ``channel``'s own templates when it has a body template, else ``medium``'s."""
        subject_name, body_name, html_name = self._part_names(kind, medium, locale, channel)
        subject = (
            None if subject_name is None else self._render_one(subject_name, context, "subject")
        )
        body = self._render_one(body_name, context, "txt")
        html = None if html_name is None else self._render_one(html_name, context, "html")
        return Rendered(
            template=body_name,
            locale=locale,
            body=body,
            subject=" ".join(subject.split()) if subject is not None else None,
            html=html,
        )

    def _part_names(
        self, kind: str, medium: str, locale: str, channel: str | None
    ) -> tuple[str | None, str, str | None]:
        """The template names of :data:`PARTS` (subject, body, html) that :meth:`render`
        renders, kept once found (the lookups behind them are kept for good in
        ``_names``, so they do not change after)."""
        key = (kind, medium, locale, channel)
        names = self._parts.get(key)
        if names is not None:
            return names
        found = self.template_for(kind, medium, locale, channel)
        stem, body_name = found if found is not None else (medium, None)
        if body_name is None:
            have = sorted(
                {loc for st in _stems(medium, channel) for loc in self.available_locales(kind, st)}
            )
            if have:
                raise UnknownLocaleError(
                    "notice.locale",
                    f"no {medium} template for {kind} in locale {locale!r}"
                    f" (have: {', '.join(have)})",
                )
            raise TemplateError("notice.kind", f"no {medium} template for notice kind {kind!r}")
        names = self._parts[key] = (
            self._name(kind, stem, locale, "subject"),
            body_name,
            self._name(kind, stem, locale, "html"),
        )
        return names

    def _render_one(self, name: str, context: Mapping[str, Any], part: str) -> str:
        return self.render_file(name, context, part).strip() + "\n"

    def render_file(self, name: str, context: Mapping[str, Any], part: str = "txt") -> str:
        """Render the template ``name`` as it is (not stripped), under the bounds; any
        failure is a :class:`~notifysdk.errors.TemplateError` naming it."""
        return render_bounded(self.env, self._template(name), context, name=name, part=part)

    def _template(self, name: str) -> jinja2.Template:
        """The compiled template ``name``; jinja checks that it is up to date at most
        every :data:`FRESH_SECONDS`. Any failure is a :class:`TemplateError` naming it."""
        now = time.monotonic()
        kept = self._templates.get(name)
        if kept is not None and now < kept[1]:
            return kept[0]
        try:
            template = self.env.get_template(name)
        except Exception as exc:  # not found, syntax, a bound...
            raise compile_error(name, exc) from None
        self._templates[name] = (template, now + FRESH_SECONDS)
        return template

    def render_string(self, source: str, context: Mapping[str, Any]) -> str:
        """Render a template given as a string (for previews and tests), under the bounds."""
        try:
            template = self.env.from_string(source)
        except Exception as exc:  # syntax, a bound, RecursionError...
            raise compile_error("<string>", exc) from None
        return render_bounded(self.env, template, context, name="<string>", source=source)


def read_source(path: Path, limits: TemplateLimits = DEFAULT_LIMITS) -> str:
    """A template file's source, for tools that read it themselves (``notifysdk lint``).

    A file larger than ``limits.source_chars``, one that is not UTF-8 and one that cannot
    be read are a :class:`~notifysdk.errors.TemplateError` naming the file, never its
    content.
    """
    name = path.as_posix()
    try:
        if path.stat().st_size > 4 * limits.source_chars:
            raise TemplateBoundError(name, "source_chars", limits.source_chars)
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError(
            f"template {name}", "is not UTF-8 text", template=name, problem="encoding"
        ) from None
    except OSError as exc:
        raise TemplateError(
            f"template {name}", f"cannot be read ({type(exc).__name__})", template=name
        ) from None
    if len(source) > limits.source_chars:
        raise TemplateBoundError(name, "source_chars", limits.source_chars)
    return source


class LazyText:
    """A value formatted only when a template prints it.

    Formatting money with babel is the dearest part of building a context, and most
    templates print one or two of the four amounts. Jinja prints it through ``str`` (or
    ``__html__`` when autoescaping), so templates see ordinary text.
    """

    __slots__ = ("_make", "_text")

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._make()
        return self._text

    def __html__(self) -> str:
        return str(markupsafe.escape(str(self)))

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyText) else other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(str(self))

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __repr__(self) -> str:
        return repr(str(self))


def _money_later(amount: Decimal, currency: str, locale: str) -> LazyText:
    # a partial, not a lambda: one object instead of a function, its closure and cells
    return LazyText(functools.partial(money, amount, currency, locale))


NEUTRAL_SENDERS = {"zh": "客户服务中心", "en": "Customer Service Center"}
"""The limited-content sender name by language, when no profile in force sets one."""


def neutral_sender_for(locale: str) -> str:
    """The default neutral sender name for ``locale`` (English for other languages)."""
    return NEUTRAL_SENDERS.get(locale.split("-", 1)[0].lower(), NEUTRAL_SENDERS["en"])


def notice_context(
    notice: Notice,
    *,
    now: datetime,
    institution_contact: str = "",
    neutral_sender: str = "",
    self_service_url: str = "",
) -> dict[str, Any]:
    """The variables every template sees: the SDK's own, and the notice's ``data``
    under ``data`` only (a key of ``data`` can never replace an SDK variable).
    ``neutral_sender``: the profile's limited-content sender name (empty: the
    locale's default, :data:`NEUTRAL_SENDERS`). ``self_service_url``: the notice's
    signed self-service link (:func:`notifysdk.selfservice.links.link_for`; empty when
    none is configured)."""
    account = notice.account
    locale = notice.effective_locale
    recipient = notice.recipient
    currency = account.currency
    # _value_: the str an enum's .value returns, without the property's descriptor call
    return {
        "notice": notice,
        "kind": notice.kind._value_,
        "locale": locale,
        "account": account,
        "debtor": account.debtor,
        "recipient": recipient.person,
        "role": recipient.role._value_,
        "institution": account.institution,
        "agency": account.agency,
        "institution_contact": institution_contact,
        "neutral_sender": neutral_sender or neutral_sender_for(locale),
        "self_service_url": self_service_url,
        "amount_due": _money_later(account.total_due, currency, locale),
        "overdue_amount": _money_later(account.overdue_amount, currency, locale),
        "principal": _money_later(account.principal, currency, locale),
        "penalty_interest": _money_later(account.penalty_interest, currency, locale),
        "due_date": long_date(account.due_date, locale),
        "days_overdue": account.days_overdue,
        "today": long_date(now.date(), locale),
        "data": notice.data,
    }
