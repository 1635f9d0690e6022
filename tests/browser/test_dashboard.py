"""An official browses the ranking, changes metric and year, and exports what they see; a reviewer
corrects a cell on the review page."""

from __future__ import annotations

import csv
import io
import time

import pytest

from dashboard.demo import demo_organisations
from dashboard.models import CellCorrection, Report
from ingest import services
from ingest.models import Upload
from ingest.parsing import synthetic
from ingest.parsing.render import render

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county_reports(celery_worker):
    """示例县's townships for 2022 and 2023, through the real worker."""
    demo_organisations()
    for i, agency in enumerate(synthetic.TOWNSHIPS):
        for report in synthetic.generate_series(seed=11, agency=agency, years=(2022, 2023)):
            services.upload_create(name=f"{i}-{report.report_year}.html", data=render(report, "html"))
    deadline = time.monotonic() + 120
    while Upload.objects.exclude(status__in=Upload.FINAL).exists():
        assert time.monotonic() < deadline, "the worker did not finish the reports"
        time.sleep(0.3)
    assert Report.objects.count() == 2 * len(synthetic.TOWNSHIPS)


def test_ranking_follows_metric_and_year_and_exports_what_is_shown(county_reports, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/ranking/")
    page.wait_for_selector("#chart-ranking[data-rendered=true]")
    page.select_option("#filter-metric", "licensing_decisions")
    page.select_option("#filter-year", "2022")
    page.click("#filter-submit")
    page.wait_for_url("**metric=licensing_decisions**")
    assert "year=2022" in page.url
    page.wait_for_selector("#chart-ranking[data-rendered=true]")
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == len(synthetic.TOWNSHIPS)

    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert download.suggested_filename.endswith(".csv") and "licensing_decisions" in download.suggested_filename
    raw = open(download.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens it as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    body = table[1:]
    assert len(body) == len(synthetic.TOWNSHIPS)
    expected = {
        r.organisation.name: r.licensing_decisions
        for r in Report.objects.filter(year=2022).select_related("organisation")
    }
    header = table[0]
    name_col = next(i for i, h in enumerate(header) if "单位" in h)
    value_col = next(i for i, h in enumerate(header) if "2022" in h)
    got = {row[name_col]: row[value_col] for row in body}
    for name, value in expected.items():
        assert any(name in k for k in got), name
        assert str(value) in [v for k, v in got.items() if name in k][0]


def test_a_reviewer_corrects_a_cell_and_the_history_shows_it(county_reports, logged_in_page, live_server):
    page = logged_in_page
    report = Report.objects.filter(year=2023).order_by("id").first()
    page.goto(f"{live_server.url}/review/reports/{report.public_id}/")
    key = "s2.art20_5.licensing.decisions"
    old = report.cells[key]["v"]
    # clicking a value cell in the parsed tables fills the correction form's key
    page.click(f'#parsed-tables td[data-key="{key}"]')
    assert page.input_value("#correct-key") == key
    form = page.locator("#correct form")
    form.locator("[name=value]").fill(str(old + 7))
    form.locator("[name=reason]").fill("原件第3页为此数")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.cells[key]["v"] == old + 7
    assert report.licensing_decisions == old + 7
    correction = CellCorrection.objects.get(report=report)
    assert correction.reason == "原件第3页为此数" and correction.user.username == "official"
    assert "原件第3页为此数" in page.inner_text("body")
