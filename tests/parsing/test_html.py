"""HTML: spans expanded into grids, charset, JS-escaped pages, split digits, flattened tables."""

from __future__ import annotations

from ingest.parsing import parse
from ingest.parsing.extract.html import document_from_html
from ingest.parsing.model import Paragraph, Table

S3_ROWS = ["二、上年结转政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理"]


def _page(extra_rows: str = "", s3_first: str = "<td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td>"
          "<td>6</td>", charset: str = "utf-8") -> str:
    zero = "<td>0</td>" * 7
    rows = "".join(f"<tr><td colspan='3'>{r}</td>{zero}</tr>" for r in S3_ROWS)
    return f"""<html><head><meta charset="{charset}"><title>某某街道2022年政府信息公开工作年度报告_政务公开</title>
<meta name="PubDate" content="2023-01-16 09:30"></head><body><div class="nav">首页 &gt; 政务公开</div>
<p>某某街道2022年政府信息公开工作年度报告</p><p>一、总体情况</p><p>全年主动公开信息1<span>2</span>条。</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发<br/>件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td><span>1</span><span>2</span></td><td>&nbsp;3</td><td>4&nbsp;</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">2910</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">0.092</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p>
<table><tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{s3_first}</tr>
<tr><td rowspan="4">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>{zero}</tr>
<tr><td rowspan="3">（六）其他处理</td><td>1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请</td>{zero}</tr>
<tr><td>2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请</td>{zero}</tr>
<tr><td>3.其他</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
{rows}{extra_rows}</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr>{"<td>x</td>" * 5}<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>{"<td>0</td>" * 4}<td>0</td>{"<td>0</td>" * 4}<td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td></tr></table>
<p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>
<div class="footer">关于本站 | 网站声明</div></body></html>"""


def test_it_expands_rowspan_and_colspan_into_a_grid() -> None:
    doc = document_from_html(_page())
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    s3 = tables[1]
    assert len({len(r) for r in s3.rows}) == 1  # rectangular
    assert len(s3.rows[0]) == 10
    covered = s3.rows[5][0]
    assert covered.text == "三、本年度办理结果" and covered.origin is False
    assert doc.meta_date == "2023-01-16"


def test_it_reads_a_2021_page() -> None:
    r = parse(_page().encode(), "page.html")
    assert (r.agency, r.report_year, r.published_date) == ("某某街道", 2022, "2023-01-16")
    assert r.versions == {"s2": "2021", "s3": "2021"}
    assert len(r.cells) == 200
    # Digits split over <span>s, &nbsp; padding.
    assert [r.cells[f"s2.art20_1.normative_docs.{c}"].v for c in ("made", "repealed", "in_force")] == [12, 3, 4]
    assert r.cells["s2.art20_5.licensing.decisions"].v == 2910
    fee = r.cells["s2.art20_8.admin_fees.amount_wan_yuan"]
    assert fee.v == 0.092 and fee.unit == "万元"
    assert r.cells["s3.received_new.total"].v == 6
    assert r.cells["s3.outcome.other.other.total"].v == 1
    assert r.cells["s4.lit_after_review.total"].v == 1
    ids = {c.id: c.ok for c in r.checks}
    assert ids["I3.received_new"] is True and ids["I4.lit_after_review"] is True


def test_it_reads_a_gbk_page_by_its_meta_charset() -> None:
    r = parse(_page(charset="gb2312").encode("gbk"), "page.html")
    assert r.agency == "某某街道"
    assert r.cells["s3.received_new.total"].v == 6


def test_it_reads_html_kept_in_a_javascript_string() -> None:
    html = _page().split("<body>")[1].split("</body>")[0]
    escaped = html.replace('"', '\\"').replace("\n", "\\n")
    r = parse(escaped.encode(), "content.txt")
    assert r.cells["s2.art20_5.licensing.decisions"].v == 2910
    assert r.cells["s3.received_new.natural_person"].v == 5


def test_blank_cells_are_blank_not_zero() -> None:
    first = "<td>5</td><td>&nbsp;</td><td></td><td>0</td><td>0</td><td>0</td><td>&nbsp;</td>"
    r = parse(_page(s3_first=first).encode(), "page.html")
    assert r.cells["s3.received_new.org_commercial"].st == "blank"
    assert r.cells["s3.received_new.total"].st == "blank"
    assert r.cells["s3.received_new.natural_person"].v == 5


def test_a_row_with_too_few_cells_is_unresolved() -> None:
    first = "<td>5</td><td>0</td><td>0</td><td>0</td><td>5</td>"
    r = parse(_page(s3_first=first).encode(), "page.html")
    assert r.cells["s3.received_new.natural_person"].st == "text"
    assert r.cells["s3.received_new.total"].v is None


def test_a_table_flattened_into_paragraphs_is_read() -> None:
    html = _page()
    flat = html.replace("<table>", "").replace("</table>", "").replace("<tr>", "").replace("</tr>", "")
    flat = flat.replace("<td", "<p").replace("</td>", "</p>")
    r = parse(flat.encode(), "page.html")
    assert r.cells["s2.art20_5.licensing.decisions"].v == 2910
    assert r.cells["s3.received_new.total"].v == 6


