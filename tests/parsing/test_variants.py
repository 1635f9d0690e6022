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
from ingest.parsing.model import Cell, ParsedReport
from ingest.parsing.render import render
from ingest.parsing.synthetic import generate_report
from ingest.parsing.template import S3_COLUMNS, S4_COLUMNS, S4_GROUPS, s2_keys, s3_rows
from ingest.parsing.values import parse_value

MONEY = {"s2.art20_9.central_procurement.amount", "s2.art20_8.admin_fees.amount_wan_yuan"}
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
        cells[k] = parse_value(raw, money=k in MONEY, signed=k.endswith(".items_change"))
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
