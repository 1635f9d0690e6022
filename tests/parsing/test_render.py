"""Renderer: the official layout in every format, both template versions."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from lxml import html as lhtml

from ingest.parsing.extract import docx as docx_extract
from ingest.parsing.model import Paragraph, Table
from ingest.parsing.render import FORMATS, build, render
from ingest.parsing.render.layout import expand
from ingest.parsing.synthetic import generate_report
from ingest.parsing.template import s3_rows

HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


@pytest.fixture(params=[2020, 2023], ids=["v2019", "v2021"])
def report(request):
    return generate_report(seed=11, year=request.param, agency="示例县东河镇")


def test_every_table_layout_is_a_full_rectangle(report):
    for section in build(report).sections:
        if section.table is None:
            continue
        grid = expand(section.table)
        assert all(pos is not None for row in grid for pos in row), section.key


def test_the_s3_layout_has_the_official_spans(report):
    version = report.versions["s3"]
    s3 = next(s for s in build(report).sections if s.key == "s3_applications").table
    spans = {sp.text: (sp.rowspan, sp.colspan) for row in s3.rows for sp in row if not sp.value}
    assert spans["三、本年度办理结果"] == ((20, 1) if version == "2019" else (22, 1))
    assert spans["（三）不予公开"] == (8, 1)
    assert spans["（四）无法提供"] == (3, 1)
    assert spans["（五）不予处理"] == (5, 1)
    assert spans["（六）其他处理"] == ((1, 2) if version == "2019" else (3, 1))
    assert spans["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (3, 3)
    assert len(s3.rows) == 3 + len(s3_rows(version))
    assert sum(sp.value for row in s3.rows for sp in row) == 7 * len(s3_rows(version))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_starts_with_the_title_and_has_the_six_headings_in_order(report, fmt):
    data = render(report, fmt)
    if fmt == "txt":
        text = data.decode("utf-8")
    elif fmt == "html":
        text = lhtml.fromstring(data).text_content()
    elif fmt == "docx":
        text = "\n".join(b.text for b in docx_extract.extract(data, "r.docx").blocks if isinstance(b, Paragraph))
    else:
        pdf = pdfium.PdfDocument(data)
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    text = re.sub(r"[ \r]", "", text)
    assert text.lstrip().startswith(f"示例县东河镇{report.report_year}年政府信息公开工作年度报告")
    positions = [text.find(h) for h in HEADINGS]
    assert -1 not in positions and positions == sorted(positions)


def test_txt_is_one_cell_per_line_with_nbsp_for_empty_cells(report):
    lines = render(report, "txt").decode("utf-8").split("\n")
    i = lines.index("第二十条第（一）项")
    assert lines[i + 1] == "" and lines[i + 2] == "信息内容"
    # Every value cell is its own line: the §四 block ends with its 15 values.
    j = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    k = lines.index("五、存在的主要问题及改进情况")
    cells = [x for x in lines[j + 1:k] if x]
    assert len(cells) == 2 + 7 + 10 + 15


def test_html_tables_carry_rowspan_and_colspan(report):
    doc = lhtml.fromstring(render(report, "html"))
    tables = doc.findall(".//table")
    assert len(tables) == 3
    label = doc.xpath("//td[normalize-space()='三、本年度办理结果']")[0]
    assert label.get("rowspan") == ("20" if report.versions["s3"] == "2019" else "22")
    assert doc.xpath("//td[normalize-space()='行政诉讼']")[0].get("colspan") == "10"
    assert doc.find(".//title").text == report.title


def test_docx_has_real_merged_cells(report):
    doc = docx_extract.extract(render(report, "docx"), "r.docx")
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [len(t.rows[0]) for t in tables] == [4, 10, 15]
    s3 = tables[1]
    col0 = [r[0] for r in s3.rows if r[0].text == "三、本年度办理结果"]
    assert len(col0) == (20 if report.versions["s3"] == "2019" else 22)
    assert sum(c.origin for c in col0) == 1
    assert doc.meta_title == report.title


def test_pdf_text_is_extracted_exactly_including_cjk(report):
    """STSong-Light is used only because PDFium reads its text back exactly; this proves it."""
    pdf = pdfium.PdfDocument(render(report, "pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for needle in ["3.危及“三安全一稳定”", "（二）部分公开（区分处理的，", "第二十条第（五）项", report.agency]:
        assert needle in text.replace("\r\n", "")
    assert "\ufffd" not in text
    assert pdf.get_metadata_dict()["Title"] == report.title


def test_cell_values_are_printed_as_their_raw_text():
    r = generate_report(seed=3, year=2023)
    fee = r.cells["s2.art20_8.admin_fees.amount_wan_yuan"]
    html = render(r, "html").decode("utf-8")
    assert f">{fee.raw}<" in html


def test_an_unknown_format_is_refused(report):
    with pytest.raises(ValueError):
        render(report, "rtf")  # type: ignore[arg-type]
