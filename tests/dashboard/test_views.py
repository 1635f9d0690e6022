"""Dashboard views: access, filters in the query string, rendering, exports."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _q(county, **params):
    params.setdefault("scope", str(county["county"].public_id))
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _figure(resp, element_id):
    m = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', resp.content.decode(), re.S
    )
    assert m, element_id
    return json.loads(m.group(1))


# ------------------------------------------------------------------ access
@pytest.mark.parametrize(
    "name", ["dashboard-ranking", "dashboard-trend", "dashboard-overview", "dashboard-metrics"]
)
def test_an_outsider_is_sent_to_login_unless_the_dashboard_is_public(client, settings, county, name):
    settings.DASHBOARD_PUBLIC = False
    resp = client.get(reverse(name))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))
    settings.DASHBOARD_PUBLIC = True
    assert client.get(reverse(name)).status_code == 200


def test_a_signed_in_user_sees_the_private_dashboard(client, settings, county):
    from dashboard.models import Membership

    settings.DASHBOARD_PUBLIC = False
    user = get_user_model().objects.create_user("reviewer", password="x" * 12)
    Membership.objects.create(user=user, role=Membership.Role.VIEWER)
    client.force_login(user)
    assert client.get(reverse("dashboard-ranking")).status_code == 200
    resp = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id]))
    assert resp.status_code == 200


def test_organisation_page_is_protected_too(client, settings, county):
    settings.DASHBOARD_PUBLIC = False
    resp = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id]))
    assert resp.status_code == 302


# ------------------------------------------------------------------ ranking
def test_ranking_renders_with_its_filters_and_stable_ids(client, public, county):
    resp = client.get(reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021))
    assert resp.status_code == 200
    html = resp.content.decode()
    for element_id in (
        "filter-metric",
        "filter-year",
        "filter-compare",
        "filter-scope",
        "filter-kind",
        "filter-top",
        "chart-ranking",
        "fig-ranking",
        "ranking-table",
        "export-csv",
        "export-xlsx",
        "group-counts",
    ):
        assert f'id="{element_id}"' in html, element_id
    assert '<option value="share_granted" selected>' in html
    assert f'<option value="{county["county"].public_id}" selected>' in html
    assert "<script>" not in html  # no inline script: figures travel as JSON only
    assert "vendor/plotly/plotly.min.js" in html and "cdn" not in html.lower()


def test_ranking_table_shows_ties_n_no_requests_status_and_arrows(client, public, county):
    html = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021)
    ).content.decode()
    table = html[html.index('id="ranking-table"') :]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    text = [re.sub(r"<[^>]+>|\s+", " ", r).split() for r in rows]
    assert [t[0] for t in text[:4]] == ["1", "2", "2", "4"]
    assert text[0][1] == "乙镇" and text[0][2] == "80.0%" and text[0][3] == "10"
    assert "无申请" in " ".join(text[4]) and "丁乡" in text[4]
    assert "无报告" in " ".join(text[5])
    assert "已核实" in " ".join(text[0]) and "▼" in " ".join(text[0])
    jia = next(t for t in text if "甲镇" in t)
    assert "已更正" in jia and "▲" in " ".join(jia)


def test_ranking_chart_carries_the_ranked_units_only(client, public, county):
    resp = client.get(reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021))
    fig = _figure(resp, "fig-ranking")
    assert [y.split(". ")[1] for y in fig["data"][0]["y"]] == ["乙镇", "丙镇", "甲镇", "某局"]


def test_ranking_filters_by_kind(client, public, county):
    html = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_granted", kind="department")
    ).content.decode()
    table = html[html.index('id="ranking-table"') :]
    assert "某局" in table and "甲镇" not in table


def test_ranking_marks_a_change_across_template_versions_not_comparable(client, public, county):
    from dashboard.models import Report

    Report.objects.filter(pk__in=[county["jia2020"].pk, county["jia2021"].pk]).update(req_other=1)
    html = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_other", year=2021)
    ).content.decode()
    assert "不可比" in html


def test_bad_filter_values_fall_back_to_defaults(client, public, county):
    resp = client.get(reverse("dashboard-ranking") + "?metric=nope&year=abc&scope=not-a-uuid&kind=zzz")
    assert resp.status_code == 200
    assert '<option value="substantive_rate" selected>' in resp.content.decode()


def test_ranking_sorts_by_a_column(client, public, county):
    html = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021, sort="name")
    ).content.decode()
    table = html[html.index('id="ranking-table"') :]
    names = re.findall(r'/units/[0-9a-f-]+/">([^<]+)</a>', table)
    assert names == sorted(names)


def test_ranking_csv_export_has_bom_every_unit_and_a_descriptive_name(client, public, county):
    resp = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021, export="csv")
    )
    assert resp.status_code == 200
    assert resp.content.startswith(b"\xef\xbb\xbf")
    assert "ranking_share_granted_2021_" in resp["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["名次", "单位", "予以公开占比（2021，%）", "N（分母）"]
    body = {r[1]: r for r in rows[1:]}
    assert len(body) == 6
    assert body["乙镇"][0] == "1" and body["乙镇"][2] == "80.0" and body["乙镇"][3] == "10.0"
    assert body["丁乡"][0] == "无申请" and body["丁乡"][2] == ""
    assert body["甲镇"][5] == "30.0"  # change in percentage points


def test_ranking_xlsx_export_opens_with_openpyxl(client, public, county):
    resp = client.get(
        reverse("dashboard-ranking") + _q(county, metric="share_granted", year=2021, export="xlsx")
    )
    assert resp["Content-Disposition"].endswith(".xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][1] == "单位" and len(values) == 7
    assert values[1][1] == "乙镇" and values[1][2] == 80.0


# ------------------------------------------------------------------ year on year
def test_trend_renders_heatmap_slope_and_movers(client, public, county):
    resp = client.get(reverse("dashboard-trend") + _q(county, metric="share_granted", year=2021))
    assert resp.status_code == 200
    html = resp.content.decode()
    for element_id in (
        "chart-heatmap",
        "chart-slope",
        "improved-table",
        "declined-table",
        "matrix-table",
        "export-improved-csv",
        "export-declined-xlsx",
        "export-matrix-csv",
    ):
        assert f'id="{element_id}"' in html, element_id
    heat = _figure(resp, "fig-heatmap")["data"][0]
    assert heat["x"] == ["2020", "2021"] and "甲镇" in heat["y"]
    improved = html[html.index('id="improved-table"') : html.index('id="declined-table"')]
    assert "甲镇" in improved and "乙镇" not in improved


def test_trend_export_of_the_improved_table(client, public, county):
    resp = client.get(
        reverse("dashboard-trend")
        + _q(county, metric="share_granted", year=2021, export="csv", table="improved")
    )
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[1][0] == "甲镇" and rows[1][3] == "30.0"
    assert "trend-improved_share_granted_2021" in resp["Content-Disposition"]


def test_trend_warns_when_the_metric_is_not_comparable_across_versions(client, public, county):
    html = client.get(reverse("dashboard-trend") + _q(county, metric="normative_in_force")).content.decode()
    assert 'id="not-comparable-note"' in html


# ------------------------------------------------------------------ organisation
def test_organisation_page_shows_trend_reports_official_tables_and_provenance(client, public, county):
    from tests.dashboard import factories as f

    cells = f.cells_for({"s3.received_new.total": 7, "s3.outcome.granted.total": 5, "s4.review.total": None})
    report = f.report(county["yi"], 2022, cells=cells, checks=[])
    report.checks = [{"id": "I1.total", "ok": False, "lhs": 7, "rhs": 6, "expr": "a = b"}]
    report.save()
    resp = client.get(reverse("dashboard-organisation", args=[county["yi"].public_id]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for element_id in (
        "chart-trend",
        "fig-trend",
        "trend-table",
        "filter-metric",
        f"report-{report.public_id}",
        f"s2-{report.public_id}",
        f"s3-{report.public_id}",
        f"s4-{report.public_id}",
        f"checks-{report.public_id}",
        f"original-{report.public_id}",
    ):
        assert f'id="{element_id}"' in html, element_id
    key = f"cell-{report.public_id.hex[:12]}-s3.received_new.total"
    cell = re.search(rf'<td id="{re.escape(key)}"[^>]*>([^<]*)</td>', html)
    assert cell and cell.group(1) == "7"
    assert 'data-key="s3.received_new.total"' in html
    assert "st-missing" in html  # the unresolved §四 cell is flagged, not shown as 0
    assert 'rowspan="8"' in html and 'colspan="5">法人或其他组织' in html
    assert "I1.total" in html
    assert report.upload.original_name in html


def test_organisation_page_links_the_original_file(client, public, county):
    resp = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id]))
    html = resp.content.decode()
    upload = county["jia2021"].upload
    try:
        url = reverse("ingest-original", args=[upload.public_id])
    except Exception:  # the ingest URL may not exist yet: the name is still shown
        url = None
    if url:
        assert url in html
    assert upload.original_name in html


def test_organisation_page_marks_not_comparable_years(client, public, county):
    html = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id])).content.decode()
    table = html[html.index('id="trend-table"') :]
    row = re.search(r"现行有效行政规范性文件（件）</a></td>.*?</tr>", table, re.S).group(0)
    assert "不适用" in row and "不可比" in row


def test_organisation_trend_csv(client, public, county):
    resp = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id]) + "?export=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == ["类别", "指标", "2020", "2021"]
    granted = next(r for r in rows if r[1].startswith("予以公开占比"))
    assert granted[2].startswith("20.0%") and granted[3].startswith("50.0%")


def test_unknown_organisation_is_404(client, public, county):
    assert client.get("/units/00000000-0000-0000-0000-000000000000/").status_code == 404


# ------------------------------------------------------------------ overview
def test_overview_shows_which_units_report_and_which_do_not(client, public, county):
    resp = client.get(reverse("dashboard-overview") + _q(county))
    html = resp.content.decode()
    for element_id in (
        "chart-coverage",
        "coverage-summary-table",
        "coverage-table",
        "filter-scope",
        "filter-kind",
        "filter-missing",
        "export-summary-csv",
        "export-units-xlsx",
    ):
        assert f'id="{element_id}"' in html, element_id
    assert "缺报告" in html and "待审核" in html


def test_overview_filters_units_missing_a_year_and_exports_them(client, public, county):
    html = client.get(reverse("dashboard-overview") + _q(county, missing=2021)).content.decode()
    table = html[html.index('id="coverage-table"') :]
    assert "戊街道" in table and "甲镇" not in table
    resp = client.get(reverse("dashboard-overview") + _q(county, missing=2021, export="xlsx", table="units"))
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in ws[2]][0] == "戊街道"
    assert "missing-2021" in resp["Content-Disposition"]


def test_overview_summary_csv(client, public, county):
    resp = client.get(reverse("dashboard-overview") + _q(county, export="csv", table="summary"))
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["年度", "单位数", "已有报告", "缺报告"]
    assert ["2021", "6", "5", "1"] == rows[2][:4]


# ------------------------------------------------------------------ metric dictionary
def test_metric_dictionary_lists_every_metric_and_exports(client, public, county):
    from dashboard import metrics

    html = client.get(reverse("dashboard-metrics")).content.decode()
    for m in metrics.METRICS:
        assert m.name_zh in html
    assert "s4.review.pending" in html
    resp = client.get(reverse("dashboard-metrics") + "?export=csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(rows) == len(metrics.METRICS) + 1


def test_pages_switch_to_english(client, public, county):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dashboard-ranking") + _q(county, metric="share_granted")).content.decode()
    assert "Share granted" in html
    assert ">Rank<" in html.replace("\n", "").replace(" ", "") or "Rank</a>" in html
    assert "No report" in html and "Whole country" in html


def test_empty_database_renders_an_empty_state(client, public, db):
    for name in ("dashboard-ranking", "dashboard-trend", "dashboard-overview"):
        assert client.get(reverse(name)).status_code == 200


def test_organisation_page_lists_quality_checks_stored_as_rows(client, public, county):
    from dashboard.models import CheckResult

    CheckResult.objects.create(
        report=county["jia2021"],
        check_id="Y1.carried_over",
        ok=False,
        lhs=3,
        rhs=1,
        message="上年结转与上年报告不一致",
    )
    CheckResult.objects.create(report=county["jia2021"], check_id="V1.fine", ok=True)
    html = client.get(reverse("dashboard-organisation", args=[county["jia"].public_id])).content.decode()
    assert "Y1.carried_over" in html and "上年结转与上年报告不一致" in html
    assert "V1.fine" not in html


# ------------------------------------------------------------------ home
def _glance(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}">([^<]*)<', html)
    return m.group(1).strip() if m else None


def test_home_shows_the_latest_year_of_the_users_scope_at_a_glance(client, settings, county, django_user_model):
    from tests.conftest import make_user

    settings.DASHBOARD_PUBLIC = False
    reviewer = make_user(django_user_model, "rev", "reviewer", county["county"])
    client.force_login(reviewer)
    html = client.get(reverse("dashboard-home")).content.decode()
    # 2021: 5 of the county's 6 units reported (戊街道 did not); 丙镇 waits for review, 乙镇 is verified.
    assert "测试县 · 2021" in html
    assert _glance(html, "glance-reported") == "5" and "/ 6" in html
    assert _glance(html, "glance-missing") == "1"
    assert f'href="/overview/?scope={county["county"].public_id}&amp;missing=2021"' in html
    assert (_glance(html, "glance-needs-review"), _glance(html, "glance-verified")) == ("1", "1")
    assert _glance(html, "glance-to-review") == "1"  # the queue's count: 丙镇 2021
    missing = client.get(f"/overview/?scope={county['county'].public_id}&missing=2021").content.decode()
    table = missing[missing.index('id="coverage-table"'):]
    assert "戊街道" in table and "甲镇" not in table


def test_home_tells_nothing_to_an_outsider_and_no_review_count_to_a_viewer(client, settings, county, django_user_model):
    from tests.conftest import make_user

    settings.DASHBOARD_PUBLIC = False
    html = client.get(reverse("dashboard-home")).content.decode()
    assert 'id="home-glance"' not in html and 'id="home-links"' in html
    client.force_login(make_user(django_user_model, "viewer", "viewer", county["county"]))
    html = client.get(reverse("dashboard-home")).content.decode()
    assert _glance(html, "glance-reported") == "5"
    assert "glance-to-review" not in html


def test_home_of_the_public_dashboard_counts_the_whole_country(client, public, county):
    html = client.get(reverse("dashboard-home")).content.decode()
    assert "全国 · 2021" in html
    assert _glance(html, "glance-reported") == "5"
    assert "glance-to-review" not in html
