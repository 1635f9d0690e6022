"""Fuzzing the parser: whatever the bytes, ``parse()`` returns a well-formed ParsedReport or raises
ParseError with a message for people, within its time budget. No database, no Django.

Bounded for CI (200 examples per test, well under a minute in all). For a longer local run:

    TTD_FUZZ_EXAMPLES=5000 TEST_STACK=unit .venv/bin/python -m pytest tests/reliability/test_fuzz.py -q

(see docs/reliability.md).
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from functools import cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.parsing import ParsedReport, ParseError, parse
from tests.paths import SEED
from tests.reliability.hostile import render_variant, variant

EXAMPLES = int(os.environ.get("TTD_FUZZ_EXAMPLES", "200"))
BUDGET = 2.0  # seconds given to parse()
# parse() checks its deadline between steps; one step may run past it, never by much.
GRACE = 1.5
VALID_STATUSES = {"ok", "blank", "dash", "none_word", "text", "missing"}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the budget is asserted below, against parse()'s own promise
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None if EXAMPLES <= 200 else settings.default.database,  # CI leaves no .hypothesis/ behind
)
NAMES = st.sampled_from(
    ["r.txt", "r.md", "r.html", "r.htm", "r.docx", "r.pdf", "r.doc", "r", "r.png", "报告.TXT"]
)


@cache
def _bases() -> dict[str, bytes]:
    report = variant(4242)
    return {
        "seed": SEED.read_bytes(),
        "txt": render_variant(report, "txt"),
        "html": render_variant(report, "html"),
        "docx": render_variant(report, "docx"),
        "pdf": render_variant(report, "pdf"),
    }


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def assert_parse_is_well_behaved(data: bytes, name: str) -> None:
    # A legacy .doc goes to LibreOffice, bounded by its own 60 s timeout rather than the budget
    # (extract/legacy.py); test_bad_input covers it, and a conversion per example is too slow here.
    assume(not data.startswith(OLE2))
    started = time.monotonic()
    try:
        result = parse(data, name, time_budget=BUDGET)
    except ParseError as exc:
        assert exc.code and isinstance(exc.code, str)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message_zh), exc.message_zh
    else:
        assert isinstance(result, ParsedReport)
        assert result.cells, "a report without cells"
        for key, cell in result.cells.items():
            assert cell.st in VALID_STATUSES, (key, cell)
            if cell.st == "ok":
                assert isinstance(cell.v, int | float) and not isinstance(cell.v, bool), (key, cell)
            assert result.to_dict()  # what the service stores must be buildable
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET + GRACE, f"parse() took {elapsed:.2f} s with a {BUDGET} s budget"


@st.composite
def mutated(draw, base_key: str) -> bytes:
    """A valid report with a few byte-level edits: deletions, insertions, overwrites, digit swaps."""
    data = bytearray(_bases()[base_key])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["delete", "insert", "overwrite", "truncate", "digits", "duplicate"]))
        if op == "delete":
            del data[pos : pos + draw(st.integers(1, 400))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=32))
            data[pos : pos + len(chunk)] = chunk
        elif op == "truncate":
            del data[pos:]
        elif op == "digits":
            digits = draw(st.text("0123456789-.,", min_size=1, max_size=30)).encode()
            data[pos:pos] = digits
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 2000))]
    return bytes(data)


@st.composite
def mutated_docx(draw) -> bytes:
    """A DOCX whose document.xml is edited as text (still a valid zip)."""
    source = zipfile.ZipFile(io.BytesIO(_bases()["docx"]))
    xml = source.read("word/document.xml").decode()
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(xml)))
        op = draw(st.sampled_from(["delete", "insert", "markup"]))
        if op == "delete":
            xml = xml[:pos] + xml[pos + draw(st.integers(1, 300)) :]
        elif op == "insert":
            xml = xml[:pos] + draw(st.text(max_size=40)) + xml[pos:]
        else:
            tag = draw(
                st.sampled_from(
                    [
                        "<w:tc>",
                        "</w:tr>",
                        "<w:tbl>",
                        '<w:gridSpan w:val="99"/>',
                        '<w:vMerge w:val="restart"/>',
                        "<w:p>",
                        "&amp;",
                        "<!--",
                    ]
                )
            )
            xml = xml[:pos] + tag + xml[pos:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in source.infolist():
            zf.writestr(
                item.filename, xml.encode() if item.filename == "word/document.xml" else source.read(item)
            )
    return out.getvalue()


@st.composite
def report_like_text(draw) -> bytes:
    """Lines drawn from the report's own vocabulary, in any order, with any numbers."""
    words = [w for w in _bases()["txt"].decode().splitlines() if w.strip()]
    lines = draw(
        st.lists(
            st.one_of(st.sampled_from(words), st.integers(-(10**12), 10**12).map(str), st.text(max_size=20)),
            max_size=300,
        )
    )
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16"]))
    return "\n".join(lines).encode(encoding, errors="replace")


@FUZZ
@given(data=st.binary(max_size=4096), name=NAMES)
def test_random_bytes(data, name):
    assert_parse_is_well_behaved(data, name)


@FUZZ
@given(data=st.one_of(mutated("seed"), mutated("txt"), mutated("html")), name=NAMES)
def test_mutated_text_and_html_reports(data, name):
    assert_parse_is_well_behaved(data, name)


@FUZZ
@given(data=st.one_of(mutated("docx"), mutated_docx()), name=st.sampled_from(["r.docx", "r.pdf", "r"]))
def test_mutated_word_reports(data, name):
    assert_parse_is_well_behaved(data, name)


@FUZZ
@given(data=mutated("pdf"), name=st.sampled_from(["r.pdf", "r.docx"]))
def test_mutated_pdf_reports(data, name):
    assert_parse_is_well_behaved(data, name)


@FUZZ
@given(data=report_like_text(), name=st.sampled_from(["r.txt", "r.md", "r.html"]))
def test_shuffled_report_vocabulary(data, name):
    assert_parse_is_well_behaved(data, name)


def test_the_time_budget_holds_for_a_table_of_huge_spans():
    """300 cells each claiming rowspan and colspan 99999: the grid must not explode."""
    from tests.reliability.hostile import CASES

    case = CASES["html-huge-spans"]
    started = time.monotonic()
    with pytest.raises(ParseError):
        parse(case.data(), case.filename, time_budget=BUDGET)
    assert time.monotonic() - started < BUDGET + GRACE
