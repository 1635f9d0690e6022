"""Uploads: create, enqueue, claim, parse, store. The parser meets Django only here.

Every file that reaches us becomes an ``Upload`` row with its original bytes,
whatever happens next, and ends in a final state (done, failed with a reason,
duplicate). A parse is stored in one transaction, so a failure never leaves
half a report behind.

Bulk loads are the normal case (a county imports its thousand reports at once), so files are
created in bulk (one transaction, one duplicate query, bulk inserts) and sent to the workers in
batches: one task claims several uploads in one statement and stores each report in its own
transaction.
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from dashboard import access
from dashboard.audit import audit, audit_entry
from dashboard.models import AuditLog
from ingest.models import Upload
from ingest.parsing.errors import ParseError
from ingest.parsing.extract.sniff import sniff

log = logging.getLogger(__name__)

SUPPORTED_FORMATS = {"pdf", "docx", "doc", "html", "text", "zip"}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class IncomingFile:
    """A file as it reaches us. ``refusal`` is set by a caller that already knows it cannot be
    parsed (an unreadable entry of a zip); the file is recorded anyway."""

    name: str
    data: bytes
    refusal: Refusal | None = None


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
    """Keep one file and decide what happens to it: refuse, mark duplicate, or enqueue for parsing."""
    return uploads_create([IncomingFile(name, data)], user=user, batch=batch, parent=parent)[0]


def _prepare(incoming: IncomingFile, *, batch: uuid.UUID, user, parent: Upload | None) -> tuple[Upload, Refusal | None]:
    """Hash, sniff and store the original bytes of one file; nothing is written to the database yet."""
    data = incoming.data
    digest = hashlib.sha256(data).hexdigest()
    display_name = PurePosixPath(incoming.name.replace("\\", "/")).name[:500] or "未命名文件"
    upload = Upload(
        batch=batch,
        original_name=display_name,
        size=len(data),
        sha256=digest,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        parent=parent,
    )
    refusal = incoming.refusal
    try:
        upload.detected_format = sniff(data, display_name)
        refusal = refusal or _refusal_for_format(upload.detected_format)
        if refusal is None and upload.detected_format == "zip" and parent is not None:
            refusal = Refusal("nested_zip", "不支持压缩包中再套压缩包，请解压后分别上传。")
    except ParseError as exc:
        upload.detected_format = "empty" if exc.code == "empty" else "unknown"
        refusal = refusal or Refusal(exc.code, exc.message_zh)
    if refusal is None and len(data) > settings.UPLOAD_MAX_FILE_BYTES:
        refusal = Refusal(
            "too_large", f"文件过大（{len(data) // (1024 * 1024)} MB），单个文件不能超过 {settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)} MB。"
        )
    upload.file.save(f"{upload.public_id.hex}.bin", ContentFile(data), save=False)
    return upload, refusal


def uploads_create(
    files: Iterable[IncomingFile], *, user=None, batch: uuid.UUID | None = None, parent: Upload | None = None
) -> list[Upload]:
    """Keep every file and decide what happens to each, in one transaction with bulk inserts.

    The original bytes are written to storage first (one file at a time, so a long iterable of
    files is never all in memory); then one query finds earlier copies (duplicates by SHA-256, also
    within this call), the upload rows and their audit rows are inserted in bulk, and the parseable
    ones are sent to the workers in batches once the transaction commits.
    """
    batch = batch or (parent.batch if parent else uuid.uuid4())
    prepared = [_prepare(f, batch=batch, user=user, parent=parent) for f in files]
    if not prepared:
        return []
    now = timezone.now()
    with transaction.atomic():
        wanted = {u.sha256 for u, refusal in prepared if refusal is None}
        earlier: dict[str, Upload] = {}
        for row in (
            Upload.objects.filter(sha256__in=wanted)
            .exclude(status__in=[Upload.Status.DUPLICATE, Upload.Status.FAILED])
            .order_by("created", "id")
            .only("id", "sha256", "created", "original_name", "uploaded_by_id")
        ):
            earlier.setdefault(row.sha256, row)
        first, copies = [], []  # copies of a file earlier in this same call go in after it has a pk
        for upload, refusal in prepared:
            if refusal is not None:
                upload.status = Upload.Status.FAILED
                upload.error_code = refusal.code
                upload.message = refusal.message
                upload.finished = now
                first.append(upload)
            elif upload.sha256 in earlier:
                _mark_duplicate(upload, earlier[upload.sha256], now)
                (copies if earlier[upload.sha256].pk is None else first).append(upload)
            else:
                upload.enqueued = now  # sent on commit; cleared again if the broker refuses it
                earlier[upload.sha256] = upload
                first.append(upload)
        Upload.objects.bulk_create(first)
        Upload.objects.bulk_create(copies)
        AuditLog.objects.bulk_create(
            audit_entry(
                user=user,
                action="upload",
                obj=u,
                summary=f"上传“{u.original_name}”（{u.size} 字节，{u.get_status_display()}）",
                sha256=u.sha256,
            )
            for u, _ in prepared
        )
        uploads_enqueue(uploads=[u for u, _ in prepared if u.status == Upload.Status.PENDING])
    return [u for u, _ in prepared]


def _mark_duplicate(upload: Upload, earlier: Upload, now) -> None:
    upload.status = Upload.Status.DUPLICATE
    upload.duplicate_of = earlier
    when = f"{timezone.localtime(earlier.created):%Y-%m-%d %H:%M}"
    # Someone else's file name is theirs (it may name a unit outside this uploader's scope).
    whose = f"上传的“{earlier.original_name}”" if earlier.uploaded_by_id == upload.uploaded_by_id else "由其他用户上传的文件"
    upload.message = f"与 {when} {whose}内容完全相同，未重复解析。"
    upload.finished = now


# Failures a copy of the same bytes may not repeat: a scope refusal (when someone else uploaded the
# copy) and running out of time or attempts. A damaged file, a parse error or a crash would repeat.
_FAILED_FOR_THE_MOMENT = ("gave_up", "timeout")


def _may_succeed(copy: Upload, original: Upload) -> bool:
    if original.error_code in _FAILED_FOR_THE_MOMENT:
        return True
    return original.error_code == "out_of_scope" and copy.uploaded_by_id != original.uploaded_by_id


def uploads_release_duplicates(*, of: list[int] | None = None) -> int:
    """Give a copy of a failed upload a parse of its own where it may succeed; returns how many were sent.

    A file is marked a duplicate when an identical one is already waiting, being parsed or done. When
    that earlier one fails instead, the copy would never be parsed, though it may well succeed where
    the failure was not the file's: a scope refusal depends on who uploaded it, a give-up or a
    time-out on the moment (``_may_succeed``). Then the earliest such copy is sent to the workers as an
    upload of its own (checked against its own uploader's scope) and the other copies now point at
    it; should it fail too, the next one follows. Where another live upload of the same bytes exists,
    the copies point at that one instead. Copies of a file that failed on its own content stay
    duplicates of it: parsing them would fail the same way.

    ``of``: the failed uploads to look at (when one fails); None looks at all (the sweep, which also
    catches a copy marked while the failure was being recorded).
    """
    copies = Upload.objects.filter(status=Upload.Status.DUPLICATE, duplicate_of__status=Upload.Status.FAILED)
    if of is not None:
        copies = copies.filter(duplicate_of_id__in=of)
    now = timezone.now()
    released: list[Upload] = []
    with transaction.atomic():
        groups: dict[int, list[Upload]] = {}
        for copy in copies.select_related("duplicate_of").select_for_update(of=("self",)).order_by("created", "id"):
            groups.setdefault(copy.duplicate_of_id, []).append(copy)
        for group in groups.values():
            live = (
                Upload.objects.filter(sha256=group[0].sha256)
                .exclude(status__in=[Upload.Status.DUPLICATE, Upload.Status.FAILED])
                .order_by("created", "id")
                .first()
            )
            if live is None:
                live = next((c for c in group if _may_succeed(c, c.duplicate_of)), None)
                if live is None:
                    continue
                group.remove(live)
                Upload.objects.filter(pk=live.pk).update(
                    status=Upload.Status.PENDING, duplicate_of=None, message="", finished=None, enqueued=now
                )
                audit(user=None, action="upload_requeue", obj=live,
                      summary=f"“{live.original_name}”的相同文件处理失败，改为单独解析")
                released.append(live)
            Upload.objects.filter(pk__in=[c.pk for c in group]).update(duplicate_of=live)
        uploads_enqueue(uploads=released)
    return len(released)


def task_batches(uploads: list[Upload], *, one_per_task: bool = False) -> list[list[int]]:
    """Split uploads into worker tasks: at most INGEST_TASK_BATCH files and INGEST_TASK_BATCH_BYTES
    per task, and small enough that a handful of files still spreads over several workers."""
    if not uploads:
        return []
    per_task = 1 if one_per_task else max(1, min(settings.INGEST_TASK_BATCH, math.ceil(len(uploads) / 4)))
    batches: list[list[int]] = []
    current: list[int] = []
    size = 0
    for upload in uploads:
        if current and (len(current) >= per_task or size + upload.size > settings.INGEST_TASK_BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(upload.pk)
        size += upload.size
    batches.append(current)
    return batches


def uploads_enqueue(*, uploads: list[Upload], one_per_task: bool = False) -> None:
    """Send the uploads to the workers once the transaction that created them has committed."""
    from ingest.tasks import process_upload, process_uploads

    batches = task_batches(uploads, one_per_task=one_per_task)
    if not batches:
        return

    def send() -> None:
        for ids in batches:
            try:
                if len(ids) == 1:
                    process_upload.delay(ids[0])
                else:
                    process_uploads.delay(ids)
            except Exception:  # broker down: the rows stay pending and the sweep sends them again
                log.exception("could not enqueue uploads %s; the sweep will retry", ids)
                Upload.objects.filter(pk__in=ids).update(enqueued=None)

    transaction.on_commit(send)


def uploads_claim(*, upload_ids: list[int], task_id: str) -> list[Upload]:
    """Atomically move these pending uploads to processing, in one statement; returns the ones
    this call claimed (in the order given), not those another worker has."""
    now = timezone.now()
    token = task_id or f"direct-{uuid.uuid4().hex}"
    claimable = Q(status=Upload.Status.PENDING)
    if task_id:
        # The same task message delivered again: its first delivery died mid-parse (worker killed),
        # since the broker only redelivers after the visibility timeout, which outlasts the hard
        # time limit. Resume it; the one-to-one report link still guarantees a single report.
        claimable |= Q(status=Upload.Status.PROCESSING, task_id=task_id)
    Upload.objects.filter(claimable, pk__in=upload_ids).update(
        status=Upload.Status.PROCESSING, task_id=token, started=now, attempts=F("attempts") + 1
    )
    rows = {
        u.pk: u
        for u in Upload.objects.filter(
            pk__in=upload_ids, status=Upload.Status.PROCESSING, task_id=token, started=now
        ).select_related("report", "uploaded_by")
    }
    return [rows[pk] for pk in upload_ids if pk in rows]


def upload_finish(upload: Upload, status: str, *, message: str = "", error_code: str = "") -> None:
    Upload.objects.filter(pk=upload.pk).update(
        status=status, message=message, error_code=error_code, finished=timezone.now()
    )
    if status == Upload.Status.FAILED and error_code in (*_FAILED_FOR_THE_MOMENT, "out_of_scope"):
        uploads_release_duplicates(of=[upload.pk])


def upload_process(*, upload_id: int, task_id: str = "") -> Upload | None:
    done = uploads_process(upload_ids=[upload_id], task_id=task_id)
    return done[0] if done else None


class _Batch:
    """What the uploads of one task share: placements already made (one lookup per organisation
    name) and uploaders (one scope lookup per person)."""

    def __init__(self) -> None:
        self.placements: dict[str, object] = {}
        self.users: dict[int, object] = {}
        self.stored = 0

    def uploader(self, upload: Upload):
        if upload.uploaded_by_id is None:
            return None
        return self.users.setdefault(upload.uploaded_by_id, upload.uploaded_by)


def uploads_process(*, upload_ids: list[int], task_id: str = "") -> list[Upload]:
    """Claim these uploads and handle each: expand a zip, or parse and store its report.

    Each report is stored in its own transaction. When the task's soft time limit strikes, the
    uploads not yet handled are put back and sent again one per task; the one being parsed stays
    claimed for the sweep (a report that alone outlasts the limit is retried, then given up on).
    """
    from dashboard import selectors

    uploads = uploads_claim(upload_ids=upload_ids, task_id=task_id)
    shared = _Batch()
    try:
        for i, upload in enumerate(uploads):
            try:
                _process_one(upload, shared)
            except SoftTimeLimitExceeded:
                rest = uploads[i + 1:] if i == 0 else uploads[i:]
                if rest:
                    log.warning("task %s ran out of time; sending %d uploads again", task_id, len(rest))
                    with transaction.atomic():
                        Upload.objects.filter(pk__in=[u.pk for u in rest], status=Upload.Status.PROCESSING).update(
                            status=Upload.Status.PENDING, enqueued=timezone.now()
                        )
                        uploads_enqueue(uploads=rest, one_per_task=True)
                if i == 0:
                    raise
                break
    finally:
        if shared.stored:  # also when a fault stops the batch half-way: what was stored is visible
            selectors.data_changed()
    return uploads


def _process_one(upload: Upload, shared: _Batch) -> None:
    if upload.attempts > 1 and hasattr(upload, "report"):
        # A redelivery after the report was stored but before the row was marked done.
        upload_finish(upload, Upload.Status.DONE, message=_done_message(upload.report))
        return
    if upload.attempts > 1 and upload.is_archive:
        # The same for a zip expanded before: its files are uploads of their own already.
        children = list(upload.children.only("error_code"))
        if children:
            _finish_expanded(upload, children)
            return
    with upload.file.open("rb") as fh:
        data = fh.read()
    if upload.detected_format == "zip":
        _expand_zip(upload, data)
        return
    _parse_and_store(upload, data, shared)


class _OutOfScope(Exception):
    """The report belongs to an organisation outside the uploader's scope (message for people)."""


def _parse_and_store(upload: Upload, data: bytes, shared: _Batch) -> None:
    from dashboard.services import Placement, organisation_place, report_create_from_parse
    from ingest.parsing import parse

    try:
        parsed = parse(data, upload.original_name, time_budget=settings.PARSE_TIME_BUDGET_SECONDS)
    except ParseError as exc:
        upload_finish(upload, Upload.Status.FAILED, message=exc.message_zh, error_code=exc.code)
        return
    except SoftTimeLimitExceeded:
        raise  # the task ran out of time: not this file's fault (uploads_process decides)
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
                placement = shared.placements.get(parsed.agency or "") or organisation_place(agency_name=parsed.agency)
                uploader = shared.uploader(upload)
                if uploader is not None and placement.organisation is not None and not access.in_scope(
                    uploader, placement.organisation
                ):
                    # Roll back: an organisation path created for this report must not stay behind.
                    raise _OutOfScope(f"该报告属于“{placement.organisation}”，不在您的管辖范围（{access.scope_of(uploader)}）内，"
                                      "未予入库。原文件已保存；如确需上传，请联系上级管理员。")
                report = report_create_from_parse(upload=upload, parsed=parsed, placement=placement, announce=False)
                Upload.objects.filter(pk=upload.pk).update(
                    status=Upload.Status.DONE, message=_done_message(report), error_code="", finished=timezone.now()
                )
            shared.stored += 1
            if placement.organisation is not None and parsed.agency:
                # The organisation now exists and has a report: later files of this task that name it
                # skip the lookup (and must not count it as new).
                shared.placements[parsed.agency] = Placement(placement.organisation, placement.reason)
            return
        except _OutOfScope as refusal:
            upload_finish(upload, Upload.Status.FAILED, message=str(refusal), error_code="out_of_scope")
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
            shared.placements.pop(parsed.agency or "", None)
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

    def members() -> Iterable[IncomingFile]:
        for info in entries:
            name = info.filename
            base = PurePosixPath(name.replace("\\", "/")).name
            if base.startswith(".") or "__MACOSX" in name:
                continue
            try:
                content = archive.read(info)
            except (RuntimeError, zipfile.BadZipFile, OSError) as exc:  # encrypted or damaged entry
                yield IncomingFile(
                    base or name, b"", Refusal("corrupt", f"压缩包中的文件无法读取（{type(exc).__name__}）。")
                )
                continue
            yield IncomingFile(base or name, content)

    children = uploads_create(members(), user=upload.uploaded_by, parent=upload)
    if not children:
        upload_finish(
            upload, Upload.Status.FAILED, message="压缩包中没有可识别的报告文件（只有文件夹或系统隐藏文件）。", error_code="empty_zip"
        )
        return
    _finish_expanded(upload, children)


def _finish_expanded(upload: Upload, children) -> None:
    count = sum(1 for c in children if c.error_code not in ("corrupt", "nested_zip"))
    upload_finish(upload, Upload.Status.DONE, message=f"压缩包已展开，共 {count} 个文件，逐个解析。")


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
    stuck.filter(attempts__gte=3).update(
        status=Upload.Status.FAILED,
        error_code="gave_up",
        message="解析多次中断（超时或进程退出），已停止重试。文件已保存。",
        finished=now,
    )
    stuck.update(status=Upload.Status.PENDING)  # the rest: sent again below
    uploads_release_duplicates()  # copies of uploads that failed (given up on just now, or missed)
    resend = list(
        Upload.objects.filter(_enqueued_before(pending_cutoff), status=Upload.Status.PENDING).only("id", "size")[:1000]
    )
    with transaction.atomic():
        Upload.objects.filter(pk__in=[u.pk for u in resend]).update(enqueued=now)
        uploads_enqueue(uploads=resend)
    return len(resend)


def _enqueued_before(cutoff) -> Q:
    return Q(enqueued__isnull=True, created__lt=cutoff) | Q(enqueued__lt=cutoff)
