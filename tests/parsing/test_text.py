"""Plain text and markdown: encodings, one cell per line, pipe rows, crawler run-on lines."""

from __future__ import annotations

import pytest

from ingest.parsing import parse
from tests.parsing.corpus_paths import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("codec", ["gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_it_reads_the_seed_in_other_encodings(codec: str) -> None:
    r = parse(SEED_TEXT.encode(codec), "seed.txt")
    assert r.agency == "定州市砖路镇"
    assert r.cells["s2.art20_5.licensing.items_change"].v == 4
    assert sum(c.st == "ok" for c in r.cells.values()) == 198


def _pipe_report(s3_row: str = "| 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 | |") -> str:
    zeros = " | 0" * 7 + " |"
    rows = ["二、上年结转政府信息公开申请数量", "(一)予以公开", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
            "1.属于国家秘密", "(六)其他处理", "(七)总计", "四、结转下年度继续办理"]
    return "\n".join([
        "某某镇2020年政府信息公开工作年度报告",
        "发布日期:2021年02月03日",
        "一、总体情况",
        "全年公开政府信息12条。",
        "二、主动公开政府信息情况",
        "第二十条第(一)项 | ||||",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 | |",
        "规章 | 0 | 0 | 0 | |",
        "规范性文件 | 3 | 2 | 10 | |",
        "三、收到和处理政府信息公开申请情况",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 | ||||||||",
        s3_row,
        *[f"| {r}{zeros}" for r in rows],
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 | 行政诉讼",
        "0 0 0 0 0 0 0 0 0 0 1 0 0 0 1",
        "五、存在的主要问题及改进情况",
        "无。",
    ])


def test_it_reads_pipe_rows_and_ignores_trailing_empty_cells() -> None:
    r = parse(_pipe_report().encode(), "r.md")
    assert r.agency == "某某镇" and r.report_year == 2020 and r.published_date == "2021-02-03"
    assert [r.cells[f"s2.art20_1.normative_docs.{c}"].v for c in ("made", "published_new", "published_total")] \
        == [3, 2, 10]
    assert r.cells["s3.received_new.natural_person"].v == 5
    assert r.cells["s3.received_new.total"].v == 6
    # §四 as one line of 15 numbers (PDF-style), taken positionally.
    assert r.cells["s4.lit_after_review.upheld"].v == 1 and r.cells["s4.lit_after_review.total"].v == 1
    # Rows the text does not have are missing, with a reason.
    assert r.cells["s3.outcome.denied.third_party.total"].st == "missing"
    assert r.cells["s3.outcome.denied.third_party.total"].note


def test_a_row_with_a_missing_value_is_left_unresolved_not_shifted() -> None:
    r = parse(_pipe_report("| 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 6 |").encode(), "r.md")
    cells = [r.cells[f"s3.received_new.{c}"] for c in ("natural_person", "org_commercial", "total")]
    assert all(c.st == "text" and c.v is None for c in cells)
    assert any(w.section == "s3" and w.row == "received_new" for w in r.warnings)
    # The next row keeps its own values.
    assert r.cells["s3.carried_over_prev.total"].v == 0


def test_crawler_text_with_run_together_digits_is_split_only_when_unique() -> None:
    body = ("标题: 某某区2019年度政府信息公开工作年度报告\n发布时间: 2020-01-20 15:22\n==== 正文 ====\n"
            "某某区2019年政府信息公开工作年度报告 一、总体情况全年公开信息25条。二、主动公开政府信息情况"
            "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件898989"
            "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
            "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000"
            "三、本年度办理结果（一）予以公开270020130（七）总计23 0 00 0 023四、结转下年度继续办理0 0 0 00 0 0"
            "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
            "000000000000000 五、存在的主要问题及改进情况无。")
    r = parse(body.encode(), "page.txt")
    assert r.agency == "某某区" and r.report_year == 2019 and r.published_date == "2020-01-20"
    assert [r.cells[f"s3.received_new.{c}"].v for c in ("natural_person", "org_commercial", "total")] == [23, 0, 23]
    assert r.cells["s2.art20_1.regulations.made"].v == 0
    # '898989' has many readings into 3 cells: nothing is read.
    assert r.cells["s2.art20_1.normative_docs.made"].st == "text"
    # '270020130': 27|0|0|2|0|1|30 and 2|7|0|0|20|1|30 both add up; only the total is certain.
    assert r.cells["s3.outcome.granted.total"].v == 30
    assert r.cells["s3.outcome.granted.natural_person"].st == "text"
    assert any(w.code == "s3.cells_ambiguous" for w in r.warnings)
    assert r.cells["s4.review.total"].v == 0


def test_digits_glued_to_prose_are_not_values() -> None:
    text = _pipe_report().replace("规范性文件 | 3 | 2 | 10 | |", "规范性文件共印发3件,")
    r = parse(text.encode(), "r.txt")
    assert r.cells["s2.art20_1.normative_docs.made"].st == "missing"


def test_label_variants_are_recognised() -> None:
    """Enumerators 1、/（1）, spaces inside labels, ASCII quotes, 其它/合计, 3.其他原因 (FORMAT.md §8.2)."""
    rows = [
        ("一、 本年新收政府信息 公开申请数量", "2"), ("二、上年结转政府信息公开申请数量", "0"),
        ("三、本年度办理结果", None), ("（一） 予以公开", "1"), ("（二）部分公开", "0"),
        ("（三）不予公开", None), ("1、属于国家秘密", "0"), ('3.危及"三安全一稳定"', "0"),
        ("（四）无法提供", None), ("（1）本机关不掌握相关政府信息", "1"),
        ("（五）不予处理", None), ("2.重复申请", "0"),
        ("（六）其他处理", None), ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请", "0"),
        ("2.申请人逾期未缴费、行政机关不再处理", "0"), ("3.其他原因", "0"),
        ("（七）合计", "2"), ("四、结转下一年度继续办理", "0"),
    ]
    lines = ["某镇2022年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "申请人情况", "自然人",
             "法人或者其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其它"]
    for label, v in rows:
        lines.append(label)
        if v is not None:
            lines.extend([v, "0", "0", "0", "0", "0", v])
    lines.append("五、存在的主要问题及改进情况")
    r = parse("\n".join(lines).encode(), "v.txt")
    assert r.versions["s3"] == "2021"
    got = {k: r.cells[f"s3.{k}.total"].v for k in (
        "received_new", "outcome.granted", "outcome.denied.state_secret", "outcome.denied.security_stability",
        "outcome.unable.not_held", "outcome.not_processed.duplicate", "outcome.other.no_correction",
        "outcome.other.fee_unpaid", "outcome.other.other", "outcome.total", "carried_forward_next")}
    assert got == {"received_new": 2, "outcome.granted": 1, "outcome.denied.state_secret": 0,
                   "outcome.denied.security_stability": 0, "outcome.unable.not_held": 1,
                   "outcome.not_processed.duplicate": 0, "outcome.other.no_correction": 0,
                   "outcome.other.fee_unpaid": 0, "outcome.other.other": 0, "outcome.total": 2,
                   "carried_forward_next": 0}


def test_a_table_of_contents_before_the_body_is_not_taken_for_the_sections() -> None:
    toc = "\n".join(["目录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                     "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"])
    text = SEED_TEXT.replace("一、总体情况", toc + "\n一、总体情况", 1)
    r = parse(text.encode(), "toc.txt")
    assert sum(c.st == "ok" for c in r.cells.values()) == 198
    assert r.text["s1_overview"].startswith("2020年,砖路镇")


def test_a_stray_number_before_the_review_table_does_not_hide_it() -> None:
    text = _pipe_report().replace("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议、行政诉讼情况\n5")
    r = parse(text.encode(), "r.txt")
    assert r.cells["s4.lit_after_review.total"].v == 1


def _md_s3(rows: list[str]) -> str:
    return "\n".join(["某市2025年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
                      "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |", *rows,
                      "五、存在的主要问题及改进情况"])


def test_rows_whose_labels_were_lost_are_placed_only_when_forced() -> None:
    """GIVEN a PDF-to-markdown table where two rows lost their labels between 4.大量反复 and (六)2
    THEN they are read as 5.确认或重新出具 and (六)1 (the only template rows between), with warnings."""
    rows = ["| 4.无正当理由大量反复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "| 行政机关不再处理其政府信息公 | 40 | 1 | 0 | 0 | 2 | 0 | 43 |",
            "| 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"]
    r = parse(_md_s3(rows).encode(), "t.md")
    assert r.cells["s3.outcome.not_processed.confirm_reissue.total"].v == 0
    assert r.cells["s3.outcome.other.no_correction.total"].v == 43
    assert sum(w.code == "s3.row_by_position" for w in r.warnings) == 2


def test_lost_labels_are_not_placed_when_the_count_does_not_match() -> None:
    rows = ["| 4.无正当理由大量反复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "| 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"]
    r = parse(_md_s3(rows).encode(), "t.md")
    assert r.cells["s3.outcome.not_processed.confirm_reissue.total"].st == "missing"
    assert r.cells["s3.outcome.other.no_correction.total"].st == "missing"


def test_a_row_short_of_its_blank_total_is_not_cut_into_numbers() -> None:
    """Page text where 总计 was left blank: "1 0 0 0 0 12" must not become 其他 1, 总计 2."""
    from ingest.parsing import parse

    text = (
        "某某区2019年政府信息公开工作年度报告\n一、总体情况全年公开信息25条。\n"
        "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        "一、本年新收政府信息公开申请数量1 0 0 0 0 12二、上年结转政府信息公开申请数量0 0 0 0 0 0 0"
    )
    cells = parse(text.encode(), "r.txt").to_dict()["cells"]
    other, total = cells["s3.received_new.org_other"], cells["s3.received_new.total"]
    assert (other["v"], total["v"]) != (1, 2)
    assert other["st"] != "ok" or other["v"] == 12
    assert total["st"] != "ok"  # a blank total cannot be read, and nothing says the 2 is its


def test_a_s2_table_of_unknown_template_keeps_its_values_unresolved() -> None:
    """A 2022 report whose §二 header matches neither template's wording: the year does not say which
    columns these are (reports use the other year's template), so nothing is read as a number."""
    from ingest.parsing import parse

    text = (
        "某某镇2022年政府信息公开工作年度报告\n一、总体情况\n全年公开政府信息12条。\n二、主动公开政府信息情况\n"
        "第二十条第(一)项 | ||||\n信息内容 | 新制作数 | 新公开数 | 公开总数 |\n规章 | 1 | 2 | 3 |\n规范性文件 | 4 | 5 | 6 |\n"
        "三、收到和处理政府信息公开申请情况\n五、存在的主要问题及改进情况\n无。\n"
    )
    report = parse(text.encode(), "r.md").to_dict()
    s2 = {k: c for k, c in report["cells"].items() if k.startswith("s2.art20_1.")}
    assert s2 and all(c["v"] is None and c["st"] in ("text", "missing") for c in s2.values())
    assert s2["s2.art20_1.regulations.repealed"]["raw"].strip() == "2"  # kept for a person to read
    assert "s2.version_unknown" in {w["code"] for w in report["warnings"]}


def test_two_different_full_rows_in_s4_are_a_conflict_not_the_first_one() -> None:
    from ingest.parsing import parse

    text = (
        "某某镇2020年政府信息公开工作年度报告\n一、总体情况\n全年公开政府信息12条。\n三、收到和处理政府信息公开申请情况\n"
        "四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 行政诉讼\n2 0 0 0 2 0 0 0 0 0 0 0 0 0 0\n"
        "注:上年同期数据如下。\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n五、存在的主要问题及改进情况\n无。\n"
    )
    report = parse(text.encode(), "r.txt").to_dict()
    s4 = [c for k, c in report["cells"].items() if k.startswith("s4.")]
    assert len(s4) == 15 and all(c["v"] is None and c["st"] == "text" for c in s4)
    assert "s4.conflict" in {w["code"] for w in report["warnings"]}
    # the same row twice (a table repeated on the next page) is no conflict
    again = text.replace("0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "2 0 0 0 2 0 0 0 0 0 0 0 0 0 0")
    cells = parse(again.encode(), "r.txt").to_dict()["cells"]
    assert (cells["s4.review.upheld"]["v"], cells["s4.review.total"]["v"]) == (2, 2)
