"""PDF through reportlab, tables drawn with ruling lines like an office suite's export.

Font: reportlab's built-in CID font STSong-Light (Adobe-GB1). It is not embedded,
so no font package is needed to write the file, and PDFium extracts its text
exactly (checked by tests/parsing/test_render.py); viewers substitute a Song face.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .layout import Layout, TableLayout, column_fractions, expand

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
_HEAD = ParagraphStyle("head", fontName=FONT, fontSize=13, leading=20, spaceBefore=6, spaceAfter=4)
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=10)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")
_VALUE = ParagraphStyle("value", parent=_CELL, alignment=TA_CENTER)

_FRAME_WIDTH = A4[0] - 40 * mm


def _printable(text: str) -> str:
    """PDFium drops a text object of one lone CJK character drawn in a non-embedded font (a cell
    holding just 无 or 空) when no CJK font is installed: pad it with a no-break space, as web
    pages pad their cells; the parser strips it."""
    return text + "\u00a0" if len(text) == 1 and ord(text) > 0x2E7F else text


def _table(t: TableLayout, ruled: bool = True) -> Table:
    grid = expand(t)
    data: list[list[object]] = []
    style: list[tuple] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] if ruled else []
    style += [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(grid):
        out: list[object] = []
        for c, pos in enumerate(row):
            if pos is None or not pos[1]:
                out.append("")
                continue
            span = pos[0]
            out.append(Paragraph(escape(_printable(span.text)), _VALUE if span.value else _CELL) if span.text else "")
            if span.colspan > 1 or span.rowspan > 1:
                style.append(("SPAN", (c, r), (c + span.colspan - 1, r + span.rowspan - 1)))
        data.append(out)
    return Table(data, colWidths=[f * _FRAME_WIDTH for f in column_fractions(t)], style=TableStyle(style))


def write(layout: Layout, *, ruled: bool = True) -> bytes:
    """The PDF. ``ruled=False`` leaves out the cell borders (some offices print tables that way)."""
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=layout.title, author="", subject="")
    story: list[object] = [Paragraph(escape(layout.title), _TITLE)]
    story += [Paragraph(escape(p), _BODY) for p in layout.preamble]
    for section in layout.sections:
        story.append(Paragraph(escape(section.heading), _HEAD))
        story += [Paragraph(escape(p), _BODY) for p in section.paragraphs]
        if section.table is not None:
            story += [Spacer(1, 4), _table(section.table, ruled), Spacer(1, 6)]
    if layout.date:
        try:
            doc.creationDate = dt.datetime.fromisoformat(layout.date)  # type: ignore[attr-defined]
        except ValueError:
            pass
    doc.build(story)
    return buf.getvalue()
