"""Logs, tracebacks, CLI errors and hook tracing that never carry raw personal data.

- :class:`RedactingFilter` masks each record's message (after ``%`` formatting of its
  args), its exception text and its stack text, in place, before any handler sees it.
- :class:`RedactingFormatter` masks whatever a formatter produces (for handlers you own).
- :func:`redact_exception` is one exception as masked ``Type: message`` text.
- :func:`install` puts one filter on the ``notifysdk`` logger and on every
  ``notifysdk.*`` and ``notifysdk_*`` logger that exists (``notifysdk_*``: a plugin
  distribution's package, such as ``notifysdk_twilio.webhooks``; a filter on a logger
  does not see records that propagate from its children, so each gets it); call it
  again after importing modules that create loggers — it is idempotent. The dispatcher
  and the CLI call it.
- :func:`install_excepthook` masks uncaught tracebacks (the CLI uses it).

Hook tracing (:mod:`notifysdk.hooktrace`) logs summaries on ``notifysdk.hooks``, so its
lines pass through the filter too.

Masking uses the built-in detectors always (fail closed even when a plugin manager has
them disabled), plus any extra detectors of a redactor passed in. Names and addresses
have no pattern: :func:`bound_notice` makes the values of the notice being sent known to
the filter for everything logged in that task (the dispatcher binds each ``send``).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the detectors load with the first record masked, not at import
    from .models import Notice
    from .privacy import Detector, KnownValues, Redactor, Style

ROOT_LOGGER = "notifysdk"

_lock = threading.Lock()
_installed: RedactingFilter | None = None


class _Bound:
    """A notice's known values, built on the first read: most notices log nothing worth
    masking, and building them is a measurable part of a send."""

    __slots__ = ("_notice", "_values")

    def __init__(self, notice: Notice) -> None:
        self._notice = notice
        self._values: KnownValues | None = None

    def get(self) -> KnownValues:
        if self._values is None:
            from .privacy import KnownValues

            self._values = KnownValues.from_notice(self._notice)
        return self._values


_bound: ContextVar[_Bound | None] = ContextVar("notifysdk_known_values", default=None)


class _KnownNow:
    """``_known.get()``: the bound notice's values (built now if not yet), or ``None``."""

    @staticmethod
    def get() -> KnownValues | None:
        bound = _bound.get()
        return None if bound is None else bound.get()


_known = _KnownNow()


@contextmanager
def bound_notice(notice: Notice) -> Iterator[None]:
    """While inside, log lines (and :func:`redact_text`) in this task also mask the
    notice's own values: names, addresses, loan id, amounts (built when a line is first
    masked, not when the notice is bound)."""
    token = _bound.set(_Bound(notice))
    try:
        yield
    finally:
        _bound.reset(token)


def current_known() -> KnownValues | None:
    """The values bound by :func:`bound_notice` in this task, if any."""
    return _known.get()


def build_redactor(extra: Iterable[Detector] = (), *, public: Iterable[str] = ()) -> Redactor:
    """A redactor with the built-in detectors plus ``extra`` ones not already present."""
    from .privacy import Redactor, default_detectors

    detectors = default_detectors()
    names = {d.name for d in detectors}
    detectors.extend(d for d in extra if d.name not in names)
    return Redactor(detectors, public=public)


