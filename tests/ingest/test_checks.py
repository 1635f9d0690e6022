"""The ingest timings system check warns when a deployment breaks their order."""

from __future__ import annotations

from ingest.checks import check_ingest_timings


def ids() -> set[str]:
    return {w.id for w in check_ingest_timings(None)}


def test_the_default_timings_are_in_order(settings):
    assert ids() == set()


def test_each_broken_order_is_named(settings):
    settings.PARSE_TIME_BUDGET_SECONDS = 500
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 400
    settings.CELERY_TASK_TIME_LIMIT = 350
    settings.INGEST_STALE_PROCESSING_SECONDS = 300
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}
    assert ids() == {"ingest.W001", "ingest.W002", "ingest.W003", "ingest.W004"}


def test_the_embedded_broker_has_no_visibility_timeout_to_check(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": "/tmp/x"}
    assert ids() == set()
