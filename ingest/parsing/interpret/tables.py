"""Read the three tables (§二 blocks, §三 rows, §四 row) from the tokens of their sections."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from ..checks import value_of
from ..model import Cell, ParseWarning
from ..template import (
    FEE_KEY,
    MONEY_KEYS,
    S3_COLUMNS,
    SIGNED_KEYS,
    label_of,
    s2_blocks,
    s3_rows,
    s4_keys,
    template,
)
from ..values import parse_value
from .labels import caption_block, norm, s2_row, s3_row, strip_enum
from .segment import segment
from .tokens import SUBTOTAL, Tok

S2_MARKERS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "本年增减", "其他对外管理服务事项",
             "第二十条第(九)项", "政府集中采购", "采购总金额"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额", "行政规范性文件"),
}


@dataclass
class Sink:
    """What the readers produce: cells found, warnings, version evidence."""

    cells: dict[str, Cell] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def warn(self, code: str, zh: str, en: str, section: str, row: str | None = None,
             column: str | None = None) -> None:
        self.warnings.append(ParseWarning(code, zh, en, section, row, column))


# ----------------------------------------------------------------------------- collecting a row's values


def collect(toks: list[Tok], i: int, official: str | None = None) -> list[Tok]:
    """The value tokens belonging to the label at ``toks[i]``.

    A label inside a table row takes only that row's values. A label alone on
    its line takes the values that follow (one cell per line), after at most
    two short continuation lines of its own text; a table row reached that way
    is taken whole and ends the collection.
    """
    lab = toks[i]
    j = i + 1
    if lab.in_row:
        same = []
        # The rest of a label broken over two cells of its row ("缴纳费用、 | 行政机关不再处理其政").
        while j < len(toks) and toks[j].row == lab.row and j - i <= 2 and not toks[j].is_value \
                and toks[j].tag is None and len(toks[j].norm) <= 30 and _continuation(toks[j], official):
            j += 1
        while j < len(toks) and toks[j].row == lab.row and toks[j].is_value:
            same.append(toks[j])
            j += 1
        if same or (j < len(toks) and toks[j].row == lab.row):
            return same
    skipped = 0
    while j < len(toks) and not toks[j].is_value and toks[j].tag is None and skipped < 2 \
            and len(toks[j].norm) <= 30 and _continuation(toks[j], official):
        skipped += 1
        j += 1
    out: list[Tok] = []
    while j < len(toks) and toks[j].is_value:
        t = toks[j]
        if t.in_row:
            if out:
                break  # loose values followed by a table row: that row is not this label's
            while j < len(toks) and toks[j].row == t.row and toks[j].is_value:
                out.append(toks[j])
                j += 1
            break
        out.append(t)
        j += 1
    return out


def _continuation(t: Tok, official: str | None = None) -> bool:
    """A short line that continues a label (no label, no heading of its own). A line opening with
    an enumerator ("4.", "（四）") starts a row of its own, even one whose label is not known; so
    does one that is no part of the label's official wording ("规章" then "其他文件 9 9 9") unless it
    is an explanation in brackets."""
    return (strip_enum(t.norm) == t.norm and s3_row(t.text) is None and caption_block(t.text) is None
            and (official is None or t.norm in official or _parenthetical(t.norm)))


def _parenthetical(n: str) -> bool:
    """An explanation in brackets after a label ("规章(设区的市…应提供相关数据)"), or what is left of
    one (a lone closing bracket)."""
    return (n.startswith("(") and n.endswith(")")) or not any(ch.isalnum() for ch in n)


@cache
def _official(section: str, key: str) -> str | None:
    """The official wording of a row label, in the form labels are compared in (norm)."""
    t = template()
    if section == "s3":
        key = {"@outcome": "outcome", "@denied": "outcome.denied", "@unable": "outcome.unable",
               "@not_processed": "outcome.not_processed", "@other": "outcome.other.sum"}.get(key, key)
        label = next((r["label"] for r in t["s3"]["rows"] if r["key"] == key), None)
        if label is not None:
            # Lines of the group label beside it can come between a label's own lines (PDF text:
            # "2.申请人逾期未按收费通知要求缴" / "他处理" / "纳费用、…"): they are passed over too.
            groups = [r["label"] for r in t["s3"]["rows"] if r.get("kind") == "group_label" or r["key"] in (
                "outcome", "outcome.denied", "outcome.unable", "outcome.not_processed", "outcome.other.sum")]
            return "\n".join(norm(x) for x in [label, *groups])
    else:
        block, row = key.split(".")
        label = next((r["label"] for v in ("2019", "2021") for b in t["s2"][v] if b["key"] == block
                      for r in b["rows"] if r["key"] == row), None)
    return norm(label) if label else None


def fit(values: list[Tok], n: int, check: Callable | None = None) -> tuple[list[str | None] | None, str]:
    """n cell texts for a row (None for a cell no reading pins down), or None and the reason."""
    texts = []
    glued = False
    for v in values:
        if v.cut:
            return None, "cut"
        glued = glued or v.glued
        texts.append(v.text)
    while len(texts) > n and texts and not texts[-1].strip(" \u00a0\u3000\t"):
        texts.pop()  # trailing empty cells left by colspan
    if glued:
        got = segment([t.strip() for t in texts], n, check)
        if got is not None:
            return got, "ambiguous"
        return None, "ambiguous" if len(texts) <= n else "count"
    if len(texts) == n:
        return texts, ""
    return None, "count"


# ----------------------------------------------------------------------------- §二


def s2_version(region_text: str) -> tuple[str, list[str]]:
    found = {v: [m for m in marks if m in region_text] for v, marks in S2_MARKERS.items()}
    n19, n21 = len(found["2019"]), len(found["2021"])
    evidence = [f"s2:{m}" for v in ("2019", "2021") for m in found[v]]
    if n19 and not n21:
        return "2019", evidence
    if n21 and not n19:
        return "2021", evidence
    if n19 and n21:
        return ("2019" if n19 > n21 else "2021" if n21 > n19 else "mixed"), evidence
    return "unknown", evidence


def read_s2(toks: list[Tok], version: str, sink: Sink) -> None:
    blocks = {b["key"]: b for b in s2_blocks(version)}
    current: str | None = None
    has_captions = any(_caption(t) for t in toks)
    done: set[str] = set()
    header = ""  # the current block's header text, for units printed there
    for i, tok in enumerate(toks):
        cap = _caption(tok)
        if cap is not None:
            current, header = cap, ""
            continue
        if tok.tag is None and not tok.is_value and len(header) < 200:
            header += tok.norm
        candidates = [current] if has_captions else list(blocks)
        for block in candidates:
            if block not in blocks:
                continue
            row = _s2_label(tok, block)
            if row is None or f"{block}.{row}" in done:
                continue
            spec = blocks[block]
            if row not in [r["key"] for r in spec["rows"]]:
                sink.warn("s2.row_other_version", f"§二 行“{tok.text.strip()}”不属于{version}年版模板。",
                          f"§2 row '{tok.text.strip()}' is not part of the {version} template.", "s2", row)
                done.add(f"{block}.{row}")
                continue
            values = collect(toks, i, _official("s2", f"{block}.{row}"))
            if not values:
                continue
            done.add(f"{block}.{row}")
            _assign_s2(block, row, spec, values, sink, header)
            break


def _caption(tok: Tok) -> str | None:
    if tok.tag == "cap" or (tok.tag is None and len(tok.norm) <= 24):
        return caption_block(tok.text)
    return None


def _s2_label(tok: Tok, block: str) -> str | None:
    if tok.tag is not None:
        if tok.tag.startswith(f"s2:{block}:"):
            return tok.tag.split(":")[2]
        return None
    return s2_row(tok.text, block)




def _assign_s2(block: str, row: str, spec: dict, values: list[Tok], sink: Sink, header: str = "") -> None:
    cols = [c["key"] for c in spec["columns"]]
    texts, why = fit(values, len(cols))
    keys = [f"s2.{block}.{row}.{c}" for c in cols]
    if texts is None:
        _unresolved(keys, values, why, "s2", row, sink)
        return
    _partly_unresolved(keys, texts, values, "s2", row, sink)
    for key, col, text in zip(keys, cols, texts, strict=True):
        if text is None:
            continue
        cell = parse_value(text, money=key in MONEY_KEYS, signed=key in SIGNED_KEYS)
        if key in MONEY_KEYS and cell.st == "ok":
            cell = _money_unit(key, cell, header)
            if cell.st == "text":
                sink.warn("s2.unit_conflict", f"§二 {label_of(key)}：{cell.note}，未读取。",
                          f"§2 {key}: {cell.note}; left unresolved.", "s2", row, col)
        sink.cells[key] = _noted(cell, values)


def _money_unit(key: str, cell: Cell, header: str) -> Cell:
    """The unit of a money cell: what the cell says, else what its header says; 收费金额 is printed in 万元."""
    stated = "万元" if key == FEE_KEY else _header_unit(header)
    if cell.unit is None:
        return Cell(cell.v, cell.raw, cell.st, unit=stated)
    if stated is not None and cell.unit != stated:
        return Cell(None, cell.raw, "text", note=f"the cell says {cell.unit} but the header says {stated}")
    return cell


def _header_unit(header: str) -> str | None:
    if re.search(r"[(（:：]\s*(?:单位[:：])?\s*万元", header):
        return "万元"
    if re.search(r"[(（:：]\s*(?:单位[:：])?\s*元", header):
        return "元"
    return None


def _noted(cell: Cell, values: list[Tok]) -> Cell:
    """A value read out of run-together digits says so."""
    if cell.st == "ok" and values and values[0].glued:
        raw_run = " ".join(v.text for v in values)
        return Cell(cell.v, cell.raw, cell.st, cell.unit, note=f"split from run-together digits '{raw_run}'")
    return cell


def _partly_unresolved(keys: list[str], texts: list[str | None], values: list[Tok], section: str, row: str,
                       sink: Sink) -> None:
    """Cells of a run-together row that no unique reading pins down: kept as text, with a warning."""
    unknown = [k for k, t in zip(keys, texts, strict=True) if t is None]
    if not unknown:
        return
    raw = " ".join(v.text.strip() for v in values)
    note = f"digits run together ('{raw}'); this cell differs between the possible readings"
    for key in unknown:
        sink.cells[key] = Cell(v=None, raw=raw, st="text", note=note)
    cols = ", ".join(k.rsplit(".", 1)[1] for k in unknown)
    sink.warn(f"{section}.cells_ambiguous",
              f"{section} 行 {row}：数字连在一起（“{raw}”），列 {cols} 有多种可能的拆分，未读取。",
              f"{section} row {row}: digits run together ('{raw}'); columns {cols} have more than one possible "
              "reading; left unresolved.", section, row, cols)


def _unresolved(keys: list[str], values: list[Tok], why: str, section: str, row: str, sink: Sink) -> None:
    raw = " ".join(v.text.strip() for v in values)
    n = len(keys)
    if why == "cut":
        note = f"the file ends inside this row ('{raw}'); it looks truncated"
        zh = f"{section} 行 {row}：文件在这一行中间结束（“{raw}”），可能被截断，未读取。"
    elif why == "ambiguous":
        note = f"digits run together ('{raw}'); no unique split into {n} cells"
        zh = f"{section} 行 {label_of(keys[0]).rsplit(' ', 1)[0] if section == 's2' else row}：数字连在一起（“{raw}”），无法唯一拆分为 {n} 个单元格，未读取。"
    else:
        note = f"row has {len(values)} values, expected {n} ('{raw}')"
        zh = f"{section} 行 {row}：有 {len(values)} 个值，应为 {n} 个（“{raw}”），未读取。"
    for key in keys:
        sink.cells[key] = Cell(v=None, raw=raw, st="text", note=note)
    sink.warn(f"{section}.row_unresolved", zh, f"{section} row {row}: {note}; left unresolved.", section, row)


# ----------------------------------------------------------------------------- §三


def _s3_check(vals: list) -> bool:
    return abs(vals[6] - sum(vals[:6])) < 1e-9


_OTHER_SUBROWS = ("outcome.other.no_correction", "outcome.other.fee_unpaid", "outcome.other.other")


def read_s3(toks: list[Tok], sink: Sink) -> dict:
    """Read §三 rows; returns facts for version detection and for filling unlabelled rows."""
    facts: dict = {"other_values": None, "v2021_rows": False, "seen_total": False, "label_at": {},
                   "consumed": set(), "values": {}}
    started = False
    in_other = False
    for i, tok in enumerate(toks):
        key = _s3_label(tok, started, in_other)
        if key is None:
            continue
        started = True
        # (六)'s sub-rows are "1.…", "2.…", "3.其他": the bare 其他 is a row only inside that group,
        # and only where (六) is a group label (the 2019 (六) row has numbers of its own).
        in_other = key == "@other" or key in _OTHER_SUBROWS
        facts["seen_total"] = facts["seen_total"] or key == "outcome.total"
        if key in _OTHER_SUBROWS and not (key == "outcome.other.other" and tok.norm in ("其他", "其它")
                                          and facts["other_values"] is not None):
            facts["v2021_rows"] = True
        elif key in _OTHER_SUBROWS:
            in_other = False
            continue
        if key in facts["label_at"]:
            if not key.startswith("@"):
                _second_reading(key, collect(toks, i, _official("s3", key)), facts, sink)
            continue
        values = collect(toks, i, _official("s3", key))
        if not values:
            continue
        facts["label_at"][key] = i
        facts["values"][key] = values
        facts["consumed"].update(map(id, values))
        if key == "@other":
            facts["other_values"] = (i, values)
        elif not key.startswith("@"):
            assign_s3(key, values, sink)
    return facts


def _reading(values: list[Tok]) -> list[tuple] | None:
    texts, _ = fit(values, 7, _s3_check)
    if texts is None or any(t is None for t in texts):
        return None
    return [(c.v, c.st) for c in (parse_value(t) for t in texts)]


def _second_reading(key: str, values: list[Tok], facts: dict, sink: Sink) -> None:
    """A row label met again with a full row of other numbers (a sentence quoting the table, a
    second table): which one is the table's cannot be told, so the row is left unresolved."""
    if not values or key not in facts["values"]:
        return
    second = _reading(values)
    if second is None or second == _reading(facts["values"][key]):
        return
    keys = [f"s3.{key}.{c}" for c in S3_COLUMNS]
    first = " ".join(v.text.strip() for v in facts["values"][key])
    other = " ".join(v.text.strip() for v in values)
    note = f"the row appears twice with different values ('{first}' and '{other}')"
    for k in keys:
        sink.cells[k] = Cell(v=None, raw=first, st="text", note=note)
    facts["values"][key] = values + facts["values"][key]  # a third reading cannot restore it
    sink.warn("s3.row_conflict", f"§三 行 {key} 出现两次，数值不同（“{first}”与“{other}”），未读取。",
              f"§3 row {key}: {note}; left unresolved.", "s3", key)