class RedactingFilter(logging.Filter):
    """Masks every record's message, args, exception text and stack text in place.

    Never drops a record. ``style="hash"`` replaces values with keyed pseudonyms (see
    :func:`notifysdk.privacy.pseudonymize`) so log lines about one person can be joined.
    Without a redactor, the built-in one is built when the first record is masked (a
    command that logs nothing does not load the detectors).
    """

    def __init__(self, redactor: Redactor | None = None, *, style: Style = "mask") -> None:
        super().__init__()
        self._redactor = redactor
        self._build_lock = threading.Lock()
        self.style: Style = style

    @property
    def redactor(self) -> Redactor:
        """The redactor masking every record (the built-in one unless given)."""
        if self._redactor is None:
            with self._build_lock:
                if self._redactor is None:
                    self._redactor = build_redactor()
        return self._redactor

    @redactor.setter
    def redactor(self, value: Redactor) -> None:
        self._redactor = value

    def redact(self, text: str) -> str:
        """``text`` with every finding masked (and the bound notice's values)."""
        return self.redactor.mask_for_log(text, _known.get(), style=self.style)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place; always keep it."""
        if getattr(record, "_notifysdk_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not leak its args either
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = self.redact(_format_exc(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._notifysdk_redacted = True
        return True


def _format_exc(exc_info: Any) -> str:
    return "".join(traceback.format_exception(*exc_info)).rstrip("\n")


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message, traceback, stack) is masked."""

    def __init__(self, *args: Any, redactor: Redactor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redactor = redactor or build_redactor()

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, masked."""
        return self.redactor.mask_for_log(super().format(record), _known.get())

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        """The traceback, masked."""
        return self.redactor.mask_for_log(super().formatException(ei), _known.get())


def redact_text(text: str, redactor: Redactor | None = None) -> str:
    """``text`` with every finding masked by the installed filter's redactor (or the
    built-in detectors)."""
    active = redactor or (_installed.redactor if _installed else None) or build_redactor()
    return active.mask_for_log(text, _known.get())


def redact_exception(
    exc: BaseException, *, with_traceback: bool = False, redactor: Redactor | None = None
) -> str:
    """``Type: message`` of ``exc`` (or its whole traceback), masked."""
    if with_traceback:
        text = _format_exc((type(exc), exc, exc.__traceback__))
    else:
        text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    return redact_text(text, redactor)


def install(redactor: Redactor | None = None, *, style: Style = "mask") -> RedactingFilter:
    """Put one :class:`RedactingFilter` on ``notifysdk`` and every ``notifysdk.*`` and
    ``notifysdk_*`` logger that exists now. Idempotent; a redactor given later adds its
    detectors."""
    global _installed
    with _lock:
        if _installed is None:
            _installed = RedactingFilter(
                build_redactor(redactor.detectors) if redactor else None, style=style
            )
        elif redactor is not None:
            from .privacy import Redactor

            names = {d.name for d in _installed.redactor.detectors}
            extra = [d for d in redactor.detectors if d.name not in names]
            if extra:
                _installed.redactor = Redactor(
                    [*_installed.redactor.detectors, *extra], public=_installed.redactor.public
                )
        flt = _installed
        for logger in _sdk_loggers():
            if flt not in logger.filters:
                logger.addFilter(flt)
        return flt


def uninstall() -> None:
    """Remove the filter from every logger it was put on (tests)."""
    global _installed
    with _lock:
        if _installed is None:
            return
        for logger in _sdk_loggers():
            logger.removeFilter(_installed)
        _installed = None


def _sdk_loggers() -> list[logging.Logger]:
    # notifysdk.* and the plugin distributions' own packages, notifysdk_*: a plugin
    # logging under its module's name (notifysdk_twilio.webhooks) is masked too
    names = [
        n
        for n in list(logging.Logger.manager.loggerDict)
        if n.startswith((ROOT_LOGGER + ".", ROOT_LOGGER + "_"))
    ]
    loggers = [logging.getLogger(ROOT_LOGGER)]
    loggers.extend(logging.getLogger(n) for n in names)
    return loggers


def install_excepthook(write: Callable[[str], object] | None = None) -> None:
    """Print uncaught exceptions with their traceback masked (to stderr by default)."""
    out = write or sys.stderr.write

    def hook(etype: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        out(redact_text(_format_exc((etype, exc, tb))) + "\n")

    sys.excepthook = hook


__all__ = [
    "RedactingFilter",
    "RedactingFormatter",
    "bound_notice",
    "build_redactor",
    "current_known",
    "install",
    "install_excepthook",
    "redact_exception",
    "redact_text",
    "uninstall",
]
