"""Judge a file's format from its bytes (magic numbers), falling back to the extension."""

from __future__ import annotations

import zipfile
from io import BytesIO

from ..errors import ParseError

_PADDING = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
# Control bytes that do not occur in text: below 9, and 14-31 except ESC (27).
_CONTROL = bytes(b for b in range(32) if b < 9 or 13 < b < 32 and b != 27)


def sniff(data: bytes, filename: str) -> str:
    """Return one of: pdf, docx, doc, html, text, zip, image, binary."""
    head = data[:2048]
    # Empty when nothing but padding: the head is looked at first, so a file is copied (by strip)
    # only when its first 2 KB are all padding.
    if not data or (not head.strip(_PADDING) and not data.strip(_PADDING)):
        raise ParseError("empty", "文件是空的，没有可读取的内容。", "The file is empty.")
    name = filename.lower()
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            # A truncated DOCX still starts with PK; treat it as the format it claims to be.
            return "docx" if name.endswith((".docx", ".wps")) else "zip"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: .doc / .wps
        return "doc"
    if head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"GIF8", b"II*\x00", b"MM\x00*"):
        return "image"
    if _looks_binary(head):
        return "binary"
    low = head.lower()
    if b"<html" in low or b"<table" in low or b"<!doctype html" in low or b"<body" in low or b"<meta" in low:
        return "html"
    if name.endswith((".html", ".htm", ".shtml", ".xhtml")):
        return "html"
    return "text"


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes read as UTF-16 text without a BOM, else None.

    ASCII characters (digits, newlines) put their NUL byte always on the same side in UTF-16,
    while binary noise has NULs on both sides; CJK text alone has few NULs, so a handful suffices.
    """
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    units = len(head) // 2
    if units < 8 or max(even, odd) < max(2, units // 100) or min(even, odd) > max(even, odd) // 8:
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = head.decode(codec)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t\u3000\xa0")
    return codec if printable >= 0.97 * len(text) else None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM is text
        return False
    if utf16_without_bom(head):
        return False
    if head.count(b"\x00") > len(head) // 8:
        # UTF-16 without BOM has a NUL in every other byte of ASCII; let the text extractor decide.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return not (even > len(head) // 4 or odd > len(head) // 4)
    control = len(head) - len(head.translate(None, _CONTROL))  # counted in C
    return control > len(head) // 20
