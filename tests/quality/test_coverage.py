"""Coverage and timeliness for a county and a year: who reported, when, against which deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dashboard import review
from dashboard.models import Organisation, Report
from tests.dashboard import factories as f
from tests.quality.factories import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(county):
    return {
        "county": county,
        "on_time": f.org("甲镇", parent=county),
        "late": f.org("乙乡", parent=county, kind=Organisation.Kind.XIANG),
        "undated": f.org("城关街道", parent=county, kind=Organisation.Kind.JIEDAO),
        "missing": f.org("丙镇", parent=county),
        "dept": f.org("县财政局", parent=county, level=Organisation.Level.DEPARTMENT, kind=Organisation.Kind.DEPARTMENT),
    }


def test_deadlines_follow_article_49():
    county = Organisation(level=Organisation.Level.COUNTY)
    dept = Organisation(level=Organisation.Level.DEPARTMENT)
    town = Organisation(level=Organisation.Level.TOWNSHIP)
    assert review.deadline_for(county, 2021) == dt.date(2022, 3, 31)
    assert review.deadline_for(dept, 2021) == dt.date(2022, 1, 31)
    assert review.deadline_for(town, 2021) == dt.date(2022, 1, 31)


def test_the_township_deadline_is_a_setting(settings):
    settings.REVIEW_TOWNSHIP_DEADLINE = "03-31"
    assert review.deadline_for(Organisation(level=Organisation.Level.TOWNSHIP), 2021) == dt.date(2022, 3, 31)


def test_coverage_lists_every_unit_with_timeliness_and_review_state(units):
    make_report(units["county"], 2021, published_date=dt.date(2022, 3, 30))
    make_report(units["on_time"], 2021, published_date=dt.date(2022, 1, 20))
    make_report(units["late"], 2021, published_date=dt.date(2022, 2, 10), values={"s4.review.total": 5})
    make_report(units["undated"], 2021)
    make_report(units["dept"], 2021, published_date=dt.date(2022, 2, 1))
    make_report(units["missing"], 2020, published_date=dt.date(2021, 1, 5))  # another year
    rows = {r.organisation.name: r for r in review.coverage_for(county=units["county"], year=2021)}
    assert rows["测试县"].timeliness == "on_time"
    assert rows["甲镇"].timeliness == "on_time"
    assert (rows["乙乡"].timeliness, rows["乙乡"].days_late) == ("late", 10)
    assert rows["乙乡"].needs_review and not rows["甲镇"].needs_review
    assert rows["城关街道"].timeliness == "undated"
    assert rows["丙镇"].timeliness == "missing" and rows["丙镇"].report is None
    assert (rows["县财政局"].timeliness, rows["县财政局"].days_late) == ("late", 1)
    summary = review.coverage_summary(list(rows.values()))
    assert summary == {"units": 6, "with_report": 5, "missing": 1, "on_time": 2, "late": 2, "undated": 1,
                       "needs_review": 1, "verified": 0}


def test_coverage_prefers_the_current_report(units):
    old = make_report(units["on_time"], 2021, published_date=dt.date(2022, 3, 1), is_current=False)
    new = make_report(units["on_time"], 2021, published_date=dt.date(2022, 1, 3), is_current=True)
    Report.objects.filter(pk=old.pk).update(is_current=False)
    row = next(r for r in review.coverage_for(county=units["county"], year=2021) if r.organisation == units["on_time"])
    assert row.report.pk == new.pk


def test_the_coverage_page_and_its_csv(client, reviewer, units):
    make_report(units["late"], 2021, published_date=dt.date(2022, 2, 10))
    client.force_login(reviewer)
    url = reverse("review-coverage")
    html = client.get(url, {"county": units["county"].public_id, "year": 2021}).content.decode()
    assert "乙乡" in html and "逾期" in html and "未找到报告" in html
    response = client.get(url, {"county": units["county"].public_id, "year": 2021, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("单位,层级,年度")
    assert any(line.split(",")[0].endswith("乙乡") and ",2022-02-10,2022-01-31,逾期,10," in line for line in lines)
