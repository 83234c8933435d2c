"""HTML parts are masked on the text a reader sees: entities cannot hide a value."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from notifysdk.privacy.findings import KnownValues
from notifysdk.privacy.html_mask import mask_html
from notifysdk.redaction_logging import build_redactor
from notifysdk.templating import TemplateRenderer

NAME = "Siobhan O'Brien-Smith"
ADDRESS = "12 Smith & Sons Lane, Dublin"
EMAIL = "siobhan.obrien@example.ie"
TEMPLATE = """<!DOCTYPE html>
<html><head><style>p { color: #333 }</style></head><body>
<p title="For {{ name }}">Dear {{ name }},</p>
<p>We will write to {{ address }}.</p>
<p><a href="mailto:{{ email }}">{{ email }}</a></p>
<img src="logo.png" alt="{{ name }}" />
<!-- sent to {{ name }} -->
<p>Amount due: {{ amount }}</p>
</body></html>
"""

REDACTOR = build_redactor()
KNOWN = KnownValues.expand(
    [("name", NAME), ("address", ADDRESS), ("email", EMAIL), ("amount", "1,246.80")]
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The template through the SDK's own jinja2 environment (autoescaping .html.j2)."""
    folder: Path = tmp_path_factory.mktemp("templates")
    (folder / "letter.html.j2").write_text(TEMPLATE, encoding="utf-8")
    env = TemplateRenderer([folder]).env
    out = env.get_template("letter.html.j2").render(
        name=NAME, address=ADDRESS, email=EMAIL, amount="1,246.80"
    )
    # What the bug needs: the values reach the redactor escaped.
    assert "O&#39;Brien-Smith" in out or "O&#x27;Brien-Smith" in out
    assert "Smith &amp; Sons" in out
    return out


def _forms(value: str) -> set[str]:
    """A value as written, and as HTML escapes write it."""
    return {value, html.escape(value), html.escape(value).replace("&#x27;", "&#39;")}


class _Shape(HTMLParser):
    """The element structure of a document: tags and attribute names, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append(("start", tag, *(a for a, _ in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append(("empty", tag, *(a for a, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.shape.append(("end", tag))


def _shape(doc: str) -> list[tuple[str, ...]]:
    p = _Shape()
    p.feed(doc)
    p.close()
    return p.shape


def test_plain_mask_misses_the_escaped_values(rendered: str) -> None:
    # The reason for mask_html: on the escaped source the surname and the address pass.
    masked = REDACTOR.mask(rendered, "limited", KNOWN).text
    assert any(f in masked for f in _forms("O'Brien-Smith"))


@pytest.mark.parametrize("level", ["limited", "none"])
def test_apostrophe_names_and_ampersand_addresses_are_masked(rendered: str, level: str) -> None:
    red = mask_html(REDACTOR, rendered, level, KNOWN)
    visible = html.unescape(red.text)
    for value in (NAME, "O'Brien-Smith", "Brien", ADDRESS, "Smith & Sons", EMAIL):
        assert value not in visible, value
        for form in _forms(value):
            assert form not in red.text, form
    assert "Dear S*** O***," in visible


def test_html_stays_valid_and_keeps_its_markup(rendered: str) -> None:
    red = mask_html(REDACTOR, rendered, "limited", KNOWN)
    assert _shape(red.text) == _shape(rendered)
    assert red.text.startswith("<!DOCTYPE html>")
    assert "p { color: #333 }" in red.text  # style content untouched
    # Text is escaped again: a masked value cannot open markup.
    assert "&lt;" not in rendered
    evil = mask_html(REDACTOR, "<p>a &lt;b&gt; &amp; c</p>", "limited", KNOWN)
    assert evil.text == "<p>a &lt;b&gt; &amp; c</p>"


def test_attributes_and_comments_are_masked(rendered: str) -> None:
    red = mask_html(REDACTOR, rendered, "limited", KNOWN)
    assert 'title="For S*** O***"' in red.text
    assert 'alt="S*** O***"' in red.text
    assert 'href="mailto:s***@example.ie"' in red.text
    assert "<!-- sent to S*** O*** -->" in red.text


def test_full_disclosure_keeps_the_values(rendered: str) -> None:
    red = mask_html(REDACTOR, rendered, "full", KNOWN)
    assert NAME in html.unescape(red.text)
    assert not red.leaks


def test_leaks_are_reported_like_mask(rendered: str) -> None:
    # At `none` an amount is forbidden even masked: the part must not be sent.
    red = mask_html(REDACTOR, rendered, "none", KNOWN)
    assert "amount" in {f.kind for f in red.leaks}
    assert not mask_html(REDACTOR, rendered, "limited", KNOWN).leaks
    # An entity-encoded amount in an attribute is found too.
    hidden = mask_html(REDACTOR, '<p data-x="&#49;,246.80">hi</p>', "none", KNOWN)
    assert "amount" in {f.kind for f in hidden.leaks}


def test_text_without_markup_is_masked_as_text() -> None:
    red = mask_html(REDACTOR, f"Dear {NAME}", "limited", KNOWN)
    assert red.text == REDACTOR.mask(f"Dear {NAME}", "limited", KNOWN).text
