"""DOCX extractor: document order, merged cells, nested content, metadata, damage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ingest.parsing.errors import ParseError
from ingest.parsing.extract import docx
from ingest.parsing.model import Paragraph, Table

from ._factories import CORPUS, cells_of, docx_bytes, p, tbl, tc, textbox


def _texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def _origins(table: Table) -> list[list[bool]]:
    return [[c.origin for c in row] for row in table.rows]


def test_it_expands_gridspan_and_vmerge_into_a_rectangular_grid():
    body = tbl(
        tc("说明", span=2, vmerge="restart") + tc("申请人情况", span=2),
        tc(span=2, vmerge="continue") + tc("自然人") + tc("总计"),
        tc("一、本年新收") + tc("甲") + tc("3") + tc("4"),
    )
    (table,) = docx.extract(docx_bytes(body), "t.docx").blocks
    assert _texts(table) == [
        ["说明", "说明", "申请人情况", "申请人情况"],
        ["说明", "说明", "自然人", "总计"],
        ["一、本年新收", "甲", "3", "4"],
    ]
    assert _origins(table) == [
        [True, False, True, False],
        [False, False, True, True],
        [True, True, True, True],
    ]


def test_a_bare_vmerge_continues_the_cell_above():
    body = tbl(tc("三、本年度办理结果", vmerge="restart") + tc("1"),
               tc(vmerge="continue") + tc("2"),
               tc(vmerge="continue") + tc("3"))
    (table,) = docx.extract(docx_bytes(body), "t.docx").blocks
    assert [r[0].text for r in table.rows] == ["三、本年度办理结果"] * 3
    assert [r[0].origin for r in table.rows] == [True, False, False]
    assert [r[1].text for r in table.rows] == ["1", "2", "3"]


def test_a_legacy_hmerge_is_a_colspan():
    body = tbl('<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr>' + p("第二十条第（一）项") + "</w:tc>"
               '<w:tc><w:tcPr><w:hMerge/></w:tcPr>' + p("") + "</w:tc>",
               tc("规章") + tc("0"))
    (table,) = docx.extract(docx_bytes(body), "t.docx").blocks
    assert _texts(table) == [["第二十条第（一）项", "第二十条第（一）项"], ["规章", "0"]]
    assert _origins(table) == [[True, False], [True, True]]


def test_short_rows_are_padded_with_non_cells():
    body = tbl(tc("a") + tc("b") + tc("c"), tc("d"))
    (table,) = docx.extract(docx_bytes(body), "t.docx").blocks
    assert [len(r) for r in table.rows] == [3, 3]
    assert table.rows[1][1].origin is False and table.rows[1][1].text == ""


def test_it_keeps_paragraphs_and_tables_in_document_order():
    body = p("一、总体情况") + p("正文") + tbl(tc("x") + tc("1")) + p("二、主动公开政府信息情况")
    blocks = docx.extract(docx_bytes(body), "t.docx").blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    assert blocks[0].text == "一、总体情况" and blocks[3].text == "二、主动公开政府信息情况"


def test_it_reads_tables_nested_in_cells_and_text_boxes_once():
    inner = tbl(tc("内") + tc("7"))
    body = tbl(tc("外") + tc("说明", inner=inner)) + textbox(p("框中文字") + tbl(tc("框") + tc("9")))
    blocks = docx.extract(docx_bytes(body), "t.docx").blocks
    tables = [b for b in blocks if isinstance(b, Table)]
    assert [_texts(t) for t in tables] == [[["外", "说明"]], [["内", "7"]], [["框", "9"]]]
    paras = [b.text for b in blocks if isinstance(b, Paragraph)]
    # The text box's paragraph appears once although Word stores the box twice (DrawingML + VML).
    assert paras.count("框中文字") == 1


def test_a_one_cell_layout_table_does_not_hide_its_content():
    body = tbl(tc("", inner=p("一、总体情况") + tbl(tc("规章") + tc("0"))))
    blocks = docx.extract(docx_bytes(body), "t.docx").blocks
    assert any(isinstance(b, Paragraph) and "一、总体情况" in b.text for b in blocks)
    assert [_texts(b) for b in blocks if isinstance(b, Table)] == [[["规章", "0"]]]


def test_line_breaks_and_tabs_inside_a_cell_survive():
    body = tbl('<w:tc><w:p><w:r><w:t>本年新</w:t><w:br/><w:t>制作数量</w:t></w:r></w:p></w:tc>')
    (table,) = docx.extract(docx_bytes(body), "t.docx").blocks
    assert table.rows[0][0].text == "本年新\n制作数量"


def test_it_reads_the_title_but_never_takes_the_file_date_for_the_published_date():
    doc = docx.extract(docx_bytes(p("x"), title="示例县东河镇2023年政府信息公开工作年度报告",
                                  created="2024-01-15T08:00:00Z"), "t.docx")
    assert doc.meta_title == "示例县东河镇2023年政府信息公开工作年度报告"
    assert doc.meta_date is None  # when the file was saved says nothing about publication
    assert doc.source_format == "docx"


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9])
def test_it_rejects_a_truncated_docx_as_corrupt(cut):
    data = (CORPUS / "020.docx").read_bytes()
    with pytest.raises(ParseError) as e:
        docx.extract(data[: int(len(data) * cut)], "020.docx")
    assert e.value.code == "corrupt"
    assert "损坏" in e.value.message_zh and "damaged" in e.value.message_en


def test_it_rejects_a_zip_without_a_document_as_corrupt():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/other.xml", "<x/>")
    with pytest.raises(ParseError) as e:
        docx.extract(buf.getvalue(), "x.docx")
    assert e.value.code == "corrupt"


def test_malformed_xml_is_corrupt():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(ParseError) as e:
        docx.extract(buf.getvalue(), "x.docx")
    assert e.value.code == "corrupt"


@pytest.mark.parametrize("name", ["020", "024"])
def test_corpus_docx_tables_have_the_shape_of_the_web_page(name):
    doc = docx.extract((CORPUS / f"{name}.docx").read_bytes(), f"{name}.docx")
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    # §二 (4 columns), §三 (3 label + 7 value columns), §四 (15 columns)
    assert [len(t.rows[0]) for t in tables] == [4, 10, 15]
    assert all(len({len(r) for r in t.rows}) == 1 for t in tables)
    assert doc.meta_title and doc.meta_title.endswith("政府信息公开工作年度报告")


@pytest.mark.parametrize("name", ["020", "024"])
def test_corpus_docx_parses_to_the_same_cells_as_the_web_page(name):
    from ingest import parsing

    html = parsing.parse((CORPUS / f"{name}.html").read_bytes(), f"{name}.html")
    word = parsing.parse((CORPUS / f"{name}.docx").read_bytes(), f"{name}.docx")
    assert cells_of(word) == cells_of(html)
    assert (word.agency, word.report_year, word.versions) == (html.agency, html.report_year, html.versions)


def test_the_extractors_import_no_django():
    code = ("import sys; import ingest.parsing.extract.docx, ingest.parsing.extract.pdf, "
            "ingest.parsing.extract.legacy, ingest.parsing.render, ingest.parsing.synthetic; "
            "import ingest.parsing.render.docx, ingest.parsing.render.pdf; "
            "assert 'django' not in sys.modules, 'django imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
