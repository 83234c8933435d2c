"""The bounded jinja2 sandbox: every render runs under a :class:`RenderBudget`.

:class:`BoundedSandbox` is jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
with the bounds of :class:`~notifysdk.template_limits.TemplateLimits` enforced by
*counting*, in the rendering thread (a thread with a deadline could not be stopped):

- the compiled Python of every template is instrumented (:func:`_instrument`): each
  ``for`` loop counts its iterations, each ``yield`` of output counts its characters;
  each ``~`` estimates its result before joining, and captured output (``{% set %}``
  blocks, macros, ``{% filter %}``) goes into a :class:`BoundedBuffer`;
- calls (macros, methods, ``range``), filters and the operators ``*``, ``**``, ``+``,
  ``%`` count as steps, are checked *before* they run when they could build something
  large (``'x' * 10**9``, ``9 ** 10**8``, ``'x'.ljust(10**9)``, ``[1]|batch(10**9)``,
  ``'{:>1000000000}'.format(1)``), and have their result's size checked after;
- the CPU time of the thread is checked every 64 steps and every 64 outputs.

The sandbox also refuses attributes that hold a class or a module and a pydantic model's
``model_*`` members (``account.model_fields[...].annotation`` would reach classes), and
drops the ``lipsum`` global. :func:`render_bounded` runs one render and turns whatever it
raises into :class:`~notifysdk.errors.TemplateError` (or
:class:`~notifysdk.errors.TemplateBoundError`) naming the template and the problem or the
exception's type, never a value.
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
import os
import re
import time
import types
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextvars import ContextVar
from decimal import Decimal
from string import Formatter
from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from markupsafe import EscapeFormatter
from pydantic import BaseModel

from .errors import NotifyError, TemplateBoundError, TemplateError
from .filter_errors import FilterFailure, failure_reason, filter_error
from .template_limits import DEFAULT_LIMITS, TemplateLimits

__all__ = [
    "BoundedBuffer",
    "BoundedFileSystemLoader",
    "BoundedSandbox",
    "BoundedTemplate",
    "RenderBudget",
    "compile_error",
    "part_of",
    "render_bounded",
]

_CLOCK_EVERY = 64
"""Steps between two looks at the CPU clock (``time.thread_time`` is a system call)."""


_SAFE_NAMES_KEPT = 4096
"""(type, attribute name) decisions the sandbox keeps before it starts over."""


class _Bound(Exception):  # noqa: N818 - internal signal, never leaves this module
    """Raised inside a render when a bound is exceeded; becomes TemplateBoundError."""

    def __init__(self, bound: str, limit: float, what: str = "") -> None:
        super().__init__(bound)
        self.bound = bound
        self.limit = limit
        self.what = what


class RenderBudget:
    """What one render may still spend: steps, CPU time, characters written, depth."""

    __slots__ = ("_clock_at", "_writes", "deadline", "depth", "limits", "steps", "written")

    def __init__(self, limits: TemplateLimits) -> None:
        self.limits = limits
        self.steps = 0
        self.depth = 0
        self.written = 0
        self.deadline = time.thread_time() + limits.cpu_seconds
        self._clock_at = _CLOCK_EVERY
        self._writes = 0

    def tick(self, n: int = 1) -> None:
        """Count ``n`` steps; look at the clock every :data:`_CLOCK_EVERY` of them."""
        self.steps += n
        if self.steps > self.limits.steps:
            raise _Bound("steps", self.limits.steps)
        if self.steps >= self._clock_at:
            self._clock_at = self.steps + _CLOCK_EVERY
            self.clock()

    def clock(self) -> None:
        """Stop when the render has used its CPU time."""
        if time.thread_time() > self.deadline:
            raise _Bound("cpu_seconds", self.limits.cpu_seconds)

    def write(self, n: int) -> None:
        """Count ``n`` characters written (output or a captured block); look at the clock
        every :data:`_CLOCK_EVERY` writes (reading it on each one doubled a render)."""
        self.written += n
        if self.written > self.limits.written_chars:
            raise _Bound("written_chars", self.limits.written_chars)
        self._writes += 1
        if self._writes >= _CLOCK_EVERY:
            self._writes = 0
            self.clock()


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("notifysdk_render_budget", default=None)


def _tick() -> None:
    budget = _CURRENT.get()
    if budget is not None:
        budget.tick()


# -- size estimates, made before an operation runs -------------------------------------


def _limit_chars(n: float, limits: TemplateLimits, what: str) -> None:
    if n > limits.value_chars:
        raise _Bound("value_chars", limits.value_chars, what)


def _as_count(value: Any) -> int:
    """An integer argument (a width, a count), or 0 when it is not one."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text_len(value: Any, *, repr_: bool = False) -> int:
    if isinstance(value, str | bytes):
        return len(value) * (10 if repr_ else 1)
    text = repr(value) if repr_ else str(value)
    return len(text)


