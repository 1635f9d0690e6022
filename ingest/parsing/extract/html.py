"""HTML pages: decode, parse with lxml, emit Paragraphs for running text and Tables with spans expanded.

Handles whole saved pages (site chrome included), article fragments, and HTML
that was saved as the value of a JavaScript string literal (quotes escaped).
Layout tables (tables holding other tables) are read as running text so the
report's own tables inside them still come out as Tables.
"""

from __future__ import annotations

import codecs
import re
import time

from lxml import etree

from ..errors import ParseError
from ..model import Document, GridCell, Paragraph, Table
from .text import MAX_BYTES, decode

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_DROP = {"script", "style", "noscript", "head", "title", "template", "iframe", "object", "svg", "select",
         "button", "textarea", "input"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
          "article", "header", "footer", "blockquote", "pre", "dd", "dt", "dl", "center", "hr", "form",
          "tbody", "thead", "tfoot", "caption", "nav", "aside", "main", "address", "figure"}
_MAX_SPAN = 60
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
_PUBDATE_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "published_time", "article:published_time",
                  "dc.date", "releasedate")
_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def extract(data: bytes, filename: str, deadline: float | None = None) -> Document:
    text, utf8 = _decode_html(data)
    # Strictly decoded UTF-8 without a BOM re-encodes to the very same bytes: lxml parses those.
    return document_from_html(text, deadline, raw=data if utf8 else None)


def decode_html(data: bytes) -> str:
    return _decode_html(data)[0]


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _decode_html(data: bytes) -> tuple[str, bool]:
    """The page's text, and whether it is exactly ``data`` read as UTF-8 (no BOM, nothing replaced)."""
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", "文件太大（超过 50 MB）。", "The file is too large (over 50 MB).")
    bom = data.startswith(_BOMS)
    m = _META_CHARSET.search(data[:8192])
    if m and not bom:
        charset = m.group(1).decode("ascii").lower()
        if charset in ("gb2312", "gbk"):
            charset = "gb18030"  # the superset: pages labelled gb2312 often hold GBK characters
        try:
            return data.decode(charset), codecs.lookup(charset).name == "utf-8"
        except (LookupError, UnicodeDecodeError):
            pass
    if not bom:
        try:
            return data.decode("utf-8"), True  # what ``decode`` tries first too
        except UnicodeDecodeError:
            pass
    return decode(data), False


def unescape_js_string(text: str) -> str:
    """HTML kept inside a JS string literal: undo \\" \\/ \\n \\t \\uXXXX escapes."""
    def repl(m: re.Match) -> str:
        c = m.group(1)
        if c.startswith("u"):
            return chr(int(c[1:], 16))
        return {"n": "\n", "t": "\t", "r": "", "/": "/", '"': '"', "'": "'", "\\": "\\"}.get(c, c)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|[nrt/\"'\\])", repl, text)


def looks_js_escaped(text: str) -> bool:
    head = text[:20000]
    if head.count("\\u003c") + head.count("\\u003C") >= 4:
        return True  # JSON-style escaping of the tags themselves
    return head.count('\\"') >= 4 and head.count('\\"') * 2 > head.count('="')


