"""Plain text and markdown: decode, then one Paragraph per line; pipe rows become tables.

Separator lines are truly empty in flattened reports, while an empty *cell* is a
line holding only padding (NBSP): FORMAT.md §11.1. So empty lines are dropped
and whitespace-only lines are kept as Paragraphs.
"""

from __future__ import annotations

import codecs
import re

from ..errors import ParseError
from ..model import Document, GridCell, Paragraph, Table

MAX_BYTES = 50 * 1024 * 1024
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


_MARKUP = re.compile(r"<(?:table|tr|td|p|div|br|span)\b", re.I)


def extract(data: bytes, filename: str) -> Document:
    text = decode(data)
    head = text[:50_000]
    if len(_MARKUP.findall(head)) >= 5 or head.count("\\u003c") + head.count("\\u003C") >= 5:
        # HTML saved as .txt (or kept inside a JS string): read it as the markup it is.
        from .html import document_from_html

        return document_from_html(text)
    fmt = "markdown" if filename.lower().endswith((".md", ".markdown")) else "text"
    return Document(blocks=tuple(blocks_from_lines(text.splitlines())), source_format=fmt)


def decode(data: bytes) -> str:
    """Bytes to str: BOM first, then UTF-8, UTF-16 without BOM, GB18030, then a sniffed codec."""
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", "文件太大（超过 50 MB）。", "The file is too large (over 50 MB).")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported late: only odd files need it

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        return data.decode(best.encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def _utf16_without_bom(data: bytes) -> str | None:
    from .sniff import utf16_without_bom

    return utf16_without_bom(data[:4096])


def is_pipe_row(line: str) -> bool:
    """A table row written with pipes. Long prose that merely contains a '|' (page footers,
    crawler lines) is not one: its cells would be whole paragraphs."""
    if "|" not in line:
        return False
    s = line.strip()
    longest = max(len(c) for c in s.split("|"))
    if s.startswith("|") or s.endswith("|"):
        return longest <= 200
    return s.count("|") >= 2 and longest <= 60


def pipe_cells(line: str) -> list[str]:
    parts = line.strip().split("|")
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return parts


def blocks_from_lines(lines: list[str]) -> list:
    """Group consecutive pipe rows into a Table; every other non-empty line is a Paragraph."""
    blocks: list = []
    rows: list[list[str]] = []
    for line in lines:
        if line and is_pipe_row(line):
            if _MD_RULE.match(line):
                continue
            rows.append(pipe_cells(line))
            continue
        if rows:
            blocks.append(_table(rows))
            rows = []
        if line == "":
            continue
        blocks.append(Paragraph(line))
    if rows:
        blocks.append(_table(rows))
    return blocks


def _table(rows: list[list[str]]) -> Table:
    width = max((len(r) for r in rows), default=0)
    # Ragged rows are padded with non-origin cells so the padding is never read as a value.
    grid = tuple(
        tuple(GridCell(c) for c in r) + tuple(GridCell("", origin=False) for _ in range(width - len(r)))
        for r in rows
    )
    return Table(rows=grid)
