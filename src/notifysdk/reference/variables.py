"""``docs/reference/template-variables.md``: what a template sees, and the filters."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..template_variables import FILTER_EXAMPLES, variables
from .introspect import fields_of, methods_of, signature_text
from .markdown import cell, code, first_paragraph, page, table
from .sample import NOW, sample_context


def first_party_plugins() -> dict[str, str]:
    """The plugins shipped with the SDK: the ``notifysdk`` entry points declared by the
    distributions under ``plugins/`` of the source tree, as module → distribution (their
    filters are documented here; a third-party plugin documents its own)."""
    import tomllib

    root = Path(__file__).resolve().parents[3] / "plugins"
    out: dict[str, str] = {}
    for pyproject in sorted(root.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        for module in project.get("entry-points", {}).get("notifysdk", {}).values():
            out[str(module)] = str(project.get("name", pyproject.parent.name))
    return out


def sdk_filters() -> dict[str, Callable[..., Any]]:
    """The filters every renderer has beyond jinja's built-ins, by name (unwrapped)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from ..templating import TemplateRenderer

    jinja = set(ImmutableSandboxedEnvironment().filters)
    env = TemplateRenderer([]).env
    return {n: inspect.unwrap(f) for n, f in sorted(env.filters.items()) if n not in jinja}


def plugin_filters() -> list[tuple[str, str, Callable[..., Any]]]:
    """(filter, plugin distribution, function) of the first-party plugins' filters, read
    from a plugin manager of their own (whatever else is installed or disabled)."""
    from ..plugins import PluginManager

    pm = PluginManager(load_entry_points=False)
    dists = first_party_plugins()
    for module in dists:
        pm.register(importlib.import_module(module), module)
    reg = pm.registry()
    out = []
    for name, fn in sorted(reg.filters.items()):
        owner = reg.owners[("filter", name)]
        if owner in dists:
            out.append((name, dists[owner], fn))
    return out


def documented_filters() -> list[tuple[str, str, Callable[..., Any]]]:
    """Every filter the page documents: (name, where from, function)."""
    sdk = [(n, "notifysdk", f) for n, f in sdk_filters().items()]
    return sdk + plugin_filters()


def render_example(source: str, context: dict[str, Any]) -> str:
    """``source`` rendered for the sample context with every documented filter."""
    from ..templating import TemplateRenderer

    renderer = TemplateRenderer([], {n: f for n, _, f in documented_filters()})
    return renderer.render_string(source, context)


def _usage(name: str, fn: Callable[..., Any]) -> str:
    params = list(inspect.signature(fn).parameters.values())
    first = params[0].name if params else "value"
    rest = [p for p in params[1:] if p.kind is not p.VAR_KEYWORD]
    args = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in rest)
    return f"{{{{ {first} | {name}({args}) }}}}" if rest else f"{{{{ {first} | {name} }}}}"


def template_variables_page() -> str:
    """The whole page."""
    ctx = sample_context()
    body = [
        "Every template sees the variables below (built by "
        "`notifysdk.templating.notice_context`, declared in `notifysdk.template_variables`). "
        "A *formatted* variable is text already formatted for the notice's locale (an "
        "amount with its currency sign, a long date): print it as it is. A *raw* value "
        "(`account.overdue_amount` is a `Decimal`, `account.due_date` a `date`) prints "
        "unformatted: give it to a filter (`money`, `long_date`) or use the formatted "
        "variable named in the table. A notice's `data` keys are under `data` only.",
        "",
        f"Examples are rendered for the synthetic notice of `notifysdk.reference.sample` "
        f"(an `en`, USD, `us-regf` account; no real person) at {NOW.isoformat()}.",
        "",
        "An unknown variable is an error naming it (`StrictUndefined`), never an empty string.",
        "",
        "## Variables",
        "",
    ]
    rows = []
    for v in variables():
        shown = render_example(v.example, ctx)
        kind = "formatted" if v.formatted else "raw"
        if v.raw:
            kind += f" (raw: {code(v.raw)})"
        rows.append(
            (code(v.name), cell(v.type), kind, code(v.example), code(shown), cell(v.description))
        )
    body += table(("name", "type", "formatted?", "example", "renders", "description"), rows)
    from ..models import Account, Notice, Person

    for title, cls, where in (
        ("`account` (Account)", Account, "account"),
        ("`debtor`, `recipient` (Person)", Person, "debtor"),
        ("`notice` (Notice)", Notice, "notice"),
    ):
        body += ["", f"## Fields of {title}", ""]
        field_rows = []
        for f in fields_of(cls):
            value = ctx[where]
            field_rows.append(
                (
                    code(f"{where}.{f.name}"),
                    code(f.type),
                    cell(type(getattr(value, f.name)).__name__),
                    cell(f.doc),
                )
            )
        for m in methods_of(cls):
            if m.kind == "property":
                value = getattr(ctx[where], m.name)
                field_rows.append(
                    (
                        code(f"{where}.{m.name}"),
                        code(m.signature.removeprefix(" -> ")),
                        cell(type(value).__name__),
                        cell(m.doc),
                    )
                )
        body += table(("name", "declared type", "value is", "description"), field_rows)
    body += [
        "",
        "## Filters",
        "",
        "The SDK's own filters, then those of the plugins shipped with it (each listed with "
        "its distribution; a filter needs its plugin installed). Jinja's built-in filters "
        "(`default`, `upper`, `join`...) work as usual, under the render bounds of "
        "docs/limits.md. In a template the first argument is the value before the `|`.",
    ]
    for name, source, fn in documented_filters():
        example = FILTER_EXAMPLES.get(name)
        body += ["", f"### `{name}` ({source})", ""]
        body += [f"`{name}{signature_text(fn)}`", "", first_paragraph(inspect.getdoc(fn)), ""]
        body.append(f"Usage: {code(_usage(name, fn))}")
        if example is not None:
            body += ["", f"Example: {code(example)} renders {code(render_example(example, ctx))}"]
    return page("Template variables and filters", body)
