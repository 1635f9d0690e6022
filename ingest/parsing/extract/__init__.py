"""One extractor per format, behind one interface: ``extract(data, filename) -> Document``.

The format is judged from the bytes first and the file name second, so a PDF
saved as ``.txt`` is still read as a PDF.
"""

from __future__ import annotations

from ..errors import ParseError
from ..model import Document
from .sniff import sniff


def extract(data: bytes, filename: str, *, deadline: float | None = None) -> Document:
    """``deadline`` (time.monotonic()) bounds the extractors that can take long: HTML and .doc conversion."""
    kind = sniff(data, filename)
    if kind == "pdf":
        from . import pdf as module
    elif kind == "docx":
        from . import docx as module
    elif kind == "doc":
        from . import legacy as module
    elif kind == "html":
        from . import html as module
    elif kind == "text":
        from . import text as module
    else:
        raise ParseError(
            "unsupported_format",
            f"不支持的文件格式（{kind}）。请上传网页（.html）、文本（.txt）、Word（.docx/.doc）或带文字层的 PDF。",
            f"Unsupported file format ({kind}). Upload a web page (.html), text (.txt), Word (.docx/.doc) "
            "or a PDF with a text layer.",
        )
    if kind in ("html", "doc"):
        return module.extract(data, filename, deadline=deadline)
    return module.extract(data, filename)
