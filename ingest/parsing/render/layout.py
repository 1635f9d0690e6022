"""The printed shape of a report, shared by every output format.

A ``Layout`` is what a person sees: the title, a preamble, the six headings
with their prose and the three tables of the official form, each table a list
of rows of ``Span`` cells with HTML-style rowspan/colspan (FORMAT.md §3–§5).
Every writer (text, HTML, DOCX, PDF) walks the same layout, so the formats
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Cell, ParsedReport
from ..template import S3_COLUMNS, S4_COLUMNS, S4_GROUPS, s2_blocks, template

HEADINGS = (
    ("s1_overview", "一、总体情况"),
    ("s2_proactive", "二、主动公开政府信息情况"),
    ("s3_applications", "三、收到和处理政府信息公开申请情况"),
    ("s4_review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ("s5_problems", "五、存在的主要问题及改进情况"),
    ("s6_other", "六、其他需要报告的事项"),
)

# The template stores labels NFKC-normalised; official documents print full-width punctuation.
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


def full_width(label: str) -> str:
    return label.translate(_FULL_WIDTH)


@dataclass(frozen=True)
class Span:
    """One printed table cell. ``value`` marks a number cell (printed centred)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    value: bool = False


@dataclass(frozen=True)
class TableLayout:
    width: int  # grid columns
    rows: tuple[tuple[Span, ...], ...]
    label_columns: int  # how many leading grid columns hold labels (for column widths)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    paragraphs: tuple[str, ...]
    table: TableLayout | None


@dataclass(frozen=True)
class Layout:
    title: str
    date: str | None
    preamble: tuple[str, ...]
    sections: tuple[Section, ...]


# --------------------------------------------------------------------------- values


def value_text(cell: Cell | None) -> str:
    """How a cell is printed: its raw text when known, else its value in plain notation."""
    if cell is None or cell.st == "missing":
        return ""
    if cell.raw is not None and cell.raw.strip():
        return cell.raw.strip()
    if cell.st == "dash":
        return "—"
    if cell.st == "none_word":
        return "无"
    if cell.v is None:
        return ""
    return format_number(cell.v)


def format_number(v: float | int) -> str:
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- tables


def _version(report: ParsedReport, section: str) -> str:
    tag = report.versions.get(section)
    if tag in ("2019", "2021"):
        return tag
    return "2019" if (report.report_year or 2021) <= 2020 else "2021"


def s2_table(cells: dict[str, Cell], version: str) -> TableLayout:
    """§二: stacked blocks, each a caption row, a header row and data rows, 4 grid columns wide."""
    width = 4
    rows: list[tuple[Span, ...]] = []
    for block in s2_blocks(version):
        rows.append((Span(full_width(block["caption"]), colspan=width),))
        cols = block["columns"]
        # The last column stretches over the grid columns this block does not use.
        spans = [1] * (len(cols) - 1) + [width - len(cols)]
        rows.append((Span("信息内容"),) + tuple(Span(full_width(c["label"]), colspan=s) for c, s in zip(cols, spans, strict=True)))
        for row in block["rows"]:
            rows.append((Span(full_width(row["label"])),) + tuple(
                Span(value_text(cells.get(f"s2.{block['key']}.{row['key']}.{c['key']}")), colspan=s, value=True)
                for c, s in zip(cols, spans, strict=True)))
    return TableLayout(width=width, rows=tuple(rows), label_columns=1)


