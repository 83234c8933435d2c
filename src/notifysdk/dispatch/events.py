"""Calling the event hooks (``notifysdk_on_attempt``, ``notifysdk_on_outcome``).

Each implementation runs on its own, so one that raises (synchronously or from its
awaitable) neither stops the others nor escapes into the send; pluggy does not await, so
an awaitable an implementation returns is awaited here.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from .. import hooktrace
from ..plugins import PluginManager

log = logging.getLogger("notifysdk.dispatch")


async def call_event(plugins: PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call every implementation of ``hook_name`` with ``kwargs``; log what raises."""
    caller = getattr(plugins.hook, hook_name)
    impls = caller.get_hookimpls()
    # The trace is a DEBUG line: a logger that drops it needs no look at the environment
    # (which costs more than the rest of an event without listeners).
    if hooktrace.log.isEnabledFor(logging.DEBUG) and hooktrace.enabled():
        hooktrace.before(hook_name, impls, kwargs)
    for impl in reversed(impls):
        try:
            result = impl.function(*[kwargs[a] for a in impl.argnames])
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("event hook %s of plugin %s raised", hook_name, impl.plugin_name)
