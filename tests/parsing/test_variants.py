"""Variants of real reports the parser must read right, or leave unresolved (never read wrong).

Every input here is generated: a report with distinct numbers in every cell (so a value read
from the wrong row or column shows), rendered by ``ingest.parsing.render``, then rewritten the way
real reports differ from the official form (FORMAT.md §8). Each test states the exact cells it
expects: the value where the variant still pins it down, otherwise an unresolved cell (text or
missing) with a warning.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from ingest.parsing import parse
from ingest.parsing.checks import run_checks
from ingest.parsing.model import ParsedReport
from ingest.parsing.render import render
from ingest.parsing.synthetic import generate_report
from ingest.parsing.template import (
    MONEY_KEYS,
    S3_COLUMNS,
    S4_COLUMNS,
    S4_GROUPS,
    SIGNED_KEYS,
    s2_keys,
    s3_rows,
)
from ingest.parsing.values import parse_value

UNRESOLVED = ("text", "missing")


# --------------------------------------------------------------------------- a report with distinct numbers


def distinct_report(version: str = "2021", year: int | None = None, agency: str = "示例县东河镇") -> ParsedReport:
    """A valid report (every identity holds) whose cells are mostly distinct non-zero numbers."""
    year = year or (2020 if version == "2019" else 2023)
    base = generate_report(seed=11, year=year, agency=agency, version=version)
    raws: dict[str, str] = {}
    for n, key in enumerate(s2_keys(version)):
        raws[key] = str(n + 2)
    if version == "2019":
        raws["s2.art20_5.licensing.items_change"] = "-3"
        raws["s2.art20_9.central_procurement.amount"] = "8040"
    else:
        raws["s2.art20_8.admin_fees.amount_wan_yuan"] = "12.35"
    rows = s3_rows(version)
    outcome = [r for r in rows if r.startswith("outcome.") and r != "outcome.total"]
    s3: dict[str, int] = {}
    for i, r in enumerate(outcome):
        for j, c in enumerate(S3_COLUMNS[:6]):
            s3[f"{r}.{c}"] = (i * 7 + j * 3) % 11 + 1
    for j, c in enumerate(S3_COLUMNS[:6]):
        s3[f"outcome.total.{c}"] = sum(s3[f"{r}.{c}"] for r in outcome)
        s3[f"carried_over_prev.{c}"] = j + 1
        s3[f"carried_forward_next.{c}"] = 2 * j + 3
        s3[f"received_new.{c}"] = s3[f"outcome.total.{c}"] + s3[f"carried_forward_next.{c}"] - s3[
            f"carried_over_prev.{c}"]
    for r in rows:
        s3[f"{r}.total"] = sum(s3[f"{r}.{c}"] for c in S3_COLUMNS[:6])
    for k, v in s3.items():
        raws[f"s3.{k}"] = str(v)
    for gi, g in enumerate(S4_GROUPS):
        parts = [gi * 4 + k + 1 for k in range(4)]
        for c, v in zip(S4_COLUMNS[:4], parts, strict=True):
            raws[f"s4.{g}.{c}"] = str(v)
        raws[f"s4.{g}.total"] = str(sum(parts))
    return with_raws(base, raws)


def with_raws(report: ParsedReport, raws: dict[str, str]) -> ParsedReport:
    cells = dict(report.cells)
    for k, raw in raws.items():
        cells[k] = parse_value(raw, money=k in MONEY_KEYS, signed=k in SIGNED_KEYS)
    return dataclasses.replace(report, cells=cells, checks=tuple(run_checks(cells, report.versions["s3"])))


def text_of(report: ParsedReport, fmt: str) -> str:
    return render(report, fmt).decode("utf-8")


def parse_text(text: str, fmt: str = "txt") -> ParsedReport:
    return parse(text.encode("utf-8"), "report." + fmt)


def values(report: ParsedReport) -> dict[str, tuple]:
    return {k: (c.v, c.st) for k, c in report.cells.items()}


def assert_cells(got: ParsedReport, want: ParsedReport, *, except_keys: dict[str, tuple] | None = None,
                 unresolved: set[str] | frozenset[str] = frozenset()) -> None:
    """Every cell as in ``want``, except the listed ones (exact (v, st)) and the unresolved ones."""
    except_keys = except_keys or {}
    assert set(got.cells) == set(want.cells)
    bad = {}
    for k, c in want.cells.items():
        g = got.cells[k]
        if k in unresolved:
            if g.st not in UNRESOLVED:
                bad[k] = ("want unresolved", g.v, g.st, g.raw)
            continue
        exp = except_keys.get(k, (c.v, c.st))
        if (g.v, g.st) != exp:
            bad[k] = ("want", exp, "got", g.v, g.st, g.raw)
    assert not bad, bad
    if unresolved:
        assert got.warnings, "unresolved cells need a warning"


def row_keys(row: str) -> set[str]:
    return {f"s3.{row}.{c}" for c in S3_COLUMNS}


# --------------------------------------------------------------------------- the baseline


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_the_distinct_report_round_trips(version, fmt):
    r = distinct_report(version)
    assert all(c.ok for c in r.checks)
    got = parse_text(text_of(r, fmt), fmt)
    assert_cells(got, r)
    assert got.versions == {"s2": version, "s3": version}
    assert not [w for w in got.warnings if w.code != "check_failed"]


# --------------------------------------------------------------------------- more shapes of the same report


def layout_text(report: ParsedReport, shape: str) -> str:
    """The report as text the way other tools flatten it.

    * ``pipe``: markdown from a PDF or web page, one table row per line, ``|`` between cells.
    * ``rows``: PDF text, one table row per line, cells separated by spaces.
    * ``crawler``: the whole body on one line, cells separated by one space (crawler page text).
    """
    from ingest.parsing.render.layout import build

    lay = build(report)
    lines = [lay.title, f"发布时间：{lay.date}", *lay.preamble]
    for section in lay.sections:
        lines.append(section.heading)
        lines.extend(section.paragraphs)
        if section.table is None:
            continue
        for row in section.table.rows:
            cells = [s.text for s in row]
            if shape == "pipe":
                lines.append("| " + " | ".join(cells) + " |")
            else:
                lines.append(" ".join(c for c in cells if c))
    if shape == "crawler":
        return lines[0] + "\n" + " ".join(lines[1:]) + "\n"
    return "\n".join(lines) + "\n"


SHAPES = ("txt", "html", "pipe", "rows", "crawler")


def rendered(report: ParsedReport, shape: str) -> tuple[str, str]:
    """(text, file extension) of the report in one shape."""
    if shape in ("txt", "html"):
        return text_of(report, shape), shape
    return layout_text(report, shape), "md" if shape == "pipe" else "txt"


def reparse(report: ParsedReport, shape: str, mutate=None) -> ParsedReport:
    text, ext = rendered(report, shape)
    if mutate is not None:
        changed = mutate(text)
        assert changed != text, "the variant did not apply"
        text = changed
    return parse_text(text, ext)


REPORTS = {v: distinct_report(v) for v in ("2019", "2021")}


# --------------------------------------------------------------------------- §8.2 label wording

_CN = "一二三四五六七八九"


def _enum(fmt: str):
    return lambda t: re.sub(r"(^|[>\n|\s])(\d)\.(?=[\u4e00-\u9fff])", lambda m: m.group(1) + fmt.format(m.group(2)),
                            t, flags=re.M)


LABEL_VARIANTS = {
    "其它": lambda t: t.replace("法人或其他组织", "法人或其它组织").replace(">其他<", ">其它<")
    .replace("\n其他\n", "\n其它\n").replace(" 其他 ", " 其它 ").replace("| 其他 |", "| 其它 |"),
    "法人或者其他组织": lambda t: t.replace("法人或其他组织", "法人或者其他组织"),
    "合计 for the 总计 column": lambda t: re.sub(r"(法人或其他组织.*?)总计", r"\1合计", t, count=1, flags=re.S),
    "（七）合计": lambda t: t.replace("（七）总计", "（七）合计"),
    "第二十条第一项": lambda t: re.sub(r"第二十条第（(.)）项", r"第二十条第\1项", t),
    "第二十条第1项": lambda t: re.sub(r"第二十条第（(.)）项", lambda m: f"第二十条第{_CN.index(m.group(1)) + 1}项", t),
    "第二十条第(一)项": lambda t: re.sub(r"第二十条第（(.)）项", r"第二十条第(\1)项", t),
    "(1) enumerators": _enum("（{}）"),
    "1、 enumerators": _enum("{}、"),
    "1． enumerators": _enum("{}．"),
    "1. with a space": _enum("{}. "),
    "ASCII quotes": lambda t: t.replace("“三安全一稳定”", '"三安全一稳定"'),
    "no quotes": lambda t: t.replace("“三安全一稳定”", "三安全一稳定"),
    "single quotes": lambda t: t.replace("“三安全一稳定”", "‘三安全一稳定’"),
    "half-width punctuation": lambda t: t.replace("（", "(").replace("）", ")").replace("，", ","),
    "labels split by spaces": lambda t: t.replace("商业企业", "商业 企业").replace("科研机构", "科研  机构")
    .replace("（三）不予公开", "（三） 不予公开"),
}
LABEL_VARIANTS_2021 = {
    "shortened (六) sub-rows": lambda t: re.sub(r"申请人无正当理由逾期不补正[^<\n|]*?(?=[<\n|]| \d)", "申请人逾期不补正",
                                            re.sub(r"申请人逾期未按收费通知[^<\n|]*?(?=[<\n|]| \d)", "申请人逾期未缴费", t)),
    "shortened fee row with 行政机关不再处理": lambda t: re.sub(
        r"申请人逾期未按收费通知[^<\n|]*?(?=[<\n|]| \d)", "申请人逾期未缴纳费用、行政机关不再处理", t),
    "3.其他原因": lambda t: re.sub(r"3\.其他(?=[<\n| ])", "3.其他原因", t),
    "(六) sub-rows with ，": lambda t: t.replace("补正、行政机关", "补正，行政机关").replace("费用、行政机关", "费用，行政机关"),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("variant", sorted(LABEL_VARIANTS))
def test_label_variants_read_every_cell(variant, version, shape):
    r = REPORTS[version]
    mutate = LABEL_VARIANTS[variant]
    text, _ = rendered(r, shape)
    if mutate(text) == text:
        pytest.skip("this shape does not print the label")
    got = reparse(r, shape, mutate)
    assert_cells(got, r)
    assert got.versions == {"s2": version, "s3": version}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("variant", sorted(LABEL_VARIANTS_2021))
def test_2021_other_processing_variants_read_every_cell(variant, shape):
    r = REPORTS["2021"]
    got = reparse(r, shape, LABEL_VARIANTS_2021[variant])
    assert_cells(got, r)
    assert got.versions == {"s2": "2021", "s3": "2021"}


@pytest.mark.parametrize("shape", ["txt", "html", "rows"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_row_label_broken_over_two_lines(version, shape):
    r = REPORTS[version]

    def mutate(t):
        t = t.replace("一、本年新收政府信息公开申请数量", "一、本年新收政府信息\n公开申请数量")
        return t.replace("<td colspan=\"3\">一、本年新收政府信息\n公开申请数量", "<td colspan=\"3\">一、本年新收政府信息<br/>公开申请数量")

    assert_cells(reparse(r, shape, mutate), r)


# --------------------------------------------------------------------------- §8.3 value variants

_G = "s3.outcome.granted."
_P = "s3.outcome.partial."
# raw text -> (v, st) as the parser must read it
S3_VALUE_VARIANTS = {
    "无 and dashes": {_G + "org_research": ("无", None, "none_word"), _G + "org_public_interest": ("—", None, "dash"),
                     _G + "org_legal_service": ("-", None, "dash"), _P + "org_research": ("/", None, "dash"),
                     _P + "org_public_interest": ("N/A", None, "dash"), _P + "org_legal_service": ("空", None, "dash")},
    "thousands separator": {"s3.received_new.natural_person": ("1,234", 1234, "ok")},
    "full-width digits": {"s3.received_new.org_commercial": ("１２", 12, "ok"), "s4.review.upheld": ("１", 1, "ok")},
    "§四 dash and 无": {"s4.review.upheld": ("—", None, "dash"), "s4.lit_direct.total": ("无", None, "none_word")},
}


def _apply(report: ParsedReport, variant: dict[str, tuple]) -> tuple[ParsedReport, dict[str, tuple]]:
    raws = {k: raw for k, (raw, _, _) in variant.items()}
    return with_raws(report, raws), {k: (v, st) for k, (_, v, st) in variant.items()}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("variant", sorted(S3_VALUE_VARIANTS))
def test_value_variants(variant, version, shape):
    r, want = _apply(REPORTS[version], S3_VALUE_VARIANTS[variant])
    got = reparse(r, shape)
    assert_cells(got, REPORTS[version], except_keys=want)


@pytest.mark.parametrize("shape", ["rows", "crawler"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_blank_cells_lost_in_space_separated_text_leave_the_row_unresolved(version, shape):
    # "1 4 _ 10 2 5 29" printed as "1 4 10 2 5 29": six numbers for seven cells. No cell may be
    # guessed, not even the first two: the blank could have been anywhere.
    r = with_raws(REPORTS[version], {_G + "org_research": "", _P + "natural_person": ""})
    got = reparse(r, shape)
    assert_cells(got, REPORTS[version], unresolved=row_keys("outcome.granted") | row_keys("outcome.partial"))


S2_VALUE_VARIANTS_2019 = {
    "signed changes": {"s2.art20_5.licensing.items_change": ("+4", 4, "ok"),
                       "s2.art20_5.other_admin_services.items_change": ("−2", -2, "ok"),
                       "s2.art20_6.penalty.items_change": ("增3", 3, "ok"),
                       "s2.art20_6.coercion.items_change": ("减少1", -1, "ok"),
                       "s2.art20_8.admin_fees.items_change": ("-5", -5, "ok")},
    "procurement amount with 元": {"s2.art20_9.central_procurement.amount": ("251000元", 251000, "ok")},
    "procurement amount with 万元": {"s2.art20_9.central_procurement.amount": ("25.1万元", 25.1, "ok")},
    "procurement amount with separators": {"s2.art20_9.central_procurement.amount": ("1,251,000", 1251000, "ok")},
}
S2_VALUE_VARIANTS_2021 = {
    "fee with decimals": {"s2.art20_8.admin_fees.amount_wan_yuan": ("0.092", 0.092, "ok")},
    "fee with 万元 in the cell": {"s2.art20_8.admin_fees.amount_wan_yuan": ("3.5万元", 3.5, "ok")},
    "fee with separators": {"s2.art20_8.admin_fees.amount_wan_yuan": ("1,234.56", 1234.56, "ok")},
    "dashes and 无 in §二": {"s2.art20_1.regulations.made": ("—", None, "dash"),
                            "s2.art20_1.regulations.repealed": ("无", None, "none_word"),
                            "s2.art20_1.regulations.in_force": ("/", None, "dash")},
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("version, variant", [("2019", v) for v in sorted(S2_VALUE_VARIANTS_2019)]
                         + [("2021", v) for v in sorted(S2_VALUE_VARIANTS_2021)])
def test_s2_value_variants(version, variant, shape):
    table = S2_VALUE_VARIANTS_2019 if version == "2019" else S2_VALUE_VARIANTS_2021
    r, want = _apply(REPORTS[version], table[variant])
    got = reparse(r, shape)
    assert_cells(got, REPORTS[version], except_keys=want)
    for k in want:
        if "amount" in k:
            assert got.cells[k].unit == r.cells[k].unit or k.endswith("amount_wan_yuan")


@pytest.mark.parametrize("shape", SHAPES)
def test_a_fee_in_yuan_under_a_wan_yuan_header_is_unresolved_with_a_warning(shape):
    r = with_raws(REPORTS["2021"], {"s2.art20_8.admin_fees.amount_wan_yuan": "3500元"})
    got = reparse(r, shape)
    assert_cells(got, REPORTS["2021"], unresolved={"s2.art20_8.admin_fees.amount_wan_yuan"})
    assert any(w.code == "s2.unit_conflict" for w in got.warnings)


@pytest.mark.parametrize("shape", ["txt", "html", "pipe"])
def test_a_count_with_its_unit_is_read(shape):
    r, want = _apply(REPORTS["2019"], {"s2.art20_5.licensing.decisions": ("12件", 12, "ok")})
    got = reparse(r, shape)
    assert_cells(got, REPORTS["2019"], except_keys=want)


# --------------------------------------------------------------------------- §8.4 structure


def _drop_value_after(label: str):
    """One value cell of the row labelled ``label`` is gone (6 of 7)."""
    def mutate(t: str) -> str:
        out = re.sub(rf"({re.escape(label)}</td>)<td align=\"center\">\d+</td>", r"\1", t)  # html
        out = re.sub(rf"({re.escape(label)}\n\n)\d+\n\n", r"\1", out)  # one cell per line
        out = re.sub(rf"({re.escape(label)} \|?\s?)\d+ \|? ?", r"\1", out)  # rows / pipe / crawler
        return out
    return mutate


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_row_with_six_of_seven_values_is_unresolved_never_shifted(version, shape):
    r = REPORTS[version]
    got = reparse(r, shape, _drop_value_after("4.保护第三方合法权益"))
    assert_cells(got, r, unresolved=row_keys("outcome.denied.third_party"))


@pytest.mark.parametrize("shape", ["txt", "html", "pipe", "rows"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_total_row_short_of_a_value_is_unresolved(version, shape):
    r = REPORTS[version]
    got = reparse(r, shape, _drop_value_after("（七）总计"))
    assert_cells(got, r, unresolved=row_keys("outcome.total"))


def _drop_research_column(html: str) -> str:
    html = html.replace("<td>科研机构</td>", "").replace('<td colspan="5">法人或其他组织</td>',
                                                         '<td colspan="4">法人或其他组织</td>')
    html = html.replace('<td colspan="7">申请人情况</td>', '<td colspan="6">申请人情况</td>')

    def row(m: re.Match) -> str:
        cells = re.findall(r'<td align="center">[^<]*</td>', m.group(0))
        if len(cells) != 7:
            return m.group(0)  # §二 and §四 rows
        head, _, tail = m.group(0).partition("".join(cells))
        return head + "".join(cells[:2] + cells[3:]) + tail

    return re.sub(r"<tr>.*?</tr>", row, html)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_omitted_column_is_mapped_by_the_header(version):
    r = REPORTS[version]
    got = reparse(r, "html", _drop_research_column)
    research = {f"s3.{row}.org_research" for row in s3_rows(version)}
    assert_cells(got, r, unresolved=research)
    assert all(got.cells[k].st == "missing" for k in research)
    assert any(w.code == "s3.columns_absent" for w in got.warnings)


def _subtotal_row(t: str) -> str:
    """(三)不予公开 printed as a row of its own with the group's sums (local software does this)."""
    t = t.replace('<tr><td rowspan="8">（三）不予公开</td>',
                  '<tr><td colspan="2">（三）不予公开</td>' + '<td align="center">99</td>' * 7 + '</tr><tr><td rowspan="8"></td>')
    t = t.replace("（三）不予公开\n\n", "（三）不予公开\n\n" + "99\n\n" * 7)
    t = t.replace("（三）不予公开 1.", "（三）不予公开 " + "99 " * 7 + "\n1.")
    return t.replace("| （三）不予公开 | 1.", "| （三）不予公开 |" + " 99 |" * 7 + "\n| | 1.")


