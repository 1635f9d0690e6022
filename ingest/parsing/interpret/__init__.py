"""The table interpreter: a Document (from any extractor) in, a ParsedReport out.

Steps: tokens (cells, lines, running text cut at labels) → sections (headings
or table anchors) → §二 blocks, §三 rows, §四 row → version per table →
every canonical key filled (missing ones say why) → identities → warnings.

What it expects from an extractor (text, HTML, DOCX, PDF alike):

* ``Table`` rows with spans expanded. Only ``origin`` cells are read, in grid
  order, so a spanned value is never read twice; covered cells only serve the
  §三 header (自然人…总计), which names grid columns when it is present.
* A row's values belong to the label cell before them in the same row; a label
  alone in its row (or paragraph) takes the values that follow it, one cell per
  paragraph or one whole following row.
* ``Paragraph`` text may hold several lines; each line is a token. A line
  holding labels and numbers (crawler or PDF text) is cut at the labels; a line
  of numbers separated by spaces is one row of cells. Empty cells should be
  kept (as "" in a table, or a padding-only line), never dropped.
"""

from __future__ import annotations

import time
from functools import cache

from ..checks import cell_values, run_checks
from ..errors import ParseError
from ..model import Cell, Document, Heading, ParsedReport
from ..template import FEE_KEY, S3_COLUMNS, SECTION_KEYS, label_of, s2_keys, s3_keys, s4_keys
from ..values import nfkc
from . import meta
from .regions import split_regions
from .tables import Sink, assign_s3, fill_unlabelled_rows, read_s2, read_s3, read_s4, s2_version
from .tokens import tokenize

TEXT_KEYS = ("s1_overview", "s5_problems", "s6_other")
_DERIVED_GROUPS = {"denied": "sum of 8 sub-rows", "unable": "sum of 3 sub-rows", "not_processed": "sum of 5 sub-rows"}


def interpret(doc: Document, *, source_path: str | None = None, deadline: float | None = None,
              parser_version: str = "") -> ParsedReport:
    deadline = deadline if deadline is not None else time.monotonic() + 20.0
    notes: list[str] = []
    toks = tokenize(doc, deadline, notes)
    regions = split_regions(toks)
    title, agency, year, published, period_year = _metadata(doc, toks, regions)
    prior = "2019" if year is not None and year <= 2020 else "2021"
    sink = Sink()
    if year is not None and period_year is not None and year != period_year:
        sink.warn("meta.year_conflict", f"标题年份 {year} 与统计期限年份 {period_year} 不一致。",
                  f"The title says {year} but the statistics period says {period_year}.", "meta")
    if "s3.transposed" in notes:
        sink.warn("s3.transposed", "§三 表格行列互换（申请人类型为行），已按表头转置后读取。",
                  "§3 table is transposed (applicant types as rows); read after transposing it.", "s3")
    versions, s2v, s3v = _read_tables(toks, regions, prior, sink, deadline)
    cells = _complete(sink, s2v, s3v)
    _warn_absent_rows(sink, cells)
    values = cell_values(cells)
    checks = run_checks(cells, s3v, values)
    _warn_failed_checks(sink, checks)
    headings = {k: Heading(raw=regions.headings.get(k), found=k in regions.headings) for k in SECTION_KEYS}
    lines = {k: _section_lines(regions.tokens(toks, k), regions.headings.get(k)) for k in TEXT_KEYS}
    text = {k: "\n".join(v)[:_MAX_TEXT] for k, v in lines.items()}
    return ParsedReport(
        agency=agency, report_year=year, title=title, published_date=published, source_path=source_path,
        source_format=doc.source_format, versions=versions, version_evidence=tuple(sink.evidence),
        headings=headings, text=text, cells=cells, derived=_derived(values, s3v), checks=tuple(checks),
        warnings=tuple(sink.warnings), stated_counts=tuple(meta.stated_counts(text["s1_overview"], _nfkc_text(lines["s1_overview"]))),
        parser_version=parser_version,
    )


