"""A small structured-text format shared by call scripts and letters.

Templates render Markdown in which each section is introduced by an HTML comment that
names it, so the rendered text reads well as Markdown and can still be split into a
structure for a call-centre screen or a PDF layout::

    <!-- section: identity_check -->
    ## Identity check
    > May I speak with Alex Smith?
    - Do not go on until the person confirms who they are.
    - Overdue amount | $1,234.50
    - [ ] Recording switched on

Line kinds: ``> `` a line to **say** verbatim; ``- a | b`` a **row** (label, value);
``- [ ] `` a **check** item; ``- `` an **item**; anything else **text**. Blank lines
separate paragraphs and are dropped. Text before the first marker is refused: every
line must belong to a named section.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from notifysdk.plugin import TemplateError

LineKind = Literal["say", "row", "check", "item", "text"]

_MARKER = re.compile(r"^<!--\s*section:\s*([a-z][a-z0-9_]*)\s*-->$")


@dataclass(frozen=True)
class Line:
    """One line of a section: its kind and text (``label``/``value`` for rows)."""

    kind: LineKind
    text: str
    label: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready view."""
        if self.kind == "row":
            return {"kind": self.kind, "label": self.label, "value": self.value}
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Section:
    """A named section: a stable id, a heading, and its lines."""

    id: str
    title: str
    lines: tuple[Line, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"id": self.id, "title": self.title, "lines": [ln.as_dict() for ln in self.lines]}

    def plain_text(self) -> str:
        """The section as plain text (title and lines)."""
        out = [self.title] if self.title else []
        for ln in self.lines:
            out.append(f"{ln.label}: {ln.value}" if ln.kind == "row" else ln.text)
        return "\n".join(out)


def _line(raw: str) -> Line:
    if raw.startswith("> "):
        return Line("say", raw[2:].strip())
    if raw.startswith("- [ ] "):
        return Line("check", raw[6:].strip())
    if raw.startswith("- "):
        body = raw[2:].strip()
        if " | " in body:
            label, _, value = body.partition(" | ")
            return Line("row", body, label.strip(), value.strip())
        return Line("item", body)
    return Line("text", raw)


def parse_sections(text: str, *, source: str = "message.body") -> tuple[Section, ...]:
    """Split rendered text into sections; raise :class:`TemplateError` when malformed."""
    sections: list[Section] = []
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            sections.append(Section(current["id"], current["title"], tuple(current["lines"])))

    seen: set[str] = set()
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            continue
        marker = _MARKER.match(stripped)
        if marker:
            close()
            sid = marker.group(1)
            if sid in seen:
                raise TemplateError(source, f"section {sid!r} appears twice")
            seen.add(sid)
            current = {"id": sid, "title": "", "lines": []}
            continue
        if current is None:
            raise TemplateError(source, "text before the first '<!-- section: NAME -->' marker")
        if stripped.startswith("#") and not current["title"] and not current["lines"]:
            current["title"] = stripped.lstrip("#").strip()
            continue
        current["lines"].append(_line(stripped))
    close()
    if not sections:
        raise TemplateError(source, "no '<!-- section: NAME -->' markers found")
    return tuple(sections)


def to_markdown(sections: tuple[Section, ...]) -> str:
    """Render sections back to Markdown (the reading copy)."""
    out: list[str] = []
    for s in sections:
        out.append(f"<!-- section: {s.id} -->")
        if s.title:
            out.append(f"## {s.title}")
        out.append("")
        prev = ""
        for ln in s.lines:
            listy = ln.kind in ("row", "check", "item")
            if prev and listy != (prev in ("row", "check", "item")) and out[-1] != "":
                out.append("")
            prev = ln.kind
            if ln.kind == "say":
                out.append(f"> {ln.text}")
                out.append("")
            elif ln.kind == "row":
                out.append(f"- {ln.label} | {ln.value}")
            elif ln.kind == "check":
                out.append(f"- [ ] {ln.text}")
            elif ln.kind == "item":
                out.append(f"- {ln.text}")
            else:
                out.append(ln.text)
                out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_html(sections: tuple[Section, ...], *, title: str, lang: str) -> str:
    """Render sections as a standalone, escaped HTML page."""
    e = html.escape
    body: list[str] = []
    for s in sections:
        body.append(f'<section id="{e(s.id)}">')
        if s.title:
            body.append(f"<h2>{e(s.title)}</h2>")
        rows = [ln for ln in s.lines if ln.kind == "row"]
        for ln in s.lines:
            if ln.kind == "say":
                body.append(f'<blockquote class="say">{e(ln.text)}</blockquote>')
            elif ln.kind == "item":
                body.append(f'<p class="item">• {e(ln.text)}</p>')
            elif ln.kind == "check":
                body.append(f'<p class="check"><input type="checkbox"> {e(ln.text)}</p>')
            elif ln.kind == "text":
                body.append(f"<p>{e(ln.text)}</p>")
        if rows:
            body.append("<table>")
            body.extend(f"<tr><th>{e(r.label)}</th><td>{e(r.value)}</td></tr>" for r in rows)
            body.append("</table>")
        body.append("</section>")
    return (
        f'<!doctype html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:48em;margin:auto}"
        "blockquote.say{border-left:4px solid #36c;margin:.5em 0;padding:.3em .8em;"
        "background:#eef}section{margin-bottom:1.2em}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
