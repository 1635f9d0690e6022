"""Celery tasks: thin wrappers that take IDs and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ingest import services

# Only transient faults are retried: the database going away. A ParseError is final and is
# recorded on the upload by the service, never raised here.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def process_upload(self, upload_id: int) -> None:
    services.upload_process(upload_id=upload_id, task_id=self.request.id or "")


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_stale_uploads() -> int:
    return services.uploads_sweep_stale()