def fill_unlabelled_rows(toks: list[Tok], facts: dict, version: str, sink: Sink) -> None:
    """Rows whose label was lost (PDF conversions) are read by template order, but only when forced.

    Between two rows that were read, the unlabelled value rows must be the template rows between
    them that have no values yet; the rows are taken only when the counts are equal, each row has
    exactly 7 values, and the row sums (I-3) hold. Otherwise they stay missing.
    """
    order = list(s3_rows(version))
    label_at = dict(facts["label_at"])
    if version == "2019" and "@other" in label_at:
        label_at["outcome.other.sum"] = label_at.pop("@other")  # a data row in the 2019 template
    found = {k: i for k, i in label_at.items() if k in order}
    for start, rows in _unlabelled_rows(toks, facts["consumed"]):
        before = [k for k, i in found.items() if i < start]
        after = [k for k, i in found.items() if i > start]
        if not before or not after:
            continue
        a = max(before, key=lambda k: found[k])
        b = min(after, key=lambda k: found[k])
        ia, ib = order.index(a), order.index(b)
        gap = [k for k in order[ia + 1:ib] if f"s3.{k}.total" not in sink.cells]
        if ib <= ia or len(gap) != len(rows) or len(order[ia + 1:ib]) != len(gap):
            continue
        readings = [[parse_value(t.text) for t in row] for row in rows]
        if not all(_row_sums(cells) for cells in readings):
            continue
        for key, cells in zip(gap, readings, strict=True):
            for col, cell in zip(S3_COLUMNS, cells, strict=True):
                sink.cells[f"s3.{key}.{col}"] = Cell(cell.v, cell.raw, cell.st, cell.unit,
                                                     note="row label lost; placed by template order")
            sink.warn("s3.row_by_position", f"§三 行 {key}：标签缺失，按模板顺序读取（位于 {a} 与 {b} 之间）。",
                      f"§3 row {key}: label lost; read by template order between {a} and {b}.", "s3", key)


