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


def _check(cid: str, lhs_keys: list[str], rhs_keys: list[str], cells: dict[str, Cell], expr: str) -> Check:
    lv = [value_of(cells.get(k)) for k in lhs_keys]
    rv = [value_of(cells.get(k)) for k in rhs_keys]
    keys = tuple(lhs_keys + rhs_keys)
    if any(v is None for v in lv + rv):
        return Check(id=cid, ok=None, lhs=None, rhs=None, expr=expr, cells=keys)
    lhs, rhs = _num(sum(lv)), _num(sum(rv))
    return Check(id=cid, ok=abs(lhs - rhs) < _TOL, lhs=lhs, rhs=rhs, expr=expr, cells=keys)


def _num(x: float | int) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 6)


def outcome_rows(version: str) -> list[str]:
    return [r for r in s3_rows(version) if r.startswith("outcome.") and r != "outcome.total"]


def run_checks(cells: dict[str, Cell], s3_version: str) -> list[Check]:
    return [_check(cid, lhs, rhs, cells, expr) for cid, lhs, rhs, expr in _check_specs(s3_version)]


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
