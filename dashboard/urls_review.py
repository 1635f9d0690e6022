"""Review URLs, included from dashboard/urls.py at "review/"."""

from __future__ import annotations

from django.urls import path

from . import review_views as views

urlpatterns = [
    path("", views.queue, name="review-queue"),
    path("reprocess/", views.reprocess_batch, name="review-reprocess-batch"),
    path("recheck/", views.recheck_all, name="review-recheck"),
    path("reports/<uuid:public_id>/", views.report_detail, name="review-report"),
    path("reports/<uuid:public_id>/original", views.original, name="review-original"),
    path("reports/<uuid:public_id>/correct", views.correct, name="review-correct"),
    path("reports/<uuid:public_id>/check", views.check, name="review-check"),
    path("reports/<uuid:public_id>/place", views.fill_in, name="review-place"),
    path("reports/<uuid:public_id>/verify", views.verify, name="review-verify"),
    path("reports/<uuid:public_id>/conflict", views.conflict, name="review-conflict"),
    path("reports/<uuid:public_id>/reprocess", views.reprocess, name="review-reprocess"),
    path("coverage/", views.coverage, name="review-coverage"),
    path("similarity/", views.copy_paste, name="review-similarity"),
    path("similarity/units/<uuid:public_id>/", views.copy_paste_unit, name="review-similarity-unit"),
]
