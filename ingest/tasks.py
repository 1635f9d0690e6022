"""Celery tasks: thin wrappers that take IDs and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ingest import services

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
    """Re-parse stored uploads of these reports with the current parser, keeping manual corrections."""
    import logging

    from django.contrib.auth import get_user_model

    from dashboard.models import Report
    from dashboard.review import report_reprocess

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    done = 0
    for report in Report.objects.filter(pk__in=report_ids).select_related("upload", "organisation"):
        try:
            report_reprocess(report=report, user=user)
            done += 1
        except TRANSIENT:
            raise
        except Exception:  # one broken report must not stop the batch; it keeps its old parse
            logging.getLogger(__name__).exception("reprocessing report %s failed", report.pk)
    return done


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def recheck_reports(report_ids: list[int]) -> int:
    """Run every quality check again on these reports (after the check catalogue changed)."""
    from dashboard.review import reports_recheck

    return reports_recheck(report_ids=report_ids)
