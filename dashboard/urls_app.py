from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="dashboard-home"),
    path("metrics/", views.metric_list, name="dashboard-metrics"),
    path("ranking/", views.ranking, name="dashboard-ranking"),
    path("trend/", views.trend, name="dashboard-trend"),
    path("overview/", views.overview, name="dashboard-overview"),
    path("units/<uuid:public_id>/", views.organisation, name="dashboard-organisation"),
]
