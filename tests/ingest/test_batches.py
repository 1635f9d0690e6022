"""Bulk loads: many files created in one call, sent to the workers in batches, stored one
transaction per report."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from dashboard.models import AuditLog, Organisation, Report
from ingest import services
from ingest.models import Upload
from ingest.parsing import synthetic
from ingest.parsing.render import render

pytestmark = pytest.mark.django_db(transaction=True)

TOWNS = ["定州市砖路镇", "定州市开元镇", "定州市东亭镇", "定州市李亲顾镇", "定州市大辛庄镇"]


def report_file(agency: str, year: int, seed: int = 1) -> services.IncomingFile:
    text = render(synthetic.generate_report(seed=seed, year=year, agency=agency), "txt")
    return services.IncomingFile(f"{agency}-{year}.txt", text)


@pytest.fixture
def sent(monkeypatch):
    """The broker boundary: what would be sent, as ("one", id) or ("many", [ids])."""
    messages: list[tuple[str, object]] = []
    monkeypatch.setattr("ingest.tasks.process_upload.delay", lambda upload_id: messages.append(("one", upload_id)))
    monkeypatch.setattr("ingest.tasks.process_uploads.delay", lambda ids: messages.append(("many", list(ids))))
    return messages


def test_many_files_are_recorded_in_one_call_with_duplicates_and_refusals(sent, seed_bytes):
    earlier = services.upload_create(name="seed.txt", data=seed_bytes)
    sent.clear()
    files = [report_file(t, 2022) for t in TOWNS[:3]] + [
        report_file(TOWNS[0], 2022),  # the same bytes as the first file of this call
        services.IncomingFile("again.txt", seed_bytes),  # the same bytes as an earlier upload
        services.IncomingFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
    ]
    uploads = services.uploads_create(files)
    assert [u.original_name for u in uploads] == [f.name for f in files]
    assert len({u.batch for u in uploads}) == 1
    rows = {u.original_name: u for u in Upload.objects.filter(pk__in=[u.pk for u in uploads])}
    first = rows[files[0].name]
    assert [u.status for u in uploads[:3]] == [Upload.Status.PENDING] * 3
    copy = Upload.objects.get(pk=uploads[3].pk)
    assert copy.status == Upload.Status.DUPLICATE and copy.duplicate_of_id == first.pk
    assert rows["again.txt"].status == Upload.Status.DUPLICATE and rows["again.txt"].duplicate_of_id == earlier.pk
    assert rows["photo.png"].status == Upload.Status.FAILED and "图片" in rows["photo.png"].message
    for u, f in zip(uploads, files, strict=True):  # every original is kept, byte for byte
        with Upload.objects.get(pk=u.pk).file.open("rb") as fh:
            assert fh.read() == f.data
    assert AuditLog.objects.filter(action="upload").count() == 1 + len(files)
    # only the three new reports go to the workers, spread over more than one task
    sent_ids = [i for kind, ids in sent for i in (ids if kind == "many" else [ids])]
    assert sorted(sent_ids) == sorted(u.pk for u in uploads[:3])
    assert len(sent) >= 2


@pytest.mark.parametrize(
    ("sizes", "batch", "max_bytes", "expected"),
    [
        ([10] * 100, 25, 10_000, [25, 25, 25, 25]),
        ([10] * 6, 25, 10_000, [2, 2, 2]),  # small loads still spread over workers
        ([5000] * 4 + [10] * 8, 25, 6000, [1, 1, 1, 3, 3, 3]),  # big files travel (nearly) alone
        ([10] * 3, 25, 10_000, [1, 1, 1]),
    ],
)
def test_uploads_are_sent_in_batches_bounded_by_count_and_bytes(settings, sizes, batch, max_bytes, expected):
    settings.INGEST_TASK_BATCH = batch
    settings.INGEST_TASK_BATCH_BYTES = max_bytes
    uploads = [Upload(pk=i + 1, size=s) for i, s in enumerate(sizes)]
    batches = services.task_batches(uploads)
    assert [len(b) for b in batches] == expected
    assert [pk for b in batches for pk in b] == [u.pk for u in uploads]
    assert services.task_batches(uploads, one_per_task=True) == [[u.pk] for u in uploads]


def test_a_batch_stores_each_report_and_places_repeated_organisations_once(sent, monkeypatch):
    from dashboard import services as dashboard_services

    placed: list[str] = []
    place = dashboard_services.organisation_place

    def counting_place(*, agency_name):
        placed.append(agency_name)
        return place(agency_name=agency_name)

    monkeypatch.setattr(dashboard_services, "organisation_place", counting_place)
    files = [report_file(TOWNS[0], year) for year in (2020, 2021, 2022)] + [report_file(TOWNS[1], 2022)]
    uploads = services.uploads_create(files)
    generation = selectors._generation()
    processed = services.uploads_process(upload_ids=[u.pk for u in uploads], task_id="batch-1")
    assert sorted(placed) == sorted(TOWNS[:2])  # one lookup per organisation, not per report
    assert selectors._generation() > generation  # the dashboard's cached summaries know
    assert [u.pk for u in processed] == [u.pk for u in uploads]
    for u in Upload.objects.filter(pk__in=[u.pk for u in uploads]):
        assert u.status == Upload.Status.DONE, u.message
        assert u.task_id == "batch-1" and u.attempts == 1
    zhuanlu = Organisation.objects.get(name="砖路镇")
    assert sorted(Report.objects.filter(organisation=zhuanlu).values_list("year", flat=True)) == [2020, 2021, 2022]
    assert Report.objects.filter(organisation__name="开元镇", year=2022).count() == 1
    # the cross-year checks saw last year's report stored earlier in the same batch
    assert Report.objects.get(organisation=zhuanlu, year=2021).check_results.filter(check_id__startswith="Y1").exists()
    assert not Report.objects.get(organisation=zhuanlu, year=2020).check_results.filter(check_id__startswith="Y1").exists()
    # a second delivery of the same message finds nothing left to do
    assert services.uploads_process(upload_ids=[u.pk for u in uploads], task_id="batch-2") == []
    assert Report.objects.count() == 4


def test_a_batch_costs_fewer_queries_per_report_than_one_task_per_report(sent):
    warm = services.uploads_create([report_file(t, 2020) for t in TOWNS])
    services.uploads_process(upload_ids=[u.pk for u in warm], task_id="warm")  # organisations exist now
    singles = services.uploads_create([report_file(t, 2021) for t in TOWNS[:2]])
    with CaptureQueriesContext(connection) as one_by_one:
        for u in singles:
            services.upload_process(upload_id=u.pk, task_id=f"single-{u.pk}")
    batch = services.uploads_create([report_file(t, 2022) for t in TOWNS])
    with CaptureQueriesContext(connection) as batched:
        services.uploads_process(upload_ids=[u.pk for u in batch], task_id="batch")
    assert Report.objects.filter(year=2022).count() == len(TOWNS)
    per_report_single = len(one_by_one.captured_queries) / len(singles)
    per_report_batch = len(batched.captured_queries) / len(batch)
    assert per_report_batch < per_report_single - 1.5, (per_report_single, per_report_batch)


def test_when_the_soft_time_limit_strikes_the_rest_of_the_batch_is_sent_again(sent, monkeypatch):
    uploads = services.uploads_create([report_file(t, 2022) for t in TOWNS[:4]])
    real = services._parse_and_store
    calls = []

    def slow_second(upload, data, shared=None):
        calls.append(upload.pk)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return real(upload, data, shared)

    monkeypatch.setattr(services, "_parse_and_store", slow_second)
    sent.clear()
    services.uploads_process(upload_ids=[u.pk for u in uploads], task_id="slow")
    states = [Upload.objects.get(pk=u.pk).status for u in uploads]
    assert states == [Upload.Status.DONE, Upload.Status.PENDING, Upload.Status.PENDING, Upload.Status.PENDING]
    assert sent == [("one", u.pk) for u in uploads[1:]]  # one per task this time
    assert Report.objects.count() == 1


def test_a_file_that_alone_outlasts_the_time_limit_is_left_to_the_sweep(sent, monkeypatch):
    uploads = services.uploads_create([report_file(t, 2022) for t in TOWNS[:3]])

    def too_slow(upload, data, shared=None):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_parse_and_store", too_slow)
    sent.clear()
    with pytest.raises(SoftTimeLimitExceeded):
        services.uploads_process(upload_ids=[u.pk for u in uploads], task_id="slow")
    states = [Upload.objects.get(pk=u.pk).status for u in uploads]
    assert states == [Upload.Status.PROCESSING, Upload.Status.PENDING, Upload.Status.PENDING]
    assert sent == [("one", uploads[1].pk), ("one", uploads[2].pk)]


def test_a_batch_the_broker_refuses_stays_pending_for_the_sweep(monkeypatch):
    def broker_down(ids):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("ingest.tasks.process_uploads.delay", broker_down)
    monkeypatch.setattr("ingest.tasks.process_upload.delay", broker_down)
    uploads = services.uploads_create([report_file(t, 2022) for t in TOWNS])
    rows = Upload.objects.filter(pk__in=[u.pk for u in uploads])
    assert {(u.status, u.enqueued) for u in rows} == {(Upload.Status.PENDING, None)}