def test_a_table_without_some_columns_is_read_by_its_header() -> None:
    """GIVEN a §三 table whose header has only 自然人, 商业企业 and 总计 (a known third-party layout)
    THEN those cells are read by name and the other four columns are missing, with a warning."""
    header = ("<tr><td>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
              "<td>自然人</td><td>商业企业</td><td>总计</td></tr>")
    rows = "".join(f"<tr><td>{label}</td><td>{a}</td><td>{b}</td><td>{a + b}</td></tr>" for label, a, b in [
        ("一、本年新收政府信息公开申请数量", 4, 1), ("二、上年结转政府信息公开申请数量", 0, 0),
        ("（七）总计", 4, 1), ("四、结转下年度继续办理", 0, 0)])
    html = (f"<html><body><p>某乡2021年政府信息公开工作年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
            f"<table>{header}{rows}</table></body></html>")
    r = parse(html.encode(), "page.html")
    assert r.cells["s3.received_new.natural_person"].v == 4
    assert r.cells["s3.received_new.org_commercial"].v == 1
    assert r.cells["s3.received_new.total"].v == 5
    assert r.cells["s3.received_new.org_research"].st == "missing"
    assert any(w.code == "s3.columns_absent" for w in r.warnings)


def test_it_reads_html_escaped_as_json_unicode() -> None:
    html = _page().split("<body>")[1].split("</body>")[0]
    escaped = html.replace("<", "\\u003c").replace(">", "\\u003e").replace('"', '\\"').replace("\n", "\\n")
    r = parse(('{"content": "' + escaped + '"}').encode(), "api.json.txt")
    assert r.cells["s2.art20_5.licensing.decisions"].v == 2910


def test_a_footnote_mark_does_not_join_the_number() -> None:
    html = _page().replace("<td>行政许可</td><td colspan=\"3\">2910</td>",
                           "<td>行政许可</td><td colspan=\"3\">2910<sup>1</sup></td>")
    assert "<sup>" in html
    r = parse(html.encode(), "page.html")
    assert r.cells["s2.art20_5.licensing.decisions"].v == 2910


def _procurement_page(header: str, cell: str) -> str:
    return ("<html><body><p>某乡2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td colspan='3'>第二十条第（九）项</td></tr>"
            f"<tr><td>信息内容</td><td>采购项目数量</td><td>{header}</td></tr>"
            f"<tr><td>政府集中采购</td><td>2</td><td>{cell}</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p><p>五、存在的主要问题及改进情况</p></body></html>")


def test_the_procurement_amount_takes_its_unit_from_the_cell_or_the_header() -> None:
    cases = [("采购总金额", "8040", None, 8040), ("采购总金额", "251000元", "元", 251000),
             ("采购总金额（万元）", "12.5", "万元", 12.5), ("采购总金额（单位：元）", "984361", "元", 984361)]
    for header, cell, unit, v in cases:
        r = parse(_procurement_page(header, cell).encode(), "p.html")
        c = r.cells["s2.art20_9.central_procurement.amount"]
        assert (c.v, c.unit, c.st) == (v, unit, "ok"), (header, cell)
        assert r.cells["s2.art20_9.central_procurement.projects"].v == 2


def test_a_unit_that_contradicts_the_header_is_not_read() -> None:
    r = parse(_procurement_page("采购总金额（万元）", "251000元").encode(), "p.html")
    assert r.cells["s2.art20_9.central_procurement.amount"].st == "text"


def test_footnote_marks_nested_in_each_other_are_all_dropped() -> None:
    # Removing a mark's children while walking the marks used to skip the mark right after it.
    doc = document_from_html("<table><tr><td>行政许可</td><td>5<sub><sup>1</sup></sub></td><td>7<sup>2</sup></td>"
                             "</tr></table>")
    assert [c.text for c in doc.blocks[0].rows[0]] == ["行政许可", "5", "7"]


def test_the_fast_flow_reads_breaks_layout_tables_and_skipped_elements_as_the_walk_does() -> None:
    page = ("<html><head><title>t</title></head><body><div>首页<script>var x='<p>no</p>';</script></div>"
            "<table><tr><td><p>一、总体情况</p>全年主动公开<b>12</b>条。<br>第二行"
            "<table><tr><td rowspan='2'>规章<br/>文件</td><td>1</td></tr><tr><td colspan='x2'>2</td></tr></table>"
            "</td></tr></table><noscript><table><tr><td>9</td></tr></table></noscript>尾</body>后</html>")
    doc = document_from_html(page)
    walked = document_from_html(page.replace("首页", "首页\ufdd0"))  # a marker character: read by the walk
    assert [b for b in walked.blocks if b != Paragraph("首页\ufdd0")] == [b for b in doc.blocks if b != Paragraph("首页")]
    assert doc.blocks[0] == Paragraph("首页")
    assert doc.blocks[1:3] == (Paragraph("一、总体情况"), Paragraph("全年主动公开12条。"))
    table = doc.blocks[4]
    assert [[(c.text, c.origin) for c in row] for row in table.rows] == [
        [("规章\n文件", True), ("1", True), ("", False)], [("规章\n文件", False), ("2", True), ("2", False)]]
    assert doc.blocks[-1] == Paragraph("尾后")


def test_a_page_holding_a_marker_character_is_still_read() -> None:
    doc = document_from_html("<p>a\ufdd0b</p><table><tr><td>x</td><td>1</td></tr></table><p>c&#xFDD3;d</p>")
    assert doc.blocks[0] == Paragraph("a\ufdd0b") and doc.blocks[2] == Paragraph("c\ufdd3d")
    assert [c.text for c in doc.blocks[1].rows[0]] == ["x", "1"]
