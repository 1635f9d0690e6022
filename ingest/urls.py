from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("upload/", views.upload, name="ingest-upload"),
    path("batches/<uuid:batch>/", views.batch, name="ingest-batch"),
    path("batches/<uuid:batch>/status.json", views.batch_status, name="ingest-batch-status"),
    path("uploads/<uuid:public_id>/", views.upload_detail, name="ingest-upload-detail"),
    path("uploads/<uuid:public_id>/status.json", views.upload_status, name="ingest-upload-status"),
    path("uploads/<uuid:public_id>/original", views.original, name="ingest-original"),
]