def _metadata(doc: Document, toks: list, regions
              ) -> tuple[str | None, str | None, int | None, str | None, int | None]:
    """Title, agency and year covered from the title (else the statistics period); the publication
    date the container or the page header states. Nothing is guessed."""
    pre_lines = [t.text for t, s in zip(toks, regions.section_of, strict=True) if s == "pre"][:200]
    # NFKC works character by character and never across a newline, so the tokens normalised one
    # by one (each once, cached: most already were while tokenizing) join to NFKC of the joined text.
    period_year = meta.find_period_year("\n".join(nfkc(t.text) for t in toks[:4000]))
    title, agency, year = meta.find_title(pre_lines, doc.meta_title, period_year)
    if year is None:
        year = period_year
    published = doc.meta_date or meta.find_published(pre_lines[:80])
    return title, agency, year, published, period_year


def _read_tables(toks: list, regions, prior: str, sink: Sink, deadline: float
                 ) -> tuple[dict[str, str], str, str]:
    """Read §二, §三 and §四 into the sink; returns the version tags and the key sets to use."""
    s2_toks = regions.tokens(toks, "s2_proactive")
    s3_toks = regions.tokens(toks, "s3_applications")
    if not (s2_toks or s3_toks):
        # Neither §二 nor §三 opened (no heading, caption or table label): not a report.
        raise ParseError("no_report", "这个文件看起来不是政府信息公开工作年度报告（没有找到报告的表格）。",
                         "This file does not look like a 政府信息公开工作年度报告 (no report tables found).")
    _check_time(deadline)
    v2, evidence = s2_version("".join(t.norm for t in s2_toks))
    sink.evidence.extend(evidence)
    s2v = v2 if v2 in ("2019", "2021") else prior
    if v2 not in ("2019", "2021"):
        sink.evidence.append(f"s2:version {v2}, key set from the year prior ({s2v})")
    read_s2(s2_toks, s2v, sink)
    if v2 not in ("2019", "2021"):
        _s2_columns_unknown(sink, v2)
    _check_time(deadline)

    facts = read_s3(s3_toks, sink)
    v3, s3v = _s3_version(facts, s3_toks, prior, sink)
    if v3 == "2019" and facts["other_values"]:
        assign_s3("outcome.other.sum", facts["other_values"][1], sink)
    elif facts["other_values"]:
        sink.warn("s3.other_subtotal", "§三“(六)其他处理”行带有数值，2021年版模板中它只是分组标题，已忽略。",
                  "§3 row '(六)其他处理' carries values; in the 2021 template it is a group label; ignored.",
                  "s3", "outcome.other")
    fill_unlabelled_rows(s3_toks, facts, s3v, sink)
    read_s4(regions.tokens(toks, "s4_review_litigation"), sink)
    _check_time(deadline)
    _warn_absent_tables(sink)
    return {"s2": v2, "s3": v3}, s2v, s3v


def _s2_columns_unknown(sink: Sink, v2: str) -> None:
    """§二 read without knowing its template: the year only chose which rows exist. The two templates
    give the same positions other meanings (2019 新公开 where 2021 has 废止), and reports do use
    the other year's template, so what was read stays as raw text, unresolved."""
    read = [k for k, c in sink.cells.items() if k.startswith("s2.") and c.st != "missing"]
    if not read:
        return
    note = f"§2 template version {v2}: which column a value belongs to cannot be told"
    for key in read:
        sink.cells[key] = Cell(v=None, raw=sink.cells[key].raw, st="text", note=note)
    which = "无法判断模板版本" if v2 == "unknown" else "同时带有 2019 年版和 2021 年版的特征"
    sink.warn("s2.version_unknown", f"§二 表格{which}（两版同一位置的列含义不同），数值未读取。",
              f"§2 template version {v2} (the 2019 and 2021 columns mean different things); values left unresolved.",
              "s2")


def _warn_failed_checks(sink: Sink, checks: list) -> None:
    for c in checks:
        if c.ok is False:
            sink.warn("check_failed", f"勾稽关系不成立：{c.id}（{c.lhs} ≠ {c.rhs}）。",
                      f"Identity {c.id} does not hold ({c.lhs} != {c.rhs}).",
                      "s4" if c.id.startswith("I4") else "s3", c.id.split(".", 1)[1], None)


