"""PDF extractor: grids from ruling lines, tables across page breaks, page chrome, damage, speed."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from ingest.parsing.errors import ParseError
from ingest.parsing.extract import pdf
from ingest.parsing.model import Paragraph, Table

from ._factories import CORPUS, cells_of, drawing_only_pdf, drawn_grid_pdf, split_table_pdf, table_pdf


def _tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def _texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def test_it_rebuilds_a_grid_with_merged_cells_from_ruling_lines():
    data = [["说明", "", "申请人情况", ""],
            ["", "", "自然人", "总计"],
            ["三、本年度办理结果", "（一）予以公开", "12", "15"]]
    spans = [((0, 0), (1, 1)), ((2, 0), (3, 0))]
    doc = pdf.extract(table_pdf(data, spans, before=["二、主动公开政府信息情况"]), "t.pdf")
    (table,) = _tables(doc)
    assert _texts(table) == [
        ["说明", "说明", "申请人情况", "申请人情况"],
        ["说明", "说明", "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "12", "15"],
    ]
    assert [[c.origin for c in r] for r in table.rows] == [
        [True, False, True, False], [False, False, True, True], [True, True, True, True]]


@pytest.mark.parametrize("kwargs", [
    {"borders": "lines"},
    {"borders": "bars"},  # Word draws borders as thin filled rectangles
    {"borders": "lines", "underline": True},  # an underline in a cell is no border
    {"borders": "lines", "shading": True},  # a filled background is no border either
], ids=["stroked", "filled-bars", "underlined-text", "shaded"])
def test_borders_are_told_from_other_drawing(kwargs):
    (table,) = _tables(pdf.extract(drawn_grid_pdf(**kwargs), "t.pdf"))
    assert _texts(table) == [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "0", "0"], ["行政规范性文件", "3", "12"]]


@pytest.mark.parametrize("shape", ["kite", "arc", "turned"])
def test_a_figure_drawn_across_a_table_adds_no_borders(shape):
    # A stroked path of four or five segments was taken for a rectangle and its bounding box for
    # four cell borders, cutting the cells it crossed.
    (table,) = _tables(pdf.extract(drawn_grid_pdf(shape=shape), "t.pdf"))
    assert _texts(table) == [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "0", "0"], ["行政规范性文件", "3", "12"]]


def test_a_column_boundary_drawn_nowhere_cannot_be_invented():
    # Columns 0 and 1 are merged in every row: the PDF has no line between them, so they are one column.
    data = [["说明", "", "1"], ["一、本年新收政府信息公开申请数量", "", "2"]]
    doc = pdf.extract(table_pdf(data, [((0, 0), (1, 0)), ((0, 1), (1, 1))]), "t.pdf")
    (table,) = _tables(doc)
    assert _texts(table) == [["说明", "1"], ["一、本年新收政府信息公开申请数量", "2"]]


def test_prose_and_tables_keep_reading_order():
    doc = pdf.extract(table_pdf([["规章", "0"], ["行政规范性文件", "3"]],
                                before=["一、总体情况", "二、主动公开政府信息情况"], after=["三、收到和处理政府信息公开申请情况"]),
                      "t.pdf")
    kinds = [(type(b).__name__, b.text if isinstance(b, Paragraph) else None) for b in doc.blocks]
    assert kinds == [("Paragraph", "一、总体情况"), ("Paragraph", "二、主动公开政府信息情况"), ("Table", None),
                     ("Paragraph", "三、收到和处理政府信息公开申请情况")]


def test_a_wrapped_label_reads_as_one_string():
    long = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    doc = pdf.extract(table_pdf([["（六）其他处理", long, "0"]]), "t.pdf")
    (table,) = _tables(doc)
    assert table.rows[0][1].text == long  # reportlab wraps it over several lines in a narrow column


@pytest.mark.parametrize("repeat", [0, 1])
def test_a_table_continued_on_the_next_page_is_one_table(repeat):
    rows = [["信息内容", "数量"]] + [[f"第{i}行", str(i)] for i in range(1, 90)]
    data = table_pdf(rows, repeat_rows=repeat, before=["三、收到和处理政府信息公开申请情况"],
                     after=["四、政府信息公开行政复议、行政诉讼情况"])
    assert len(pdfium.PdfDocument(data)) >= 2  # the premise: the table really crosses a page break
    (table,) = _tables(pdf.extract(data, "t.pdf"))
    # A repeated header row is kept once; every data row is there once, in order.
    assert _texts(table) == rows


@pytest.mark.parametrize("fragment_row, label_below", [(False, False), (True, False), (False, True)])
def test_cells_cut_by_a_page_break_are_joined_again(fragment_row, label_below):
    """GIVEN a label cell spanning rows across a page break (drawn as text above, empty below)
    and, optionally, a row whose empty lower part starts the next page
    WHEN extracted THEN the label is one cell over all five rows and no empty row appears."""
    (table,) = _tables(pdf.extract(split_table_pdf(fragment_row, label_below=label_below), "t.pdf"))
    assert [r[1].text for r in table.rows] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                                               "4.保护第三方合法权益", "5.属于三类内部事务信息"]
    assert [r[2].text for r in table.rows] == ["1", "2", "3", "4", "5"]
    assert [r[2].origin for r in table.rows] == [True] * 5
    assert {r[0].text for r in table.rows} == {"（三）不予公开"}
    assert [r[0].origin for r in table.rows] == [True, False, False, False, False]


def test_a_row_whose_label_the_page_break_cut_is_one_row():
    """GIVEN row 3 broken over two pages, "3.危及“三安全" above the break and "一稳定”" below it
    over empty value cells WHEN extracted THEN it is one row with the whole label and its value."""
    (table,) = _tables(pdf.extract(split_table_pdf(cut=("3.危及“三安全", "一稳定”")), "t.pdf"))
    assert [r[1].text for r in table.rows] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                                               "4.保护第三方合法权益", "5.属于三类内部事务信息"]
    assert [(r[2].text, r[2].origin) for r in table.rows] == [(str(i), True) for i in range(1, 6)]


def test_an_empty_value_cell_after_a_page_break_stays_a_blank_value():
    # Row 4 has its label but no value: it is not a cut-off piece of row 3, so nothing is joined.
    data = split_table_pdf(page2=[("4.保护第三方合法权益", ""), ("5.属于三类内部事务信息", "5")])
    (table,) = _tables(pdf.extract(data, "t.pdf"))
    assert [(r[2].text, r[2].origin) for r in table.rows[2:]] == [("3", True), ("", True), ("5", True)]


def test_page_numbers_and_running_headers_are_dropped():
    body = [f"第{i}段：示例县东河镇认真贯彻落实政府信息公开条例，持续推进政务公开。" * 3 for i in range(60)]
    data = table_pdf([["规章", "0"]], before=body, page_numbers=True)
    assert len(pdfium.PdfDocument(data)) >= 3
    doc = pdf.extract(data, "t.pdf")
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert not any("示例县人民政府办公室" in t for t in texts)
    assert not any(t.strip("- ").isdigit() for t in texts)
    assert sum(t.count("示例县东河镇") for t in texts) == 180  # and no body text went with them


def test_a_pdf_without_text_layer_is_a_scan():
    with pytest.raises(ParseError) as e:
        pdf.extract(drawing_only_pdf(), "scan.pdf")
    assert e.value.code == "scanned_pdf"
    assert e.value.message_zh.startswith("扫描件，暂不支持")


def test_an_encrypted_pdf_is_refused_with_its_own_code():
    data = table_pdf([["规章", "0"]], encrypt="secret")
    with pytest.raises(ParseError) as e:
        pdf.extract(data, "locked.pdf")
    assert e.value.code == "encrypted"


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.97])
def test_a_truncated_pdf_is_corrupt(cut):
    data = (CORPUS / "024.pdf").read_bytes()
    with pytest.raises(ParseError) as e:
        pdf.extract(data[: int(len(data) * cut)], "024.pdf")
    assert e.value.code == "corrupt"


def test_a_pdf_without_pages_is_corrupt_not_a_scan_nor_encrypted():
    from io import BytesIO

    buf = BytesIO()
    empty = pdfium.PdfDocument.new()
    empty.save(buf)
    empty.close()
    # Run after an encrypted file so PDFium's last error says "password": it must not leak.
    with pytest.raises(ParseError):
        pdf.extract(table_pdf([["规章", "0"]], encrypt="secret"), "locked.pdf")
    with pytest.raises(ParseError) as e:
        pdf.extract(buf.getvalue(), "empty.pdf")
    assert e.value.code == "corrupt"


def test_garbage_after_the_pdf_magic_is_corrupt():
    with pytest.raises(ParseError) as e:
        pdf.extract(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "x.pdf")
    assert e.value.code == "corrupt"


@pytest.mark.parametrize("year", [2020, 2023])
def test_a_table_printed_without_borders_is_read_from_its_gaps(year):
    """GIVEN a report whose tables have no ruling lines (so no grid can be built)
    WHEN parsed THEN each row comes out as its own line of cells, in x order, and every value is read."""
    from ingest.parsing import parse
    from ingest.parsing.render import build
    from ingest.parsing.render.pdf import write
    from ingest.parsing.synthetic import generate_report

    report = generate_report(seed=3, year=year)
    data = write(build(report), ruled=False)
    assert not _tables(pdf.extract(data, "r.pdf"))  # the premise: nothing ruled to find
    back = parse(data, "r.pdf")
    assert cells_of(back) == cells_of(report)


@pytest.mark.parametrize("name", ["020", "024"])
def test_corpus_pdf_gives_the_same_tables_as_the_docx_it_was_printed_from(name):
    from ingest.parsing.extract import docx

    from_pdf = _tables(pdf.extract((CORPUS / f"{name}.pdf").read_bytes(), f"{name}.pdf"))
    from_docx = _tables(docx.extract((CORPUS / f"{name}.docx").read_bytes(), f"{name}.docx"))

    def norm(t: Table) -> list[list[tuple[str, bool]]]:
        # Whitespace inside cells differs (PDF wraps lines); text and merge structure must not.
        return [[("".join(c.text.split()), c.origin) for c in r] for r in t.rows]

    assert [norm(t) for t in from_pdf] == [norm(t) for t in from_docx]


@pytest.mark.parametrize("name", ["020", "024"])
def test_corpus_pdf_parses_to_the_same_cells_as_the_web_page(name):
    from ingest import parsing

    html = parsing.parse((CORPUS / f"{name}.html").read_bytes(), f"{name}.html")
    got = parsing.parse((CORPUS / f"{name}.pdf").read_bytes(), f"{name}.pdf")
    assert cells_of(got) == cells_of(html)
    assert (got.agency, got.report_year, got.versions) == (html.agency, html.report_year, html.versions)
    # The web page's §六 runs on into its site footer; the PDF holds the article only.
    assert got.text["s6_other"].strip() and html.text["s6_other"].startswith(got.text["s6_other"].strip())


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_reports_saved_as_pdf_by_an_office_suite_parse_to_the_same_cells(tmp_path):
    """GIVEN generated reports written as DOCX and printed to PDF by LibreOffice (tall rows break
    across pages there) WHEN the PDFs are parsed THEN every cell matches the generated report."""
    import subprocess

    from ingest.parsing import parse
    from ingest.parsing.render import render
    from ingest.parsing.synthetic import generate_report

    reports = {f"r{year}": generate_report(seed=7, year=year) for year in (2020, 2024)}
    for name, report in reports.items():
        (tmp_path / f"{name}.docx").write_bytes(render(report, "docx"))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path)]
                   + [str(tmp_path / f"{n}.docx") for n in reports], check=True, capture_output=True, timeout=180)
    for name, report in reports.items():
        back = parse((tmp_path / f"{name}.pdf").read_bytes(), f"{name}.pdf")
        assert cells_of(back) == cells_of(report)


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_more_corpus_pages_printed_by_libreoffice_parse_like_the_web_page(tmp_path):
    """GIVEN corpus web pages of three other years and layouts, turned into DOCX and then PDF by
    LibreOffice (as 020/024.pdf were made) WHEN parsed THEN both give the web page's cells."""
    import subprocess

    from ingest.parsing import parse

    names = ["022", "101", "121"]  # 2021 county page with chrome; 2024 department; 2020 IE-exported Word HTML
    for n in names:
        (tmp_path / f"{n}.html").write_bytes((CORPUS / f"{n}.html").read_bytes())
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(tmp_path)] + [str(tmp_path / f"{n}.html") for n in names],
                   check=True, capture_output=True, timeout=180)
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf")]
                   + [str(tmp_path / f"{n}.docx") for n in names], check=True, capture_output=True, timeout=180)
    for n in names:
        want = parse((CORPUS / f"{n}.html").read_bytes(), f"{n}.html")
        for path in (tmp_path / f"{n}.docx", tmp_path / "pdf" / f"{n}.pdf"):
            got = parse(path.read_bytes(), path.name)
            assert cells_of(got) == cells_of(want)
            assert (got.report_year, got.versions) == (want.report_year, want.versions)


