"""The same report, copied out of its web page as text, reads the same.

Officials paste reports out of browsers and crawlers: the tables arrive one cell per line, or
with cells separated by tabs (a browser's copy of a table), pipes or runs of spaces. Every real
saved page of the corpus (read from ../shared, never copied) is flattened to text in each of these
ways. With each line trimmed (as crawlers do), the text must give the same cells (value and
status), organisation and year as the page. With the pages' no-break-space padding kept (a line
of nothing but padding inside a label cell reads like one more cell), a cell may come out
unresolved instead, but never with another number.
"""

from __future__ import annotations

from functools import cache

import pytest
from lxml import html as lxml_html

from ingest.parsing import parse
from tests.parsing.corpus_paths import CORPUS

PAGES = sorted(p.name for p in (CORPUS / "raw").glob("*.htm*"))
SEPARATORS = {"one cell per line": "\n", "tabs": "\t", "pipes": " | ", "three spaces": "   ", "one space": " "}
BLOCKS = {"p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "br"}


def flatten(page: bytes, cell_sep: str, *, trim: bool = True) -> bytes:
    """What a copy out of the page gives: block elements on their own lines, cells joined by
    ``cell_sep``, scripts and styles gone, empty lines dropped; ``trim``: every line stripped of
    all whitespace (no-break spaces included), else of spaces, tabs and pipes only."""
    doc = lxml_html.document_fromstring(page)
    for el in doc.xpath("//script|//style"):
        el.drop_tree()
    out: list[str] = []

    def walk(el) -> None:
        if el.tag in ("td", "th"):
            out.append(cell_sep)
        elif el.tag in BLOCKS:
            out.append("\n")
        out.append(el.text or "")
        for child in el:
            walk(child)
            out.append(child.tail or "")
        if el.tag in BLOCKS:
            out.append("\n")

    walk(doc)
    lines = (line.strip() if trim else line.strip(" \t|") for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line).encode("utf-8")


def reading(data: bytes, name: str):
    report = parse(data, name).to_dict()
    cells = {key: (cell["v"], cell["st"]) for key, cell in report["cells"].items()}
    return report["doc"].get("agency"), report["doc"].get("report_year"), cells


@cache
def page_reading(name: str):
    return reading((CORPUS / "raw" / name).read_bytes(), name)


def test_there_are_pages_to_flatten():
    assert len(PAGES) >= 10


@pytest.mark.parametrize("separator", sorted(SEPARATORS))
@pytest.mark.parametrize("name", PAGES)
def test_a_page_copied_out_as_trimmed_text_reads_the_same(name, separator):
    agency, year, cells = page_reading(name)
    text = flatten((CORPUS / "raw" / name).read_bytes(), SEPARATORS[separator])
    t_agency, t_year, t_cells = reading(text, name.rsplit(".", 1)[0] + ".txt")
    assert (t_agency, t_year) == (agency, year)
    differ = {k: (cells.get(k), t_cells.get(k)) for k in cells.keys() | t_cells.keys() if cells.get(k) != t_cells.get(k)}
    assert not differ, differ


@pytest.mark.parametrize("separator", sorted(SEPARATORS))
@pytest.mark.parametrize("name", PAGES)
def test_padding_left_in_the_copy_never_changes_a_number(name, separator):
    agency, year, cells = page_reading(name)
    text = flatten((CORPUS / "raw" / name).read_bytes(), SEPARATORS[separator], trim=False)
    t_agency, t_year, t_cells = reading(text, name.rsplit(".", 1)[0] + ".txt")
    assert (t_agency, t_year) == (agency, year)
    assert t_cells.keys() == cells.keys()
    for key, (value, status) in t_cells.items():
        if (value, status) != cells[key]:
            assert value is None, f"{key}: page {cells[key]}, copy {(value, status)}"
