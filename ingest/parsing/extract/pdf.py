"""PDF extractor on pypdfium2: rebuild paragraphs and table grids from glyph positions.

Why geometry and not ``get_text_range()``: PDFium's text order breaks table
cells apart (a wrapped label comes out one character per line, a row's values
interleave with the next row's label). Office-made PDFs (Word, WPS,
LibreOffice) draw cell borders as thin path objects, so:

1. ruling lines (thin paths) are collected per page and grouped into tables;
2. the distinct x and y positions of the lines give a fine grid; a missing
   border between two neighbouring grid cells means they are one merged cell
   (colspan/rowspan);
3. every glyph is dropped into the grid cell that contains its centre;
4. a table that ends at the bottom of a page and restarts at the top of the
   next one with the same outer width is one table: its parts are stacked,
   a repeated header is dropped, and a label cell split by the page break is
   joined again;
5. glyphs outside tables become lines, then paragraphs (short last line or an
   indented first line ends a paragraph); page numbers and repeated running
   headers/footers are dropped.

Pages are loaded and closed one at a time (at most two open) so memory stays flat for big files.
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass, field
from itertools import repeat
from math import isfinite

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import ParseError
from ..model import Block, Document, GridCell, Paragraph, Table

_THIN = 2.5  # pt: a path this thin in one direction is a ruling line
_SNAP = 2.0  # pt: line positions closer than this are the same grid line
_MARGIN_ZONE = 0.075  # fraction of page height at top/bottom where running headers/footers live
_PAGE_NO = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–\s]*$")
_HEADING_START = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_NUMERIC = re.compile(r"^[\s+\-−.,，0-9%元万]*$")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_DIGITS = re.compile(r"\d+")


def _msg_corrupt(detail: str) -> ParseError:
    return ParseError(
        "corrupt",
        "PDF 文件已损坏或不完整，无法读取。请重新导出或重新下载后再上传。",
        f"The PDF file is damaged or incomplete and cannot be read ({detail}). Export or download it again "
        "and re-upload.",
    )


# PDFium gives some glyphs of a damaged content stream no position (NaN boxes). In prose that loses
# nothing; on a page with a table such a glyph cannot be put in its cell, and the cell would be read
# without it ("12" as 1), so the file is refused rather than read wrong.
_UNPLACEABLE = _msg_corrupt("glyphs without a position on a page with a table")

SCANNED = ParseError(
    "scanned_pdf",
    "扫描件，暂不支持：该 PDF 没有文字层（可能是扫描或拍照生成的），无法可靠读取数字。请上传原始的 Word/网页版本或带文字层的 PDF。",
    "Scanned document, not supported yet: this PDF has no text layer (it was probably scanned or photographed), "
    "so its numbers cannot be read reliably. Upload the original Word/web version or a PDF with a text layer.",
)
ENCRYPTED = ParseError(
    "encrypted",
    "该 PDF 已加密（需要密码才能打开），无法读取。请上传未加密的版本。",
    "This PDF is encrypted (it needs a password to open) and cannot be read. Upload an unencrypted version.",
)


# --------------------------------------------------------------------------- fast foreign calls
# The hot loops make thousands of foreign calls. pypdfium2's prototypes return typed
# pointers (a Python object per call) and check argument types; the same C functions
# re-declared on plain addresses cost about a third less per call. They are declared with
# PYFUNCTYPE, which keeps the GIL over the call instead of releasing and retaking it: these
# calls take well under a microsecond and never call back into Python.


def _fast(name: str, restype, *argtypes):
    fn = getattr(pdfium_c, name)
    return ctypes.PYFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


_VP, _INT = ctypes.c_void_p, ctypes.c_int
# FPDFPage_GetObject(FPDF_PAGE, int) without argtypes: called with the page as a c_void_p (passed as a
# pointer) and a Python int index (passed as a C int, its declared type), ctypes skips the from_param
# conversions, the larger part of the cost of a call it makes for every object of a page.
_get_object = ctypes.PYFUNCTYPE(_VP)(ctypes.cast(pdfium_c.FPDFPage_GetObject, ctypes.c_void_p).value)
_object_type = _fast("FPDFPageObj_GetType", _INT, _VP)
_loose_box = _fast("FPDFText_GetLooseCharBox", _INT, _VP, _INT, _VP)  # (textpage, index, FS_RECTF*)
_obj_bounds = _fast("FPDFPageObj_GetBounds", _INT, _VP, _VP, _VP, _VP, _VP)  # (obj, &l, &b, &r, &t)
_count_segments = _fast("FPDFPath_CountSegments", _INT, _VP)


_LOOSE_BOX = ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value or 0
_RULING_FUNCTIONS = tuple(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value or 0 for name in (
    "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetType", "FPDFPageObj_GetBounds",
    "FPDFPath_CountSegments", "FPDFPath_GetDrawMode", "FPDFPageObj_GetMatrix", "FPDFPath_GetPathSegment",
    "FPDFPathSegment_GetType", "FPDFPathSegment_GetPoint"))

# The hot loops also exist in C (ingest/parsing/extract/_pdfgeom_src/, built at install when a compiler
# is there): same results, a fraction of the time; without it the Python below runs. The Python
# functions with a C twin say so in their docstring ("``_pdfgeom.X`` is the same in C"): change one and
# change the other alike. The parser tests run both on every PDF they read and fail on any difference
# (tests/parsing/pdfgeom_check.py), so a change made to one side only shows up there.
try:
    from . import _pdfgeom as _c
except ImportError:  # pragma: no cover - depends on the install
    _c = None


def _addr(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


# --------------------------------------------------------------------------- page-level data


# A glyph: (char, x0, x1, y0 bottom, y1 top) in PDF space (y grows upwards). Tuples, not objects:
# a report has thousands of glyphs and this is the hot path.
_Char = tuple[str, float, float, float, float]


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    height: float
    page: int
    cells: bool = False  # a row of a table drawn without borders: its pieces, one per text line


@dataclass
class _TablePart:
    """One page's piece of a table: its ruling lines and the glyphs inside."""

    page: int
    h: list[tuple[float, float, float]]  # (y, x0, x1)
    v: list[tuple[float, float, float]]  # (x, y0, y1)
    left: float
    right: float
    top: float
    bottom: float
    xs: list[float]  # the distinct x of its vertical lines (``_snap``), ascending
    ys: list[float]  # the distinct y of its horizontal lines, ascending
    chars: list[_Char] = field(default_factory=list)