@pytest.mark.parametrize("shape", ["txt", "html", "pipe", "rows"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_extra_subtotal_row_is_not_mixed_into_the_canonical_cells(version, shape):
    r = REPORTS[version]
    assert_cells(reparse(r, shape, _subtotal_row), r)


@pytest.mark.parametrize("version, year", [("2019", 2022), ("2021", 2020)])
@pytest.mark.parametrize("shape", SHAPES)
def test_the_template_is_detected_from_the_tables_not_the_year(version, year, shape):
    r = distinct_report(version, year=year)
    got = reparse(r, shape)
    assert got.versions == {"s2": version, "s3": version}
    assert got.report_year == year
    assert_cells(got, r)


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_2021_report_citing_the_2019_notice_keeps_the_2021_tables(fmt):
    r = REPORTS["2021"]
    cite = ("本报告依据《关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）和"
            "《中华人民共和国政府信息公开工作年度报告格式（试行）》编制。")
    got = reparse(r, fmt, lambda t: t.replace("本报告根据", cite + "本报告根据", 1))
    assert got.versions == {"s2": "2021", "s3": "2021"}
    assert_cells(got, r)


# --------------------------------------------------------------------------- §8.1 PDF-style §四


_S4_HEADERS = {
    "interleaved": "行政复议 行政诉讼\n结果 结果 其他 尚未 总 未经复议直接起诉 复议后起诉\n维持 纠正 结果 审结 计\n"
                   "结果 结果 其他 尚未 总 结果 结果 其他 尚未 总\n维持 纠正 结果 审结 计 维持 纠正 结果 审结 计\n",
    "one character per line": "行政复议\n行政诉讼\n" + "\n".join("结果维持结果纠正其他结果尚未审结总计") + "\n",
    "vertical columns": "行政复议 行政诉讼\n结 结 其 尚 总\n果 果 他 未 计\n维 纠 结 审\n持 正 果 结\n",
    "narrative first": "本年度未出现申请行政复议、提起行政诉讼的情况。\n行政复议 行政诉讼\n",
}


@pytest.mark.parametrize("header", sorted(_S4_HEADERS))
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_pdf_style_s4_headers_and_a_line_of_fifteen_numbers(version, header):
    r = REPORTS[version]

    def mutate(t: str) -> str:
        return re.sub(r"行政复议 行政诉讼\n.*?\n.*?\n(?=\d)", lambda m: _S4_HEADERS[header], t, count=1, flags=re.S)

    assert_cells(reparse(r, "rows", mutate), r)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_s4_values_in_three_lines_of_five(version):
    r = REPORTS[version]

    def mutate(t: str) -> str:
        line = re.search(r"\n(\d+(?: \d+){14})\n", t).group(1)
        v = line.split()
        return t.replace(line, "\n".join(" ".join(v[k:k + 5]) for k in (0, 5, 10)))

    assert_cells(reparse(r, "rows", mutate), r)


# --------------------------------------------------------------------------- headings, chrome, prose


HEADING_VARIANTS = {
    "四、政府信息公开行政复议、行政诉讼情况": ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                                 "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"),
    "五、存在的主要问题及改进情况": ("五、政府信息公开工作存在的主要问题及改进情况", "五、存在的主要问题和改进情况"),
    "六、其他需要报告的事项": ("六、其他报告的事项", "六、其它需要报告的事项"),
    "三、收到和处理政府信息公开申请情况": ("三、收到和处理政府信息公开申请的情况", "三、 收到和处理政府信息公开申请情况"),
    "二、主动公开政府信息情况": ("二、主动公开政府信息的情况", "二、主动公开政府信息情况。"),
}


@pytest.mark.parametrize("pick", [0, 1])
@pytest.mark.parametrize("shape", ["txt", "html", "rows"])
def test_heading_variants(shape, pick):
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        for official, variants in HEADING_VARIANTS.items():
            t = t.replace(official, variants[pick])
        return t

    got = reparse(r, shape, mutate)
    assert_cells(got, r)
    assert all(h.found for h in got.headings.values()), got.headings
    assert got.text["s6_other"] == "无。"


_CHROME_TOP = ("首页 > 政务公开 > 政府信息公开年报 > 乡镇\n【字体：大 中 小】 打印本页 关闭窗口\n浏览次数：1234\n"
               "来源：示例县东河镇人民政府 发布时间：2024-01-20 09:12\n")
_CHROME_BOTTOM = ("\n上一篇：示例县东河镇2022年政府信息公开工作年度报告\n下一篇：示例县西湖镇2023年政府信息公开工作年度报告\n"
                  "关于本站 | 网站声明 | 网站地图 | 联系我们\n主办单位：示例县人民政府办公室\n"
                  "网站标识码：1234567890 闽ICP备12345678号-1 闽公网安备 35012802000123号\n"
                  "联系电话：0591-23163551 传真：0591 23100206\n技术支持：某某科技有限公司 2024 1 20\n")
_RELATED = "相关阅读\n示例县西湖镇2022年政府信息公开工作年度报告\n示例县南山乡2021年政府信息公开工作年度报告\n"


@pytest.mark.parametrize("shape", ["txt", "rows", "crawler"])
def test_page_chrome_and_links_to_other_reports(shape):
    r = REPORTS["2021"]
    text, ext = rendered(r, shape)
    got = parse_text(_RELATED + _CHROME_TOP + text + _CHROME_BOTTOM, ext)
    assert_cells(got, r)
    assert (got.agency, got.report_year, got.published_date) == ("示例县东河镇", 2023, "2024-01-20")


def test_a_site_title_and_a_sidebar_of_other_reports_in_html():
    r = REPORTS["2021"]
    html = text_of(r, "html").replace(
        "<body>", "<body><div>首页 | 政务公开</div><ul><li><a href=1>示例县西湖镇2022年政府信息公开工作年度报告</a></li></ul>"
    ).replace("<title>示例县东河镇2023年政府信息公开工作年度报告</title>", "<title>示例县人民政府门户网站</title>")
    got = parse_text(html, "html")
    assert_cells(got, r)
    assert (got.agency, got.report_year) == ("示例县东河镇", 2023)


TITLES = [
    ("示例县东河镇2023年度政府信息公开工作年度报告", "示例县东河镇"),
    ("关于示例县东河镇2023年政府信息公开工作年度报告", "示例县东河镇"),
    ("示例县东河镇人民政府2023年政府信息公开工作年度报告", "示例县东河镇人民政府"),
    ("示例县城关街道办事处2023年度政府信息公开工作年度报告", "示例县城关街道办事处"),
    ("2023年示例县东河镇政府信息公开工作年度报告", "示例县东河镇"),
    ("示例县东河镇政府信息公开工作年度报告（2023年度）", "示例县东河镇"),
    ("示例县东河镇2023年政府信息公开年度报告", "示例县东河镇"),
    ("示例县东河镇2023年度政务公开工作年度报告", "示例县东河镇"),
    ("示例县东河镇2023年政府信息公开工作报告", "示例县东河镇"),
]


@pytest.mark.parametrize("fmt", ["txt", "html"])
@pytest.mark.parametrize("title, agency", TITLES)
def test_title_forms_give_the_agency_and_the_year_covered(title, agency, fmt):
    r = REPORTS["2021"]  # covers 2023, published 2024-01-20
    got = reparse(r, fmt, lambda t: t.replace("示例县东河镇2023年政府信息公开工作年度报告", title))
    assert (got.agency, got.report_year, got.published_date) == (agency, 2023, "2024-01-20")


_PROSE = ("2023年，本镇本年新收政府信息公开申请数量3件，上年结转政府信息公开申请数量0件，予以公开2件，部分公开1件。"
          "行政许可 120 件，行政处罚 5 件。按照第二十条第（一）项规定公开规范性文件3件。全年行政复议 0 件，行政诉讼 0 件。")
_TABLE_LIKE_PROSE = "本年新收政府信息公开申请数量 3 1 0 0 0 0 4\n行政许可 12\n"


@pytest.mark.parametrize("prose", [_PROSE, _TABLE_LIKE_PROSE])
@pytest.mark.parametrize("shape", SHAPES)
def test_table_labels_quoted_in_the_overview_do_not_open_the_tables(shape, prose):
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        return t.replace("（一）主动公开", "（一）主动公开\n\n" + prose + "\n", 1)

    assert_cells(reparse(r, shape, mutate), r)


@pytest.mark.parametrize("shape", ["txt", "rows", "crawler"])
def test_without_headings_a_quoted_table_line_is_not_read_as_the_table(shape):
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        for h in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
            t = t.replace(h, "")
        return t.replace("（一）主动公开", "（一）主动公开\n\n" + _TABLE_LIKE_PROSE + "\n", 1)

    assert_cells(reparse(r, shape, mutate), r)


@pytest.mark.parametrize("shape", ["txt", "rows"])
def test_a_row_met_twice_with_other_numbers_is_unresolved(shape):
    # No headings, and a quoted table fragment convincing enough to open §三 early: whichever copy
    # is the table, the row cannot be told, so it is left unresolved, never taken from the quote.
    r = REPORTS["2021"]
    quote = "本年新收政府信息公开申请数量 3 1 0 0 0 0 4\n上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"

    def mutate(t: str) -> str:
        for h in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
            t = t.replace(h, "")
        return t.replace("第二十条第（八）项", quote + "第二十条第（八）项", 1)

    got = reparse(r, shape, mutate)
    for k in row_keys("received_new") | row_keys("carried_over_prev"):
        assert got.cells[k].st in UNRESOLVED, (k, got.cells[k])
    assert any(w.code == "s3.row_conflict" for w in got.warnings)
    for k, c in r.cells.items():
        g = got.cells[k]
        assert g.st in UNRESOLVED or (g.v, g.st) == (c.v, c.st), (k, g)


@pytest.mark.parametrize("shape", ["txt", "rows", "html"])
def test_two_reports_on_one_page_give_the_first(shape):
    r = REPORTS["2021"]
    other = with_raws(distinct_report("2021", year=2022, agency="示例县西湖镇"),
                      {"s3.outcome.granted.natural_person": "50", "s4.review.upheld": "40"})
    a, ext = rendered(r, shape)
    b, _ = rendered(other, shape)
    if shape == "html":
        a, b = a.replace("</body></html>", ""), b.split("<body>", 1)[1]
    got = parse_text(a + "\n" + b, ext)
    assert_cells(got, r)
    assert (got.agency, got.report_year) == ("示例县东河镇", 2023)


def _add_subtotal_column(html: str) -> str:
    html = html.replace('<td colspan="5">法人或其他组织</td>', '<td colspan="6">法人或其他组织</td>')
    html = html.replace("<td>其他</td></tr>", "<td>其他</td><td>法人或其他组织小计</td></tr>")
    html = html.replace('<td colspan="7">申请人情况</td>', '<td colspan="8">申请人情况</td>')

    def row(m: re.Match) -> str:
        cells = re.findall(r'<td align="center">([^<]*)</td>', m.group(0))
        if len(cells) != 7:
            return m.group(0)
        sub = sum(int(x) for x in cells[1:6])
        head, sep, last = m.group(0).rpartition('<td align="center">')
        return f'{head}<td align="center">{sub}</td>{sep}{last}'

    return re.sub(r"<tr>.*?</tr>", row, html)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_org_subtotal_column_is_read_past_by_its_header(version):
    r = REPORTS[version]
    got = reparse(r, "html", _add_subtotal_column)
    assert_cells(got, r)
    assert any(w.code == "s3.subtotal_column" for w in got.warnings)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_org_subtotal_column_in_flattened_text_is_never_read_as_a_cell(version):
    # Eight numbers per row with no grid to say which is the subtotal: rows are unresolved, not shifted.
    r = REPORTS[version]

    def mutate(t: str) -> str:
        t = t.replace("其他\n", "其他 法人或其他组织小计\n", 1)

        def row(m: re.Match) -> str:
            v = m.group(2).split()
            return m.group(1) + " ".join(v[:6] + [str(sum(int(x) for x in v[1:6])), v[6]])

        return re.sub(r"^(.*[^\d ] )((?:\d+ ){6}\d+)$", row, t, flags=re.M)

    got = reparse(r, "rows", mutate)
    s3 = {k for k in r.cells if k.startswith("s3.")}
    assert_cells(got, r, unresolved=s3)


def _transpose_s3(report: ParsedReport, html: str) -> str:
    from ingest.parsing.template import template

    t = template()["s3"]
    labels = {row["key"]: row["label"] for row in t["rows"]}
    rows = s3_rows(report.versions["s3"])
    out = ["<tr><td></td>" + "".join(f"<td>{labels[r]}</td>" for r in rows) + "</tr>"]
    for col, label in zip(S3_COLUMNS, [c["label"] for c in t["columns"]], strict=True):
        out.append(f"<tr><td>{label}</td>" + "".join(f"<td>{report.cells[f's3.{r}.{col}'].raw}</td>" for r in rows)
                   + "</tr>")
    table = '<table border="1">' + "".join(out) + "</table>"
    return re.sub(r"(<h2>三、收到和处理政府信息公开申请情况</h2>\n)<table.*?</table>", lambda m: m.group(1) + table, html,
                  flags=re.S)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_transposed_s3_table_is_read_by_its_headers(version):
    r = REPORTS[version]
    got = reparse(r, "html", lambda h: _transpose_s3(r, h))
    assert_cells(got, r)
    assert got.versions["s3"] == version
    assert any(w.code == "s3.transposed" for w in got.warnings)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_value_variants_survive_word_and_pdf(version, fmt):
    extra = ({"s2.art20_5.licensing.items_change": "+4", "s2.art20_9.central_procurement.amount": "251000元"}
             if version == "2019" else {"s2.art20_8.admin_fees.amount_wan_yuan": "0.092"})
    r = with_raws(REPORTS[version], {_G + "org_research": "无", _G + "org_public_interest": "—",
                                     "s3.received_new.natural_person": "1,234", _P + "org_research": ""} | extra)
    got = parse(render(r, fmt), "report." + fmt)
    assert_cells(got, r)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("s2v, s3v", [("2019", "2021"), ("2021", "2019")])
def test_mixed_templates_are_read_per_table(s2v, s3v, shape):
    from ingest.parsing.template import s2_keys as _s2
    from ingest.parsing.template import s3_keys as _s3
    from ingest.parsing.template import s4_keys as _s4

    src = {"2019": REPORTS["2019"], "2021": REPORTS["2021"]}
    cells = ({k: src[s2v].cells[k] for k in _s2(s2v)} | {k: src[s3v].cells[k] for k in _s3(s3v)}
             | {k: src["2021"].cells[k] for k in _s4()})
    r = dataclasses.replace(REPORTS["2021"], cells=cells, versions={"s2": s2v, "s3": s3v})
    got = reparse(r, shape)
    assert got.versions == {"s2": s2v, "s3": s3v}
    assert_cells(got, r)


@pytest.mark.parametrize("shape", ["txt", "pipe", "rows"])
@pytest.mark.parametrize("chrome", ["- 5 -\n示例县东河镇2023年政府信息公开工作年度报告\n", "第 5 页 共 9 页\n", "— 5 —\n", "5\n"])
def test_page_breaks_inside_the_s3_table(chrome, shape):
    # A bare page number between rows looks like a cell: the row it touches may be left
    # unresolved, but no cell is read wrong.
    r = REPORTS["2021"]
    text, ext = rendered(r, shape)
    i = text.index("4.保护第三方合法权益")
    got = parse_text(text[:i] + chrome + text[i:], ext)
    touched = row_keys("outcome.denied.security_stability") if chrome == "5\n" and shape != "pipe" else set()
    assert_cells(got, r, unresolved=touched)


@pytest.mark.parametrize("label", ["4.涉及第三方权益", "4、涉及第三方权益", "（四）涉及第三方权益", "四、涉及第三方权益"])
@pytest.mark.parametrize("shape", ["txt", "rows"])
def test_a_row_without_values_never_takes_the_values_of_an_unknown_row_after_it(shape, label):
    # 3.危及… has lost its cells; the next row's label is in a wording the parser does not know.
    # Its numbers must not be read as 3.危及…'s (the unknown row itself is unresolved).
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        t = re.sub(r"(3\.危及“三安全一稳定”)(?:\n\n\d+)+|(3\.危及“三安全一稳定”)(?: \d+)+", r"\1\2", t)
        return t.replace("4.保护第三方合法权益", label)

    got = reparse(r, shape, mutate)
    third = row_keys("outcome.denied.third_party")
    assert_cells(got, r, unresolved=row_keys("outcome.denied.security_stability"),
                 except_keys={k: (got.cells[k].v, got.cells[k].st) for k in third})
    for k in third:  # read by template order between its neighbours, or left unresolved
        g = got.cells[k]
        assert g.st in UNRESOLVED or (g.v, g.st) == (r.cells[k].v, r.cells[k].st), (k, g)


@pytest.mark.parametrize("period, year", [
    ("本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。", 2023),
    ("本年度报告中所列数据时限为2023年1月1日至12月31日。", 2023),
    ("报告所列数据统计时间为2023年1月1日至2023年12月31日。", 2023),
    ("", None),  # no year in the title and no period: the year is not guessed from the publication date
])
def test_the_year_covered_comes_from_the_statistics_period_when_the_title_has_none(period, year):
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        t = t.replace("示例县东河镇2023年政府信息公开工作年度报告", "示例县东河镇政府信息公开工作年度报告")
        return re.sub(r"本报告中所列数据的统计期限[^。]*。", period, t)

    got = reparse(r, "txt", mutate)
    assert (got.agency, got.report_year, got.published_date) == ("示例县东河镇", year, "2024-01-20")
    assert_cells(got, r)


def test_the_title_year_wins_over_the_publication_year():
    r = distinct_report("2021", year=2022)  # published in January 2023
    got = reparse(r, "html")
    assert (got.report_year, got.published_date[:4]) == (2022, "2023")


@pytest.mark.parametrize("shape", ["txt", "html", "pipe", "rows"])
@pytest.mark.parametrize("header, raw, want", [
    ("采购总金额（万元）", "8040", (8040, "ok", "万元")),
    ("采购总金额（单位：元）", "8040", (8040, "ok", "元")),
    ("采购总金额", "8040", (8040, "ok", None)),
    ("采购总金额（万元）", "251000元", (None, "text", None)),
])
def test_the_procurement_unit_comes_from_the_header_or_the_cell(shape, header, raw, want):
    key = "s2.art20_9.central_procurement.amount"
    r = with_raws(REPORTS["2019"], {key: raw})
    text, ext = rendered(r, shape)
    if header != "采购总金额":
        text = text.replace("采购总金额", header)
    got = parse_text(text, ext)
    c = got.cells[key]
    assert (c.v, c.st, c.unit) == want
    if want[1] == "text":
        assert any(w.code == "s2.unit_conflict" for w in got.warnings)
    assert_cells(got, REPORTS["2019"], except_keys={key: want[:2]})


@pytest.mark.parametrize("shape", ["txt", "html", "rows"])
def test_a_2021_other_processing_subtotal_is_ignored_with_a_warning(shape):
    r = REPORTS["2021"]

    def mutate(t: str) -> str:
        t = t.replace('<tr><td rowspan="3">（六）其他处理</td>',
                      '<tr><td colspan="2">（六）其他处理</td>' + '<td align="center">99</td>' * 7 + '</tr><tr><td rowspan="3"></td>')
        t = t.replace("（六）其他处理\n\n", "（六）其他处理\n\n" + "99\n\n" * 7)
        return t.replace("（六）其他处理 1.", "（六）其他处理 " + "99 " * 7 + "\n1.")

    got = reparse(r, shape, mutate)
    assert_cells(got, r)
    assert got.versions["s3"] == "2021"
    assert any(w.code == "s3.other_subtotal" for w in got.warnings)


# --------------------------------------------------------------------------- one cell lost or added anywhere

_NUMBER_CELL = {"txt": re.compile(r"(?<=\n)\d+(?=\n)"), "rows": re.compile(r"(?<= )\d+(?=[ \n])"),
                "pipe": re.compile(r"(?<=\| )\d+(?= \|)"), "html": re.compile(r'(?<=<td align="center">)\d+(?=</td>)'),
                "crawler": re.compile(r"(?<= )\d+(?= )")}
_EXTRA_CELL = {"txt": "\n\n7", "rows": " 7", "pipe": " | 7", "html": '</td><td align="center">7', "crawler": " 7"}


@pytest.mark.parametrize("seed", range(30))
def test_a_lost_or_extra_number_anywhere_is_never_read_into_a_wrong_cell(seed):
    """GIVEN a report with one number removed or one stray number added somewhere in its tables,
    THEN every cell is either right or unresolved (a row is never shifted)."""
    import random

    rng = random.Random(seed)
    version = rng.choice(["2019", "2021"])
    r = REPORTS[version] if seed % 2 else generate_report(seed=seed, year=2020 if version == "2019" else 2023,
                                                           version=version)
    shape = rng.choice(sorted(_NUMBER_CELL))
    text, ext = rendered(r, shape)
    body = text.index("二、主动公开")
    m = rng.choice([m for m in _NUMBER_CELL[shape].finditer(text) if m.start() > body])
    delete = rng.random() < 0.5
    text = text[:m.start()] + text[m.end():] if delete else text[:m.end()] + _EXTRA_CELL[shape] + text[m.end():]
    got = parse_text(text, ext)
    for k, c in r.cells.items():
        g = got.cells[k]
        if g.st in UNRESOLVED or (delete and shape in ("html", "pipe") and g.st == "blank"):
            continue  # unresolved, or the emptied cell itself read as blank
        assert (g.v, g.st) == (c.v, c.st), (k, c.v, g)


@pytest.mark.parametrize("enum", ["{}. ", "{}、 ", "{}．"])
def test_an_enumerator_run_into_the_previous_rows_digits(enum):
    # Crawler text without cell separators: "…8 362. 其他法律…" is 36 then "2. 其他法律…", never 362.
    r = REPORTS["2021"]
    text = layout_text(r, "crawler")
    text = re.sub(r" (\d)\.(?=[\u4e00-\u9fff])", lambda m: enum.format(m.group(1)), text)
    text = re.sub(r"(?<=\d) (?=\d[.、．])", "", text)  # the enumerator's digit now touches the last value
    got = parse_text(text, "txt")
    for k, c in r.cells.items():
        g = got.cells[k]
        assert g.st in UNRESOLVED or (g.v, g.st) == (c.v, c.st), (k, c.v, g)
    assert got.cells["s3.outcome.denied.state_secret.total"].v == r.cells["s3.outcome.denied.state_secret.total"].v


@pytest.mark.parametrize("shape", ["txt", "rows", "pipe"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_an_empty_s2_row_never_takes_the_numbers_of_an_extra_row_below(version, shape):
    # 规章 printed with no cells at all, then a row the template does not have (拖市镇-style
    # "其他主动公开文件"): its numbers are not 规章's.
    r = REPORTS[version]
    second = "行政规范性文件" if version == "2021" else "规范性文件"

    def mutate(t: str) -> str:
        t = re.sub(r"(规章)(?:\n\n\d+){3}", r"\1", t)  # one cell per line
        t = re.sub(r"(\n规章)(?: \d+){3}", r"\1", t)  # rows
        t = re.sub(r"(\| 规章 \|)(?: \d+ \|){3}", r"\1", t)  # pipe
        t = t.replace(f"\n\n{second}\n\n", f"\n\n其他主动公开文件\n\n9\n\n9\n\n9\n\n{second}\n\n", 1)
        t = t.replace(f"\n{second} ", f"\n其他主动公开文件 9 9 9\n{second} ", 1)
        return t.replace(f"| {second} |", f"| 其他主动公开文件 | 9 | 9 | 9 |\n| {second} |", 1)

    got = reparse(r, shape, mutate)
    regs = {k for k in r.cells if k.startswith("s2.art20_1.regulations.")}
    assert_cells(got, r, unresolved=regs)


@pytest.mark.parametrize("shape", ["txt", "rows"])
def test_a_label_explanation_in_brackets_is_part_of_the_label(shape):
    r = REPORTS["2019"]

    def mutate(t: str) -> str:
        return t.replace("规章", "规章（设区的市、自治州人民政府应提供相关数据）", 1).replace(
            "\n规范性文件", "\n规范性文件（行政机关制定发布的决定、公告、通告、意见、通知，一般情况下属于规范性文件）", 1)

    assert_cells(reparse(r, shape, mutate), r)


@pytest.mark.parametrize("mark", ["—", "无", "/"])
def test_a_s4_row_of_dashes_in_pdf_text(mark):
    r = with_raws(REPORTS["2021"], {k: mark for k in REPORTS["2021"].cells if k.startswith("s4.")})
    got = reparse(r, "rows")
    assert_cells(got, r)


@pytest.mark.parametrize("shape", ["rows", "crawler"])
def test_a_s2_row_short_of_a_cell_is_not_cut_into_digits(shape):
    # "行政事业性收费 20" for 上一年项目数量 20 and an empty 本年增/减: "20" is not 2 | 0.
    r = with_raws(REPORTS["2019"], {"s2.art20_8.admin_fees.items_prev_year": "20",
                                    "s2.art20_8.admin_fees.items_change": ""})
    got = reparse(r, shape)
    fees = {"s2.art20_8.admin_fees.items_prev_year", "s2.art20_8.admin_fees.items_change"}
    assert_cells(got, r, unresolved=fees)


@pytest.mark.parametrize("noise", ["数据来源：示例县政务服务中心 2024 1 20", "注：本表数据截至2023年12月31日。", "单位：件"])
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_note_line_inside_the_s4_values_is_not_read_as_cells(version, noise):
    r = REPORTS[version]
    text, _ = rendered(r, "txt")
    m = list(re.finditer(r"\n\n(\d+)(?=\n)", text))[-12]  # the fourth §四 value
    got = parse_text(text[:m.start()] + "\n" + noise + text[m.start():], "txt")
    s4 = {k for k in r.cells if k.startswith("s4.")}
    assert_cells(got, r, unresolved=s4)


@pytest.mark.parametrize("shape", ["txt", "pipe", "rows"])
def test_a_stray_bare_other_after_the_2019_other_row_keeps_the_2019_template(shape):
    r = REPORTS["2019"]
    text, ext = rendered(r, shape)
    i = text.index("（七）总计")
    if shape == "pipe":
        i = text.rindex("\n", 0, i) + 1
    got = parse_text(text[:i] + "其他\n" + text[i:], ext)
    assert got.versions["s3"] == "2019"
    assert_cells(got, r)


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_report_title_quoted_in_the_preface_is_not_the_title(fmt):
    r = REPORTS["2021"]
    quote = "根据《示例县2023年政府信息公开工作年度报告》编制要求和《示例县2022年政府信息公开工作年度报告》的格式，"
    got = reparse(r, fmt, lambda t: t.replace("本报告根据", quote + "本报告根据", 1))
    assert (got.agency, got.report_year) == ("示例县东河镇", 2023)
