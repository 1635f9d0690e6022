"""The PDF extractor's loops in C (``_pdfgeom``) give exactly what its Python gives.

Every parser test that reads a PDF already compares the two on each call (conftest's
``pdf_loops_checked``); here: the module is built, all four functions are exercised on real and
rendered reports, random inputs beyond what real files contain, bad arguments, and the Python path
on its own.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.parsing import ParseError, parse
from ingest.parsing.extract import pdf
from ingest.parsing.model import GridCell
from ingest.parsing.render import render
from ingest.parsing.synthetic import generate_report

from ._factories import CORPUS, drawn_grid_pdf, split_table_pdf, table_pdf
from .pdfgeom_check import Checked, shape

C = pdf._c.c if isinstance(pdf._c, Checked) else pdf._c


def test_the_c_module_is_built():
    # setup.py builds it at install (optional: without a compiler the Python runs, slower). This
    # install must have it, or the speed measured in bench/ is not what runs here.
    assert C is not None, "ingest.parsing.extract._pdfgeom is not built: install gcc and run scripts/setup"


needs_c = pytest.mark.skipif(C is None, reason="the C module is not built")


def _pdfs() -> list[tuple[str, bytes]]:
    files = [(f.name, f.read_bytes()) for f in sorted(CORPUS.glob("*.pdf"))]
    files += [(f"r{seed}-{year}.pdf", render(generate_report(seed=seed, year=year), "pdf"))
              for seed, year in [(1, 2019), (2, 2020), (3, 2021), (4, 2023), (5, 2025)]]
    files += [("grid-lines.pdf", drawn_grid_pdf()), ("grid-bars.pdf", drawn_grid_pdf(borders="bars")),
              ("grid-shaded.pdf", drawn_grid_pdf(shading=True, underline=True)),
              ("split.pdf", split_table_pdf(fragment_row=True)),
              ("spans.pdf", table_pdf([["说明", "", "申请人情况", ""], ["", "", "自然人", "总计"],
                                      ["三、本年度办理结果", "（一）予以公开", "12", "15"]],
                                     [((0, 0), (1, 1)), ((2, 0), (3, 0))]))]
    return files


@needs_c
def test_real_and_rendered_reports_take_both_paths_alike(pdf_loops_checked):
    for name, data in _pdfs():
        pdf.extract(data, name)  # a difference raises pdfgeom_check.Mismatch
    calls = pdf_loops_checked.calls
    assert set(calls) == {"rulings", "table_parts", "place_words", "part_grid", "group_texts", "grid_rows",
                          "split_lines", "line_spans", "wide_lines"}
    assert min(calls.values()) >= 10, calls


def test_the_python_path_alone_reads_the_same_report(monkeypatch):
    data = render(generate_report(seed=7, year=2022), "pdf")
    with_c = parse(data, "r.pdf").to_dict()
    monkeypatch.setattr(pdf, "_c", None)
    assert parse(data, "r.pdf").to_dict() == with_c
    assert with_c["cells"]["s3.received_new.total"]["st"] == "ok"


# Damaged files reach geometry real files never have (NaN boxes, glyphs far off the page, broken
# paths). TTD_PDF_FUZZ=20000 for a longer local run (about 5 minutes).
PDF_FUZZ = int(os.environ.get("TTD_PDF_FUZZ", "150"))


@needs_c
def test_damaged_pdfs_take_both_paths_alike_and_fail_only_with_a_parse_error(pdf_loops_checked):
    rng = random.Random(20261129)
    bases = [data for _, data in _pdfs()[:7]]  # corpus and rendered reports
    for _ in range(PDF_FUZZ):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(data) - 10)
            op = rng.random()
            if op < 0.5:
                data[i] = rng.randrange(256)
            elif op < 0.8 and chr(data[i]).isdigit():
                data[i] = ord(rng.choice("0123456789-."))
            else:
                del data[i:i + rng.randint(1, 8)]
        if b"%%EOF" not in data[-2048:]:
            data += b"\n%%EOF\n"
        try:
            pdf.extract(bytes(data), "damaged.pdf")
        except ParseError:
            pass
    assert sum(pdf_loops_checked.calls.values()) > PDF_FUZZ


# --------------------------------------------------------------------------- random inputs

# Positions on a coarse lattice plus small offsets, so that lines meet, nearly meet, tie and fall
# within the snap (2.0) and thin (2.5) distances of each other far more often than at random.
pos = st.builds(lambda k, d: k * 7.0 + d, st.integers(0, 12),
                st.sampled_from([0.0, 0.0, 0.5, -0.5, 1.99, 2.0, 2.01, 2.5, 3.0001, -0.0]))
seg = st.tuples(pos, pos, pos)


def _ordered(s: tuple[float, float, float]) -> tuple[float, float, float]:
    return s[0], min(s[1], s[2]), max(s[1], s[2])


segments = st.lists(st.one_of(seg.map(_ordered), seg), max_size=24)  # some with reversed extents


@needs_c
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=segments, v=segments)
def test_ruling_groups_match_on_random_lines(h, v):
    assert shape(C.table_parts(h, v)) == shape(pdf._group_rulings(h, v))


glyph = st.builds(lambda t, x, w, y, hgt: (t, x, x + w, y, y + hgt), st.sampled_from(["1", "12", "予以公开", " 2 ", ""]),
                  pos, st.sampled_from([0.0, 3.0, 9.5]), pos, st.sampled_from([0.0, 4.0, 10.5]))


@needs_c
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=segments, v=segments, chars=st.lists(glyph, max_size=30), base=st.sampled_from([0, 40, 1000]))
def test_grid_core_matches_on_random_tables(h, v, chars, base):
    xs, ys = pdf._snap([s[0] for s in v]), pdf._snap([s[0] for s in h])
    if len(xs) < 2 or len(ys) < 2:
        return
    left, right = min(s[1] for s in h), max(s[2] for s in h)
    args = (v, h, xs, ys, left, right, chars, base)
    assert shape(C.part_grid(*args)) == shape(pdf._grid_core(*args))


class _Clears:
    """A number whose conversion empties the list being read: converting it in C used to read freed memory."""

    def __init__(self, victim: list):
        self.victim = victim

    def __float__(self) -> float:
        self.victim.clear()
        return 0.0


def _clearing_list() -> list:
    xs: list = [0.0, 1.0]
    xs.append(_Clears(xs))
    return xs


@needs_c
@pytest.mark.parametrize("call", [
    lambda: C.table_parts(None, []),
    lambda: C.table_parts([(1.0, 2.0)] * 2, [(1.0, 2.0, 3.0)] * 2),
    lambda: C.table_parts([("a", 1.0, 2.0)] * 2, [(1.0, 2.0, 3.0)] * 2),
    lambda: C.part_grid([], [], [0.0, 1.0], [0.0, 1.0], 0.0, 1.0, [("1", 0.0)], 0),
    lambda: C.part_grid([], [], "xs", [0.0, 1.0], 0.0, 1.0, [], 0),
    lambda: C.place_words(0, 0, "x", None, []),
    lambda: C.place_words(0, 0, "x", [(0, 0, [0.0] * 8)], [(0.0, 1.0, 0.0)]),
    lambda: C.rulings("page", *[0] * 10, 2, 0, 2),
    lambda: C.rulings(0, *[0] * 10, 2, 0, 2),  # a PDFium function at address 0 is refused, not called
    lambda: C.group_texts([[("一", 0.0, 1.0, 0.0, 1.0), ("二", 0.0)]]),
    lambda: C.group_texts(None),
    lambda: C.grid_rows("ids", {}, GridCell),
    lambda: C.split_lines("一", [(0, 0, "一", 0.0, 1.0, 0.0, 1.0, 0.0)], [0.0] * 8, [(0.0, 1.0, 0.0, 1.0)]),
    lambda: C.line_spans(0, 0, "一"),  # no box function
    lambda: C.line_spans("tp", 1, "一"),
    lambda: C.wide_lines(0, 1, "一 二", [(5, 9, "x y", *[0.0] * 6)]),  # refused before any box is asked for
    lambda: C.wide_lines(0, 1, "一 二", [(0, 2, "一 二")]),
    lambda: C.part_grid([], [], _clearing_list(), [0.0, 1.0], 0.0, 1.0, [], 0),
    lambda: C.place_words(0, 0, "x", [(0, 0, _clearing_list() + [0.0] * 5)], []),
], ids=["parts-none", "parts-short", "parts-str", "grid-short-glyph", "grid-str", "words-none", "words-short-grid",
        "rulings-str", "rulings-null", "texts-short-glyph", "texts-none", "rows-str", "lines-short-span", "spans-no-box", "spans-str-page", "wide-span-outside-text",
        "wide-short-span", "grid-number-that-clears-its-list",
        "words-number-that-clears-its-list"])
def test_bad_arguments_raise_instead_of_crashing(call):
    with pytest.raises((TypeError, ValueError)):
        call()
