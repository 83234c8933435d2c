"""Calling the event hooks (``notifysdk_on_attempt``, ``notifysdk_on_outcome``).

Events go through pluggy's own call path, so ``tryfirst``/``trylast`` and wrappers
(``@hookimpl(wrapper=True)``, old-style ``hookwrapper=True``) work as they do for any
pluggy hook. Each plain implementation runs on its own: one that raises (synchronously
or from its awaitable) neither stops the others nor escapes into the send — the plugin
manager isolates it when the plugin registers
(:func:`notifysdk.event_isolation.isolate`). pluggy does not await,
so the awaitables the implementations return are awaited here, each on its own.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

try:  # pluggy's plain call loop: the direct call is taken only while a manager uses it
    from pluggy._callers import _multicall
except ImportError:  # another pluggy layout: always go through pluggy's call path
    _multicall = None  # type: ignore[assignment]

from .. import hooktrace
from ..event_isolation import EVENT_HOOKS, isolate
from ..plugins import PluginManager

__all__ = ["EVENT_HOOKS", "call_event", "fire_event", "isolate"]

log = logging.getLogger("notifysdk.dispatch")


async def call_event(plugins: PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call ``hook_name`` through pluggy with ``kwargs``, then await what the
    implementations returned; nothing an implementation or a wrapper raises escapes."""
    for result in fire_event(plugins, hook_name, kwargs):
        await result  # isolated: it logs what it raises


def fire_event(plugins: PluginManager, hook_name: str, kwargs: dict[str, Any]) -> list[Any]:
    """The first half of :func:`call_event`: call every implementation of
    ``hook_name`` with ``kwargs`` and return the awaitables they returned, in order, for
    the caller to await in turn (usually none: the caller then awaits nothing, without
    a coroutine of its own per event). Nothing an implementation or a wrapper raises
    escapes."""
    caller = getattr(plugins.hook, hook_name)
    impls = caller.get_hookimpls()
    # No listener: nothing to call, unless hook tracing (pluggy's call monitoring,
    # installed with NOTIFYSDK_TRACE_HOOKS) wants the call in its log. The level is
    # checked first: it costs less than a look at the environment.
    if not impls and not (hooktrace.log.isEnabledFor(logging.DEBUG) and hooktrace.enabled()):
        return _NONE
    try:
        if _plain(plugins, impls):
            # What pluggy's call does for plain implementations, without its generic
            # machinery (two events per notice cost as much as a rule): each in
            # pluggy's order (last registered first, tryfirst/trylast kept).
            arg = kwargs.__getitem__
            results = [impl.function(*map(arg, impl.argnames)) for impl in reversed(impls)]
        else:
            results = caller(**kwargs)
    except Exception:  # a wrapper's own code raised
        log.exception("a wrapper of event hook %s raised", hook_name)
        return _NONE
    pending = _NONE
    for result in results or ():
        # None (what a plain listener returns) is never awaitable: not asked
        if result is not None and inspect.isawaitable(result):
            if pending is _NONE:
                pending = []
            pending.append(result)
    return pending


_NONE: list[Any] = []
"""What :func:`fire_event` returns when there is nothing to await (never appended to)."""


def _plain(plugins: PluginManager, impls: list[Any]) -> bool:
    """True when pluggy's call would only call ``impls`` in turn: none is a wrapper and
    no call monitoring (hook tracing, ``enable_tracing``) is installed on the manager."""
    inner = getattr(getattr(plugins, "pm", None), "_inner_hookexec", None)
    if _multicall is None or inner is not _multicall:
        return False
    # a loop, not all() over a generator: called twice per notice
    for impl in impls:  # noqa: SIM110
        if impl.hookwrapper or impl.wrapper:
            return False
    return True