@dataclass
class _Page:
    items: list[tuple[float, object]]  # (top y, _Line | _TablePart) in reading order
    height: float
    scanned: bool  # whether ruling lines were looked for


# --------------------------------------------------------------------------- entry point


def extract(data: bytes, filename: str) -> Document:
    # PDFium repairs a truncated file silently and reads what is left; a report with its
    # tail cut off would then look complete, so a missing end marker is treated as damage.
    if b"%%EOF" not in data[-2048:]:
        raise _msg_corrupt("no %%EOF end marker")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        # PDFium's error code is process-global and can be stale when a load fails without
        # setting it, so a password error counts only if the file really has an /Encrypt entry.
        password = getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(e).lower()
        if password and b"/Encrypt" in data:
            raise ENCRYPTED from e
        raise _msg_corrupt(str(e)) from e
    try:
        if len(pdf) == 0:
            raise _msg_corrupt("no pages")
        title = _metadata(pdf)
        pages: list[_Page] = []
        n_chars = 0
        prev: _Open | None = None  # the previous page stays open until the next one is read
        try:
            for i in range(len(pdf)):
                cur = _Open(pdf, i)
                p, n = cur.read(force=False)
                if (prev is not None and not pages[-1].scanned and p.items
                        and isinstance(p.items[0][1], _TablePart)):
                    # This page opens with a table: the previous page, which looked like prose only,
                    # may hold the table's first row (a lone caption row has no tabular look).
                    pages[-1], _ = prev.read(force=True)
                if prev is not None:
                    prev.close()
                prev = cur
                pages.append(p)
                n_chars += n
        finally:
            if prev is not None:
                prev.close()
    finally:
        pdf.close()
    if n_chars == 0:
        raise SCANNED
    _drop_running_lines(pages)
    blocks = _assemble(pages)
    # The PDF's creation date is when it was produced, not when the report was published.
    return Document(blocks=tuple(blocks), source_format="pdf", meta_title=title, meta_date=None)


def _metadata(pdf: pdfium.PdfDocument) -> str | None:
    """The document's Title (its creation date is when the file was made, not the report's date)."""
    try:
        title = pdf.get_metadata_value("Title")
    except Exception:  # noqa: BLE001 - metadata is optional
        return None
    return (title or "").strip() or None


# --------------------------------------------------------------------------- one page


class _Open:
    """One loaded page and its text page, read once, and once more (``force``) if the next page
    asks for it, without loading it again."""

    def __init__(self, pdf: pdfium.PdfDocument, i: int):
        try:
            self.page = pdf[i]
        except pdfium.PdfiumError as e:
            raise _msg_corrupt(f"page {i + 1}: {e}") from e
        self.index = i
        try:
            self.textpage = self.page.get_textpage()
        except BaseException:
            self.page.close()
            raise

    def read(self, force: bool) -> tuple[_Page, int]:
        lines, n_chars, scanned = _text(self.page, self.textpage, self.index, force)
        parts = [t for t in lines if isinstance(t, _TablePart)]
        items: list[tuple[float, object]] = [(ln.top, ln) for ln in lines if isinstance(ln, _Line)]
        items.extend((t.top, t) for t in parts if t.chars)
        items.sort(key=lambda it: -it[0])  # top of page first
        return _Page(items=items, height=self.page.get_height(), scanned=scanned), n_chars

    def close(self) -> None:
        self.textpage.close()
        self.page.close()


# A line of PDFium's text without its surrounding whitespace (what str.strip() leaves; \s and
# str.isspace() agree on what whitespace is).
_LINE = re.compile(r"\S(?:[^\r\n]*\S)?")
# PDFium puts spaces between CJK text and digits ("2019 年") where the file has none.
_CJK_SPACE = re.compile(r" +(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) +")


def _text(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, page_no: int,
          force: bool) -> tuple[list, int, bool]:
    """Prose lines of the page and its table parts (glyphs inside a table go to that part).

    Glyph boxes and page objects cost a foreign call each, so: prose lines (the bulk of a
    report) are taken from PDFium's own line breaks with the boxes of their first and last
    glyph only; ruling lines are looked for only on pages whose lines look tabular; and
    glyph-by-glyph positions are fetched just for lines that touch a table.
    """
    tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(tp)
    if n <= 0:
        return [], 0, True
    text = textpage.get_text_range()
    if len(text) != n:  # characters outside the BMP: rebuild an index-aligned string
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(tp, i)) for i in range(n))
    # Pass 1: one entry per PDFium line, with the boxes of its first and last glyph.
    tpa = _addr(tp)  # the text page's address, for the fast foreign functions
    spans, f, n_chars = _c.line_spans(tpa, _LOOSE_BOX, text) if _c is not None else _line_spans(tpa, text)
    if not spans:
        return [], 0, True

    wide = _c.wide_lines(tpa, _LOOSE_BOX, text, spans) if _c is not None else _wide_lines(tpa, text, spans)
    scanned = force or bool(wide) or _looks_tabular(spans)
    parts = _table_parts(*_rulings(page), page_no) if scanned else []
    if parts and not all(map(isfinite, f)):
        raise _UNPLACEABLE  # a line's ends without a position: whether it belongs to the table is unknown

    boxes = [(t.left - 1, t.right + 1, t.bottom - 1, t.top + 1) for t in parts]

    # Pass 2: prose lines as they are; lines touching a table glyph by glyph.
    lines: list = []
    # (first, last) glyph index of each word on a line touching a table, and the boxes of those two
    # glyphs if already known (a line of one word: the boxes of its ends were fetched above).
    words: list[tuple[int, int, list[float] | None]] = []
    if boxes:
        plain, words = _c.split_lines(text, spans, f, boxes) if _c is not None else _split_lines(text, spans, f, boxes)
        spans = [spans[k] for k in plain]
    for first, last, stripped, x0, x1, top0, bot0, top1, bot1 in spans:
        # Positional arguments: a generated __init__ takes keywords at twice the cost.
        line = _Line(_CJK_SPACE.sub("", stripped) if " " in stripped else stripped, x0, x1,
                     max(top0, top1), min(bot0, bot1), top0 - bot0, page_no)
        if first in wide:
            line = _borderless_row(tpa, text, first, last, line)
        lines.append(line)
    if words:
        prose = _place_words(tpa, text, words, parts)
        if not all(isfinite(c[1] + c[2] + c[3] + c[4]) for c in prose):
            raise _UNPLACEABLE  # a glyph of a table line fits no cell: the cell would lose a digit
        if prose:
            lines.extend(_lines(prose, page_no))
    lines.extend(parts)
    return lines, n_chars, scanned