def _check_size(value: Any, limits: TemplateLimits) -> Any:
    """Refuse a built value larger than the bounds; return it unchanged."""
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range):
        try:
            n = len(value)
        except OverflowError:
            raise _Bound("value_chars", limits.value_chars, "a range") from None
        _limit_chars(n, limits, "a value")
    elif _as_count(value) and value.bit_length() > limits.int_bits:
        raise _Bound("int_bits", limits.int_bits)
    return value


_DIGITS = re.compile(r"\d+")


def _check_spec(spec: str, limits: TemplateLimits) -> None:
    """Refuse a format spec whose width or precision is past ``value_chars``."""
    for m in _DIGITS.finditer(spec):
        digits = m.group()
        if len(digits) > 7 or int(digits) > limits.value_chars:
            raise _Bound("value_chars", limits.value_chars, "a width or precision")


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)


def _check_percent(fmt: str, args: Any, limits: TemplateLimits) -> None:
    """Estimate ``fmt % args`` (widths, and each conversion at its longest argument)."""
    if "%" not in fmt:
        return
    specs = extra = 0
    star = reprs = False
    for m in _PERCENT.finditer(fmt):
        if m.group(3) == "%":
            continue
        specs += 1
        reprs = reprs or m.group(3) in "ra"
        for g in (m.group(1), m.group(2)):
            if g == "*":
                star = True
            elif g:
                if len(g) > 7 or int(g) > limits.value_chars:
                    raise _Bound("value_chars", limits.value_chars, "a width or precision")
                extra += int(g)
    if isinstance(args, Mapping):
        values = list(itertools.islice(args.values(), limits.value_chars))
    elif isinstance(args, tuple):
        values = list(args)
    else:
        values = [args]
    if star and any(_as_count(v) > limits.value_chars for v in values):
        raise _Bound("value_chars", limits.value_chars, "a width or precision")
    longest = max((_text_len(v, repr_=reprs) for v in values), default=0)
    _limit_chars(len(fmt) + extra + specs * (longest + 32), limits, "a % format")


def _decimal_digits(value: Any) -> float:
    """Decimal digits before the point (about), for an int or a finite Decimal."""
    if isinstance(value, Decimal):
        return abs(value.adjusted()) + 1 if value.is_finite() and value else 1
    if isinstance(value, int):
        return value.bit_length() * 0.30103 + 1
    return 1


_SEQUENCES = (str, bytes, list, tuple)


def _check_mul(left: Any, right: Any, limits: TemplateLimits) -> None:
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        if bits > limits.int_bits:
            raise _Bound("int_bits", limits.int_bits)
    elif isinstance(right, int) and isinstance(left, _SEQUENCES):
        _limit_chars(len(left) * max(right, 0), limits, "a repeated value")
    elif isinstance(left, int) and isinstance(right, _SEQUENCES):
        _limit_chars(len(right) * max(left, 0), limits, "a repeated value")
    elif isinstance(left, Decimal) or isinstance(right, Decimal):
        digits = _decimal_digits(left) + _decimal_digits(right)
        if digits > limits.int_bits * 0.30103:
            raise _Bound("int_bits", limits.int_bits)


