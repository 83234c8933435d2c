"""A template filter that raises, reported by name and reason instead of a traceback.

A filter is a plugin's code called from a template: when it raises (a ``TypeError``
because the template passed the wrong arguments, a ``ValueError`` on a value it did not
expect), the author needs to know *which* filter in *which* template failed, and why,
without the value (it may be personal data). The sandbox turns the exception into a
:class:`FilterFailure` where the filter is called and the render into a
:class:`FilterError` naming the template::

    template overdue_notice/sms.en.txt.j2: filter 'money' failed: called with
    arguments that do not fit money(amount, currency, locale='en'): missing a
    required argument: 'currency'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import TemplateError

__all__ = ["FilterError", "FilterFailure", "failure_reason", "filter_error"]


class FilterFailure(Exception):  # noqa: N818 - a signal from the filter call to the render
    """A filter raised: its name and a reason that carries no value."""

    def __init__(self, filter: str, reason: str) -> None:
        super().__init__(f"filter {filter!r} failed: {reason}")
        self.filter = filter
        self.reason = reason


class FilterError(TemplateError):
    """A template's filter raised: ``template`` names the template, ``filter`` the filter;
    the reason says why (the arguments that do not fit its signature, or the
    exception's type), never a value. ``problem`` is ``failed``."""

    def __init__(self, template: str, filter: str, reason: str) -> None:
        super().__init__(
            f"template {template}",
            f"filter {filter!r} failed: {reason}",
            template=template,
            problem="failed",
        )
        self.filter = filter


def _plain_signature(fn: Callable[..., Any]) -> str:
    """``(amount, currency, locale='en')``: parameter names and defaults only."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return "(...)"
    shown = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=shown, return_annotation=inspect.Signature.empty))


def failure_reason(
    name: str,
    fn: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    exc: BaseException,
) -> str:
    """Why calling filter ``name`` (``fn``) with ``args`` and ``kwargs`` raised ``exc``,
    without any value: a ``TypeError`` whose arguments do not fit ``fn``'s signature
    says which (Python's binding message names parameters only); anything else is
    the exception's type."""
    if isinstance(exc, TypeError):
        try:
            inspect.signature(fn).bind(*args, **kwargs)
        except TypeError as unfit:
            return f"called with arguments that do not fit {name}{_plain_signature(fn)}: {unfit}"
        except ValueError:  # no signature to compare with
            pass
    reason = f"raised {type(exc).__name__}"
    # templating's LazyText (a formatted variable), known by name: templating imports
    # the sandbox, which imports this module
    if any(type(a).__name__ == "LazyText" for a in args):
        reason += FORMATTED_HINT
    return reason


FORMATTED_HINT = (
    " (it was given formatted text such as amount_due: give a filter the raw value, such as "
    "account.total_due; see docs/reference/template-variables.md)"
)
"""Added when a filter that failed was given one of the formatted template variables."""


def filter_error(template: str, failure: FilterFailure) -> FilterError:
    """The error of a render of ``template`` in which a filter failed."""
    return FilterError(template, failure.filter, failure.reason)
