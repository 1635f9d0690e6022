"""Task bodies at their own boundary: the broker and the per-report service are stand-ins."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from dashboard.models import Report
from ingest import services, tasks
from ingest.parsing import synthetic
from ingest.parsing.render import render

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reports():
    files = [
        services.IncomingFile(f"{y}.txt", render(synthetic.generate_report(seed=1, year=y, agency="定州市砖路镇"), "txt"))
        for y in (2020, 2021, 2022)
    ]
    services.uploads_create(files)  # eager: parsed and stored now
    return sorted(Report.objects.values_list("pk", flat=True))


def _reprocess_running_out_of_time_at(monkeypatch, index: int):
    seen, sent = [], []

    def report_reprocess(*, report, user=None):
        seen.append(report.pk)
        if len(seen) == index + 1:
            raise SoftTimeLimitExceeded()

    monkeypatch.setattr("dashboard.review.report_reprocess", report_reprocess)
    monkeypatch.setattr(tasks.reprocess_reports, "delay", lambda ids, user_id: sent.append(ids))
    return seen, sent


def test_reprocessing_out_of_time_sends_the_rest_on(reports, monkeypatch):
    assert len(reports) == 3
    seen, sent = _reprocess_running_out_of_time_at(monkeypatch, 1)
    assert tasks.reprocess_reports.run(reports) == 1
    assert seen == reports[:2]
    assert sent == [reports[1:]]  # the interrupted one (rolled back) and the one not reached


def test_a_report_that_alone_outlasts_the_time_limit_is_not_sent_round_again(reports, monkeypatch):
    seen, sent = _reprocess_running_out_of_time_at(monkeypatch, 0)
    assert tasks.reprocess_reports.run(reports) == 0
    assert sent == [reports[1:]]
