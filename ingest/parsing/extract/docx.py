"""DOCX extractor: ``word/document.xml`` read directly with lxml.

python-docx is not used on the hot path: it is several times slower, and it
does not expose vertical merges as spans. Reading the XML ourselves lets us
turn ``w:gridSpan`` into colspans and ``w:vMerge`` restart/continue into
rowspans, which the interpreter needs as an expanded grid.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from lxml import etree

from ..errors import ParseError
from ..model import Block, Document, GridCell, Paragraph, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = "{" + W + "}"

P, TBL, TR, TC, T, TAB, BR, CR = (_W + x for x in ("p", "tbl", "tr", "tc", "t", "tab", "br", "cr"))
TXBX = _W + "txbxContent"
DEL = _W + "del"
FALLBACK = "{" + MC + "}Fallback"
# Elements whose text is never shown: deleted runs, field codes, the VML copy of a text box.
_SKIP = {_W + "delText", _W + "instrText", DEL, FALLBACK, _W + "rPr", _W + "pPr", _W + "tblPr", _W + "trPr",
         _W + "tcPr", _W + "sectPr", _W + "tblGrid"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _corrupt(detail: str) -> ParseError:
    return ParseError(
        "corrupt",
        "Word 文件已损坏或不完整，无法读取。请重新保存或重新下载后再上传。",
        f"The Word file is damaged or incomplete and cannot be read ({detail}). Save or download it again "
        "and re-upload.",
    )


def extract(data: bytes, filename: str) -> Document:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        xml = zf.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile, NotImplementedError, OSError) as e:
        raise _corrupt(type(e).__name__) from e
    except Exception as e:  # zlib.error from a truncated member, etc.
        raise _corrupt(type(e).__name__) from e
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        raise _corrupt("XML syntax error") from e
    body = root.find(_W + "body")
    if body is None:
        raise _corrupt("no document body")
    blocks: list[Block] = []
    _walk(body, blocks)
    title, _created = _core_properties(zf)
    # The file's creation date is when someone saved it, not when the report was published:
    # a published date must be stated in the report itself.
    return Document(blocks=tuple(blocks), source_format="docx", meta_title=title, meta_date=None)


# --------------------------------------------------------------------------- body


def _walk(parent: etree._Element, out: list[Block]) -> None:
    """Append paragraphs and tables under ``parent`` in document order.

    Wrappers (w:sdt, w:customXml, w:ins, …) are descended into, so content
    controls and tracked insertions are not lost.
    """
    for el in parent:
        tag = el.tag
        if tag == P:
            _paragraph(el, out)
        elif tag == TBL:
            _table(el, out)
        elif isinstance(tag, str) and tag not in _SKIP:
            _walk(el, out)


def _paragraph(p: etree._Element, out: list[Block]) -> None:
    parts: list[str] = []
    boxes: list[etree._Element] = []
    _runs_text(p, parts, boxes)
    out.append(Paragraph("".join(parts)))
    # Text boxes anchored in this paragraph follow it: that is where a reader meets them.
    for box in boxes:
        _walk(box, out)


def _runs_text(el: etree._Element, parts: list[str], boxes: list[etree._Element]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == T:
            parts.append(child.text or "")
        elif tag == TAB:
            parts.append("\t")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == TXBX:
            boxes.append(child)
        else:
            _runs_text(child, parts, boxes)


def _cell_text(tc: etree._Element, nested: list[Block]) -> str:
    """Text of a cell: its paragraphs joined by newlines. Nested tables and text boxes go to ``nested``."""
    lines: list[str] = []
    for el in tc.iter(P, TBL):
        # iter() also yields paragraphs of nested tables; those belong to the nested table only.
        if el.tag == TBL:
            continue
        if _owner_cell(el) is not tc:
            continue
        parts: list[str] = []
        boxes: list[etree._Element] = []
        _runs_text(el, parts, boxes)
        lines.append("".join(parts))
        for box in boxes:
            _walk(box, nested)
    for tbl in tc.iter(TBL):
        if _owner_cell(tbl) is tc:
            _table(tbl, nested)
    return "\n".join(lines).strip("\n")


def _owner_cell(el: etree._Element) -> etree._Element | None:
    # A text box inside a cell owns its own paragraphs: they are emitted as blocks, not cell text.
    node = el.getparent()
    while node is not None and node.tag not in (TC, TXBX):
        node = node.getparent()
    return node


def _rows(tbl: etree._Element):
    for el in tbl:
        if el.tag == TR:
            yield el
        elif isinstance(el.tag, str) and el.tag not in _SKIP:  # rows inside w:sdt / w:customXml
            yield from _rows(el)


def _cells(tr: etree._Element):
    for el in tr:
        if el.tag == TC:
            yield el
        elif isinstance(el.tag, str) and el.tag not in _SKIP:
            yield from _cells(el)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, int(el.get(_W + "val", default)))
    except ValueError:
        return default


def _table(tbl: etree._Element, out: list[Block]) -> None:
    nested: list[Block] = []
    # Each row: list of (col_start, span, text, vmerge) where vmerge is None | "restart" | "continue"
    # | "left" (a legacy w:hMerge continuation: covered by the cell to its left).
    raw_rows: list[list[tuple[int, int, str, str | None]]] = []
    width = 0
    for tr in _rows(tbl):
        trpr = tr.find(_W + "trPr")
        col = _int_attr(trpr.find(_W + "gridBefore"), 0) if trpr is not None else 0
        cells: list[tuple[int, int, str, str | None]] = []
        for tc in _cells(tr):
            tcpr = tc.find(_W + "tcPr")
            span, vmerge = 1, None
            if tcpr is not None:
                span = _int_attr(tcpr.find(_W + "gridSpan"), 1)
                vm = tcpr.find(_W + "vMerge")
                if vm is not None:
                    # A bare <w:vMerge/> means "continue" (ECMA-376 §17.4.85).
                    vmerge = "restart" if vm.get(_W + "val") == "restart" else "continue"
                hm = tcpr.find(_W + "hMerge")
                if hm is not None and hm.get(_W + "val") != "restart":
                    vmerge = "left"  # old Word/WPS files merge horizontally this way instead of gridSpan
            cells.append((col, span, _cell_text(tc, nested), vmerge))
            col += span
        width = max(width, col)
        raw_rows.append(cells)
    if not raw_rows or width == 0:
        out.extend(nested)
        return

    grid: list[list[GridCell | None]] = [[None] * width for _ in raw_rows]
    for r, cells in enumerate(raw_rows):
        for col, span, text, vmerge in cells:
            if vmerge == "continue" and r > 0 and grid[r - 1][col] is not None:
                # Covered by the cell above: repeat its text, never as a second value.
                above = grid[r - 1][col].text
                for c in range(col, col + span):
                    grid[r][c] = GridCell(above, origin=False)
                continue
            if vmerge == "left" and col > 0 and grid[r][col - 1] is not None:
                left = grid[r][col - 1].text
                for c in range(col, col + span):
                    grid[r][c] = GridCell(left, origin=False)
                continue
            grid[r][col] = GridCell(text, origin=True)
            for c in range(col + 1, col + span):
                grid[r][c] = GridCell(text, origin=False)
    # Positions no cell reaches (short rows, gridBefore) are not cells of the source.
    rows = tuple(tuple(c if c is not None else GridCell("", origin=False) for c in row) for row in grid)

    if width == 1 and len(rows) == 1 and nested:
        # A one-cell layout table around the real content: keep its content in reading order.
        if rows[0][0].text.strip():
            out.append(Paragraph(rows[0][0].text))
        out.extend(nested)
        return
    out.append(Table(rows=rows))
    out.extend(nested)


# --------------------------------------------------------------------------- metadata

_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _core_properties(zf: zipfile.ZipFile) -> tuple[str | None, str | None]:
    try:
        root = etree.fromstring(zf.read("docProps/core.xml"), _PARSER)
    except Exception:  # noqa: BLE001 - metadata is optional; a broken core.xml must not fail the parse
        return None, None
    title_el = root.find(_DC + "title")
    title = (title_el.text or "").strip() if title_el is not None else ""
    created = root.find(_DCTERMS + "created")
    m = _DATE.match((created.text or "").strip()) if created is not None else None
    return (title or None), (m.group(1) if m else None)