def _unlabelled_rows(toks: list[Tok], consumed: set[int]) -> list[tuple[int, list[list[Tok]]]]:
    """Runs of table rows holding exactly 7 unread values and no recognised label, grouped by
    adjacency; each run with the token index where it starts."""
    runs: list[tuple[int, list[list[Tok]]]] = []
    i = 0
    while i < len(toks):
        if not toks[i].in_row:
            i += 1
            continue
        j = i
        while j < len(toks) and toks[j].row == toks[i].row:
            j += 1
        row = toks[i:j]
        # Cheapest tests first (all of them are pure). Only values are consumed, so a row whose
        # last cell was read is not one of 7 unread values at its end.
        if len(row) < 7 or id(row[-1]) in consumed:
            i = j
            continue
        values = [t for t in row if t.is_value]
        if len(values) == 7 and row[-7:] == values and all(
                t.tag is None and s3_row(t.text) is None and not t.is_value for t in row[:len(row) - 7]) \
                and not any(id(v) in consumed for v in values):
            if runs and runs[-1][2] == i:
                runs[-1][1].append(values)
                runs[-1] = (runs[-1][0], runs[-1][1], j)
            else:
                runs.append((i, [values], j))
        i = j
    return [(start, rows) for start, rows, _ in runs]


def _row_sums(cells: list[Cell]) -> bool:
    nums = [value_of(c) for c in cells]
    return None not in nums and _s3_check(nums)


