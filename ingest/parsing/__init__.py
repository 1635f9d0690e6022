"""The report parser: bytes and a file name in, a ParsedReport out. Plain Python, no Django.

    from ingest.parsing import parse, ParseError
    report = parse(data, "report.html")      # raises ParseError with a message for people
    report.to_dict()                          # FORMAT.md §10.1 JSON
"""

from __future__ import annotations

import time

from .errors import ParseError
from .model import Document, ParsedReport

PARSER_VERSION = "1.0.0"
MAX_INPUT_BYTES = 50 * 1024 * 1024

__all__ = ["PARSER_VERSION", "ParseError", "ParsedReport", "parse", "parse_document"]


def parse(data: bytes, filename: str, *, time_budget: float = 20.0) -> ParsedReport:
    """Parse one report file. Raises ParseError (codes: empty, too_large, no_report, timeout, ...)."""
    deadline = time.monotonic() + time_budget
    if len(data) > MAX_INPUT_BYTES and not filename.lower().endswith((".pdf", ".docx", ".doc")):
        raise ParseError("too_large", "文件太大（超过 50 MB）。", "The file is too large (over 50 MB).")
    from .extract import extract

    try:
        doc = extract(data, filename, deadline=deadline)
    except ParseError:
        raise
    except RecursionError as e:
        raise ParseError("corrupt", "文件结构嵌套过深，无法读取。", "The file is nested too deeply to read.") from e
    return parse_document(doc, source_path=filename, deadline=deadline)


def parse_document(doc: Document, *, source_path: str | None = None, deadline: float | None = None
                   ) -> ParsedReport:
    """Interpret an already extracted Document (what each extractor returns)."""
    from .interpret import interpret

    if time.monotonic() > (deadline or float("inf")):
        raise ParseError("timeout", "解析超时。", "Parsing took too long.")
    return interpret(doc, source_path=source_path, deadline=deadline, parser_version=PARSER_VERSION)
