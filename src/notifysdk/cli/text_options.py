"""The root command's own options, read without typer's pydantic coercion.

typer converts option values through a pydantic ``TypeAdapter``, built when a value is
first processed. The root command's options (``--log-level``, ``--log-format``, and
``--help`` and ``--version`` while not given) are processed before every
subcommand, even for ``notifysdk COMMAND --help``, so each of those imported pydantic
(and, for pydantic's plugins, ``importlib.metadata`` with ``email``) to hand back the
string or boolean it was given. :class:`PlainOptionsGroup` gives the group's own
single-valued ``str`` and ``bool`` options a coercion that returns a value already of that
type as it is (which is what the adapter returns for it) and hands any other value to
typer's coercion, built then.
"""

from __future__ import annotations

from typing import Any

from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperGroup, TyperOption

__all__ = ["PlainOptionsGroup"]

_PLAIN = (str, bool)


class _Plain(RuntimeParam):
    """A value already of the option's type as it is; anything else as typer coerces it."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is self.annotation:
            return value
        typer_s = build_runtime_param(param.type_descriptor)
        return typer_s._coerce_value(value, param=param, ctx=ctx)


class PlainOptionsGroup(TyperGroup):
    """A typer group whose own single-valued ``str`` and ``bool`` options (without a
    ``parser``), its ``--help`` included, load no pydantic for values of their type.

    The plain typer groups under it (the command groups plugins add; typer builds them
    before their parent) become instances of this class too: their options and help are
    processed before their subcommands' as well. A group of another class keeps its own.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _adopt(self)

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        """typer's help option (made on first use), with the plain coercion."""
        option = super().get_help_option(ctx)
        if option is not None:
            _plain(option)
        return option


def _adopt(group: TyperGroup) -> None:
    for param in group.params:
        _plain(param)
    for command in group.commands.values():
        if type(command) is TyperGroup:
            command.__class__ = PlainOptionsGroup
            _adopt(command)


def _plain(param: object) -> None:
    if not isinstance(param, TyperOption) or param.multiple or param.nargs != 1:
        return
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    if descriptor.annotation in _PLAIN and info.parser is None and param._runtime_param is None:
        param._runtime_param = _Plain(annotation=descriptor.annotation, parameter_info=info)
