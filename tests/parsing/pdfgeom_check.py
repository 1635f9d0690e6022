"""A stand-in for the PDF extractor's C module that runs every call twice, in C and in Python.

``pdf._c`` is replaced by a ``Checked`` during the parser tests (tests/parsing/conftest.py): each
call goes to the C function and to the Python function it replaces, the two results must be equal
down to the last bit of every float (``repr``) and in their container types, and the C result is
what the extractor goes on with. So every PDF the tests parse proves the two paths the same.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from types import SimpleNamespace

import pypdfium2.raw as pdfium_c

from ingest.parsing.extract import pdf


def shape(value) -> object:
    """``value`` with every container replaced by (type name, items), to compare types as well."""
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [shape(v) for v in value]
    if isinstance(value, dict):
        return "dict", [(shape(k), shape(v)) for k, v in value.items()]
    return type(value).__name__, repr(value)


class Mismatch(AssertionError):
    pass


class Checked:
    def __init__(self, c_module):
        self.c = c_module
        self.calls: Counter[str] = Counter()

    def _same(self, name: str, got, want, args) -> None:
        self.calls[name] += 1
        if shape(got) != shape(want):
            raise Mismatch(f"_pdfgeom.{name} differs from the Python for arguments {args!r}:\n"
                           f"C:      {got!r}\nPython: {want!r}")

    def rulings(self, page_addr, *functions):
        got = self.c.rulings(page_addr, *functions)
        page = SimpleNamespace(raw=ctypes.cast(page_addr, pdfium_c.FPDF_PAGE))
        self._same("rulings", got, pdf._rulings_py(page), page_addr)
        return got

    def table_parts(self, h, v):
        got = self.c.table_parts(h, v)
        self._same("table_parts", got, pdf._group_rulings(h, v), (h, v))
        return got

    def place_words(self, tpa, loose_box, text, words, grids):
        got = self.c.place_words(tpa, loose_box, text, words, grids)
        self._same("place_words", got, pdf._place_words_py(tpa, text, words, grids), (text, words, grids))
        return got

    def part_grid(self, *args):
        got = self.c.part_grid(*args)
        self._same("part_grid", got, pdf._grid_core(*args), args)
        return got

    def group_texts(self, groups):
        got = self.c.group_texts(groups)
        self._same("group_texts", got, pdf._group_texts(groups), groups)
        return got

    def line_spans(self, tpa, loose_box, text):
        got = self.c.line_spans(tpa, loose_box, text)
        self._same("line_spans", got, pdf._line_spans(tpa, text), text)
        return got

    def wide_lines(self, tpa, loose_box, text, spans):
        got = self.c.wide_lines(tpa, loose_box, text, spans)
        self._same("wide_lines", sorted(got), sorted(pdf._wide_lines(tpa, text, spans)), (text, spans))
        assert type(got) is set
        return got

    def split_lines(self, text, spans, f, boxes):
        got = self.c.split_lines(text, spans, f, boxes)
        self._same("split_lines", got, pdf._split_lines(text, spans, f, boxes), (text, spans, f, boxes))
        return got

    def grid_rows(self, ids, texts, cell_type):
        got = self.c.grid_rows(ids, texts, cell_type)
        self._same("grid_rows", got, pdf._grid_rows(ids, texts, cell_type), (ids, texts))
        # Equal cells share one object in both (the extractor relies on it only for memory).
        assert len({id(c) for r in got for c in r}) == len({id(c) for r in pdf._grid_rows(ids, texts, cell_type)
                                                            for c in r})
        return got
