"""Files that are not reports, or are damaged, give a ParseError with a message for people; never a crash."""

from __future__ import annotations

import os
import time

import pytest

from ingest.parsing import ParseError, parse
from tests.parsing.corpus_paths import SEED

SEED_BYTES = SEED.read_bytes()


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"  \r\n\n ", "empty"),
    ("这是一篇普通的文章，没有任何表格。".encode() * 20, "no_report"),
    (b"<html><body><p>hello</p></body></html>", "no_report"),
])
def test_it_refuses_what_is_not_a_report(data: bytes, code: str) -> None:
    with pytest.raises(ParseError) as e:
        parse(data, "x.txt")
    assert e.value.code == code
    assert e.value.message_zh and e.value.message_en


def test_binary_noise_is_refused() -> None:
    with pytest.raises(ParseError):
        parse(os.urandom(4096), "noise.txt")


def test_too_large_input_is_refused_before_reading() -> None:
    with pytest.raises(ParseError) as e:
        parse(b"0" * (50 * 1024 * 1024 + 1), "big.txt")
    assert e.value.code == "too_large"


def test_a_spent_time_budget_raises_timeout() -> None:
    with pytest.raises(ParseError) as e:
        parse(SEED_BYTES, "seed.txt", time_budget=-1)
    assert e.value.code == "timeout"


@pytest.mark.parametrize("cut", [400, 1500, 2600, 3500, 4800, 6000])
def test_truncated_reports_parse_with_missing_cells(cut: int) -> None:
    data = SEED.read_text(encoding="utf-8")[:cut].encode()
    try:
        r = parse(data, "cut.txt")
    except ParseError as e:
        assert e.code == "no_report"
        return
    assert r.agency == "定州市砖路镇"
    # Whatever was read is right; the rest is missing (every seed value is 0 except 行政许可).
    for key, cell in r.cells.items():
        if cell.st == "ok" and key not in ("s2.art20_5.licensing.items_change", "s2.art20_5.licensing.decisions"):
            assert cell.v == 0, key


def test_a_report_without_section_three_warns() -> None:
    data = SEED.read_text(encoding="utf-8").split("三、收到和处理")[0].encode()
    r = parse(data, "no3.txt")
    assert r.cells["s3.received_new.total"].st == "missing"
    assert any(w.code == "s3.not_found" for w in r.warnings)


def test_pathological_input_is_fast() -> None:
    """Long digit runs and repeated labels must not explode the run-together digit splitter."""
    line = "一、本年新收政府信息公开申请数量" + "1" * 60 + "二、上年结转政府信息公开申请数量" + "12" * 40
    body = ("某镇2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + line * 50).encode()
    t = time.monotonic()
    r = parse(body, "p.txt", time_budget=10)
    assert time.monotonic() - t < 5
    assert r.cells["s3.received_new.total"].v is None


def test_a_file_cut_inside_a_row_does_not_read_the_cut_number() -> None:
    """GIVEN the seed cut right after '行政许可 0 4' (the third value, 4, and everything after are lost)
    THEN that row is left unresolved rather than read from a possibly shortened number."""
    text = SEED.read_text(encoding="utf-8")
    end = text.index("行政许可") + len("行政许可\n\n 0\n\n 4")
    r = parse(text[:end].encode(), "cut.txt")
    assert r.cells["s2.art20_5.licensing.items_change"].v is None
    assert any(w.row == "licensing" for w in r.warnings)
