"""A faster ``__init__`` for the frozen dataclasses built for every notice.

A frozen dataclass's generated ``__init__`` sets each field through
``object.__setattr__`` (its own ``__setattr__`` refuses): one call per field. The
dispatcher builds a dozen such objects per notice (votes, rule contexts, decisions), and
that was a tenth of a notice's CPU. :func:`fast_init` replaces the generated method by
one that writes the fields into the instance's ``__dict__`` at once: the same
parameters, defaults and default factories, the same object (still frozen, equal and
hashed by its fields; :func:`dataclasses.replace` works as before).

Only for plain frozen dataclasses: no ``__post_init__``, no ``InitVar``, no
``__slots__``, no field left out of ``__init__``.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

__all__ = ["fast_init"]

T = TypeVar("T")


class _Factory:
    """Stands for a field with a default factory that the caller left out (shown as
    dataclasses shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_NO_VALUE = _Factory()


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen dataclass ``cls`` an ``__init__`` that fills ``__dict__`` directly
    (see the module docstring); returns ``cls``."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    if hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} has __post_init__ or __slots__")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # checked frozen dataclass above
    own = inspect.get_annotations(cls)
    if any(not f.init for f in fields) or any("InitVar" in str(a) for a in own.values()):
        raise TypeError(f"{cls.__name__} has a field outside __init__ (or an InitVar)")
    # Names no field can have (a class body mangles a field named __x).
    namespace: dict[str, Any] = {"__no_value": _NO_VALUE}
    positional: list[str] = []
    keyword: list[str] = []
    lines: list[str] = []
    for f in fields:
        name = f.name
        if f.default is not dataclasses.MISSING:
            namespace[f"__default_{name}"] = f.default
            param = f"{name}=__default_{name}"
            value = name
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"__factory_{name}"] = f.default_factory
            param = f"{name}=__no_value"
            value = f"__factory_{name}() if {name} is __no_value else {name}"
        else:
            param = name
            value = name
        (keyword if f.kw_only else positional).append(param)
        lines.append(f"    __d[{name!r}] = {value}")
    signature = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({signature}):\n    __d = self.__dict__\n" + "\n".join(lines) + "\n"
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    return cls
