"""Small input files built in code for the extractor tests (DOCX XML, reportlab PDFs)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "raw"

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tc(text: str = "", span: int = 1, vmerge: str | None = None, inner: str = "") -> str:
    pr = ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{p(text) if text or not inner else ''}{inner}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"


def textbox(body: str) -> str:
    """A paragraph anchoring a DrawingML text box (with the VML fallback copy Word writes)."""
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    return (f'<w:p><w:r><mc:AlternateContent {mc}><mc:Choice Requires="wps"><w:drawing><w:txbxContent>{body}'
            f'</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>{body}'
            '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')


def docx_bytes(body: str, title: str | None = None, created: str | None = None) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{body}</w:body></w:document>')
        if title or created:
            z.writestr("docProps/core.xml", (
                '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
                'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                + (f"<dc:title>{title}</dc:title>" if title else "")
                + (f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>' if created else "")
                + "</cp:coreProperties>"))
    return buf.getvalue()


def cells_of(report) -> dict[str, tuple]:
    """What a round trip must preserve of every cell: its value and its status."""
    return {k: (c.v, c.st) for k, c in report.cells.items()}


# --------------------------------------------------------------------------- PDFs


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def table_pdf(data: list[list[str]], spans: list[tuple[tuple[int, int], tuple[int, int]]] = (),
              before: list[str] = (), after: list[str] = (), repeat_rows: int = 0, page_numbers: bool = False,
              row_height: float | None = None, encrypt: str | None = None) -> bytes:
    """A PDF with paragraphs, one gridded table (reportlab draws borders as lines) and more paragraphs."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=11, wordWrap="CJK")
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, encrypt=encrypt)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] + [("SPAN", a, b) for a, b in spans]
    rows = [[Paragraph(x, cell) if x else "" for x in r] for r in data]
    story = [Paragraph(x, body) for x in before]
    story.append(Table(rows, style=TableStyle(style), repeatRows=repeat_rows,
                       rowHeights=[row_height] * len(rows) if row_height else None))
    story += [Paragraph(x, body) for x in after]

    def number(canvas, doc_) -> None:
        if page_numbers:
            canvas.setFont(font, 9)
            canvas.drawCentredString(A4[0] / 2, 20, f"- {doc_.page} -")
            canvas.drawString(72, A4[1] - 30, "示例县人民政府办公室")

    doc.build(story, onFirstPage=number, onLaterPages=number)
    return buf.getvalue()


def drawing_only_pdf() -> bytes:
    """A page with shapes but no text layer, like a scan."""
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 300, 500, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def split_table_pdf(fragment_row: bool = False, page2: list[tuple[str, str]] | None = None,
                    cut: tuple[str, str] | None = None, label_below: bool = False) -> bytes:
    """A table drawn the way LibreOffice breaks it over two pages, line by line on a canvas.

    Page 1 ends with rows 1–3, whose label cell (column 0) spans them; page 2 starts with rows
    4–5, where the same label cell continues, empty. With ``fragment_row`` page 2 first shows
    the empty lower part of row 3, cut by the page break; with ``cut`` row 3's label is cut too:
    its first part ends page 1, the rest opens page 2 above empty value cells; with
    ``label_below`` the spanning label is printed in its part on page 2 instead of page 1.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    xs = [72, 172, 372, 472]
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setLineWidth(0.5)

    def grid(top: float, rows: list[tuple[str, str] | None], label: str) -> None:
        bottom = top - 20 * len(rows)
        for y in (top, bottom):
            c.line(xs[0], y, xs[-1], y)
        for k in range(1, len(rows)):
            c.line(xs[1], top - 20 * k, xs[-1], top - 20 * k)  # not across the spanning label cell
        for x in xs:
            c.line(x, bottom, x, top)
        c.setFont(font, 10)
        if label:
            c.drawString(xs[0] + 4, (top + bottom) / 2 - 4, label)
        for k, row in enumerate(rows):
            if row:
                c.drawString(xs[1] + 4, top - 20 * k - 14, row[0])
                c.drawString(xs[2] + 4, top - 20 * k - 14, row[1])

    c.setFont(font, 12)
    c.drawString(72, 760, "三、收到和处理政府信息公开申请情况")
    grid(120, [("1.属于国家秘密", "1"), ("2.其他法律行政法规禁止公开", "2"),
               (cut[0] if cut else "3.危及“三安全一稳定”", "3")], "" if label_below else "（三）不予公开")
    c.showPage()
    rows = (([None] if fragment_row else []) + ([(cut[1], "")] if cut else [])
            + (page2 or [("4.保护第三方合法权益", "4"), ("5.属于三类内部事务信息", "5")]))
    grid(780, rows, "（三）不予公开" if label_below else "")
    c.setFont(font, 12)
    c.drawString(72, 700, "四、政府信息公开行政复议、行政诉讼情况")
    c.showPage()
    c.save()
    return buf.getvalue()


def drawn_grid_pdf(borders: str = "lines", underline: bool = False, shading: bool = False,
                   shape: str | None = None) -> bytes:
    """A 3×3 table drawn on a canvas the way different office suites draw it.

    ``borders``: "lines" (stroked segments, LibreOffice) or "bars" (thin filled rectangles, Word).
    ``underline`` adds a rule under the text of one cell that ends in mid-cell; ``shading``
    paints a filled, unstroked band across one row. ``shape`` strokes a figure of four or five path
    segments across the table (a stamp, an arrow, a chart slice): "kite" (four straight sides, not
    upright), "arc" (a quarter circle: one Bézier) or "turned" (a rectangle rotated by 30°).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    xs, ys = [72, 252, 352, 452], [700, 680, 660, 640]
    cells = [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "0", "0"], ["行政规范性文件", "3", "12"]]
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    if shading:
        # A highlight band across the 规章 row, edge to edge, not aligned with any border.
        c.setFillColorRGB(0.9, 0.9, 1.0)
        c.rect(xs[0], ys[1] - 9, xs[-1] - xs[0], 6, fill=1, stroke=0)
        c.setFillColorRGB(0, 0, 0)
    for y in ys:
        if borders == "bars":
            c.rect(xs[0], y - 0.25, xs[-1] - xs[0], 0.5, fill=1, stroke=0)
        else:
            c.line(xs[0], y, xs[-1], y)
    for x in xs:
        if borders == "bars":
            c.rect(x - 0.25, ys[-1], 0.5, ys[0] - ys[-1], fill=1, stroke=0)
        else:
            c.line(x, ys[-1], x, ys[0])
    c.setFont(font, 10)
    for r, row in enumerate(cells):
        for k, text in enumerate(row):
            c.drawString(xs[k] + 4, ys[r] - 14, text)
    if underline:
        c.line(xs[0], ys[2] - 16, xs[1] - 30, ys[2] - 16)  # from the cell edge, ending mid-cell
    if shape == "kite":
        p = c.beginPath()
        p.moveTo(230, 665)
        p.lineTo(275, 645)
        p.lineTo(320, 665)
        p.lineTo(275, 690)
        p.close()
        c.drawPath(p, stroke=1, fill=0)
    elif shape == "arc":
        c.arc(225, 635, 315, 695, startAng=0, extent=90)
    elif shape == "turned":
        c.saveState()
        c.translate(275, 668)
        c.rotate(30)
        c.rect(-40, -12, 80, 24, stroke=1, fill=0)
        c.restoreState()
    c.setFont(font, 12)
    c.drawString(72, 740, "二、主动公开政府信息情况")
    c.showPage()
    c.save()
    return buf.getvalue()