_Span = tuple[int, int, str, float, float, float, float, float, float]


def _line_spans(tpa: int, text: str) -> tuple[list[_Span], list[float], int]:
    """PDFium's lines of ``text`` without their surrounding whitespace, each with the boxes of its
    first and last glyph: (first, last, stripped, x0 of the first glyph, x1 of the last, top and
    bottom of the first, top and bottom of the last); also the boxes themselves (8 floats per line,
    as ``_boxes`` gives them) and the count of characters on the lines.
    ``_pdfgeom.line_spans`` is the same in C."""
    found: list[tuple[int, int, str]] = []
    n_chars = 0
    for m in _LINE.finditer(text):
        stripped = m.group()
        n_chars += len(stripped)
        first = m.start()
        found.append((first, m.end() - 1, stripped))
    f = _boxes(tpa, [i for first, last, _ in found for i in (first, last)])
    spans = [
        (first, last, stripped, f[8 * k], f[8 * k + 6], f[8 * k + 1], f[8 * k + 3], f[8 * k + 5], f[8 * k + 7])
        for k, (first, last, stripped) in enumerate(found)
    ]
    return spans, f, n_chars


_WORD = re.compile(r"\S+")
_SPAN = re.Match.span
_SPACE = re.compile(r"\s")


def _split_lines(text: str, spans: list, f: list[float], boxes: list[tuple[float, float, float, float]]
                 ) -> tuple[list[int], list[tuple[int, int, list[float] | None]]]:
    """Tell the lines (``spans``) that touch a table from the rest: a line touches one when its first
    or last glyph (boxes in ``f``, 8 floats per line) lies in one of ``boxes`` (left, right, bottom,
    top). Returns the indices of the other lines, and the words of the touching ones as (first glyph,
    last glyph, their boxes if known: a line of one word reuses its 8 floats from ``f``).
    ``_pdfgeom.split_lines`` is the same in C."""
    plain: list[int] = []
    words: list[tuple[int, int, list[float] | None]] = []
    for k, (first, last, stripped, x0, x1, top0, bot0, top1, bot1) in enumerate(spans):
        xa, ya, xb, yb = x0 + 0.5, (top0 + bot0) / 2, x1 - 0.5, (top1 + bot1) / 2
        for bx0, bx1, by0, by1 in boxes:
            if (bx0 <= xa <= bx1 and by0 <= ya <= by1) or (bx0 <= xb <= bx1 and by0 <= yb <= by1):
                break
        else:
            plain.append(k)
            continue
        if _SPACE.search(stripped) is None:
            words.append((first, last, f[8 * k: 8 * k + 8]))
        else:
            words += [(a, b - 1, None) for a, b in map(_SPAN, _WORD.finditer(text, first, last + 1))]
    return plain, words


def _boxes(tpa: int, indices: list[int]) -> list[float]:
    """Loose boxes of the glyphs at ``indices``, written into one buffer by address and read back in
    bulk: [left, top, right, bottom] * n. The buffer is an ``array`` of C floats, not a ctypes array:
    reading a ctypes array back costs a Python call per float, as much as the foreign calls."""
    n = len(indices)
    buf = array("f", bytes(16 * n))
    base = buf.buffer_info()[0]
    # The loop runs in C (map); the return codes are not needed: a failed call leaves zeros.
    deque(map(_loose_box, repeat(tpa, n), indices, range(base, base + 16 * n, 16)), maxlen=0)
    return buf.tolist()


def _place_words(tpa: int, text: str, words: list[tuple[int, int, list[float] | None]],
                 parts: list[_TablePart]) -> list[_Char]:
    """Put the glyphs of table lines into ``parts`` (``_place_words_py``); return the rest as prose."""
    grids = [(t.left - 1, t.right + 1, t.bottom - 1, t.top + 1, t.xs, t.ys) for t in parts]
    placed, prose = (_c.place_words(tpa, _LOOSE_BOX, text, words, grids) if _c is not None
                     else _place_words_py(tpa, text, words, grids))
    for t, chars in zip(parts, placed, strict=True):
        t.chars.extend(chars)
    return prose


