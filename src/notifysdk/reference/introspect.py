"""Reading signatures, fields and attribute docstrings from the code for the reference."""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import inspect
import itertools
import textwrap
from collections.abc import Callable
from typing import Any


class _Text:
    """An annotation shown as the text it was written as."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def annotation_text(annotation: Any) -> str:
    """An annotation as written, with ``Annotated[X, ...]`` shown as ``X``."""
    if annotation is inspect.Parameter.empty:
        return ""
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return _strip_annotated(text.replace("typing.", ""))


def _strip_annotated(text: str) -> str:
    start = text.find("Annotated[")
    while start != -1:
        i = start + len("Annotated[")
        depth, j = 0, i
        first_end = None
        while j < len(text):
            ch = text[j]
            if ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0 and first_end is None:
                first_end = j
            j += 1
        inner = text[i : first_end if first_end is not None else j]
        text = text[:start] + inner.strip() + text[j + 1 :]
        start = text.find("Annotated[")
    return text


def signature_text(fn: Callable[..., Any], *, skip_first: bool = False) -> str:
    """``(a: int, b: str = 'x') -> str`` as written in the source."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if skip_first:
        params = params[1:]
    shown = [
        p.replace(annotation=_Text(annotation_text(p.annotation)))
        if p.annotation is not p.empty
        else p
        for p in params
    ]
    ret = sig.return_annotation
    out = sig.replace(
        parameters=shown,
        return_annotation=_Text(annotation_text(ret)) if ret is not sig.empty else sig.empty,
    )
    return str(out)


@functools.lru_cache(maxsize=128)
def attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under a class's attributes (``x: int`` then ``\"\"\"...\"\"\"``),
    of the class and its bases."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass.__module__ == "builtins":
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        tree = ast.parse(source)
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for a, b in itertools.pairwise(body):
            target = None
            if isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name):
                target = a.target.id
            elif isinstance(a, ast.Assign) and len(a.targets) == 1:
                t = a.targets[0]
                target = t.id if isinstance(t, ast.Name) else None
            if (
                target
                and isinstance(b, ast.Expr)
                and isinstance(b.value, ast.Constant)
                and isinstance(b.value.value, str)
            ):
                docs[target] = " ".join(inspect.cleandoc(b.value.value).split())
    return docs


def module_attribute_doc(module: Any, name: str) -> str:
    """The docstring written under a module-level assignment of ``name``."""
    tree = ast.parse(inspect.getsource(module))
    body = tree.body
    for a, b in itertools.pairwise(body):
        names: list[str] = []
        if isinstance(a, ast.Assign):
            names = [t.id for t in a.targets if isinstance(t, ast.Name)]
        elif isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name):
            names = [a.target.id]
        if (
            name in names
            and isinstance(b, ast.Expr)
            and isinstance(b.value, ast.Constant)
            and isinstance(b.value.value, str)
        ):
            return " ".join(inspect.cleandoc(b.value.value).split())
    return ""


@dataclasses.dataclass(frozen=True)
class FieldDoc:
    """One field of a documented object."""

    name: str
    type: str
    default: str
    """``required``, or the default's repr."""
    doc: str


def _annotations(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is not object:
            out.update(inspect.get_annotations(klass))
    return out


def fields_of(cls: type) -> list[FieldDoc]:
    """The fields of a dataclass or a pydantic model, in declaration order."""
    docs = attribute_docs(cls)
    notes = _annotations(cls)
    out: list[FieldDoc] = []
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict):
        for name, info in model_fields.items():
            if info.is_required():
                default = "required"
            elif info.default_factory is not None:
                default = repr(info.default_factory())  # type: ignore[call-arg,unused-ignore]
            else:
                default = repr(info.default)
            doc = docs.get(name) or info.description or ""
            out.append(FieldDoc(name, annotation_text(notes.get(name, "")), default, doc))
        return out
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                default = repr(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                default = repr(f.default_factory())
            else:
                default = "required"
            out.append(
                FieldDoc(
                    f.name, annotation_text(notes.get(f.name, "")), default, docs.get(f.name, "")
                )
            )
        return out
    # a Protocol: its annotated attributes
    for name, ann in notes.items():
        if not name.startswith("_"):
            out.append(FieldDoc(name, annotation_text(ann), "required", docs.get(name, "")))
    return out


@dataclasses.dataclass(frozen=True)
class MethodDoc:
    """One public method, classmethod or property."""

    name: str
    kind: str
    """``method``, ``classmethod``, ``property`` or ``staticmethod``."""
    signature: str
    doc: str


def methods_of(cls: type) -> list[MethodDoc]:
    """The public methods, constructors and properties ``cls`` itself defines."""
    out: list[MethodDoc] = []
    for name, raw in vars(cls).items():
        if name.startswith("_") or name.startswith("model_"):
            continue
        if isinstance(raw, property):
            ret = raw.fget.__annotations__.get("return", "") if raw.fget else ""
            out.append(MethodDoc(name, "property", f" -> {annotation_text(ret)}", _doc(raw.fget)))
        elif isinstance(raw, classmethod):
            out.append(
                MethodDoc(
                    name, "classmethod", signature_text(raw.__func__, skip_first=True), _doc(raw)
                )
            )
        elif isinstance(raw, staticmethod):
            out.append(MethodDoc(name, "staticmethod", signature_text(raw.__func__), _doc(raw)))
        elif inspect.isfunction(raw):
            out.append(MethodDoc(name, "method", signature_text(raw, skip_first=True), _doc(raw)))
    return out


def _doc(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def enum_members(cls: type[enum.Enum]) -> list[tuple[str, str]]:
    """(name, value) of every member."""
    return [(m.name, repr(m.value)) for m in cls]
