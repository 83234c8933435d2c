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

from .. import hooktrace
from ..event_isolation import EVENT_HOOKS, isolate
from ..plugins import PluginManager

__all__ = ["EVENT_HOOKS", "call_event", "isolate"]

log = logging.getLogger("notifysdk.dispatch")


async def call_event(plugins: PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call ``hook_name`` through pluggy with ``kwargs``, then await what the
    implementations returned; nothing an implementation or a wrapper raises escapes."""
    caller = getattr(plugins.hook, hook_name)
    # No listener: nothing to call, unless hook tracing (pluggy's call monitoring,
    # installed with NOTIFYSDK_TRACE_HOOKS) wants the call in its log. The level is
    # checked first: it costs less than a look at the environment.
    if not caller.get_hookimpls() and not (
        hooktrace.log.isEnabledFor(logging.DEBUG) and hooktrace.enabled()
    ):
        return
    try:
        results = caller(**kwargs)
    except Exception:  # a wrapper's own code raised
        log.exception("a wrapper of event hook %s raised", hook_name)
        return
    for result in results or ():
        if inspect.isawaitable(result):
            await result  # isolated: it logs what it raises
