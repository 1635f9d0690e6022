"""Celery tasks: thin wrappers that take IDs and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from ingest import services

log = logging.getLogger(__name__)

# Only transient faults are retried: the database going away. A ParseError is final and is
# recorded on the upload by the service, never raised here.
TRANSIENT = (OperationalError, InterfaceError)
# Upload tasks are acknowledged only when done and redelivered if their worker dies; the claim in
# ingest.services makes a second delivery harmless.
UPLOAD_TASK = dict(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)


@shared_task(**UPLOAD_TASK)
def process_upload(self, upload_id: int) -> None:
    services.upload_process(upload_id=upload_id, task_id=self.request.id or "")


@shared_task(**UPLOAD_TASK)
def process_uploads(self, upload_ids: list[int]) -> None:
    """Several uploads in one task (bulk loads): one claim, each report in its own transaction.
    A retry after a transient fault claims only those still pending or still its own."""
    services.uploads_process(upload_ids=upload_ids, task_id=self.request.id or "")


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_stale_uploads() -> int:
    return services.uploads_sweep_stale()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_jitter=True, max_retries=5)
def reprocess_reports(report_ids: list[int], user_id: int | None = None) -> int:
    """Re-parse stored uploads of these reports with the current parser, keeping manual corrections.
    Out of time, the reports not yet done are sent on in a new task (each re-parse is atomic)."""
    from django.contrib.auth import get_user_model

    from dashboard.models import Report
    from dashboard.review import report_reprocess

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    done = 0
    reports = list(Report.objects.filter(pk__in=report_ids).order_by("pk").select_related("upload", "organisation"))
    for i, report in enumerate(reports):
        try:
            report_reprocess(report=report, user=user)
            done += 1
        except TRANSIENT:
            raise
        except SoftTimeLimitExceeded:
            # This report is sent on again unless it alone took the whole time (it keeps its old parse).
            if i == 0:
                log.error("reprocessing report %s alone outlasted the time limit; it keeps its old parse", report.pk)
            rest = [r.pk for r in reports[1 if i == 0 else i:]]
            if rest:
                log.warning("reprocessing ran out of time; %d reports sent on in a new task", len(rest))
                reprocess_reports.delay(rest, user_id)
            return done
        except Exception:  # one broken report must not stop the batch; it keeps its old parse
            log.exception("reprocessing report %s failed", report.pk)
    return done


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recheck_reports(report_ids: list[int]) -> int:
    """Run every quality check again on these reports (after the check catalogue changed)."""
    from dashboard.review import reports_recheck

    return reports_recheck(report_ids=report_ids)