def s3_table(cells: dict[str, Cell], version: str) -> TableLayout:
    """§三: 3 label columns and 7 value columns, with the official three-row header."""
    t = template()["s3"]
    rows: list[tuple[Span, ...]] = [
        (Span(full_width(t["note_cell"]), colspan=3, rowspan=3), Span("申请人情况", colspan=7)),
        (Span("自然人", rowspan=2), Span("法人或其他组织", colspan=5), Span("总计", rowspan=2)),
        tuple(Span(c["label"]) for c in t["columns"][1:6]),
    ]
    tmpl_rows = [r for r in t["rows"] if version in r["versions"]]

    def values(key: str) -> tuple[Span, ...]:
        return tuple(Span(value_text(cells.get(f"s3.{key}.{c}")), value=True) for c in S3_COLUMNS)

    def children(key: str) -> list[dict]:
        # (六)其他处理 is keyed outcome.other.sum; its 2021 sub-rows are outcome.other.*.
        prefix = key.removesuffix(".sum") + "."
        return [r for r in tmpl_rows if r["key"].startswith(prefix) and r["key"] != key]

    # Second level under 三、本年度办理结果: (一)…(七); a group when it has sub-rows in this version.
    level1 = [r for r in tmpl_rows if r["key"].startswith("outcome.")
              and (r["key"].count(".") == 1 or r["key"] == "outcome.other.sum")]
    n_outcome = sum(max(1, len(children(r["key"]))) for r in level1)
    for r in tmpl_rows:
        key = r["key"]
        if "." not in key and r["kind"] == "data":
            rows.append((Span(full_width(r["label"]), colspan=3),) + values(key))
        elif key == "outcome":
            for n, sub in enumerate(level1):
                lead = (Span(full_width(r["label"]), rowspan=n_outcome),) if n == 0 else ()
                kids = children(sub["key"])
                if not kids:
                    rows.append(lead + (Span(full_width(sub["label"]), colspan=2),) + values(sub["key"]))
                    continue
                for i, kid in enumerate(kids):
                    head = lead + (Span(full_width(sub["label"]), rowspan=len(kids)),) if i == 0 else ()
                    rows.append(head + (Span(full_width(kid["label"])),) + values(kid["key"]))
    return TableLayout(width=10, rows=tuple(rows), label_columns=3)


def s4_table(cells: dict[str, Cell]) -> TableLayout:
    """§四: two header levels over 15 value columns (FORMAT.md §5)."""
    cols = template()["s4"]["columns"]
    groups = {g["key"]: g["label"] for g in template()["s4"]["groups"]}
    rows = (
        (Span("行政复议", colspan=5), Span("行政诉讼", colspan=10)),
        tuple(Span(c["label"], rowspan=2) for c in cols)
        + (Span(groups["lit_direct"], colspan=5), Span(groups["lit_after_review"], colspan=5)),
        tuple(Span(c["label"]) for c in cols) * 2,
        tuple(Span(value_text(cells.get(f"s4.{g}.{c}")), value=True) for g in S4_GROUPS for c in S4_COLUMNS),
    )
    return TableLayout(width=15, rows=rows, label_columns=0)


# --------------------------------------------------------------------------- whole report


def _paragraphs(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split("\n") if p.strip())


def build(report: ParsedReport) -> Layout:
    agency = report.agency or ""
    year = report.report_year
    title = report.title or f"{agency}{year or ''}年政府信息公开工作年度报告"
    preamble = ()
    if year:
        preamble = (
            f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）编制。本报告中所列数据的统计期限"
            f"自{year}年1月1日起至{year}年12月31日止。",
        )
    tables = {
        "s2_proactive": s2_table(report.cells, _version(report, "s2")),
        "s3_applications": s3_table(report.cells, _version(report, "s3")),
        "s4_review_litigation": s4_table(report.cells),
    }
    sections = tuple(
        Section(key=key, heading=heading, paragraphs=_paragraphs(report.text.get(key)), table=tables.get(key))
        for key, heading in HEADINGS
    )
    return Layout(title=title, date=report.published_date, preamble=preamble, sections=sections)


def column_fractions(t: TableLayout) -> list[float]:
    """Share of the text width each grid column gets (the official forms' proportions, roughly).

    Writers that lay out pages (DOCX, PDF) need explicit widths: without them office suites
    size columns from content and the merged header cells drift out of line.
    """
    if t.label_columns == 0:  # §四: fifteen equal value columns
        return [1 / t.width] * t.width
    if t.label_columns == 1:  # §二: a label column and three value columns
        return [0.34, 0.22, 0.22, 0.22]
    # §三: narrow group-label columns, a wide row-label column, seven value columns.
    label = [0.07, 0.09, 0.26]
    rest = (1 - sum(label)) / (t.width - 3)
    return label + [rest] * (t.width - 3)


def expand(table: TableLayout) -> list[list[tuple[Span, bool] | None]]:
    """The table as a full grid: each position holds (span, is_origin). Writers that place cells by
    coordinates (DOCX, PDF) use this."""
    grid: list[list[tuple[Span, bool] | None]] = [[None] * table.width for _ in table.rows]
    for r, row in enumerate(table.rows):
        c = 0
        for span in row:
            while c < table.width and grid[r][c] is not None:
                c += 1
            for dr in range(span.rowspan):
                for dc in range(span.colspan):
                    if r + dr < len(grid) and c + dc < table.width:
                        grid[r + dr][c + dc] = (span, dr == 0 and dc == 0)
            c += span.colspan
    return grid
