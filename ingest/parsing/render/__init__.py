"""Write a report back out as a file: plain text, HTML, DOCX or PDF.

    from ingest.parsing.render import render
    data = render(report, "pdf")     # bytes of a PDF laid out like the official form

Used to make test and benchmark inputs from generated reports (see
``ingest.parsing.synthetic``) and to export a parsed report in the official layout.
All formats are drawn from one ``Layout`` (``layout.py``). No Django.
"""

from __future__ import annotations

from typing import Literal

from ..model import ParsedReport
from .layout import Layout, build

Format = Literal["txt", "html", "docx", "pdf"]
FORMATS: tuple[Format, ...] = ("txt", "html", "docx", "pdf")
EXTENSIONS: dict[str, str] = {"txt": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"}


def render(report: ParsedReport | Layout, fmt: Format) -> bytes:
    """The report as a file of format ``fmt``. Accepts a ParsedReport or an already built Layout."""
    layout = report if isinstance(report, Layout) else build(report)
    if fmt == "txt":
        from .text import write
    elif fmt == "html":
        from .html import write
    elif fmt == "docx":
        from .docx import write
    elif fmt == "pdf":
        from .pdf import write
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return write(layout)


__all__ = ["EXTENSIONS", "FORMATS", "Format", "Layout", "build", "render"]
