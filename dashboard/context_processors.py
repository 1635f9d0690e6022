from __future__ import annotations

from django.conf import settings


def site(request):
    return {"DEMO_BANNER": settings.DEMO_BANNER, "DASHBOARD_PUBLIC": settings.DASHBOARD_PUBLIC}
