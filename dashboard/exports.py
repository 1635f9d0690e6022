"""CSV and XLSX downloads of any django-tables2 table.

CSV is UTF-8 with a byte-order mark, because Excel on Chinese Windows reads a
CSV without one as GBK and garbles every character. File names say which view
and which filters produced them, e.g. ``排名_substantive_rate_2024_某某县.csv``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def requested(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in FORMATS else None


def filename(view: str, parts: Iterable[str], fmt: str) -> str:
    stem = "_".join(_UNSAFE.sub("-", str(p)).strip("-") for p in (view, *parts) if p not in (None, ""))
    return f"{stem}.{fmt}"


def table_rows(table, exclude: Sequence[str] = ()) -> list[list]:
    """Header plus every row of the table (all pages), as plain values."""
    return [list(row) for row in table.as_values(exclude_columns=exclude)]


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Iterable[Sequence], *, sheet: str = "data") -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_UNSAFE.sub("-", sheet)[:31] or "data")
    for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(v):
    if v is None or isinstance(v, (int, float, str)):
        return v
    try:
        return float(v)  # Decimal
    except (TypeError, ValueError):
        return str(v)


def response(rows: list[list], *, fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        resp = HttpResponse(xlsx_bytes(rows, sheet=name.rsplit(".", 1)[0]), content_type=XLSX_TYPE)
    else:
        resp = HttpResponse(csv_bytes(rows), content_type=CSV_TYPE)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


def table_response(
    table, *, fmt: str, view: str, parts: Iterable[str], exclude: Sequence[str] = ()
) -> HttpResponse:
    return response(table_rows(table, exclude), fmt=fmt, name=filename(view, parts, fmt))
