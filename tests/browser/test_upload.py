"""A township clerk uploads a report in the browser and watches it being parsed."""

from __future__ import annotations

import pytest

from dashboard.models import Report
from tests.paths import SEED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_upload_in_the_browser_reaches_done_and_shows_its_report(celery_worker, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/ingest/upload/")
    page.set_input_files("#upload-files", str(SEED))
    page.click("#upload-submit")
    page.wait_for_url("**/ingest/batches/**")
    page.wait_for_selector("#batch-summary[data-done=true]", timeout=60000)
    badge = page.locator("#batch-table [data-role=status]").first
    assert badge.get_attribute("class") == "status status-done"
    assert "已完成" in badge.inner_text()

    page.click("#batch-table a")
    assert "砖路镇" in page.inner_text("#report-organisation")
    assert page.inner_text("#report-year") == "2020"
    assert Report.objects.get().status == Report.Status.PARSED


def test_the_same_file_twice_shows_as_a_duplicate(celery_worker, logged_in_page, live_server):
    page = logged_in_page
    for _ in range(2):
        page.goto(f"{live_server.url}/ingest/upload/")
        page.set_input_files("#upload-files", str(SEED))
        page.click("#upload-submit")
        page.wait_for_selector("#batch-summary[data-done=true]", timeout=60000)
    assert page.locator("#batch-table [data-role=status]").first.get_attribute("class") == "status status-duplicate"
    assert "内容完全相同" in page.inner_text("#batch-table [data-role=message]")
    assert Report.objects.count() == 1
