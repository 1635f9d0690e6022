"""Uploaded files. The original bytes are kept untouched, whatever becomes of the parse."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def upload_path(instance: Upload, filename: str) -> str:
    # The stored name is generated: the user's file name is never used as a path.
    return f"uploads/{instance.created:%Y/%m}/{instance.public_id.hex}.bin"


class Upload(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("等待处理")
        PROCESSING = "processing", _("正在解析")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        DUPLICATE = "duplicate", _("重复文件")

    FINAL = (Status.DONE, Status.FAILED, Status.DUPLICATE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.UUIDField(_("批次"), db_index=True)
    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=500)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, db_index=True)
    detected_format = models.CharField(max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    # A report file that came out of a .zip points at the zip's own upload row.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    error_code = models.CharField(max_length=40, blank=True)
    message = models.TextField(_("说明"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task that claimed this row; a redelivery of the same task may resume it.
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    enqueued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "enqueued"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def is_archive(self) -> bool:
        return self.detected_format == "zip"
