"""Masking an HTML part on the text a reader sees, not on its escaped source.

Jinja2 autoescapes HTML templates, so ``O'Brien-Smith`` reaches the redactor as
``O&#x27;Brien-Smith`` and ``Smith & Sons`` as ``Smith &amp; Sons``: an entity inside a
value hides it from every detector. :func:`mask_html` walks the markup instead, and masks
each text node and attribute value unescaped, then escapes it again; tags, comments and
declarations are kept as they were. The contents of ``<script>`` and ``<style>`` are not
HTML-escaped text (entities stay literal there) and are masked as written.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from ..channels import Disclosure
from .disclosure import Level
from .findings import Finding, KnownValues
from .redactor import Redaction, Redactor

_RAW_TEXT = frozenset({"script", "style"})


def mask_html(
    redactor: Redactor,
    source: str,
    level: Disclosure | Level | str,
    known: KnownValues | None = None,
) -> Redaction:
    """``source`` with every text node and attribute value masked down to ``level``.

    The result is a :class:`~notifysdk.privacy.redactor.Redaction` like
    :meth:`Redactor.mask`'s: ``text`` is the masked HTML; ``findings``, ``leaks`` and
    ``replacements`` gather those of every piece, their spans relative to the unescaped
    piece they were found in (not to ``source``). Non-empty ``leaks`` means the part must
    not be sent.
    """
    if "<" not in source and "&" not in source:  # plain text: nothing to unescape
        return redactor.mask(source, level, known)
    walker = _Walker(redactor, level, known or KnownValues())
    walker.feed(source)
    walker.close()
    return Redaction(
        "".join(walker.out),
        tuple(walker.findings),
        tuple(walker.leaks),
        tuple(walker.replacements),
    )


class _Walker(HTMLParser):
    """Re-emits the document it is fed, masking text and attribute values."""

    def __init__(
        self, redactor: Redactor, level: Disclosure | Level | str, known: KnownValues
    ) -> None:
        super().__init__(convert_charrefs=True)
        self.redactor = redactor
        self.level = level
        self.known = known
        self.out: list[str] = []
        self.findings: list[Finding] = []
        self.leaks: list[Finding] = []
        self.replacements: list[str] = []
        self._raw_text: str | None = None  # inside <script>/<style>

    def _mask(self, text: str) -> str:
        if not text or text.isspace():  # most text nodes between tags
            return text
        red = self.redactor.mask(text, self.level, self.known)
        self.findings.extend(red.findings)
        self.leaks.extend(red.leaks)
        self.replacements.extend(red.replacements)
        return red.text

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        raw = self.get_starttag_text() or ""
        masked = [(name, None if value is None else self._mask(value)) for name, value in attrs]
        if masked == attrs:
            self.out.append(raw)  # untouched: byte for byte as written
            return
        parts = [f"<{tag}"]
        for name, value in masked:
            parts.append(f" {name}" if value is None else f' {name}="{html.escape(value)}"')
        parts.append(close)
        self.out.append("".join(parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A start tag, its attribute values masked."""
        self._tag(tag, attrs, ">")
        if tag in _RAW_TEXT:
            self._raw_text = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag (``<img ... />``), its attribute values masked."""
        self._tag(tag, attrs, " />")

    def handle_endtag(self, tag: str) -> None:
        """An end tag, as is."""
        if tag == self._raw_text:
            self._raw_text = None
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        """A text node: unescaped by the parser, masked, escaped again."""
        if self._raw_text is not None:
            self.out.append(self._mask(data))
        else:
            self.out.append(html.escape(self._mask(data), quote=False))

    def handle_comment(self, data: str) -> None:
        """A comment, masked (it travels in the message source). HTML does not decode
        entities in comments, but autoescaping wrote them there: mask the decoded text and
        escape it again, which also keeps a masked value from closing the comment."""
        self.out.append(f"<!--{html.escape(self._mask(html.unescape(data)), quote=False)}-->")

    def handle_decl(self, decl: str) -> None:
        """``<!DOCTYPE ...>``, as is."""
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        """A processing instruction, as is."""
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        """A CDATA section or other marked section, masked."""
        self.out.append(f"<![{self._mask(data)}]>")
