"""CSV (UTF-8 with BOM) and XLSX exports; file names from view and filters."""

from __future__ import annotations

import csv
import io

import django_tables2 as tables
from openpyxl import load_workbook

from dashboard import exports


class _Table(tables.Table):
    name = tables.Column(verbose_name="单位")
    value = tables.Column(verbose_name="数值")


ROWS = [{"name": "甲镇", "value": 1.5}, {"name": "乙镇, 东", "value": None}]


def test_csv_starts_with_a_bom_and_round_trips_chinese_and_commas():
    data = exports.csv_bytes(exports.table_rows(_Table(ROWS)))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["单位", "数值"], ["甲镇", "1.5"], ["乙镇, 东", ""]]  # unknown stays empty, never 0


def test_xlsx_opens_with_openpyxl_and_keeps_numbers_numeric():
    data = exports.xlsx_bytes([["单位", "数值"], ["甲镇", 1.5], ["乙镇", None]], sheet="排名")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "排名"
    assert [c.value for c in ws[1]] == ["单位", "数值"]
    assert ws["B2"].value == 1.5 and ws["B3"].value is None


def test_file_name_is_view_plus_filters_and_safe():
    assert (
        exports.filename("ranking", ["share_granted", 2024, "某 县/区"], "csv")
        == "ranking_share_granted_2024_某-县-区.csv"
    )
    assert exports.filename("metrics", [], "xlsx") == "metrics.xlsx"


def test_response_sets_type_and_attachment_name():
    resp = exports.response([["a"], [1]], fmt="csv", name="排名.csv")
    assert resp["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in resp["Content-Disposition"]
        and "%E6%8E%92%E5%90%8D.csv" in resp["Content-Disposition"]
    )
    resp = exports.response([["a"], [1]], fmt="xlsx", name="x.xlsx")
    assert resp["Content-Type"] == exports.XLSX_TYPE
