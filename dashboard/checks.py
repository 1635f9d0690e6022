"""Django system checks: fail fast on a misconfigured deployment."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_storage(app_configs, **kwargs):
    problems = []
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.DEBUG:
        problems.append(
            Error(
                "CELERY_TASK_ALWAYS_EAGER is on outside DEBUG: uploads would be parsed inside web requests.",
                hint="Eager tasks are for unit tests only; unset CELERY_TASK_ALWAYS_EAGER.",
                id="dashboard.E001",
            )
        )
    engine = settings.DATABASES["default"]["ENGINE"]
    if not settings.DEBUG and engine.endswith("sqlite3"):
        problems.append(
            Warning(
                "Production is running on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database (see docs/deployment.md).",
                id="dashboard.W001",
            )
        )
    return problems