def _s3_label(tok: Tok, started: bool, in_other: bool) -> str | None:
    if tok.tag is not None:
        return tok.tag[3:] if tok.tag.startswith("s3:") else None
    key = s3_row(tok.text)
    if key is None:
        return None
    bare = tok.norm in ("其他", "其它", "总计", "合计")
    if bare and not started:
        return None  # header words before the first row label
    if key == "outcome.other.other" and not in_other:
        return None
    return key


def _by_header(values: list[Tok]) -> list[str] | None:
    """The column key of each value from its table's header, when that reading is coherent."""
    cols = values[0].columns if values else None
    if cols is None:
        return None
    keys = []
    for v in values:
        key = None if v.glued or v.cut or v.columns is None or v.col is None else cols.get(v.col)
        if key is None:
            return None
        keys.append(key)
    distinct = set(keys)
    if len(distinct) != len(keys):
        return None
    if distinct != set(cols.values()):
        return None  # a row shorter than its own header: cells are lost, not columns omitted
    return keys


def _without_subtotal(values: list[Tok], keys: list[str], row: str, sink: Sink) -> tuple[list[Tok], list[str]]:
    """A 法人或其他组织小计 column (not in the official form) is read past, with a warning."""
    if SUBTOTAL not in keys:
        return values, keys
    if not any(w.code == "s3.subtotal_column" for w in sink.warnings):
        sink.warn("s3.subtotal_column", "§三 表格多出“法人或其他组织小计”列（非官方格式），该列未计入。",
                  "§3 table has an extra 法人或其他组织 subtotal column (not in the official form); ignored.",
                  "s3", row, SUBTOTAL)
    kept = [(v, k) for v, k in zip(values, keys, strict=True) if k != SUBTOTAL]
    return [v for v, _ in kept], [k for _, k in kept]


