"""Import report files, folders and zips through the same pipeline as the web form.

    python manage.py import_reports PATH… [--no-wait] [--timeout SECONDS]

Each file becomes an upload handled by the Celery worker; the command waits for
every one to reach a final state, prints its outcome, and exits 1 if any failed.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ingest import services
from ingest.models import Upload

CHUNK = 200


class Command(BaseCommand):
    help = "Import report files, folders and .zip archives through the upload pipeline."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--no-wait", action="store_true", help="enqueue and return without waiting")
        parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the worker")
        parser.add_argument("--user", help="record the uploads as made by this user")

    def handle(self, *args, paths, no_wait, timeout, user, **options):
        uploader = None
        if user:
            try:
                uploader = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"no such user: {user}") from None
        files = list(self._files(paths))
        if not files:
            raise CommandError("no files found under the given paths")
        batch = uuid.uuid4()
        # In chunks: one transaction and a few bulk inserts per chunk, and never every file in memory.
        for start in range(0, len(files), CHUNK):
            chunk = files[start:start + CHUNK]
            services.uploads_create(
                (services.IncomingFile(path.name, path.read_bytes()) for path in chunk), user=uploader, batch=batch
            )
        self.stdout.write(f"queued {len(files)} file(s) as batch {batch}")
        if no_wait:
            return
        uploads = self._wait(batch, timeout)
        failed = 0
        for upload in uploads:
            if upload.is_archive:
                continue
            report = getattr(upload, "report", None)
            where = f" → {report.organisation or report.agency_name or '?'} {report.year or '?'} ({report.get_status_display()})" if report else ""
            self.stdout.write(f"{upload.get_status_display():6} {upload.original_name}{where}: {upload.message}")
            failed += upload.status == Upload.Status.FAILED
        pending = sum(1 for u in uploads if not u.is_final)
        self.stdout.write(f"done: {len(uploads)} file(s), {failed} failed, {pending} not finished")
        if failed or pending:
            raise SystemExit(1)

    def _files(self, paths):
        for path in paths:
            if path.is_dir():
                yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            elif path.is_file():
                yield path
            else:
                raise CommandError(f"not found: {path}")

    def _wait(self, batch, timeout) -> list[Upload]:
        """Poll cheaply until every upload of the batch is final (or time is up), then load them once."""
        deadline = time.monotonic() + timeout
        in_batch = Upload.objects.filter(batch=batch)
        while in_batch.exclude(status__in=Upload.FINAL).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        return list(
            in_batch.select_related("report__organisation")
            .only(
                "id", "original_name", "status", "message", "detected_format",
                "report__id", "report__status", "report__year", "report__agency_name", "report__organisation__name",
                "report__organisation__full_name",
            )
            .order_by("created", "id")
        )
