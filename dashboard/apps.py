from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("透明度看板")

    def ready(self) -> None:
        from . import checks  # noqa: F401  registers system checks
