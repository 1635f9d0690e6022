"""HTML pages: decode, parse with lxml, emit Paragraphs for running text and Tables with spans expanded.

Handles whole saved pages (site chrome included), article fragments, and HTML
that was saved as the value of a JavaScript string literal (quotes escaped).
Layout tables (tables holding other tables) are read as running text so the
report's own tables inside them still come out as Tables.
"""

from __future__ import annotations

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
    text = decode_html(data)
    return document_from_html(text, deadline)


def decode_html(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", "文件太大（超过 50 MB）。", "The file is too large (over 50 MB).")
    m = _META_CHARSET.search(data[:8192])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        charset = m.group(1).decode("ascii").lower()
        if charset in ("gb2312", "gbk"):
            charset = "gb18030"  # the superset: pages labelled gb2312 often hold GBK characters
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


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


def document_from_html(text: str, deadline: float | None = None) -> Document:
    if looks_js_escaped(text):
        text = unescape_js_string(text)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ParseError("empty", "文件是空的，没有可读取的内容。", "The file is empty.")
    try:
        # Plain etree elements (not lxml.html's classes): no per-element class lookup, much faster.
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise ParseError("corrupt", "网页无法解析。", f"The web page cannot be parsed ({e}).") from e
    if root is None:
        raise ParseError("empty", "文件是空的，没有可读取的内容。", "The file is empty.")
    meta_title, meta_date = _meta(root)
    _mark_breaks(root)
    walker = _Walker(deadline)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return Document(blocks=tuple(walker.blocks), source_format="html", meta_title=meta_title, meta_date=meta_date)


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

    Footnote marks (<sup>/<sub>) are dropped: "12<sup>1</sup>" is 12, not 121.
    """
    for el in root.iter("br", "p"):
        el.tail = "\n" + (el.tail or "")
    for el in root.iter("sup", "sub"):
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
    rows = list(table_el.iter("tr"))
    n = len(rows)
    grid: list[list[GridCell | None]] = [[] for _ in range(n)]
    for r, tr in enumerate(rows):
        line = grid[r]
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while c < len(line) and line[c] is not None:
                c += 1
            text = cell_text(td)
            rs, cs = _span(td.get("rowspan")), _span(td.get("colspan"))
            origin = GridCell(text)
            covered = GridCell(text, origin=False) if rs > 1 or cs > 1 else None
            for dr in range(min(rs, n - r)):
                target = grid[r + dr]
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                for dc in range(cs):
                    target[c + dc] = origin if dr == 0 and dc == 0 else covered
            c += cs
    width = max((len(line) for line in grid), default=0)
    out = []
    for line in grid:
        if not any(cell is not None and cell.origin for cell in line):
            continue
        out.append(tuple(cell or _EMPTY for cell in line) + (_EMPTY,) * (width - len(line)))
    return Table(rows=tuple(out))