def document_from_html(text: str, deadline: float | None = None, *, raw: bytes | None = None) -> Document:
    """``raw``: the UTF-8 bytes ``text`` was strictly decoded from, if so; lxml then parses them as they are
    instead of a re-encoded copy."""
    if looks_js_escaped(text):
        text = unescape_js_string(text)
        raw = None
    text = text.lstrip("\ufeff")
    if not text or text.isspace():  # == not text.strip(), without copying a big page
        raise ParseError("empty", "文件是空的，没有可读取的内容。", "The file is empty.")
    try:
        # Plain etree elements (not lxml.html's classes): no per-element class lookup, much faster.
        root = etree.fromstring(raw if raw is not None else text.encode("utf-8", "surrogatepass"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise ParseError("corrupt", "网页无法解析。", f"The web page cannot be parsed ({e}).") from e
    if root is None:
        raise ParseError("empty", "文件是空的，没有可读取的内容。", "The file is empty.")
    meta_title, meta_date = _meta(root)
    body = root.find("body")
    start = body if body is not None else root
    blocks = None if _holds_marker(text) else _flow(start)
    if blocks is None:
        _mark_breaks(root)
        walker = _Walker(deadline)
        walker.walk(start)
        walker.flush()
        blocks = walker.blocks
    elif deadline is not None and time.monotonic() > deadline:
        raise ParseError("timeout", "解析超时。", "Parsing took too long.")
    return Document(blocks=tuple(blocks), source_format="html", meta_title=meta_title, meta_date=meta_date)


# The page in one C pass. An XSLT writes the text of the flow with a break marker wherever ``_Walker``
# ends a line (before and after every block element), and each report table (a table without tables
# inside) as a slot marker followed by its rows and cells, each cell's rowspan, colspan and text; <br>,
# </p> and footnote marks are treated as ``_mark_breaks`` does. Python then only splits strings: no
# call per element (a saved web page has thousands). Same blocks as ``_Walker`` (which stays for pages
# that hold a marker character themselves, literally or as a character reference: they are Unicode
# noncharacters, so that does not happen in practice).
_BREAK, _SLOT, _ROW, _CELL, _FIELD = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3", "\ufdd4"
_MARKERS = (_BREAK, _SLOT, _ROW, _CELL, _FIELD)
_MARKER_REF = re.compile(r"&#(?:[xX]0*[fF][dD][dD][0-4](?![0-9a-fA-F])|0*649(?:7[6-9]|80)(?![0-9]))")
_FLOW = etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="{"|".join(sorted(_DROP | {"sup", "sub"}))}"/>
<xsl:template match="{"|".join(sorted((_BLOCK | {"td", "th"}) - {"p", "br"}))}">\
{_BREAK}<xsl:apply-templates/>{_BREAK}</xsl:template>
<xsl:template match="p">{_BREAK}<xsl:apply-templates/>{_BREAK}<xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="br">{_BREAK}{_BREAK}<xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="table[not(.//table[not(ancestor::sup or ancestor::sub)])]">{_BREAK}{_SLOT}<xsl:for-each select=".//tr[not(ancestor::sup or ancestor::sub)]">{_ROW}\
<xsl:for-each select="td|th">{_CELL}<xsl:value-of select="@rowspan"/>{_FIELD}<xsl:value-of select="@colspan"/>\
{_FIELD}<xsl:apply-templates mode="cell"/></xsl:for-each></xsl:for-each>{_BREAK}</xsl:template>
<xsl:template match="{"|".join(sorted(_DROP | {"sup", "sub"}))}" mode="cell"/>
<xsl:template match="p" mode="cell"><xsl:apply-templates mode="cell"/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="br" mode="cell"><xsl:text>&#10;</xsl:text></xsl:template>
</xsl:stylesheet>"""))


def _holds_marker(text: str) -> bool:
    # The regex alone: its literal "&#" prefix is found faster than by ``"&#" in text`` (~4x on a big page).
    return any(m in text for m in _MARKERS) or _MARKER_REF.search(text) is not None


def _flow(start) -> list | None:
    """Blocks under ``start``, read from ``_FLOW``'s output (None if the transform fails)."""
    try:
        flow = str(_FLOW(start))
    except etree.XSLTApplyError:  # e.g. libxslt's template depth limit; libxml2 caps nesting well below it
        return None
    flow += start.tail or ""  # the transform sees ``start`` as a root: no tail
    blocks: list = []
    for p in flow.split(_BREAK):
        if p[:1] == _SLOT:
            rows = []
            for row in p.split(_ROW)[1:]:
                cells = []
                for field in row.split(_CELL)[1:]:
                    rs, cs, text = field.split(_FIELD, 2)
                    cells.append((text, _span(rs) if rs else 1, _span(cs) if cs else 1))
                rows.append(cells)
            table = _grid(rows)
            if table.rows:
                blocks.append(table)
        elif p.strip(" \t\r\n"):
            blocks.append(Paragraph(p.strip("\r\n")))
    return blocks


def _meta(root) -> tuple[str | None, str | None]:
    title = None
    t = root.find(".//title")
    if t is not None and "".join(t.itertext()).strip():
        title = "".join(t.itertext()).strip()
    date = None
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = m.get("content") or ""
        if name == "articletitle" and content.strip():
            title = content.strip()
        if name in _PUBDATE_NAMES and date is None:
            d = _DATE.search(content)
            if d:
                date = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
    return title, date


class _Walker:
    """Depth-first walk that turns flow content into lines and report tables into grids."""

    def __init__(self, deadline: float | None):
        self.blocks: list = []
        self.line: list[str] = []
        self.deadline = deadline
        self.steps = 0

    def flush(self) -> None:
        text = "".join(self.line)
        self.line = []
        if text.strip(" \t\r\n"):
            self.blocks.append(Paragraph(text.strip("\r\n")))

    def walk(self, el) -> None:
        self.steps += 1
        if self.deadline is not None and self.steps % 2000 == 0 and time.monotonic() > self.deadline:
            raise ParseError("timeout", "解析超时。", "Parsing took too long.")
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _DROP or not isinstance(el.tag, str):
            self._tail(el)
            return
        if tag == "table" and not _has_nested_table(el):
            self.flush()
            table = _table(el)
            if table.rows:
                self.blocks.append(table)
            self._tail(el)
            return
        block = tag in _BLOCK or tag in ("td", "th")
        if block:
            self.flush()
        if el.text:
            self.line.append(el.text)
        for child in el:
            self.walk(child)
        if block:
            self.flush()
        self._tail(el)

    def _tail(self, el) -> None:
        if el.tail:
            self.line.append(el.tail)


def _has_nested_table(el) -> bool:
    return any(True for _ in el.iterdescendants("table"))


def cell_text(el) -> str:
    """A cell's text. Inline runs are joined as they are (digits split over <span>s come back
    together); <br> and </p> were turned into newlines by ``_mark_breaks``."""
    if len(el) == 0:
        return el.text or ""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _mark_breaks(root) -> None:
    """Line breaks as text, so a cell's text can be read in one C call (labels split over <br>/<p>).

    Footnote marks (<sup>/<sub>) are dropped: "12<sup>1</sup>" is 12, not 121; so are scripts and
    styles inside a cell, which are not its text.
    """
    for el in root.iter("br", "p"):
        el.tail = "\n" + (el.tail or "")
    for el in list(root.iter("sup", "sub", *_DROP)):  # a list: removing while iterating skips elements
        for child in list(el):
            el.remove(child)
        el.text = None


def _span(value: str | None) -> int:
    if value is None:
        return 1
    if value.isdigit():
        return max(1, min(int(value), _MAX_SPAN))
    try:
        n = int(re.sub(r"\D", "", value or "") or 1)
    except ValueError:
        return 1
    return max(1, min(n, _MAX_SPAN))


_EMPTY = GridCell("", origin=False)


def _table(table_el) -> Table:
    """Expand rowspan/colspan into a rectangular grid of GridCells."""
    return _grid([[(cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
                   for td in tr if td.tag in ("td", "th")] for tr in table_el.iter("tr")])


def _grid(rows: list[list[tuple[str, int, int]]]) -> Table:
    """Rows of (text, rowspan, colspan) into a rectangular grid of GridCells.

    A cell goes to the first position of its row not yet covered by a rowspan from above; its
    spans cover further positions with a non-origin copy. Positions nobody covers are blank.
    """
    free = _EMPTY  # a position not yet taken (and, in the end, a blank one)
    n = len(rows)
    grid: list[list[GridCell]] = [[] for _ in range(n)]
    made: dict[str, GridCell] = {}  # GridCell is frozen: equal cells share one object
    covers: dict[str, GridCell] = {}
    for r, tds in enumerate(rows):
        line = grid[r]
        c = 0
        for text, rs, cs in tds:
            while c < len(line) and line[c] is not free:
                c += 1
            origin = made.get(text)
            if origin is None:
                origin = made[text] = GridCell(text)
            if rs == 1 and cs == 1:
                if c < len(line):
                    line[c] = origin
                else:
                    if c > len(line):
                        line.extend([free] * (c - len(line)))
                    line.append(origin)
                c += 1
                continue
            covered = covers.get(text)
            if covered is None:
                covered = covers[text] = GridCell(text, origin=False)
            for dr in range(min(rs, n - r)):
                target = grid[r + dr]
                if len(target) < c + cs:
                    target.extend([free] * (c + cs - len(target)))
                for dc in range(cs):
                    target[c + dc] = origin if dr == 0 and dc == 0 else covered
            c += cs
    width = max((len(line) for line in grid), default=0)
    # Every cell puts its origin in its own row: a row without cells holds only spans from above.
    return Table(rows=tuple(tuple(line) + (free,) * (width - len(line))
                            for line, tds in zip(grid, rows, strict=True) if tds))