def _warn_absent_rows(sink: Sink, cells: dict[str, Cell]) -> None:
    """One warning per table listing the rows it was found without (their cells are missing)."""
    for section in ("s2", "s3"):
        if not any(k.startswith(section + ".") for k in sink.cells):
            continue  # the whole table is absent: already said
        # (the cheap, mostly false test first)
        rows = sorted({k.rsplit(".", 1)[0] for k, c in cells.items() if c.st == "missing"
                       and k.startswith(section + ".") and (c.note or "").startswith("not found")})
        if rows:
            shown = ", ".join(r.split(".", 1)[1] for r in rows[:12]) + (" …" if len(rows) > 12 else "")
            sink.warn(f"{section}.rows_missing", f"{section} 表格中未找到这些行：{shown}。",
                      f"Rows not found in the {section} table: {shown}.", section, shown)


def _warn_absent_tables(sink: Sink) -> None:
    found = {k.split(".", 1)[0] for k in sink.cells}
    names = {"s2": ("二、主动公开政府信息情况", "2 (proactive disclosure)"),
             "s3": ("三、收到和处理政府信息公开申请情况", "3 (applications)")}
    for section, (zh, en) in names.items():
        if section not in found:
            sink.warn(f"{section}.not_found", f"未找到“{zh}”表格中的数值，相应单元格均为 missing。",
                      f"No values found for the table of section {en}; its cells are missing.", section)


def _check_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ParseError("timeout", "解析超时。", "Parsing took too long.")


def _s3_version(facts: dict, s3_toks: list, prior: str, sink: Sink) -> tuple[str, str]:
    text = "".join(t.norm for t in s3_toks)
    if facts["v2021_rows"] or "逾期不补正" in text or "收费通知" in text:
        sink.evidence.append("s3:(六)其他处理 has sub-rows 1-3")
        v3 = "2021"
    elif facts["other_values"]:
        sink.evidence.append("s3:(六)其他处理 has 7 values")
        v3 = "2019"
    elif facts["seen_total"]:
        sink.evidence.append("s3:no (六) sub-rows before (七)总计")
        v3 = "2019"
    else:
        v3 = "unknown"
        sink.evidence.append(f"s3:version unknown, key set from the year prior ({prior})")
    return v3, (v3 if v3 != "unknown" else prior)


def _complete(sink: Sink, s2v: str, s3v: str) -> dict[str, Cell]:
    """Every canonical key of the detected versions, in template order; unfound ones are missing."""
    cells: dict[str, Cell] = {}
    for key in s2_keys(s2v) + s3_keys(s3v) + s4_keys():
        cell = sink.cells.get(key)
        if cell is None:
            cell = Cell(v=None, raw=None, st="missing", unit="万元" if key == FEE_KEY else None,
                        note=f"not found in the document: {label_of(key)}")
        cells[key] = cell
    return cells


def _derived(values: dict[str, float | int | None], s3v: str) -> dict[str, dict]:
    """Group sums of §三 sub-rows where every sub-row has a value; ``values``: cell_values(cells)."""
    out: dict[str, dict] = {}
    groups = dict(_DERIVED_GROUPS)
    if s3v == "2021":
        groups["other"] = "sum of 3 sub-rows"
    for group, how in groups.items():
        for col in S3_COLUMNS:
            keys = _group_keys(s3v, group, col)
            vals = [values[k] for k in keys]
            if keys and None not in vals:
                out[f"s3.outcome.{group}.sum.{col}"] = {"v": sum(vals), "from": how}
    return out


@cache
def _group_keys(version: str, group: str, col: str) -> tuple[str, ...]:
    prefix = f"s3.outcome.{group}."
    return tuple(k for k in s3_keys(version) if k.startswith(prefix) and k.endswith("." + col) and ".sum." not in k)


_MAX_TEXT = 20000


def _section_lines(toks: list, heading: str | None) -> list[str]:
    """The lines of a section's text (joined by newlines and cut at _MAX_TEXT, its text)."""
    lines = [t.text.strip() for t in toks if t.text.strip()]
    if heading and lines and lines[0] == heading.strip():
        lines = lines[1:]
    return lines


def _nfkc_text(lines: list[str]) -> str | None:
    """NFKC of the section text from the lines normalised one by one (cached: most were while
    tokenizing); NFKC never works across a newline. None when the text was cut at _MAX_TEXT."""
    if sum(map(len, lines)) + len(lines) - 1 > _MAX_TEXT:
        return None
    return "\n".join(map(nfkc, lines))