@cache
def _s3_row_keys(row: str) -> tuple[str, ...]:
    return tuple(f"s3.{row}.{c}" for c in S3_COLUMNS)


def assign_s3(row: str, values: list[Tok], sink: Sink) -> None:
    section = "s3"
    keys = list(_s3_row_keys(row))
    by_header = _by_header(values)
    if by_header is not None:
        values, by_header = _without_subtotal(values, by_header, row, sink)
    if by_header is not None and (len(values) != 7 or by_header != list(S3_COLUMNS)):
        if len(values) == 7 or [c for c in S3_COLUMNS if c in by_header] == by_header:
            _assign_by_header(row, values, by_header, sink)
            return
    texts, why = fit(values, 7, _s3_check)
    if texts is None:
        _unresolved(keys, values, why, "s3", row, sink)
        return
    if None in texts:
        _partly_unresolved(keys, texts, values, section, row, sink)
    cells = sink.cells
    glued = bool(values) and values[0].glued  # only then does _noted change a cell
    for key, text in zip(keys, texts, strict=True):
        if text is not None:
            cell = parse_value(text)
            cells[key] = _noted(cell, values) if glued else cell


def _assign_by_header(row: str, values: list[Tok], cols: list[str], sink: Sink) -> None:
    """A §三 row whose table header names its columns: omitted or reordered columns are read by name."""
    for col, v in zip(cols, values, strict=True):
        sink.cells[f"s3.{row}.{col}"] = parse_value(v.text)
    absent = [c for c in S3_COLUMNS if c not in cols]
    for col in absent:
        sink.cells[f"s3.{row}.{col}"] = Cell(None, None, "missing", note="the table has no such column")
    if absent:
        sink.warn("s3.columns_absent", f"§三 行 {row}：表格缺少列 {', '.join(absent)}。",
                  f"§3 row {row}: the table has no column {', '.join(absent)}.", "s3", row, ",".join(absent))
    elif cols != list(S3_COLUMNS):
        sink.warn("s3.columns_reordered", f"§三 行 {row}：列顺序与模板不同，已按表头读取。",
                  f"§3 row {row}: columns are in a non-standard order; read by header.", "s3", row)


