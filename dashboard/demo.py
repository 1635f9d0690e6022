"""Demo data: our own synthetic reports for 示例县, a clearly fictional county.

The organisations are created as master data (the fictional county is not in the national
division list); the reports themselves are written as real files in every format the
parser reads and then go through the real pipeline (import_reports → worker → parse →
checks → store), exactly like a county's first bulk load.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dashboard.divisions import Division
from dashboard.models import Organisation
from dashboard.services import organisation_get_or_create_path
from ingest.parsing import synthetic
from ingest.parsing.render import EXTENSIONS, render

PROVINCE, CITY = "示例省", "示例市"
YEARS = range(2019, 2026)
FORMATS = ("html", "txt", "docx", "pdf")
# A few deliberate mistakes, so the review pages have something to show.
ERRORS: dict[tuple[str, int], tuple[str, ...]] = {
    ("示例县青石镇", 2023): ("broken_identity",),
    ("示例县南山乡", 2024): ("missing_carry_over",),
    ("示例县石门乡", 2022): ("township_regulations",),
    ("示例县新华街道", 2021): ("broken_identity",),
}


# Reports a county is still waiting for: they show up as gaps in the coverage views.
MISSING = {("示例县北岭乡", 2021), ("示例县桃源镇", 2024)}


def _kind(agency: str) -> str:
    for suffix in ("街道", "民族乡", "镇", "乡"):
        if agency.endswith(suffix):
            return suffix
    return Organisation.Kind.OTHER


def demo_organisations() -> list[Organisation]:
    """示例省 › 示例市 › 示例县 › its 乡镇 and 街道, named as the reports name them."""
    county = [Division(None, PROVINCE, "province", "省"), Division(None, CITY, "city", "市"),
              Division(None, synthetic.COUNTY, "county", "县")]
    orgs = []
    for agency in synthetic.TOWNSHIPS:
        short = agency.removeprefix(synthetic.COUNTY)
        org = organisation_get_or_create_path([*county, Division(None, short, "township", _kind(agency))])
        if org.full_name != agency:
            Organisation.objects.filter(pk=org.pk).update(full_name=agency)
        orgs.append(org)
    return orgs


def demo_write_files(folder: Path, *, seed: int = 2024) -> list[Path]:
    """Render 示例县's reports for 2019–2025 in rotating formats; the 2025 ones also go into a zip."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, agency in enumerate(synthetic.TOWNSHIPS):
            errors = {year: errs for (name, year), errs in ERRORS.items() if name == agency}
            for report in synthetic.generate_series(seed=seed, agency=agency, years=YEARS, errors=errors):
                if (agency, report.report_year) in MISSING:
                    continue
                fmt = FORMATS[(i + report.report_year) % len(FORMATS)]
                name = f"{agency}{report.report_year}年政府信息公开工作年度报告{EXTENSIONS[fmt]}"
                data = render(report, fmt)
                if report.report_year == max(YEARS):
                    archive.writestr(name, data)
                    continue
                path = folder / name
                path.write_bytes(data)
                written.append(path)
    archive_path = folder / f"{synthetic.COUNTY}{max(YEARS)}年度报告（批量）.zip"
    archive_path.write_bytes(zipped.getvalue())
    written.append(archive_path)
    return written