def _place_words_py(tpa: int, text: str, words: list[tuple[int, int, list[float] | None]],
                    grids: list[tuple[float, float, float, float, list[float], list[float]]]
                    ) -> tuple[list[list[_Char]], list[_Char]]:
    """Boxes for the words of table lines: a word whose first and last glyph fall in the same
    cell of the same part is placed whole (two boxes, often known already); only words that
    straddle a border are measured glyph by glyph. Cells hold a word or two, so this saves most calls.

    Each placed glyph (or whole word) goes to the first part whose box holds its centre; the
    others are returned, in order, as prose. ``grids``: per table part its box (left, right, bottom,
    top, each widened by 1 pt) and grid lines (xs, ys); returns the glyphs placed in each, and the prose.
    ``_pdfgeom.place_words`` is the same in C."""
    placed: list[list[_Char]] = [[] for _ in grids]
    grids = [(*g, add.append) for g, add in zip(grids, placed, strict=True)]
    prose: list[_Char] = []

    def put(c: _Char) -> None:
        x, y = (c[1] + c[2]) / 2, (c[3] + c[4]) / 2
        for g in grids:
            if g[0] <= x <= g[1] and g[2] <= y <= g[3]:
                g[6](c)
                return
        prose.append(c)

    # One box for a one-glyph word (most table words are a single digit), two for longer ones.
    fetched = _boxes(tpa, [i for first, last, known in words if known is None
                          for i in ((first,) if first == last else (first, last))])
    split: list[int] = []
    k = 0
    for first, last, known in words:
        if known is None:
            if first == last:
                l0, t0, r0, b0 = fetched[k:k + 4]
                k += 4
            else:
                l0, t0, r0, b0, l1, t1, r1, b1 = fetched[k:k + 8]
                k += 8
        else:
            l0, t0, r0, b0, l1, t1, r1, b1 = known
        if first == last:
            c: _Char = (text[first], l0, r0, b0, t0)
        else:
            # The cell of the first glyph's centre: the first part whose box holds it, and the
            # grid position within that part.
            x, y = (l0 + r0) / 2, (t0 + b0) / 2
            n = -1
            for m, g in enumerate(grids):
                if g[0] <= x <= g[1] and g[2] <= y <= g[3]:
                    n, col, row = m, bisect_right(g[4], x), bisect_right(g[5], y)
                    break
            whole = False
            # Whole only if it also runs left to right: PDFium may list a glyph after one drawn to its
            # right (an opening quote squeezed before a CJK character), and then x order must decide.
            if l0 <= l1 and n >= 0:
                x, y = (l1 + r1) / 2, (t1 + b1) / 2
                for m, g in enumerate(grids):
                    if g[0] <= x <= g[1] and g[2] <= y <= g[3]:
                        whole = (m == n and bisect_right(g[4], x) == col and bisect_right(g[5], y) == row
                                 and abs((t0 + b0) - (t1 + b1)) < (t0 - b0))
                        break
            if not whole:
                split.extend(range(first, last + 1))
                continue
            c = (text[first:last + 1], l0, r1, min(b0, b1), max(t0, t1))
        put(c)
    if split:
        f = _boxes(tpa, split)
        for c in zip([text[i] for i in split], f[0::4], f[2::4], f[3::4], f[1::4], strict=True):
            put(c)
    return placed, prose


def _wide_lines(tpa: int, text: str, spans) -> set[int]:
    """First glyph index of every line with a space as wide as a cell gap.

    Such a line may cross a tight table (look for ruling lines) or be a row of a table
    drawn without borders. Only the glyphs beside PDFium's spaces are measured.
    ``_pdfgeom.wide_lines`` is the same in C.
    """
    rect = array("f", bytes(16))  # an FS_RECTF: left, top, right, bottom
    addr = rect.buffer_info()[0]
    box = _loose_box
    out: set[int] = set()
    for first, last, stripped, _, _, top0, bot0, _, _ in spans:
        if " " not in stripped:
            continue
        h = top0 - bot0
        i = text.find(" ", first, last)
        while i != -1:
            box(tpa, i - 1, addr)
            left = rect[2]
            j = i
            while text[j] == " ":
                j += 1
            box(tpa, j, addr)
            if rect[0] - left >= 0.5 * h:
                out.add(first)
                break
            i = text.find(" ", j, last)
    return out


def _borderless_row(tpa: int, text: str, first: int, last: int, line: _Line) -> _Line:
    """A line with cell-wide gaps, outside any ruled table: cut it into its cells.

    PDFium strings such a line together in content order, which need not be left to right
    (a label written vertically in the first column comes last). The words are put in x
    order and cut where the gap is wider than a glyph; each piece becomes a line of its own.
    """
    words = [(m.start(), m.end() - 1) for m in _WORD.finditer(text, first, last + 1)]
    f = _boxes(tpa, [i for w in words for i in w])
    placed = sorted(((f[8 * k], f[8 * k + 6], text[a:b + 1]) for k, (a, b) in enumerate(words)))
    pieces: list[list[str]] = [[placed[0][2]]]
    right = placed[0][1]
    for x0, x1, word in placed[1:]:
        if x0 - right >= line.height:
            pieces.append([])
        pieces[-1].append(word)
        right = max(right, x1)
    if len(pieces) < 2:
        return line  # wide spacing inside running text (justified line), not cells
    joined = "\n".join(_CJK_SPACE.sub("", " ".join(p)) for p in pieces)
    return dataclasses.replace(line, text=joined, cells=True)


def _looks_tabular(spans) -> bool:
    """Cheap test on line boxes: could this page hold a table?

    A table shows as a line with wide gaps (values in separate cells on one baseline) or
    as two lines side by side (cells wrapped independently). Running prose shows neither,
    so its page objects need not be scanned for ruling lines.
    """
    level: list[tuple[float, float, float, float]] = []
    for _, _, stripped, x0, x1, top0, bot0, _, _ in spans:
        h = max(top0 - bot0, 1.0)
        glyphs = len(stripped) - stripped.count(" ")
        if x1 - x0 > 1.6 * glyphs * h + 2 * h:
            return True
        level.append((top0, bot0, x0, x1))
    level.sort(reverse=True)
    for (t0, b0, a0, a1), (t1, b1, c0, c1) in zip(level, level[1:], strict=False):
        overlap = min(t0, t1) - max(b0, b1)
        if overlap > 0.5 * min(t0 - b0, t1 - b1) and (c0 >= a1 or a0 >= c1):
            return True
    return False


