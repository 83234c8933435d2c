"""The rules every profile shares, registered as a plugin like any other.

The jurisdiction profiles (``cn``, ``us-regf``...) and their rules come from the
compliance module; these two hold everywhere (:mod:`.shared_rules`, imported when the
registry is built; ``OptedOutDestination`` and ``InstitutionIdentity`` are importable
from here too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..lazy import lazy_exports

if TYPE_CHECKING:
    from ..channels import ChannelFactory
    from ..policy import Rule
    from .shared_rules import InstitutionIdentity, OptedOutDestination

__getattr__ = lazy_exports(
    __name__, {"shared_rules": ("InstitutionIdentity", "OptedOutDestination")}
)

__all__ = [
    "InstitutionIdentity",
    "OptedOutDestination",
    "notifysdk_register_channels",
    "notifysdk_register_rules",
]


@hookimpl
def notifysdk_register_rules(register: Callable[[Rule], None]) -> None:
    """Register the shared rules."""
    from .shared_rules import InstitutionIdentity, OptedOutDestination

    register(OptedOutDestination())
    register(InstitutionIdentity())
    from ..compliance.rules.carrier import carrier_rules  # China's carrier content rules

    for rule in carrier_rules():
        register(rule)
    from ..compliance.rules.preferences import StatedInconvenienceRule  # self-service times

    register(StatedInconvenienceRule())


@hookimpl
def notifysdk_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register ``credit-bureau``, the record-only channel the credit-report step goes to
    (the ``credit-report-prenotice`` rule decides whether and when; see
    :mod:`.credit_bureau`)."""
    from .credit_bureau import CHANNEL_NAME, build

    register(CHANNEL_NAME, build)
