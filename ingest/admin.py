from __future__ import annotations

from django.contrib import admin

from dashboard.admin import AuditedDeleteMixin
from ingest.models import Upload


@admin.register(Upload)
class UploadAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("original_name", "status", "detected_format", "size", "uploaded_by", "created")
    list_filter = ("status", "detected_format")
    search_fields = ("original_name", "sha256")
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request):
        return False