def test_a_line_without_a_position_does_not_stop_the_extractor():
    # PDFium gives NaN boxes for the glyphs of some damaged content streams (a few bytes missing from
    # a compressed stream did it); the margin was then taken with round(NaN), a ValueError that failed
    # the whole upload as a parser crash.
    nan = float("nan")
    lines = [pdf._Line("一、总体情况", 72.0, 200.0, 700.0, 688.0, 12.0, 0),
             pdf._Line("本机关主动公开", nan, nan, nan, nan, nan, 0),
             pdf._Line("二、主动公开政府信息情况", 72.0, 300.0, 660.0, 648.0, 12.0, 0)]
    page = pdf._Page(items=[(ln.top, ln) for ln in lines], height=842.0, scanned=False)
    blocks = pdf._assemble([page])
    assert "本机关主动公开" in "".join(b.text for b in blocks if isinstance(b, Paragraph))


@pytest.mark.parametrize("char", ["2", "规"])
def test_a_table_glyph_without_a_position_refuses_the_file_instead_of_losing_a_digit(monkeypatch, char):
    """GIVEN a table cell "12" whose glyph PDFium cannot place (a NaN box, as damaged streams give)
    THEN the file is refused as damaged: the cell is never read as 1."""
    import ctypes
    import math

    import pypdfium2.raw as pdfium_c

    data = table_pdf([["规章", "12"], ["行政规范性文件", "3"]], before=["二、主动公开政府信息情况"])
    assert [["规章", "12"], ["行政规范性文件", "3"]] == _texts(_tables(pdf.extract(data, "t.pdf"))[0])
    real = pdf._boxes

    def without_position(tpa, indices):  # PDFium's answer for that glyph: no position
        f = real(tpa, indices)
        for k, i in enumerate(indices):
            if chr(pdfium_c.FPDFText_GetUnicode(ctypes.cast(tpa, pdfium_c.FPDF_TEXTPAGE), i)) == char:
                f[4 * k:4 * k + 4] = [math.nan] * 4
        return f

    monkeypatch.setattr(pdf, "_c", None)  # the Python loops call _boxes; the C twins give the same
    monkeypatch.setattr(pdf, "_boxes", without_position)
    with pytest.raises(ParseError) as e:
        pdf.extract(data, "t.pdf")
    assert e.value.code == "corrupt"
