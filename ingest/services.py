"""Uploads: create, enqueue, claim, parse, store. The parser meets Django only here.

Every file that reaches us becomes an ``Upload`` row with its original bytes,
whatever happens next, and ends in a final state (done, failed with a reason,
duplicate). A parse is stored in one transaction, so a failure never leaves
half a report behind.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from dashboard import access
from dashboard.audit import audit
from ingest.models import Upload
from ingest.parsing.errors import ParseError
from ingest.parsing.extract.sniff import sniff

log = logging.getLogger(__name__)

SUPPORTED_FORMATS = {"pdf", "docx", "doc", "html", "text", "zip"}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def _refusal_for_format(kind: str) -> Refusal | None:
    if kind in SUPPORTED_FORMATS:
        return None
    if kind == "image":
        return Refusal("unsupported_format", "这是一张图片，不是报告文件。请上传网页、文本、Word 或带文字层的 PDF。")
    return Refusal(
        "unsupported_format",
        "无法识别的文件格式。支持：网页（.html/.htm）、文本（.txt/.md）、Word（.docx/.doc）、PDF 和 .zip 压缩包。",
    )


def upload_create(
    *, name: str, data: bytes, user=None, batch: uuid.UUID | None = None, parent: Upload | None = None
) -> Upload:
    """Keep the file and decide what happens to it: refuse, mark duplicate, or enqueue for parsing."""
    digest = hashlib.sha256(data).hexdigest()
    display_name = PurePosixPath(name.replace("\\", "/")).name[:500] or "未命名文件"
    upload = Upload(
        batch=batch or (parent.batch if parent else uuid.uuid4()),
        original_name=display_name,
        size=len(data),
        sha256=digest,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        parent=parent,
    )
    refusal: Refusal | None = None
    try:
        upload.detected_format = sniff(data, display_name)
        refusal = _refusal_for_format(upload.detected_format)
    except ParseError as exc:
        upload.detected_format = "empty" if exc.code == "empty" else "unknown"
        refusal = Refusal(exc.code, exc.message_zh)
    if refusal is None and len(data) > settings.UPLOAD_MAX_FILE_BYTES:
        refusal = Refusal(
            "too_large", f"文件过大（{len(data) // (1024 * 1024)} MB），单个文件不能超过 {settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)} MB。"
        )

    with transaction.atomic():
        earlier = None
        if refusal is None:
            earlier = (
                Upload.objects.filter(sha256=digest)
                .exclude(status__in=[Upload.Status.DUPLICATE, Upload.Status.FAILED])
                .order_by("created")
                .first()
            )
        upload.file.save(f"{upload.public_id.hex}.bin", ContentFile(data), save=False)
        if refusal is None and earlier is None:
            upload.enqueued = timezone.now()  # sent on commit; cleared again if the broker refuses it
        if refusal is not None:
            upload.status = Upload.Status.FAILED
            upload.error_code = refusal.code
            upload.message = refusal.message
            upload.finished = timezone.now()
        elif earlier is not None:
            upload.status = Upload.Status.DUPLICATE
            upload.duplicate_of = earlier
            upload.message = (
                f"与 {timezone.localtime(earlier.created):%Y-%m-%d %H:%M} 上传的“{earlier.original_name}”内容完全相同，"
                "未重复解析。"
            )
            upload.finished = timezone.now()
        upload.save()
        audit(
            user=user,
            action="upload",
            obj=upload,
            summary=f"上传“{display_name}”（{upload.size} 字节，{upload.get_status_display()}）",
            sha256=digest,
        )
        if upload.status == Upload.Status.PENDING:
            upload_enqueue(upload=upload)
    return upload


def upload_enqueue(*, upload: Upload) -> None:
    """Send the upload to a worker once the transaction that created it has committed."""
    from ingest.tasks import process_upload

    def send() -> None:
        try:
            process_upload.delay(upload.pk)
        except Exception:  # broker down: the row stays pending and the sweep sends it again
            log.exception("could not enqueue upload %s; the sweep will retry", upload.pk)
            Upload.objects.filter(pk=upload.pk).update(enqueued=None)

    transaction.on_commit(send)


def upload_claim(*, upload_id: int, task_id: str) -> Upload | None:
    """Atomically move a pending upload to processing. Returns None if someone else has it."""
    now = timezone.now()
    claimed = Upload.objects.filter(pk=upload_id, status=Upload.Status.PENDING).update(
        status=Upload.Status.PROCESSING, task_id=task_id, started=now, attempts=F("attempts") + 1
    )
    if not claimed and task_id:
        # The same task message delivered again: its first delivery died mid-parse (worker killed),
        # since the broker only redelivers after the visibility timeout, which outlasts the hard
        # time limit. Resume it; the one-to-one report link still guarantees a single report.
        claimed = Upload.objects.filter(pk=upload_id, status=Upload.Status.PROCESSING, task_id=task_id).update(
            started=now, attempts=F("attempts") + 1
        )
    if not claimed:
        return None
    return Upload.objects.get(pk=upload_id)


def upload_finish(upload: Upload, status: str, *, message: str = "", error_code: str = "") -> None:
    Upload.objects.filter(pk=upload.pk).update(
        status=status, message=message, error_code=error_code, finished=timezone.now()
    )


def upload_process(*, upload_id: int, task_id: str = "") -> Upload | None:
    upload = upload_claim(upload_id=upload_id, task_id=task_id)
    if upload is None:
        return None
    if upload.attempts > 1 and hasattr(upload, "report"):
        # A redelivery after the report was stored but before the row was marked done.
        upload_finish(upload, Upload.Status.DONE, message=_done_message(upload.report))
        return upload
    with upload.file.open("rb") as fh:
        data = fh.read()
    if upload.detected_format == "zip":
        _expand_zip(upload, data)
        return upload
    _parse_and_store(upload, data)
    return upload


def _parse_and_store(upload: Upload, data: bytes) -> None:
    from dashboard.services import organisation_place, report_create_from_parse
    from ingest.parsing import parse

    try:
        parsed = parse(data, upload.original_name, time_budget=settings.PARSE_TIME_BUDGET_SECONDS)
    except ParseError as exc:
        upload_finish(upload, Upload.Status.FAILED, message=exc.message_zh, error_code=exc.code)
        return
    except Exception as exc:  # a parser bug must not leave the upload stuck
        log.exception("parser crashed on upload %s", upload.pk)
        upload_finish(
            upload,
            Upload.Status.FAILED,
            message=f"解析程序出错（{type(exc).__name__}），文件已保存，技术人员修复后可重新解析。",
            error_code="parser_crash",
        )
        return
    for attempt in range(3):
        try:
            with transaction.atomic():
                placement = organisation_place(agency_name=parsed.agency)
                uploader = upload.uploaded_by
                if uploader is not None and placement.organisation is not None and not access.in_scope(
                    uploader, placement.organisation
                ):
                    upload_finish(
                        upload,
                        Upload.Status.FAILED,
                        message=f"该报告属于“{placement.organisation}”，不在您的管辖范围（{access.scope_of(uploader)}）内，"
                        "未予入库。原文件已保存；如确需上传，请联系上级管理员。",
                        error_code="out_of_scope",
                    )
                    return
                report = report_create_from_parse(upload=upload, parsed=parsed, placement=placement)
                Upload.objects.filter(pk=upload.pk).update(
                    status=Upload.Status.DONE, message=_done_message(report), error_code="", finished=timezone.now()
                )
            return
        except (DataError, OverflowError):
            # A value the database cannot hold (a count with 25 digits): the parse is final, so is this.
            # Left uncaught it would leave the upload "processing" until the sweep gave up on it.
            log.warning("upload %s: a parsed value is out of range for the database", upload.pk, exc_info=True)
            upload_finish(
                upload,
                Upload.Status.FAILED,
                message="报告中有数值超出可保存的范围（例如位数过多的数字），无法入库。文件已保存，请核对原文件中的数字后重新上传。",
                error_code="out_of_range",
            )
            return
        except IntegrityError:
            # Another delivery of the same upload stored its report first: exactly one report.
            upload.refresh_from_db()
            if hasattr(upload, "report"):
                upload_finish(upload, Upload.Status.DONE, message=_done_message(upload.report))
                return
            if attempt == 2:
                raise
            # Two workers placed reports under the same new organisation at once and the other one
            # created it (or a parent) first (organisation_get_or_create_path is check-then-create).
            # Our transaction was rolled back and the organisation now exists: store again.
            log.info("upload %s: organisation created concurrently, storing again", upload.pk)


def _done_message(report) -> str:
    if report.status == report.Status.NEEDS_REVIEW:
        return "已解析，需要人工审核：" + "；".join(report.review_reasons)
    return "已解析，所有校验通过。"


def _expand_zip(upload: Upload, data: bytes) -> None:
    """Turn each report inside a .zip into its own upload. Limits refuse zip bombs before reading."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError):
        upload_finish(upload, Upload.Status.FAILED, message="压缩包已损坏，无法打开。", error_code="corrupt")
        return
    problem = zip_limits_problem(entries, compressed_size=len(data))
    if problem:
        upload_finish(upload, Upload.Status.FAILED, message=problem, error_code="zip_limits")
        return
    count = 0
    for info in entries:
        name = info.filename
        base = PurePosixPath(name.replace("\\", "/")).name
        if base.startswith(".") or "__MACOSX" in name:
            continue
        try:
            content = archive.read(info)
        except (RuntimeError, zipfile.BadZipFile, OSError) as exc:  # encrypted or damaged entry
            child = upload_create(name=base or name, data=b"", parent=upload)
            upload_finish(child, Upload.Status.FAILED, message=f"压缩包中的文件无法读取（{type(exc).__name__}）。", error_code="corrupt")
            continue
        if content[:4] == b"PK\x03\x04" and sniff_is_zip(content, base):
            child = upload_create(name=base, data=b"", parent=upload)
            upload_finish(child, Upload.Status.FAILED, message="不支持压缩包中再套压缩包，请解压后分别上传。", error_code="nested_zip")
            continue
        upload_create(name=base or name, data=content, parent=upload)
        count += 1
    if count == 0 and not upload.children.exists():
        upload_finish(
            upload, Upload.Status.FAILED, message="压缩包中没有可识别的报告文件（只有文件夹或系统隐藏文件）。", error_code="empty_zip"
        )
        return
    upload_finish(upload, Upload.Status.DONE, message=f"压缩包已展开，共 {count} 个文件，逐个解析。")


