"""Two workers storing reports of the same organisation at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dashboard import quality
from dashboard.models import Report
from ingest import services
from ingest.models import Upload
from ingest.parsing import synthetic
from ingest.parsing.render import render

pytestmark = pytest.mark.django_db(transaction=True)

TOWN = "定州市砖路镇"


def report_file(year: int, seed: int) -> services.IncomingFile:
    return services.IncomingFile(f"{seed}-{year}.txt", render(synthetic.generate_report(seed=seed, year=year, agency=TOWN), "txt"))


def store_at_once(monkeypatch, uploads: list[Upload]) -> None:
    """Process the uploads in parallel threads (each with its own connection, like two workers),
    holding each one, once it has read its neighbours, until the other has too — or 2 s passed
    (which is what happens when the store waits for the other's lock)."""
    barrier = threading.Barrier(len(uploads), timeout=2)
    real = quality.prepare_new

    def meet(report, *, previous):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real(report, previous=previous)

    monkeypatch.setattr(quality, "prepare_new", meet)
    errors = []

    def work(upload):
        try:
            services.upload_process(upload_id=upload.pk, task_id=f"t{upload.pk}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in uploads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite lets one writer in at a time)")


def test_two_versions_of_one_year_stored_at_once_leave_exactly_one_current(postgresql_only, broker, monkeypatch):
    (first,) = services.uploads_create([report_file(2021, seed=1)])
    services.upload_process(upload_id=first.pk, task_id="first")  # the organisation exists
    uploads = services.uploads_create([report_file(2022, seed=2), report_file(2022, seed=3)])
    store_at_once(monkeypatch, uploads)
    versions = list(Report.objects.filter(organisation__name="砖路镇", year=2022).order_by("-created", "-id"))
    assert len(versions) == 2
    assert [r.is_current for r in versions] == [True, False]  # the newest good version, once


def test_neighbouring_years_stored_at_once_see_each_other(postgresql_only, broker, monkeypatch):
    (first,) = services.uploads_create([report_file(2020, seed=1)])
    services.upload_process(upload_id=first.pk, task_id="first")  # the organisation exists
    uploads = services.uploads_create([report_file(2021, seed=2), report_file(2022, seed=3)])
    store_at_once(monkeypatch, uploads)
    later = Report.objects.get(organisation__name="砖路镇", year=2022)
    # synthetic years are not chained, so last year's carry-over disagrees: the check ran and failed
    assert later.check_results.filter(check_id__startswith="Y").exists()
