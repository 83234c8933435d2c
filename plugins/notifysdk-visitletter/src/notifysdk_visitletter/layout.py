"""Laying out a letter's sections as a PDF with embedded, subset fonts (fpdf2).

Page 1 is the **envelope / cover page**: only what the ``envelope`` section says (the
recipient's name and address, "private and confidential"), placed where a window
envelope shows it. The letter starts on page 2: the ``letterhead`` and ``title``
sections, then every other section with its heading; rows become a two-column table,
check items get a box. Before anything is drawn every character is checked against the
embedded fonts: a character none can draw raises :class:`~.fonts.MissingGlyphError`
(never a blank box).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from notifysdk.plugin import TemplateError
from notifysdk_callscript.sections import Line, Section

from .fonts import FontFile, MissingGlyphError, coverage, missing_glyphs

ENVELOPE = "envelope"
HEADER_SECTIONS = ("letterhead", "title")
CHECKBOX = "□"

_FAMILY = "letter"


def _all_text(sections: Sequence[Section]) -> str:
    return "\n".join(s.plain_text() for s in sections)


def _add_fonts(pdf: FPDF, fonts: Sequence[FontFile]) -> None:
    names: list[str] = []
    for i, f in enumerate(fonts):
        name = _FAMILY if i == 0 else f"{_FAMILY}{i}"
        pdf.add_font(name, "", str(f.path), collection_font_number=f.index)
        names.append(name)
    if len(names) > 1:
        pdf.set_fallback_fonts(names[1:])


class _Writer:
    def __init__(self, pdf: FPDF, wrapmode: WrapMode) -> None:
        self.pdf = pdf
        self.wrapmode = wrapmode

    def para(self, text: str, size: float = 10.5, *, align: str = "L", gap: float = 1.5) -> None:
        self.pdf.set_font(_FAMILY, size=size)
        self.pdf.multi_cell(
            0,
            size * 0.55,
            text,
            align=align,
            wrapmode=self.wrapmode,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.ln(gap)

    def heading(self, text: str) -> None:
        self.pdf.ln(1.5)
        self.para(text, 12.5, gap=0.5)
        x, y = self.pdf.l_margin, self.pdf.get_y()
        self.pdf.set_draw_color(120, 120, 120)
        self.pdf.line(x, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(1.5)

    def rows(self, rows: Sequence[Line]) -> None:
        pdf = self.pdf
        pdf.set_font(_FAMILY, size=10.5)
        width = pdf.w - pdf.l_margin - pdf.r_margin
        with pdf.table(
            col_widths=(width * 0.3, width * 0.7),
            text_align="LEFT",
            line_height=6,
            first_row_as_headings=False,
            wrapmode=self.wrapmode,
        ) as table:
            for r in rows:
                row = table.row()
                row.cell(r.label)
                row.cell(r.value)
        pdf.ln(2)

    def lines(self, lines: Sequence[Line]) -> None:
        pending: list[Line] = []
        for ln in [*lines, Line("text", "")]:
            if ln.kind == "row":
                pending.append(ln)
                continue
            if pending:
                self.rows(pending)
                pending = []
            if not ln.text:
                continue
            if ln.kind == "check":
                self.para(f"{CHECKBOX} {ln.text}", gap=0.8)
            elif ln.kind == "item":
                self.para(f"• {ln.text}", gap=0.8)
            else:
                self.para(ln.text)


def render_letter(
    sections: Sequence[Section],
    fonts: Sequence[FontFile],
    *,
    locale: str = "en",
    created: datetime | None = None,
) -> bytes:
    """The PDF bytes of a letter: an envelope page, then the letter.

    Chinese text wraps between any two characters; other locales wrap between words.
    """
    ids = [s.id for s in sections]
    if ENVELOPE not in ids:
        raise TemplateError("letter", "a letter needs an 'envelope' section (name and address)")
    text = _all_text(sections)
    missing = missing_glyphs(text, fonts)
    if missing:
        raise MissingGlyphError("letter", missing)
    # Embed a fallback font only when the first one cannot draw part of the text
    # (loading and subsetting a CJK font is the slow part of rendering).
    needed = missing_glyphs(text, fonts[:1])
    fonts = [fonts[0], *(f for f in fonts[1:] if needed & coverage(f))]
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creator("notifysdk-visitletter")
    pdf.set_title("Letter")  # metadata carries no personal data
    if created is not None:
        pdf.set_creation_date(created)
    _add_fonts(pdf, fonts)
    wrap = WrapMode.CHAR if locale.startswith(("zh", "ja")) else WrapMode.WORD
    w = _Writer(pdf, wrap)

    envelope = sections[ids.index(ENVELOPE)]
    pdf.add_page()
    pdf.set_xy(pdf.l_margin + 90, 55)  # the address window of a DL/C5 window envelope
    pdf.set_font(_FAMILY, size=12)
    for ln in envelope.lines:
        pdf.set_x(pdf.l_margin + 90)
        pdf.multi_cell(0, 7, ln.text, align="L", wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.add_page()
    for s in sections:
        if s.id == ENVELOPE:
            continue
        if s.id == "letterhead":
            for i, ln in enumerate(s.lines):
                w.para(ln.text, 15 if i == 0 else 9.5, align="C", gap=0.3)
            y = pdf.get_y() + 1
            pdf.set_draw_color(40, 40, 40)
            pdf.set_line_width(0.6)
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_line_width(0.2)
            pdf.ln(5)
        elif s.id == "title":
            w.para(s.title, 18, align="C", gap=1)
            for ln in s.lines:
                w.para(ln.text, 9.5, align="C", gap=0.5)
            pdf.ln(3)
        else:
            if s.title:
                w.heading(s.title)
            w.lines(s.lines)
    return bytes(pdf.output())