def sniff_is_zip(content: bytes, name: str) -> bool:
    try:
        return sniff(content, name) == "zip"
    except ParseError:
        return False


def zip_limits_problem(entries: list[zipfile.ZipInfo], *, compressed_size: int) -> str:
    if len(entries) > settings.ZIP_MAX_ENTRIES:
        return f"压缩包内文件过多（{len(entries)} 个），一次最多 {settings.ZIP_MAX_ENTRIES} 个。"
    total = sum(i.file_size for i in entries)
    if total > settings.ZIP_MAX_TOTAL_BYTES:
        return f"压缩包解压后过大（{total // (1024 * 1024)} MB），上限 {settings.ZIP_MAX_TOTAL_BYTES // (1024 * 1024)} MB。"
    for info in entries:
        if info.file_size > settings.UPLOAD_MAX_FILE_BYTES:
            return f"压缩包中的“{PurePosixPath(info.filename).name}”过大，单个文件不能超过 {settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)} MB。"
        if info.compress_size and info.file_size / info.compress_size > settings.ZIP_MAX_RATIO and info.file_size > 1024 * 1024:
            return "压缩包的压缩比异常（疑似“压缩炸弹”），已拒绝。"
    if compressed_size and total / compressed_size > settings.ZIP_MAX_RATIO and total > 10 * 1024 * 1024:
        return "压缩包的压缩比异常（疑似“压缩炸弹”），已拒绝。"
    return ""