def _rulings(page: pdfium.PdfPage) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Thin path objects as horizontal (y, x0, x1) and vertical (x, y0, y1) segments (``_rulings_py``)."""
    if _c is not None:
        return _c.rulings(_addr(page.raw), *_RULING_FUNCTIONS, pdfium_c.FPDF_PAGEOBJ_PATH,
                          pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_MOVETO)
    return _rulings_py(page)


def _rulings_py(page: pdfium.PdfPage) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Thin path objects as horizontal (y, x0, x1) and vertical (x, y0, y1) segments.
    ``_pdfgeom.rulings`` is the same in C."""
    h: list[tuple[float, float, float]] = []
    v: list[tuple[float, float, float]] = []
    bounds = array("f", bytes(16))  # left, bottom, right, top: C floats read back without ctypes objects
    la = bounds.buffer_info()[0]
    ba, ra, ta = la + 4, la + 8, la + 12
    path = pdfium_c.FPDF_PAGEOBJ_PATH
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    raw = page.raw  # the bare handle: the wrapper costs a property call per foreign call
    addr = _addr(raw)
    obj_bounds = _obj_bounds
    n = pdfium_c.FPDFPage_CountObjects(raw)
    # Loops in C: a page has hundreds of objects (a glyph each in some office PDFs).
    objs = list(map(_get_object, repeat(ctypes.c_void_p(addr), n), range(n)))
    for o, kind in zip(objs, map(_object_type, objs), strict=True):
        if kind != path:
            continue
        obj_bounds(o, la, ba, ra, ta)
        left, b, r, t = bounds
        w, ht = r - left, t - b
        if ht <= _THIN and w > _THIN:
            h.append(((b + t) / 2, left, r))
        elif w <= _THIN and ht > _THIN:
            v.append(((left + r) / 2, b, t))
        elif w > _THIN and ht > _THIN and (n_segments := _count_segments(o)) in (4, 5):
            # A stroked rectangle is a cell's four borders; a filled-only one is cell or text
            # shading (LibreOffice paints white backgrounds too) and says nothing about borders.
            obj = ctypes.cast(o, pdfium_c.FPDF_PAGEOBJECT)
            pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
            if not stroke.value or not _upright_box(obj, n_segments):
                continue
            h.append((t, left, r))
            h.append((b, left, r))
            v.append((left, b, t))
            v.append((r, b, t))
    return h, v


_SKEW = 1e-6  # a matrix entry smaller than this is no rotation
_SQUARE = 0.5  # an edge whose x or y moves less than this (path units) runs along an axis


def _upright_box(obj, n_segments: int) -> bool:
    """Whether a path of 4–5 segments is a rectangle with upright sides: straight segments only,
    each running along an axis, and no rotation. A curve (a Bézier counts three segments), a
    triangle or a turned frame has a bounding box too, but no borders there.
    ``_pdfgeom.rulings`` does the same in C."""
    matrix = pdfium_c.FS_MATRIX()
    if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix) and (abs(matrix.b) > _SKEW or abs(matrix.c) > _SKEW):
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    points = []
    for i in range(n_segments):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not segment or pdfium_c.FPDFPathSegment_GetType(segment) not in (
                pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_MOVETO):
            return False
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            return False
        points.append((x.value, y.value))
    return all(min(abs(x1 - x0), abs(y1 - y0)) < _SQUARE
               for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))


def _connected(h, v):
    """Keep only segments whose both ends meet a perpendicular segment.

    Cell borders run from one border to the next; text underlines and rules under
    headings end in mid-air and must not split cells.
    """
    tol = _THIN + 0.5

    def keep(segs, others):
        if not others:
            return []
        others = sorted(others)
        keys = [o[0] for o in others]

        def meets(pos: float, at: float) -> bool:
            lo = bisect_right(keys, pos - tol - 0.001)
            for k in range(lo, len(others)):
                o = others[k]
                if o[0] > pos + tol:
                    return False
                if o[1] - tol <= at <= o[2] + tol:
                    return True
            return False

        return [s for s in segs if meets(s[1], s[0]) and meets(s[2], s[0])]

    h2 = keep(h, v)
    return h2, keep(v, h2)


def _table_parts(h, v, page: int) -> list[_TablePart]:
    """Group ruling lines that touch each other into tables (``_group_rulings``)."""
    groups = _c.table_parts(h, v) if _c is not None else _group_rulings(h, v)
    return [_TablePart(page=page, h=hh, v=vv, left=left, right=right, top=top, bottom=bottom, xs=xs, ys=ys)
            for hh, vv, xs, ys, left, right, top, bottom in groups]


_Group = tuple[list[tuple[float, float, float]], list[tuple[float, float, float]], list[float], list[float],
               float, float, float, float]


