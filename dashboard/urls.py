from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from dashboard.account_views import PasswordChangeView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("ingest/", include("ingest.urls")),
    path("review/", include("dashboard.urls_review")),
    path("", include("dashboard.urls_app")),
]
