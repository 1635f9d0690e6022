"""Rows for dashboard tests: organisations, uploads and reports created directly (no parsing)."""

from __future__ import annotations

import hashlib
import uuid
from itertools import count

from django.core.files.base import ContentFile

from dashboard import figures
from dashboard.models import Organisation, Report
from ingest.models import Upload

_seq = count(1)
Level = Organisation.Level
Kind = Organisation.Kind


def org(
    name: str,
    *,
    level: str = Level.TOWNSHIP,
    kind: str = Kind.ZHEN,
    parent: Organisation | None = None,
    code: str | None = None,
) -> Organisation:
    province = city = county = None
    if parent is not None:
        province = parent if parent.level == Level.PROVINCE else parent.province
        city = parent if parent.level == Level.CITY else parent.city
        county = parent if parent.level == Level.COUNTY else parent.county
    return Organisation.objects.create(
        name=name,
        full_name=(f"{parent.full_name}{name}" if parent else name),
        level=level,
        kind=kind,
        parent=parent,
        province=province,
        city=city,
        county=county,
        code=code,
    )


def hierarchy() -> dict[str, Organisation]:
    """One province › city › county with no units yet."""
    p = org("测试省", level=Level.PROVINCE, kind=Kind.PROVINCE, code="990000")
    c = org("测试市", level=Level.CITY, kind=Kind.CITY, parent=p, code="990100")
    k = org("测试县", level=Level.COUNTY, kind=Kind.COUNTY, parent=c, code="990101")
    return {"province": p, "city": c, "county": k}


def upload(name: str = "report.docx", content: bytes | None = None) -> Upload:
    n = next(_seq)
    content = content or f"report {n}".encode()
    up = Upload(
        batch=uuid.uuid4(), original_name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest()
    )
    up.file.save(f"u{n}.bin", ContentFile(content), save=False)
    up.status = Upload.Status.DONE
    up.save()
    return up


def cells_for(values: dict[str, float | int | None]) -> dict:
    """Cells from {key: value}; None makes a ``missing`` cell."""
    out = {}
    for key, v in values.items():
        out[key] = (
            {"v": None, "raw": "", "st": "missing"} if v is None else {"v": v, "raw": str(v), "st": "ok"}
        )
    return out


def report(
    organisation: Organisation,
    year: int,
    *,
    version: str | None = None,
    status: str = Report.Status.PARSED,
    is_current: bool = True,
    cells: dict | None = None,
    **figs,
) -> Report:
    """A report; headline figures from ``figs`` (and from ``cells`` when given)."""
    version = version or ("2019" if year <= 2020 else "2021")
    values = figures.compute(cells) if cells else {}
    values = {k: v for k, v in values.items() if v is not None}
    values.update(figs)
    return Report.objects.create(
        organisation=organisation,
        year=year,
        upload=upload(f"{organisation.name}{year}.docx"),
        agency_name=organisation.name,
        title=f"{organisation.name}{year}年政府信息公开工作年度报告",
        version=version,
        version_s2=version,
        version_s3=version,
        parser_version="test",
        status=status,
        is_current=is_current,
        cells=cells or {},
        **values,
    )


def requests_figs(
    granted: int,
    handled: int,
    *,
    partial: int = 0,
    denied: int = 0,
    unable: int = 0,
    not_processed: int = 0,
    other: int = 0,
) -> dict:
    return {
        "req_new": handled,
        "req_carried_over": 0,
        "req_handled": handled,
        "req_granted": granted,
        "req_partial": partial,
        "req_denied": denied,
        "req_unable": unable,
        "req_not_processed": not_processed,
        "req_other": other,
        "req_carried_forward": 0,
    }