def _group_rulings(h, v) -> list[_Group]:
    """Group ruling lines that touch each other into tables (union-find over crossings): per table its
    horizontal and vertical lines, grid positions (``_snap``) and left, right, top, bottom.
    ``_pdfgeom.table_parts`` is the same in C."""
    if len(h) < 2 or len(v) < 2:
        return []
    h, v = _connected(h, v)
    if len(h) < 2 or len(v) < 2:
        return []
    parent = list(range(len(h) + len(v)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    nh = len(h)
    hs = sorted(range(nh), key=lambda i: h[i][0])
    hy = [h[i][0] for i in hs]
    for j, (x, y0, y1) in enumerate(v):
        # Only horizontal lines within the vertical line's extent can touch it.
        lo = bisect_right(hy, y0 - _SNAP - 0.001)
        hi = bisect_right(hy, y1 + _SNAP)
        # The root of this vertical line's group. Joining another group, it goes under that group's
        # root, which becomes rb: crossings already hanging from it (the lines of a table the vertical
        # line runs through) are then seen as joined without a search.
        rb = -1
        for k in range(lo, hi):
            i = hs[k]
            _, x0, x1 = h[i]
            if x0 - _SNAP <= x <= x1 + _SNAP:
                if parent[i] == rb:
                    continue
                ra = find(i)
                if rb < 0:
                    rb = find(nh + j)
                if ra != rb:
                    parent[rb] = ra
                    rb = ra
    groups: dict[int, tuple[list, list]] = {}
    for i, seg in enumerate(h):
        groups.setdefault(find(i), ([], []))[0].append(seg)
    for j, seg in enumerate(v):
        groups.setdefault(find(nh + j), ([], []))[1].append(seg)
    parts: list[_Group] = []
    for hh, vv in groups.values():
        xs, ys = _snap([s[0] for s in vv]), _snap([s[0] for s in hh])
        if len(xs) < 2 or len(ys) < 2:
            continue
        parts.append((hh, vv, xs, ys, min(s[1] for s in hh), max(s[2] for s in hh),
                      max(s[2] for s in vv), min(s[1] for s in vv)))
    return parts


def _snap(values: list[float]) -> list[float]:
    """Distinct positions, merging those closer than _SNAP (their mean is kept)."""
    out: list[float] = []
    group: list[float] = []
    for x in sorted(values):
        if group and x - group[-1] > _SNAP:
            out.append(_mean(group))
            group = []
        group.append(x)
    if group:
        out.append(_mean(group))
    return out


def _mean(values: list[float]) -> float:
    """The plain left-to-right mean, as the C twin computes it. Not sum(): from Python 3.12 on it
    adds floats with compensation, which differs in the last bit now and then."""
    total = 0.0
    for x in values:
        total += x
    return total / len(values)


# --------------------------------------------------------------------------- prose lines


def _join_line(chars: list[_Char]) -> str:
    """Glyphs of one visual line, left to right, with a space where the gap is wide."""
    chars.sort(key=lambda c: c[1])
    parts = [chars[0][0]]
    prev = chars[0]
    for c in chars[1:]:
        # Loose boxes have the font's full height, so the previous glyph's height is the font size.
        if c[1] - prev[2] > 0.45 * (prev[4] - prev[3]):
            parts.append(" ")
        parts.append(c[0])
        prev = c
    return "".join(parts)


def _group_lines(chars: list[_Char], in_order: bool = False) -> list[list[_Char]]:
    """Glyphs into visual lines by vertical centre, top line first.

    ``in_order``: the glyphs are in content-stream order (prose), so a line is a run of
    glyphs whose centres stay level; this avoids a sort. Table cells are sorted instead.
    """
    rows: list[list[_Char]] = []
    centre = 0.0
    seq = chars if in_order else sorted(chars, key=lambda c: -(c[3] + c[4]))
    for c in seq:
        cy = (c[3] + c[4]) / 2
        if rows and abs(centre - cy) <= (c[4] - c[3]) * 0.5:
            rows[-1].append(c)
        else:
            rows.append([c])
            centre = cy
    if in_order:
        rows.sort(key=lambda r: -(r[0][3] + r[0][4]))
    return rows


def _lines(chars: list[_Char], page: int) -> list[_Line]:
    out = []
    for row in _group_lines(chars, in_order=True):
        text = _join_line(row)
        heights = sorted(c[4] - c[3] for c in row)
        out.append(_Line(text=text, x0=row[0][1], x1=max(c[2] for c in row),
                         top=max(c[4] for c in row), bottom=min(c[3] for c in row),
                         height=heights[len(heights) // 2], page=page))
    return out


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove page numbers and running headers/footers (text in the margin zones repeated across pages)."""
    if not pages:
        return

    def zone(ln: _Line, height: float) -> bool:
        return ln.top > height * (1 - _MARGIN_ZONE) or ln.bottom < height * _MARGIN_ZONE

    seen: dict[str, int] = {}
    for p in pages:
        for _, it in p.items:
            if isinstance(it, _Line) and zone(it, p.height):
                key = _DIGITS.sub("#", it.text)
                seen[key] = seen.get(key, 0) + 1
    repeated = {k for k, n in seen.items() if len(pages) >= 2 and n >= max(2, len(pages) // 2)}
    for p in pages:
        p.items = [
            (y, it) for y, it in p.items
            if not (isinstance(it, _Line) and zone(it, p.height)
                    and (_PAGE_NO.match(it.text) or _DIGITS.sub("#", it.text) in repeated))
        ]


# --------------------------------------------------------------------------- assembly


def _assemble(pages: list[_Page]) -> list[Block]:
    """Pages' items into blocks: paragraphs from lines, tables merged across page breaks."""
    seq: list[object] = [it for p in pages for _, it in p.items]
    # Column margins for paragraph breaks, judged over all prose lines.
    lines = [it for it in seq if isinstance(it, _Line)]
    # A damaged file can give a glyph no position (NaN): such lines take no part in finding the margin.
    margins = [round(ln.x0) for ln in lines if isfinite(ln.x0)]
    left = _mode(margins) if margins else 0.0
    right = max((ln.x1 for ln in lines), default=0.0)

    blocks: list[Block] = []
    para: list[_Line] = []
    run: list[_TablePart] = []

    def flush_para() -> None:
        if para:
            blocks.append(Paragraph(_para_text(para)))
            para.clear()

    def flush_table() -> None:
        if run:
            table = _build_table(run)
            if len(table.rows) == 1 and len(table.rows[0]) == 1:
                # A frame around one piece of text (a boxed heading or note) is prose, not a table.
                if table.rows[0][0].text:
                    blocks.append(Paragraph(table.rows[0][0].text))
            elif table.rows:
                blocks.append(table)
            run.clear()

    for it in seq:
        if isinstance(it, _TablePart):
            flush_para()
            if run and not _continues(run[-1], it):
                flush_table()
            run.append(it)
            continue
        flush_table()
        ln = it
        if para and _starts_paragraph(para[-1], ln, left, right):
            flush_para()
        para.append(ln)
    flush_para()
    flush_table()
    return blocks


def _mode(values: list[int]) -> float:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return float(max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0])


def _starts_paragraph(prev: _Line, ln: _Line, left: float, right: float) -> bool:
    if prev.cells or ln.cells:
        return True  # table rows stay rows
    size = max(ln.height, prev.height, 1.0)
    if prev.page == ln.page and prev.bottom - ln.top > 1.5 * size:
        return True  # a blank line between them
    if abs(ln.height - prev.height) > 0.25 * size:
        return True  # a heading in another font size
    if prev.x1 < right - 2.0 * size:
        return True  # the previous line stopped short: it ended its paragraph
    if _HEADING_START.match(ln.text):
        return True
    indented = ln.x0 > left + 1.0 * size
    centred = abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < 0.6 * size
    return indented and not centred


def _para_text(lines: list[_Line]) -> str:
    out = lines[0].text
    for ln in lines[1:]:
        # A wrapped Chinese line continues without a space; wrapped Latin words need one.
        sep = " " if _ASCII_WORD.match(out[-1:]) and _ASCII_WORD.match(ln.text[:1]) else ""
        out += sep + ln.text
    return out


def _continues(a: _TablePart, b: _TablePart) -> bool:
    """Whether ``b`` (first thing on a later page) continues table ``a`` (last thing on its page).

    Same left edge is required; the right edge may differ when one side is a lone caption
    row (LibreOffice draws a table's colspan captions narrower than its body).
    """
    if b.page != a.page + 1 or abs(a.left - b.left) > 3 * _SNAP:
        return False
    if abs(a.right - b.right) <= 3 * _SNAP:
        return True
    return min(_n_rows(a), _n_rows(b)) == 1


def _n_rows(part: _TablePart) -> int:
    return len(part.ys) - 1


# --------------------------------------------------------------------------- table grids


def _build_table(parts: list[_TablePart]) -> Table:
    xs = _snap([s[0] for p in parts for s in p.v])
    # Stack the parts. Group ids are made unique across parts by an offset per part.
    ids: list[list[int]] = []
    texts: dict[int, str] = {}
    base = 0
    for p in parts:
        part_rows = _part_grid(p, xs, base, texts)
        base += (len(p.ys) - 1) * (len(xs) - 1)
        if ids and part_rows:
            part_rows = _drop_repeated_header(ids, part_rows, texts)
            _join_split_cells(ids, part_rows, texts)
        ids.extend(part_rows)
    # Fold grid columns that no part uses as a border (every row continues the previous column).
    if ids:
        cols = list(zip(*ids, strict=True))
        keep = [j for j in range(len(cols)) if j == 0 or cols[j] != cols[j - 1]]
        if len(keep) < len(cols):
            ids = [[row[j] for j in keep] for row in ids]
        ids = [row for i, row in enumerate(ids) if i == 0 or row != ids[i - 1]]
    rows = _c.grid_rows(ids, texts, GridCell) if _c is not None else _grid_rows(ids, texts, GridCell)
    return Table(rows=tuple(rows))


def _grid_rows(ids: list[list[int]], texts: dict[int, str], cell_type: type[GridCell]
               ) -> list[tuple[GridCell, ...]]:
    """Rows of cells from rows of group ids: the text of the group, and whether this is the group's
    first (origin) position. ``_pdfgeom.grid_rows`` is the same in C."""
    rows: list[tuple[GridCell, ...]] = []
    seen: set[int] = set()
    made: dict[tuple[str, bool], GridCell] = {}  # GridCell is frozen: equal cells can share one object
    for row in ids:
        out = []
        for g in row:
            key = (texts[g], g not in seen)
            cell = made.get(key)
            if cell is None:
                cell = made[key] = cell_type(*key)
            out.append(cell)
            seen.add(g)
        rows.append(tuple(out))
    return rows


def _part_grid(part: _TablePart, xs: list[float], base: int, texts: dict[int, str]) -> list[list[int]]:
    """Fine grid of one table part: group id per position (merged cells share an id), and each
    group's text put into ``texts``. Ids are ``base`` plus the group's first (top-left) position."""
    nr, nc = len(part.ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1:
        return []
    args = (part.v, part.h, xs, part.ys, part.left, part.right, part.chars, base)
    flat, members = _c.part_grid(*args) if _c is not None else _grid_core(*args)
    texts.update(dict.fromkeys(flat, ""))
    groups = list(members.values())
    texts.update(zip(members, _c.group_texts(groups) if _c is not None else _group_texts(groups), strict=True))
    # A grid line that only exists elsewhere in the table yields a row made entirely of cells
    # continued from the previous one; it is not a row of the source, so fold it away.
    gid = [flat[r * nc:(r + 1) * nc] for r in range(nr)]
    return [row for i, row in enumerate(gid) if i == 0 or row != gid[i - 1]]


def _grid_core(v: list[tuple[float, float, float]], h: list[tuple[float, float, float]], xs: list[float],
               part_ys: list[float], left: float, right: float, chars: list[_Char], base: int
               ) -> tuple[list[int], dict[int, list[_Char]]]:
    """The geometry of ``_part_grid``: the group id of every fine grid position, row by row from the
    top (``base`` + the group's top-left position), and the glyphs of each group, by the centre of
    each glyph, in the order given. ``_pdfgeom.part_grid`` is the same in C."""
    ys = part_ys[::-1]  # top first
    nr, nc = len(ys) - 1, len(xs) - 1

    # Which grid lines carry a border where: vb[i][r] for vertical line i beside fine row r,
    # hb[j][c] for horizontal line j above fine column c. Each segment marks the fine rows
    # (columns) whose middle it covers, found by bisection.
    neg_mid = [-(ys[r] + ys[r + 1]) / 2 for r in range(nr)]  # ascending
    col_mid = [(xs[c] + xs[c + 1]) / 2 for c in range(nc)]
    vb = [[False] * nr for _ in range(nc + 1)]
    for sx, y0, y1 in v:
        i = _nearest(xs, sx)
        if i is not None:
            lo, hi = bisect_left(neg_mid, -(y1 + _SNAP)), bisect_right(neg_mid, -(y0 - _SNAP))
            if hi > lo:
                vb[i][lo:hi] = [True] * (hi - lo)
    hb = [[False] * nc for _ in range(nr + 1)]
    neg_ys = [-y for y in ys]  # ascending
    for sy, x0, x1 in h:
        j = _nearest(ys, sy, neg_ys)
        if j is not None:
            lo, hi = bisect_left(col_mid, x0 - _SNAP), bisect_right(col_mid, x1 + _SNAP)
            if hi > lo:
                hb[j][lo:hi] = [True] * (hi - lo)

    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the top-left position stays the root

    # Join each position to its right neighbour where no border runs between them, and to the one
    # below likewise. The smaller root wins every union, so a group's id is its first (top-left)
    # position whatever the order of the unions: they are done column by column and row by row,
    # skipping the (usual) fully bordered ones at C speed.
    # Grid lines outside this part (from a wider part of the same table) are no borders here:
    # the part's edge cells stretch over them.
    outside = [xs[c] <= left + _SNAP or xs[c] >= right - _SNAP for c in range(len(xs))]
    joined = False
    for c in range(nc - 1):
        line = vb[c + 1]
        if outside[c + 1]:
            gaps: range | list[int] = range(nr)
        elif False in line:
            gaps = [r for r, drawn in enumerate(line) if not drawn]
        else:
            continue
        joined = True
        for r in gaps:
            union(r * nc + c, r * nc + c + 1)
    for r in range(nr - 1):
        line = hb[r + 1]
        if False in line:
            joined = True
            base_r = r * nc
            for c, drawn in enumerate(line):
                if not drawn:
                    union(base_r + c, base_r + nc + c)
    if joined:
        # Every parent lies before its child (roots are first positions), so one pass in order
        # turns each parent into its root.
        for a in range(nr * nc):
            p = parent[a]
            if p != a:
                parent[a] = parent[p]
    flat = [a + base for a in parent] if base else parent

    members: dict[int, list[_Char]] = {}
    at = members.get
    row_at: dict[float, int] = {}  # a row's glyphs share their vertical extent: one bisection per extent
    for ch in chars:
        c = bisect_right(xs, (ch[1] + ch[2]) / 2) - 1
        s = ch[3] + ch[4]
        r = row_at.get(s)
        if r is None:
            r = row_at[s] = bisect_right(neg_ys, -s / 2) - 1
        if 0 <= r < nr and 0 <= c < nc:
            g = flat[r * nc + c]
            group = at(g)
            if group is None:
                members[g] = [ch]
            else:
                group.append(ch)
    return flat, members


def _nearest(grid: list[float], x: float, keys: list[float] | None = None) -> int | None:
    """Index of the grid line within _SNAP of ``x`` (``grid`` sorted either way), or None.

    ``keys``: for a descending ``grid``, its negation (ascending), when the caller has it already."""
    ascending = len(grid) < 2 or grid[0] <= grid[-1]
    if keys is None:
        keys = grid if ascending else [-g for g in grid]
    k = bisect_right(keys, x if ascending else -x)
    best, dist = None, _SNAP + 0.001
    for i in (k - 1, k):
        if 0 <= i < len(grid) and abs(grid[i] - x) < dist:
            best, dist = i, abs(grid[i] - x)
    return best


def _group_texts(groups: list[list[_Char]]) -> list[str]:
    """The text of each group of glyphs (``_cell_text``). ``_pdfgeom.group_texts`` is the same in C."""
    return [_cell_text(chars) for chars in groups]


def _cell_text(chars: list[_Char]) -> str:
    """A cell's glyphs as text: visual lines top to bottom, each left to right with a space at a wide
    gap, spaces beside CJK dropped, soft-wrapped lines joined."""
    if not chars:
        return ""
    if len(chars) == 1:  # the common case: one number or one unbroken label
        word = chars[0][0]
        return _CJK_SPACE.sub("", word) if " " in word else word
    lines = [_CJK_SPACE.sub("", _join_line(row)) for row in _group_lines(chars)]
    out = lines[0]
    for ln in lines[1:]:
        # Soft wraps inside a cell: "（三）不\n予公开", "75394432.5\n2元" must read as one string.
        sep = " " if _ASCII_WORD.match(out[-1:]) and _ASCII_WORD.match(ln[:1]) and not (
            out[-1:].isdigit() or ln[:1].isdigit()) else ""
        out += sep + ln
    return out


def _row_texts(row: list[int], texts: dict) -> tuple[str, ...]:
    return tuple(texts[g] for g in row)


def _drop_repeated_header(done: list[list], part_rows: list[list], texts: dict) -> list[list]:
    """Word and LibreOffice can repeat a table's header rows on each page; keep them once."""
    k = 0
    while (k < len(part_rows) and k < len(done)
           and _row_texts(part_rows[k], texts) == _row_texts(done[k], texts)
           and any(texts[g] and not _NUMERIC.match(texts[g]) for g in part_rows[k])):
        k += 1
    return part_rows[k:]


_ENUMERATED = re.compile(r"^\s*(\d+\s*[.．、]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+、)")


def _join_split_cells(done: list[list], part_rows: list[list], texts: dict) -> None:
    """Rejoin cells that the page break cut in two.

    * A label cell spanning rows across the break is drawn as text above and an empty cell
      below (or, by some suites, empty above and text below): the two parts are one cell.
    * A row cut in two (office suites let a tall row break across pages) leaves a first row
      after the break that holds nothing but the rest of the labels above it: no number, no
      text that starts a new row (“3.”, “（四）”, “四、”). Its label text is appended to the
      label above and its empty value cells join the values above.

    Otherwise an empty cell after the break is a real blank value and stays.
    """
    if not part_rows or not done:
        return
    above, below = done[-1], part_rows[0]

    def numeric(g) -> bool:
        return bool(texts[g]) and bool(_NUMERIC.match(texts[g]))

    def label(g) -> bool:
        return bool(texts[g]) and not _NUMERIC.match(texts[g])

    cut_row = (not any(numeric(g) for g in below)
               and any(numeric(a) for a in above)
               and all(not texts[g] or (label(above[c]) and not _ENUMERATED.match(texts[g]))
                       for c, g in enumerate(below)))
    joined: dict = {}
    for c, g in enumerate(below):
        a = above[c]
        if g in joined or g == a or _extent(above, a) != _extent(below, g):
            continue  # same horizontal extent on both sides of the break, else a different cell
        if texts[g]:
            # A spanning label cell may print its text on either side of the break: an empty
            # cell above that spans rows takes the label from below.
            spans_rows = not texts[a] and label(g) and sum(a in row for row in done) > 1
            if not (cut_row or spans_rows):
                continue
            texts[a] = texts[a] + texts[g]
        elif not texts[a] or (numeric(a) and not cut_row):
            continue
        joined[g] = a
    if joined:
        for row in part_rows:
            row[:] = [joined.get(x, x) for x in row]


def _extent(row: list, g) -> tuple[int, int]:
    cols = [j for j, x in enumerate(row) if x == g]
    return cols[0], cols[-1]
