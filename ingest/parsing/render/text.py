"""Plain text, one table cell per line, the way a copied web page reads (like the seed report)."""

from __future__ import annotations

from .layout import Layout

# An empty cell is a line holding only NBSP, as in the seed, so it stays distinguishable
# from the blank separator lines (FORMAT.md §11 step 1).
EMPTY_CELL = "\u00a0"


def write(layout: Layout) -> bytes:
    out: list[str] = [layout.title, ""]
    if layout.date:
        out += [f"发布时间：{layout.date}", ""]
    for p in layout.preamble:
        out += [p, ""]
    for section in layout.sections:
        out += [section.heading, ""]
        for p in section.paragraphs:
            out += [p, ""]
        if section.table is not None:
            for row in section.table.rows:
                for span in row:
                    out += [span.text or EMPTY_CELL, ""]
    return ("\n".join(out) + "\n").encode("utf-8")
