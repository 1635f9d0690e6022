"""Fixtures for dashboard tests: a small county with townships, a street office and a department."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dashboard.models import CellCorrection, Organisation, Report
from tests.dashboard import factories as f


@pytest.fixture(autouse=True)
def _fresh_cache():
    """National ranking summaries are cached; no test may see another test's data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public(settings):
    settings.DASHBOARD_PUBLIC = True
    return settings


@pytest.fixture
def county(db):
    """测试县 with five units and reports for 2020 (V2019) and 2021 (V2021).

    2021 share granted: 甲镇 5/10, 乙镇 8/10, 丙镇 5/10 (tie with 甲镇), 丁乡 0/0 (无申请),
    戊街道 has no 2021 report, 某局 (department) 1/4. 甲镇 2020: 2/10.
    """
    h = f.hierarchy()
    k = h["county"]
    units = {
        "jia": f.org("甲镇", parent=k),
        "yi": f.org("乙镇", parent=k),
        "bing": f.org("丙镇", parent=k),
        "ding": f.org("丁乡", parent=k, kind=Organisation.Kind.XIANG),
        "wu": f.org("戊街道", parent=k, kind=Organisation.Kind.JIEDAO),
        "ju": f.org("某局", parent=k, level=Organisation.Level.DEPARTMENT, kind=Organisation.Kind.DEPARTMENT),
    }
    reports = {
        "jia2021": f.report(units["jia"], 2021, normative_in_force=12, **f.requests_figs(5, 10)),
        "yi2021": f.report(
            units["yi"], 2021, status=Report.Status.VERIFIED, normative_in_force=3, **f.requests_figs(8, 10)
        ),
        "bing2021": f.report(
            units["bing"], 2021, status=Report.Status.NEEDS_REVIEW, **f.requests_figs(5, 10)
        ),
        "ding2021": f.report(units["ding"], 2021, **f.requests_figs(0, 0)),
        "ju2021": f.report(units["ju"], 2021, **f.requests_figs(1, 4)),
        "jia2020": f.report(units["jia"], 2020, **f.requests_figs(2, 10)),
        "yi2020": f.report(units["yi"], 2020, **f.requests_figs(9, 10)),
        "wu2020": f.report(units["wu"], 2020, **f.requests_figs(3, 3)),
    }
    CellCorrection.objects.create(
        report=reports["jia2021"],
        key="s3.outcome.granted.total",
        old={"v": 4},
        new={"v": 5},
        reason="原表合计有误",
    )
    return {**h, **units, **reports}
