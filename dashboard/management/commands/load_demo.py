"""Load the demo data (示例县, fictional) through the real upload pipeline, once."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from dashboard.demo import demo_organisations, demo_write_files
from dashboard.models import Report


class Command(BaseCommand):
    help = "Generate 示例县's synthetic reports and import them through the worker (skipped if reports exist)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even if reports already exist")
        parser.add_argument("--timeout", type=float, default=900)

    def handle(self, *args, force, timeout, **options):
        if Report.objects.exists() and not force:
            self.stdout.write("demo data already loaded (reports exist); skipping")
            return
        demo_organisations()
        folder = Path(settings.DATA_DIR) / "demo-reports"
        files = demo_write_files(folder)
        self.stdout.write(f"==> importing {len(files)} demo files from {folder} through the worker")
        call_command("import_reports", *[str(f) for f in files], "--timeout", str(timeout), stdout=self.stdout)
