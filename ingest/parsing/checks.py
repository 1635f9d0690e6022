"""Accounting identities of the tables (FORMAT.md §4.3, §5): evaluated, reported, never used to repair.

* I-1 per §三 column: 一 + 二 = (七)总计 + 四
* I-2 per §三 column: (七)总计 = sum of all outcome data rows
* I-3 per §三 data row: 总计 = the six applicant columns
* I-4 per §四 group: 总计 = 维持 + 纠正 + 其他 + 尚未审结

Blank, dash and 无 count as 0; a text or missing cell makes a check unevaluable (ok None).
"""

from __future__ import annotations

from functools import cache

from .model import ZEROISH, Cell, Check
from .template import S3_COLUMNS, S4_COLUMNS, S4_GROUPS, s3_rows

_TOL = 1e-6


def value_of(cell: Cell | None) -> float | int | None:
    """The number a check uses, or None when the cell cannot be evaluated."""
    if cell is None:
        return None
    if cell.st == "ok":
        return cell.v
    if cell.st in ZEROISH:
        return 0
    return None


def _num(x: float | int) -> float | int:
    if type(x) is int:  # a sum of counts, nearly always: already what the rest would give
        return x
    return int(x) if float(x).is_integer() else round(x, 6)


def outcome_rows(version: str) -> list[str]:
    return [r for r in s3_rows(version) if r.startswith("outcome.") and r != "outcome.total"]


def cell_values(cells: dict[str, Cell]) -> dict[str, float | int | None]:
    """value_of of every cell, each once (a cell enters several identities and derived sums)."""
    return {k: value_of(c) for k, c in cells.items()}


def run_checks(cells: dict[str, Cell], s3_version: str, values: dict[str, float | int | None] | None = None
               ) -> list[Check]:
    """``values``: cell_values(cells), when the caller has it already."""
    if values is None:
        values = cell_values(cells)
    get = values.get  # an absent key is None, as value_of(None)
    out: list[Check] = []
    for cid, lhs_keys, rhs_keys, keys, expr in _check_specs_keyed(s3_version):
        lv = list(map(get, lhs_keys))
        rv = list(map(get, rhs_keys))
        if None in lv or None in rv:
            out.append(Check(id=cid, ok=None, lhs=None, rhs=None, expr=expr, cells=keys))
            continue
        lhs, rhs = _num(sum(lv)), _num(sum(rv))
        out.append(Check(id=cid, ok=abs(lhs - rhs) < _TOL, lhs=lhs, rhs=rhs, expr=expr, cells=keys))
    return out


@cache
def _check_specs_keyed(s3_version: str) -> tuple[tuple[str, list[str], list[str], tuple[str, ...], str], ...]:
    """_check_specs with each identity's key tuple (what ``Check.cells`` holds) made once."""
    return tuple((cid, lhs, rhs, tuple(lhs + rhs), expr) for cid, lhs, rhs, expr in _check_specs(s3_version))


@cache
def _check_specs(s3_version: str) -> tuple[tuple[str, list[str], list[str], str], ...]:
    """(id, lhs keys, rhs keys, expr) of every identity for a §三 key set; built once per version."""
    specs: list[tuple[str, list[str], list[str], str]] = []
    for col in S3_COLUMNS:
        specs.append((
            f"I1.{col}", [f"s3.received_new.{col}", f"s3.carried_over_prev.{col}"],
            [f"s3.outcome.total.{col}", f"s3.carried_forward_next.{col}"],
            "received_new+carried_over_prev = outcome.total+carried_forward_next"))
    for col in S3_COLUMNS:
        specs.append((
            f"I2.{col}", [f"s3.outcome.total.{col}"], [f"s3.{r}.{col}" for r in outcome_rows(s3_version)],
            "outcome.total = sum of outcome rows"))
    for row in s3_rows(s3_version):
        specs.append((
            f"I3.{row}", [f"s3.{row}.total"], [f"s3.{row}.{c}" for c in S3_COLUMNS[:-1]],
            "total = natural_person+org_commercial+org_research+org_public_interest+org_legal_service+org_other"))
    for g in S4_GROUPS:
        specs.append((
            f"I4.{g}", [f"s4.{g}.total"], [f"s4.{g}.{c}" for c in S4_COLUMNS[:-1]],
            "total = upheld+corrected+other+pending"))
    return tuple(specs)
