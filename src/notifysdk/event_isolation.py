"""Event hooks made safe to call: what one implementation raises is logged, never raised.

The plugin manager wraps each plain implementation of an event hook when its plugin
registers (wrappers are left as they are), so pluggy's own call path can run the
events (:mod:`notifysdk.dispatch.events`) while one plugin's failure stops neither the
others nor a send. Kept apart from the dispatcher so registering a plugin imports
nothing heavy.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("notifysdk.dispatch")

EVENT_HOOKS = ("notifysdk_on_attempt", "notifysdk_on_outcome")
"""The hooks called as events: observed, never able to change or stop a send."""


def isolate(function: Callable[..., Any], hook_name: str, plugin: str) -> Callable[..., Any]:
    """``function`` made safe to call as an event: what it raises is logged and it
    returns ``None``; an awaitable it returns is wrapped the same way."""

    @functools.wraps(function)
    def safe(*args: Any) -> Any:
        try:
            result = function(*args)
        except Exception:
            log.exception("event hook %s of plugin %s raised", hook_name, plugin)
            return None
        if result is not None and inspect.isawaitable(result):  # None: never awaitable
            return _awaited(result, hook_name, plugin)
        return result

    safe.__notifysdk_isolated__ = True  # type: ignore[attr-defined]
    return safe


async def _awaited(result: Awaitable[Any], hook_name: str, plugin: str) -> None:
    try:
        await result
    except Exception:
        log.exception("event hook %s of plugin %s raised", hook_name, plugin)