def uploads_sweep_stale() -> int:
    """Re-send uploads whose message was lost (broker down at upload time, worker died)."""
    now = timezone.now()
    pending_cutoff = now - timezone.timedelta(seconds=settings.INGEST_STALE_PENDING_SECONDS)
    processing_cutoff = now - timezone.timedelta(seconds=settings.INGEST_STALE_PROCESSING_SECONDS)
    stuck = Upload.objects.filter(status=Upload.Status.PROCESSING, started__lt=processing_cutoff)
    for upload in stuck:
        if upload.attempts >= 3:
            upload_finish(
                upload, Upload.Status.FAILED, message="解析多次中断（超时或进程退出），已停止重试。文件已保存。", error_code="gave_up"
            )
        else:
            Upload.objects.filter(pk=upload.pk, status=Upload.Status.PROCESSING).update(status=Upload.Status.PENDING)
    resend = list(Upload.objects.filter(_enqueued_before(pending_cutoff), status=Upload.Status.PENDING)[:1000])
    for upload in resend:
        with transaction.atomic():
            Upload.objects.filter(pk=upload.pk).update(enqueued=now)
            upload_enqueue(upload=upload)
    return len(resend)


def _enqueued_before(cutoff) -> Q:
    return Q(enqueued__isnull=True, created__lt=cutoff) | Q(enqueued__lt=cutoff)
