"""A test-fixture plugin: a rule that raises what a buggy plugin or a hostile value could.

Inert unless ``NOTIFYSDK_TEST_HOSTILE=1``: then it registers the rule ``test-hostile``,
which, for an account whose ``agency`` is ``raise:<Name>``, raises that exception (not
one of the SDK's) while the notice is prepared, with the account's personal values in
its message, as an exception from a library might. Every other account it lets through.
"""

from __future__ import annotations

import decimal
import os
from collections.abc import Callable
from typing import Any, Literal

from notifysdk.hookspecs import hookimpl

RAISES: dict[str, Callable[[str], BaseException]] = {
    "InvalidOperation": lambda m: decimal.InvalidOperation(m),
    "Overflow": lambda m: decimal.Overflow(m),
    "RecursionError": lambda m: RecursionError(m),
    "ValueError": lambda m: ValueError(m),
    "KeyError": lambda m: KeyError(m),
    "MemoryError": lambda m: MemoryError(m),
}


class HostileRule:
    """Raises ``RAISES[name]`` for an account whose agency is ``raise:<name>``."""

    name = "test-hostile"
    citation = "test fixture"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def evaluate(self, ctx: Any) -> None:
        """Raise for a marked account, abstain for the others."""
        account = ctx.notice.account
        agency = account.agency or ""
        if agency.startswith("raise:"):
            person = account.debtor
            phone = next((c.value for c in person.contacts if c.kind == "phone"), "")
            raise RAISES[agency.removeprefix("raise:")](
                f"cannot handle {person.name} {phone} {person.national_id}"
            )
        return None


@hookimpl
def notifysdk_register_rules(register: Callable[[Any], None]) -> None:
    """Register the rule when the hostile tests ask for it."""
    if os.environ.get("NOTIFYSDK_TEST_HOSTILE") == "1":
        register(HostileRule())
