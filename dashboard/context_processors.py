from __future__ import annotations

from django.conf import settings

from dashboard import access


def site(request):
    user = request.user
    return {
        "DEMO_BANNER": settings.DEMO_BANNER,
        "DASHBOARD_PUBLIC": settings.DASHBOARD_PUBLIC,
        # Navigation shows what the user may do; the views check again.
        "can_upload": access.has_role(user, access.Role.UPLOADER),
        "can_review": access.has_role(user, access.Role.REVIEWER),
    }