def _check_pow(left: Any, right: Any, limits: TemplateLimits) -> None:
    if not isinstance(right, int | Decimal) or isinstance(right, bool):
        return
    exponent = float(right.copy_abs() if isinstance(right, Decimal) else abs(right))
    if isinstance(left, int) and abs(left) > 1 and right > 1:
        bits = math.log2(abs(left)) * exponent
    elif isinstance(left, Decimal) and exponent > 1:
        bits = exponent * _decimal_digits(left) / 0.30103
    else:
        return
    if bits > limits.int_bits:
        raise _Bound("int_bits", limits.int_bits)


def _check_binop(op: str, left: Any, right: Any, limits: TemplateLimits) -> None:
    """Estimate ``left op right`` for the intercepted operators, before it runs."""
    if op == "*":
        _check_mul(left, right, limits)
    elif op == "**":
        _check_pow(left, right, limits)
    elif op == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _limit_chars(len(left) + len(right), limits, "a concatenation")
    elif op == "%" and isinstance(left, str):
        _check_percent(left, right, limits)


def _arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], i: int, name: str, default: Any) -> Any:
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


def _materialize(items: Any, limits: TemplateLimits) -> list[Any]:
    out = list(itertools.islice(iter(items), limits.value_chars + 1))
    _limit_chars(len(out), limits, "a sequence")
    return out


