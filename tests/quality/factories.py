"""Reports for quality and review tests: every cell of a template version, 0 unless given."""

from __future__ import annotations

from dashboard import quality
from dashboard.models import Organisation, Report
from ingest.parsing.template import all_keys
from tests.dashboard import factories as f

MONEY = quality.MONEY_KEYS


def full_cells(version: str, values: dict[str, object] | None = None) -> dict:
    """All keys of ``version`` as printed zeros; ``values`` overrides: a number, or a cell dict."""
    cells = {}
    for key in all_keys(version):
        cells[key] = {"v": 0, "raw": "0", "st": "ok"}
        if key in MONEY:
            cells[key]["unit"] = "万元" if key == quality.FEE_KEY else None
    for key, value in (values or {}).items():
        if isinstance(value, dict):
            cells[key] = value
        elif value is None:
            cells[key] = {"v": None, "raw": None, "st": "missing"}
        else:
            cells[key] = {**cells.get(key, {}), "v": value, "raw": str(value), "st": "ok"}
    return cells


def balanced_requests(*, new: int = 3, carried_over: int = 0, granted: int = 2, carried_forward: int = 1) -> dict:
    """A §三 that satisfies I-1..I-3: applications from natural persons, granted or carried forward."""
    handled = new + carried_over - carried_forward
    values = {}
    for col in ("natural_person", "total"):
        values[f"s3.received_new.{col}"] = new
        values[f"s3.carried_over_prev.{col}"] = carried_over
        values[f"s3.outcome.granted.{col}"] = granted
        values[f"s3.outcome.partial.{col}"] = handled - granted
        values[f"s3.outcome.total.{col}"] = handled
        values[f"s3.carried_forward_next.{col}"] = carried_forward
    return values


def make_report(organisation: Organisation | None, year: int | None, *, values: dict | None = None,
                version: str | None = None, run_checks: bool = True, **fields) -> Report:
    version = version or ("2019" if (year or 2021) <= 2020 else "2021")
    cells = full_cells(version, values)
    org_for_factory = organisation or f.org("占位单位")
    report = f.report(org_for_factory, year or 2021, version=version, cells=cells, **fields)
    report.checks = quality.identity_checks(cells)
    updates = {"checks": report.checks}
    if organisation is None or year is None:
        report.organisation = organisation
        report.year = year
        updates.update(organisation=organisation, year=year)
    Report.objects.filter(pk=report.pk).update(**updates)
    if run_checks:
        quality.report_checks_run(report=report)
        report.refresh_from_db()
    return report
