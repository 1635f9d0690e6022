"""System checks for the ingest timings: the redelivery, sweep and claim logic of ingest.services
relies on their order (parse budget < soft limit < hard limit < visibility timeout and < the sweep's
processing cut-off). Each is its own environment variable, so a deployment can break the order."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_ingest_timings(app_configs, **kwargs):
    budget = settings.PARSE_TIME_BUDGET_SECONDS
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    visibility = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout")
    rules = [
        (budget < soft, "ingest.W001", f"PARSE_TIME_BUDGET_SECONDS ({budget}) is not below CELERY_TASK_SOFT_TIME_LIMIT ({soft})",
         "a slow file then ends its task instead of failing with a message"),
        (soft < hard, "ingest.W002", f"CELERY_TASK_SOFT_TIME_LIMIT ({soft}) is not below CELERY_TASK_TIME_LIMIT ({hard})",
         "a batch task is then killed before it can send its remaining uploads on"),
        (settings.INGEST_STALE_PROCESSING_SECONDS > hard, "ingest.W003",
         f"INGEST_STALE_PROCESSING_SECONDS ({settings.INGEST_STALE_PROCESSING_SECONDS}) is not above CELERY_TASK_TIME_LIMIT ({hard})",
         "the sweep then re-sends uploads a worker is still parsing"),
        (visibility is None or visibility > hard, "ingest.W004",
         f"CELERY_VISIBILITY_TIMEOUT ({visibility}) is not above CELERY_TASK_TIME_LIMIT ({hard})",
         "Redis then hands a task still running to a second worker"),
    ]
    return [Warning(msg, hint=f"Keep the order; otherwise {why}.", id=code) for ok, code, msg, why in rules if not ok]