def _check_str_method(
    s: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Estimate what a ``str`` (or ``bytes``) method would build; may materialize an
    iterable argument (``join``) so that it is read once."""
    if name in ("center", "ljust", "rjust", "zfill"):
        _limit_chars(_as_count(_arg(args, kwargs, 0, "width", 0)), limits, f"str.{name}")
    elif name == "expandtabs":
        tab = _as_count(_arg(args, kwargs, 0, "tabsize", 8))
        tabs = s.count("\t") if isinstance(s, str) else s.count(b"\t")
        _limit_chars(len(s) + tabs * tab, limits, name)
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if type(old) is type(new) and isinstance(old, str | bytes) and isinstance(s, type(old)):
            n = s.count(old) if old else len(s) + 1  # type: ignore[arg-type]
            count = _as_count(_arg(args, kwargs, 2, "count", -1))
            if count > 0:
                n = min(n, count)
            _limit_chars(len(s) + n * max(0, len(new) - len(old)), limits, "str.replace")
    elif name == "join" and args:
        items = _materialize(args[0], limits)
        total = sum(len(x) for x in items if isinstance(x, str | bytes))
        _limit_chars(total + len(s) * max(0, len(items) - 1), limits, "str.join")
        args = (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _limit_chars(len(s) * max(longest, 1), limits, "str.translate")
    return args, kwargs


def _check_call(
    obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any], limits: TemplateLimits
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, str | bytes):
        return _check_str_method(owner, name, args, kwargs, limits)
    if isinstance(owner, int) and name == "to_bytes":
        _limit_chars(_as_count(_arg(args, kwargs, 0, "length", 1)), limits, "int.to_bytes")
    return args, kwargs


# -- filters -------------------------------------------------------------------------


def _pre_center(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    _limit_chars(_as_count(_arg(a, k, 0, "width", 80)), lim, "center")


def _pre_indent(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    width = _arg(a, k, 0, "width", 4)
    w = len(width) if isinstance(width, str) else _as_count(width)
    s = str(v)
    _limit_chars(len(s) + (s.count("\n") + 1) * w, lim, "indent")


def _pre_wordwrap(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    width = max(_as_count(_arg(a, k, 0, "width", 79)), 1)
    wrap = _arg(a, k, 2, "wrapstring", None)
    s = str(v)
    _limit_chars(len(s) + (len(s) // width + 1) * len(wrap or "\n"), lim, "wordwrap")


def _pre_batch(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    _limit_chars(_as_count(_arg(a, k, 0, "linecount", 0)), lim, "batch")


def _pre_slice(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    _limit_chars(_as_count(_arg(a, k, 0, "slices", 0)), lim, "slice")


def _pre_replace(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    if len(a) >= 2:
        _check_str_method(str(v), "replace", (str(a[0]), str(a[1]), *a[2:]), k, lim)


def _pre_format(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    _check_percent(str(v), k or a, lim)


def _pre_tojson(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    indent = _arg(a, k, 0, "indent", None)
    if (isinstance(indent, str) and len(indent) > 64) or _as_count(indent) > 64:
        raise _Bound("value_chars", lim.value_chars, "tojson indent")


def _pre_urlize(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    s = str(v)
    extra = sum(len(str(k.get(n) or "")) for n in ("target", "rel")) + 64
    candidates = s.count(".") + s.count("@") + s.count(":") + 1
    _limit_chars(3 * len(s) + candidates * extra, lim, "urlize")


def _pre_attr(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    # ``undefined|attr(...)`` would hide why it is undefined (a refused attribute):
    # fail with the first reason, as any other use of a strict undefined does.
    if isinstance(v, jinja2.Undefined):
        v._fail_with_undefined_error()


_PRE: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any], TemplateLimits], None]] = {
    "attr": _pre_attr,
    "center": _pre_center,
    "indent": _pre_indent,
    "wordwrap": _pre_wordwrap,
    "batch": _pre_batch,
    "slice": _pre_slice,
    "replace": _pre_replace,
    "format": _pre_format,
    "tojson": _pre_tojson,
    "urlize": _pre_urlize,
}
"""Jinja's own filters that can build far more than they are given, by their name."""


def _pre_join(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    sep = str(_arg(a, k, 0, "d", ""))
    n = len(v)
    total = n if isinstance(v, str) else sum(_text_len(x) for x in v)
    _limit_chars(total + len(sep) * max(0, n - 1), lim, "join")


def _pre_sum(v: Any, a: tuple[Any, ...], k: dict[str, Any], lim: TemplateLimits) -> None:
    start = _arg(a, k, 1, "start", 0)
    if isinstance(start, Sized):
        total = len(start) + sum(len(x) for x in v if isinstance(x, Sized))
        _limit_chars(total, lim, "sum")


_PRE.update({"join": _pre_join, "sum": _pre_sum})


def _materializing(name: str) -> bool:
    return name in ("join", "sum")


def _bounded_filter(
    name: str, fn: Callable[..., Any], limits: TemplateLimits, builtin: bool
) -> Callable[..., Any]:
    """``fn`` counted as a step, estimated before (jinja's own amplifying filters) and
    size-checked after."""
    if getattr(fn, "_notifysdk_bounded", False):
        return fn
    offset = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0
    pre = _PRE.get(name) if builtin else None
    materialize = builtin and _materializing(name)

    @functools.wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if len(args) > offset and (pre is not None or materialize):
            value, rest = args[offset], args[offset + 1 :]
            if materialize and not isinstance(value, str):
                value = _materialize(value, limits)
                args = (*args[:offset], value, *rest)
            if pre is not None:
                pre(value, rest, kwargs, limits)
        try:
            result = fn(*args, **kwargs)
        except (NotifyError, _Bound, jinja2.TemplateError):
            raise
        except Exception as exc:  # the filter's own failure: named, without a value
            raise FilterFailure(name, failure_reason(name, fn, args, kwargs, exc)) from None
        return _check_size(result, limits)

    bounded._notifysdk_bounded = True  # type: ignore[attr-defined]
    return bounded


class _FilterTable(dict[str, Callable[..., Any]]):
    """The environment's filters: every filter put in is wrapped by :func:`_bounded_filter`."""

    def __init__(self, limits: TemplateLimits, builtins: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__()
        self._limits = limits
        self._builtins = dict(builtins)
        for name, fn in builtins.items():
            super().__setitem__(name, _bounded_filter(name, fn, limits, True))

    def __setitem__(self, name: str, fn: Callable[..., Any]) -> None:
        builtin = self._builtins.get(name) is fn
        super().__setitem__(name, _bounded_filter(name, fn, self._limits, builtin))

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Wrap every filter put in (see :meth:`__setitem__`)."""
        for name, fn in dict(*args, **kwargs).items():
            self[name] = fn


# -- str.format ---------------------------------------------------------------------


class _BoundedFormatter(SandboxedFormatter):
    """The sandbox's formatter with widths, precisions and the total size bounded."""

    def __init__(self, env: BoundedSandbox, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self._limits = env.limits
        self._total = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec, self._limits)
        out = super().format_field(value, format_spec)
        self._total += len(out)
        _limit_chars(self._total, self._limits, "str.format")
        return out


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    pass


# -- the instrumented code -------------------------------------------------------------


class BoundedBuffer(list[str]):
    """A buffer of captured output (a ``{% set %}`` block, a macro's body): its size and
    every character appended count against the render's budget."""

    __slots__ = ("_size",)

    def __init__(self) -> None:
        super().__init__()
        self._size = 0

    def _count(self, n: int) -> None:
        self._size += n
        budget = _CURRENT.get()
        if budget is None:
            return
        if self._size > budget.limits.value_chars:
            raise _Bound("value_chars", budget.limits.value_chars, "a captured block")
        budget.write(n)

    def append(self, item: str) -> None:
        """Append ``item``, counting its characters."""
        self._count(len(item))
        super().append(item)

    def extend(self, items: Iterable[str]) -> None:
        """Append each of ``items``, counting their characters."""
        for item in items:
            self.append(item)


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with :class:`BoundedBuffer` for captured output and
    ``~`` estimated before it joins."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment._nsdk_buffer()")

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 - jinja's visitor
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment._nsdk_join({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _hook(name: str, arg: ast.expr) -> ast.Call:
    """``environment.<name>(arg)``, located where ``arg`` is."""
    env = ast.copy_location(ast.Name(id="environment", ctx=ast.Load()), arg)
    func = ast.copy_location(ast.Attribute(value=env, attr=name, ctx=ast.Load()), arg)
    return ast.copy_location(ast.Call(func=func, args=[arg], keywords=[]), arg)


def _instrument(tree: ast.Module) -> ast.Module:
    """Rewrite a compiled template's Python in place: every ``for`` counts its
    iterations and every ``yield`` of output counts its characters.

    Only statements are walked (jinja writes each output as a ``yield`` statement), so
    this costs little next to compiling. A loop's ``if`` test compiles to a generator
    over ``fiter``: what it yields is items, not output, so its ``yield`` is left alone
    (its ``for`` still counts).
    """
    _instrument_body(tree.body, items=False)
    return tree


def _instrument_body(body: list[ast.stmt], *, items: bool) -> None:
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Yield):
            value = stmt.value.value
            if items or value is None or (isinstance(value, ast.Constant) and value.value is None):
                continue
            stmt.value.value = _hook("_nsdk_out", value)
        elif isinstance(stmt, ast.FunctionDef):
            fiter = any(a.arg == "fiter" for a in stmt.args.args)
            _instrument_body(stmt.body, items=fiter)
        elif isinstance(stmt, ast.For):
            stmt.iter = _hook("_nsdk_iter", stmt.iter)
            _instrument_body(stmt.body, items=items)
            _instrument_body(stmt.orelse, items=items)
        elif isinstance(stmt, ast.If | ast.While):
            _instrument_body(stmt.body, items=items)
            _instrument_body(stmt.orelse, items=items)
        elif isinstance(stmt, ast.With):
            _instrument_body(stmt.body, items=items)
        elif isinstance(stmt, ast.Try):
            _instrument_body(stmt.body, items=items)
            for handler in stmt.handlers:
                _instrument_body(handler.body, items=items)
            _instrument_body(stmt.orelse, items=items)
            _instrument_body(stmt.finalbody, items=items)


class _Counted:
    """An iterable whose iterations count as steps (its length is the source's)."""

    __slots__ = ("_source",)

    def __init__(self, source: Iterable[Any]) -> None:
        self._source = source

    def __iter__(self) -> Iterator[Any]:
        budget = _CURRENT.get()
        for item in self._source:
            if budget is not None:
                budget.tick()
            yield item

    def __len__(self) -> int:
        if isinstance(self._source, Sized):
            return len(self._source)
        raise TypeError("no length")


class BoundedFileSystemLoader(jinja2.FileSystemLoader):
    """A file-system loader that refuses a template source past ``source_chars`` (by its
    size on disk, before reading it) and one that is not UTF-8."""

    def __init__(self, searchpath: Any, limits: TemplateLimits = DEFAULT_LIMITS) -> None:
        super().__init__(searchpath)
        self.limits = limits

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Read a template's source (see the class docstring for what is refused)."""
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)
        for root in self.searchpath:
            path = os.path.join(root, *pieces)
            if os.path.isfile(path):
                if os.path.getsize(path) > 4 * self.limits.source_chars:
                    raise _Bound("source_chars", self.limits.source_chars)
                break
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError:
            raise TemplateError(
                f"template {template}", "is not UTF-8 text", template=template, problem="encoding"
            ) from None
        if len(source) > self.limits.source_chars:
            raise _Bound("source_chars", self.limits.source_chars)
        return source, filename, uptodate


def part_of(name: str) -> str:
    """The part a template renders, from its name ``KIND/MEDIUM.LOCALE.PART.j2``."""
    bits = name.split(".")
    return bits[-2] if len(bits) >= 3 and bits[-1] == "j2" else "txt"


class BoundedTemplate(jinja2.Template):
    """A template whose :meth:`render` runs under the environment's bounds."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Render under a fresh budget (see :func:`render_bounded`)."""
        env = self.environment
        if not isinstance(env, BoundedSandbox):  # pragma: no cover - set by BoundedSandbox
            raise TypeError("a BoundedTemplate belongs to a BoundedSandbox")
        name = self.name or "<string>"
        return render_bounded(env, self, dict(*args, **kwargs), name=name, part=part_of(name))


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with every render bounded (see the module docstring)."""

    code_generator_class = _CodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: TemplateLimits = DEFAULT_LIMITS, **kwargs: Any) -> None:
        self.limits = limits
        self._safe_names: dict[tuple[type, str], bool] = {}
        super().__init__(*args, **kwargs)
        self.filters = _FilterTable(limits, self.filters)
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range

    # -- the compiled code's hooks ----------------------------------------------------

    def _compile(self, source: str, filename: str) -> types.CodeType:
        return compile(_instrument(ast.parse(source, filename)), filename, "exec")

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        if len(source) > self.limits.source_chars:
            raise _Bound("source_chars", self.limits.source_chars)
        return super()._parse(source, name, filename)

    @staticmethod
    def _nsdk_buffer() -> BoundedBuffer:
        return BoundedBuffer()

    @staticmethod
    def _nsdk_iter(source: Iterable[Any]) -> _Counted:
        return _Counted(source)

    @staticmethod
    def _nsdk_out(text: str) -> str:
        # RenderBudget.write inlined: this runs for every piece of output.
        budget = _CURRENT.get()
        if budget is not None:
            budget.written += len(text)
            if budget.written > budget.limits.written_chars:
                raise _Bound("written_chars", budget.limits.written_chars)
            budget._writes += 1
            if budget._writes >= _CLOCK_EVERY:
                budget._writes = 0
                budget.clock()
        return text

    def _nsdk_join(self, join: Callable[[Any], str], items: tuple[Any, ...]) -> str:
        total = sum(_text_len(x) for x in items)
        _limit_chars(total * (6 if join is markup_join else 1), self.limits, "a ~ concatenation")
        return join(items) if join in (str_join, markup_join) else str_join(items)

    def _range(self, *args: Any) -> range:
        _tick()
        rng = range(*args)
        try:
            n = len(rng)
        except OverflowError:
            n = self.limits.steps + 1
        if n > self.limits.steps:
            raise _Bound("steps", self.limits.steps, "a range longer than the step budget")
        return rng

    # -- the sandbox's checks ---------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's rules, and no classes, modules or pydantic ``model_*`` members."""
        if not self._safe_name(obj, attr):
            return False
        return not isinstance(value, type | types.ModuleType)

    def _safe_name(self, obj: Any, attr: str) -> bool:
        """The part of :meth:`is_safe_attribute` that depends on the attribute's name
        and the object's type only (jinja's rules look at both, never at the value),
        kept per (type, name): every render reads the same few attributes."""
        key = (type(obj), attr)
        safe = self._safe_names.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, None) and not _model_member(obj, attr)
            if len(self._safe_names) >= _SAFE_NAMES_KEPT:
                self._safe_names.clear()
            self._safe_names[key] = safe
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's sandboxed attribute access, refusing pydantic's ``model_*`` members
        before reading them (reading some warns)."""
        if type(attribute) is str and self._safe_name(obj, attribute):
            # A plain value (a name, an amount) of a safe attribute: what jinja's path
            # returns, without it. A callable (``str.format`` is wrapped, a class is
            # refused) or a name that is no attribute takes jinja's path.
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if not callable(value) and not isinstance(value, types.ModuleType):
                    return value
        if _model_member(obj, attribute):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Jinja's sandboxed subscript (which falls back to attributes), refusing
        pydantic's ``model_*`` members."""
        if _model_member(obj, argument):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def call(
        __self,  # noqa: N805 - jinja's own signature (keeps keyword arguments free)
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Call from sandboxed code: a step, one level deeper, estimated and checked."""
        limits = __self.limits
        budget = _CURRENT.get()
        if budget is not None:
            budget.tick()
            budget.depth += 1
            if budget.depth > limits.call_depth:
                budget.depth -= 1
                raise _Bound("call_depth", limits.call_depth)
        try:
            args, kwargs = _check_call(__obj, args, kwargs, limits)
            return _check_size(super().call(__context, __obj, *args, **kwargs), limits)
        finally:
            if budget is not None:
                budget.depth -= 1

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """``*``, ``**``, ``+`` and ``%``: a step, estimated before, checked after."""
        _tick()
        _check_binop(operator, left, right, self.limits)
        return _check_size(super().call_binop(context, operator, left, right), self.limits)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` through a formatter with bounded sizes."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        f_self: Any = value.__self__
        if not isinstance(f_self, str):
            return None
        str_type: type[str] = type(f_self)
        is_map = value.__name__ == "format_map"
        escape = f_self.escape if isinstance(f_self, markupsafe.Markup) else None

        def wrapper(*args: Any, **kwargs: Any) -> str:
            formatter: Formatter = (
                _BoundedEscapeFormatter(self, escape=escape)
                if escape is not None
                else _BoundedFormatter(self)
            )
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one positional argument")
                kwargs, args = args[0], ()
            return str_type(formatter.vformat(f_self, args, kwargs))

        return functools.update_wrapper(wrapper, value)


def _model_member(obj: Any, name: Any) -> bool:
    return (
        isinstance(obj, BaseModel)
        and isinstance(name, str)
        and (name.startswith("model_") or name in _V1)
    )


_V1 = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
"""pydantic's v1-style model methods (``account.copy``, ``account.schema``...)."""


# -- one render ---------------------------------------------------------------------

_TOP_LEVEL = re.compile(r"'[^']*' is undefined")
_NO_FILTER = re.compile(r"No (?:filter|test) named '[A-Za-z_][A-Za-z0-9_]*'")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def _names_shown(message: str, source: str) -> bool:
    """True when every quoted name in ``message`` is a type (``'dict object'``) or is
    written in the template's ``source``: a name computed at render time (``data[x]``)
    may be personal data."""
    for m in _QUOTED.finditer(message):
        name = m.group(1) if m.group(1) is not None else m.group(2)
        is_type = name.endswith(" object") or message.startswith(" object", m.end())
        if is_type or (name and name in source):
            continue
        return False
    return True


def _source_of(env: jinja2.Environment, name: str) -> str:
    if env.loader is None:
        return ""
    try:
        return env.loader.get_source(env, name)[0]
    except Exception:  # only used to decide what an error may show
        return ""


def compile_error(name: str, exc: BaseException) -> TemplateError:
    """The :class:`TemplateError` for a template that cannot be loaded or compiled."""
    if isinstance(exc, TemplateError):
        return exc
    if isinstance(exc, _Bound):
        return TemplateBoundError(name, exc.bound, exc.limit, exc.what)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        reason = f"syntax error at line {exc.lineno}: {exc.message}"
        problem = "missing_filter" if _NO_FILTER.match(exc.message or "") else "syntax"
        return TemplateError(f"template {name}", reason, template=name, problem=problem)
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(f"template {name}", "does not exist", template=name)
    reason = f"cannot be compiled ({type(exc).__name__})"
    return TemplateError(f"template {name}", reason, template=name, problem="syntax")


def _new_context(template: jinja2.Template, variables: Mapping[str, Any]) -> Any:
    """``template.new_context(variables)``, with the template's globals (a ``ChainMap``
    of its own over the environment's) flattened by hand: jinja's ``dict(ChainMap)`` and
    ``set(ChainMap)`` took a third of a short render. The same context: the first map
    of the chain wins, then the variables win over every global."""
    chain = template.globals
    maps = chain.maps if isinstance(chain, ChainMap) else (chain,)
    flat: dict[str, Any] = {}
    for layer in reversed(maps):
        flat.update(layer)
    parent = dict(flat)
    parent.update(variables)
    env = template.environment
    return env.context_class(env, parent, template.name, template.blocks, globals=flat)


def render_bounded(
    env: BoundedSandbox,
    template: jinja2.Template,
    context: Mapping[str, Any],
    *,
    name: str,
    part: str = "txt",
    source: str | None = None,
) -> str:
    """Render ``template`` under a fresh :class:`RenderBudget`; its output is bounded by
    the limits' ``<part>_chars``. Whatever the render raises
    becomes :class:`TemplateError` (:class:`TemplateBoundError` for a bound) naming
    ``name`` and the problem or the exception's type; the SDK's own errors pass through.
    """
    limits = env.limits
    bound = limits.output_chars(part)
    budget = RenderBudget(limits)
    variables = context if isinstance(context, dict) else dict(context)
    token = _CURRENT.set(budget)
    try:
        out: list[str] = []
        size = 0
        # The root render function itself, not Template.generate: generate copies the
        # variables twice and adds a generator frame around every piece of output only
        # to rewrite the traceback of an exception, which is turned into ours below.
        for chunk in template.root_render_func(_new_context(template, variables)):
            size += len(chunk)
            if size > bound:
                raise _Bound(f"{part}_chars", bound, "the rendered part")
            out.append(chunk)
        return "".join(out)
    except _Bound as exc:
        raise TemplateBoundError(name, exc.bound, exc.limit, exc.what) from None
    except jinja2.UndefinedError as exc:
        text = exc.message or ""
        # A top-level name is never the notice's data (that is under ``data``): a
        # template defect. A missing attribute or key may be data this notice lacks.
        problem = "undefined" if _TOP_LEVEL.fullmatch(text) else "missing_data"
        if not _names_shown(text, source if source is not None else _source_of(env, name)):
            text = "a name computed while rendering (not shown)"
        reason = f"undefined variable: {text}"
        raise TemplateError(f"template {name}", reason, template=name, problem=problem) from None
    except jinja2.exceptions.SecurityError as exc:
        text = str(exc)
        src = source if source is not None else _source_of(env, name)
        if not (text.startswith("access to attribute") and _names_shown(text, src)):
            text = "an attribute or call the sandbox does not allow"
        reason = f"refused by the sandbox: {text}"
        raise TemplateError(f"template {name}", reason, template=name, problem="sandbox") from None
    except jinja2.TemplateSyntaxError as exc:
        raise compile_error(exc.name or name, exc) from None
    except jinja2.TemplateRuntimeError as exc:
        if not _NO_FILTER.match(str(exc)):
            reason = f"failed while rendering ({type(exc).__name__})"
            raise TemplateError(
                f"template {name}", reason, template=name, problem="failed"
            ) from None
        reason = f"uses a filter or test no loaded plugin registered: {exc}"
        raise TemplateError(
            f"template {name}", reason, template=name, problem="missing_filter"
        ) from None
    except jinja2.TemplateNotFound:
        reason = "includes or imports a template that does not exist"
        raise TemplateError(f"template {name}", reason, template=name, problem="failed") from None
    except FilterFailure as exc:
        raise filter_error(name, exc) from None
    except NotifyError:
        raise
    except Exception as exc:  # any failure of the template's code
        reason = f"failed while rendering ({type(exc).__name__})"
        raise TemplateError(f"template {name}", reason, template=name, problem="failed") from None
    finally:
        _CURRENT.reset(token)