# ----------------------------------------------------------------------------- §四


def _s4_check(vals: list) -> bool:
    return all(abs(vals[g + 4] - sum(vals[g:g + 4])) < 1e-9 for g in (0, 5, 10))


def read_s4(toks: list[Tok], sink: Sink) -> None:
    keys = list(s4_keys())
    runs: list[list[Tok]] = []
    cur: list[Tok] = []
    for t in toks:
        if t.is_value:
            cur.append(t)
            continue
        if cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    runs = [r for r in runs if any(not t.is_blank for t in r)]
    if not runs:
        sink.warn("s4.not_found", "未找到§四表格的数值。", "No values found for the §4 table.", "s4")
        return
    # The run that reads as the 15 cells; a stray number before the table (a page number in PDF
    # text) must not hide it. Failing that, the first run, reported as unresolved. Two runs that
    # both read as 15 cells and disagree (a "上年同期" row below the table) are a conflict, as in §三.
    fitting = [(r, got) for r in runs if (got := fit(r, 15, _s4_check)[0]) is not None]
    if len({tuple(got) for _, got in fitting}) > 1:
        note = f"{len(fitting)} different rows of 15 values"
        for key in keys:
            sink.cells[key] = Cell(v=None, raw=" ".join(t.text.strip() for t in fitting[0][0]), st="text", note=note)
        sink.warn("s4.conflict", f"§四 有 {len(fitting)} 行各 15 个数值且互不相同，无法确定哪一行是本年数据，未读取。",
                  f"§4 has {len(fitting)} different rows of 15 values; which one is this year's cannot be told; left unresolved.",
                  "s4", "s4")
        return
    if not fitting:
        _, why = fit(runs[0], 15, _s4_check)  # only to say why
        _unresolved(keys, runs[0], why, "s4", "s4", sink)
        return
    values, texts = fitting[0]
    _partly_unresolved(keys, texts, values, "s4", "s4", sink)
    for key, text in zip(keys, texts, strict=True):
        if text is not None:
            sink.cells[key] = _noted(parse_value(text), values)
