"""DOCX through python-docx, with real merged cells (gridSpan / vMerge)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from .layout import Layout, TableLayout, column_fractions, expand

FONT = "宋体"


def _table(doc, t: TableLayout, text_width: int) -> None:
    """Append the table as WordprocessingML built directly.

    python-docx's ``cell()``/``merge()`` rebuild the cell list on every call (quadratic, about
    a second for the §三 table); writing ``w:gridSpan``/``w:vMerge`` ourselves is instant.
    """
    grid = expand(t)
    tbl = OxmlElement("w:tbl")
    tblpr = OxmlElement("w:tblPr")
    style = OxmlElement("w:tblStyle")
    style.set(qn("w:val"), "TableGrid")
    tblpr.append(style)
    cols = [round(f * text_width) for f in column_fractions(t)]  # twips
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(cols)))
    width.set(qn("w:type"), "dxa")
    tblpr.append(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    tbl.append(tblpr)
    tblgrid = OxmlElement("w:tblGrid")
    for w in cols:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        tblgrid.append(col)
    tbl.append(tblgrid)
    for row in grid:
        tr = OxmlElement("w:tr")
        c = 0
        while c < t.width:
            pos = row[c]
            span = pos[0] if pos else None
            colspan = span.colspan if span else 1
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            tcw = OxmlElement("w:tcW")
            tcw.set(qn("w:w"), str(sum(cols[c:c + colspan])))
            tcw.set(qn("w:type"), "dxa")
            tcpr.append(tcw)
            if colspan > 1:
                gs = OxmlElement("w:gridSpan")
                gs.set(qn("w:val"), str(colspan))
                tcpr.append(gs)
            if span and span.rowspan > 1:
                vm = OxmlElement("w:vMerge")
                if pos[1]:
                    vm.set(qn("w:val"), "restart")
                tcpr.append(vm)
            tc.append(tcpr)
            p = OxmlElement("w:p")
            if span and pos[1] and span.text:
                if span.value:
                    ppr = OxmlElement("w:pPr")
                    jc = OxmlElement("w:jc")
                    jc.set(qn("w:val"), "center")
                    ppr.append(jc)
                    p.append(ppr)
                run = OxmlElement("w:r")
                text = OxmlElement("w:t")
                text.text = span.text
                text.set(qn("xml:space"), "preserve")
                run.append(text)
                p.append(run)
            tc.append(p)
            tr.append(tc)
            c += colspan
        tbl.append(tr)
    body = doc.element.body
    body.insert(len(body) - 1, tbl)  # before the final w:sectPr


def write(layout: Layout) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    sec = doc.sections[0]
    text_width = (sec.page_width - sec.left_margin - sec.right_margin) // 635  # EMU -> twips
    title = doc.add_paragraph(layout.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for p in layout.preamble:
        doc.add_paragraph(p)
    for section in layout.sections:
        doc.add_paragraph(section.heading)
        for p in section.paragraphs:
            doc.add_paragraph(p)
        if section.table is not None:
            _table(doc, section.table, text_width)
    doc.core_properties.title = layout.title
    if layout.date:
        try:
            doc.core_properties.created = dt.datetime.fromisoformat(layout.date)
        except ValueError:
            pass
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
