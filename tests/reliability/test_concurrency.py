"""Two workers storing reports at the same moment (unit stack: the collision is simulated).

The real race runs in tests/reliability/test_faults.py and bench/bench_load.py: two worker
processes placing reports under the same new organisation both try to create it
(``organisation_get_or_create_path`` is check-then-create) and the later INSERT fails on the
unique code. The store must then run again, not leave the upload "processing".
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from dashboard.models import Report
from ingest import services
from ingest.models import Upload
from tests.paths import SEED

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organisation_created_concurrently_does_not_lose_the_upload(monkeypatch):
    from dashboard import services as dashboard_services

    real = dashboard_services.organisation_place
    calls = []

    def collide_once(*, agency_name):
        calls.append(agency_name)
        if len(calls) == 1:
            # What PostgreSQL answers when another worker committed the same organisation first.
            raise IntegrityError('duplicate key value violates unique constraint "dashboard_organisation_code_key"')
        return real(agency_name=agency_name)

    monkeypatch.setattr(dashboard_services, "organisation_place", collide_once)
    upload = services.upload_create(name="seed.txt", data=SEED.read_bytes())
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE, upload.message
    assert len(calls) == 2
    assert Report.objects.filter(upload=upload).count() == 1
    assert upload.report.organisation.full_name.endswith("砖路镇")


def test_an_upload_that_keeps_colliding_is_not_stored_twice(monkeypatch):
    from dashboard import services as dashboard_services

    def always_collide(*, agency_name):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(dashboard_services, "organisation_place", always_collide)
    monkeypatch.setattr("ingest.tasks.process_upload.delay", lambda upload_id: None)
    upload = services.upload_create(name="seed.txt", data=SEED.read_bytes())
    with pytest.raises(IntegrityError):  # after three tries it is the task's failure, as before
        services.upload_process(upload_id=upload.pk, task_id="t1")
    assert not Report.objects.exists()
    upload.refresh_from_db()
    assert (upload.status, upload.attempts) == (Upload.Status.PROCESSING, 1)  # the task retries it, else the sweep
