from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboard import access
from dashboard.models import Report
from dashboard.review import report_fill_in
from ingest import services
from ingest.forms import PlacementForm, UploadForm
from ingest.models import Upload


def _visible_uploads(request):
    """An uploader sees their own uploads; a reviewer also those whose report lies in their scope."""
    uploads = Upload.objects.select_related("report", "duplicate_of")
    user = request.user
    if access.has_role(user, access.Role.REVIEWER):
        if access.scope_of(user) is None:
            return uploads
        return uploads.filter(Q(uploaded_by=user) | access.organisations_q(user, "report__organisation__"))
    return uploads.filter(uploaded_by=user)


def _get_upload_for_user(request, public_id) -> Upload:
    return get_object_or_404(_visible_uploads(request), public_id=public_id)


@access.role_required(access.Role.UPLOADER)
def upload(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            batch = uuid.uuid4()
            services.uploads_create(
                (services.IncomingFile(f.name, f.read()) for f in form.cleaned_data["files"]), user=request.user, batch=batch
            )
            return redirect("ingest-batch", batch=batch)
    else:
        form = UploadForm()
    recent = _visible_uploads(request).filter(parent__isnull=True)[:20]
    return render(request, "ingest/upload.html", {"form": form, "recent": recent})


@access.role_required(access.Role.UPLOADER)
def batch(request, batch):
    uploads = _visible_uploads(request).filter(batch=batch)
    if not uploads.exists():
        raise Http404
    return render(request, "ingest/batch.html", {"batch": batch, "uploads": uploads})


def _upload_json(upload: Upload) -> dict:
    report = getattr(upload, "report", None)
    return {
        "id": str(upload.public_id),
        "name": upload.original_name,
        "size": upload.size,
        "status": upload.status,
        "status_label": upload.get_status_display(),
        "message": upload.message,
        "final": upload.is_final,
        "detail_url": reverse("ingest-upload-detail", args=[upload.public_id]),
        "report": None
        if report is None
        else {"id": str(report.public_id), "status": report.status, "status_label": report.get_status_display()},
    }


@access.role_required(access.Role.UPLOADER)
@require_GET
def batch_status(request, batch):
    uploads = list(_visible_uploads(request).filter(batch=batch).order_by("created", "id"))
    if not uploads:
        raise Http404
    items = [_upload_json(u) for u in uploads]
    return JsonResponse(
        {"batch": str(batch), "done": all(i["final"] for i in items), "uploads": items},
        json_dumps_params={"ensure_ascii": False},
    )


@access.role_required(access.Role.UPLOADER)
def upload_detail(request, public_id):
    upload = _get_upload_for_user(request, public_id)
    report = getattr(upload, "report", None)
    form = None
    if report is not None and (report.organisation_id is None or report.year is None):
        initial = {"year": report.year}
        form = PlacementForm(request.POST or None, initial=initial, user=request.user)
        if request.method == "POST" and form.is_valid():
            report_fill_in(
                report=report,
                organisation=form.cleaned_data["organisation"],
                year=form.cleaned_data["year"],
                user=request.user,
                reason="上传人补充单位和年度",  # stored with the review history, in Chinese like the rest
            )
            messages.success(request, _("已保存所属单位和年度。"))
            return redirect("ingest-upload-detail", public_id=upload.public_id)
    can_review = report is not None and access.has_role(request.user, access.Role.REVIEWER) and (
        report.organisation is None or access.in_scope(request.user, report.organisation)
    )
    return render(
        request,
        "ingest/upload_detail.html",
        {"upload": upload, "report": report, "form": form, "can_review": can_review},
    )


@access.role_required(access.Role.UPLOADER)
@require_GET
def upload_status(request, public_id):
    return JsonResponse(_upload_json(_get_upload_for_user(request, public_id)), json_dumps_params={"ensure_ascii": False})


@require_GET
def original(request, public_id):
    """The uploaded bytes exactly as received, always as a download (never rendered as HTML).

    Anyone who may read a report may trace it to its original: viewers in scope, and everyone
    when the dashboard is public (for uploads that produced a stored report). Uploaders also
    get their own files back, whatever became of them.
    """
    upload = get_object_or_404(Upload.objects.select_related("report__organisation"), public_id=public_id)
    report = getattr(upload, "report", None)
    user = request.user
    allowed = (user.is_authenticated and upload.uploaded_by_id == user.pk) or (
        report is not None
        and (
            (access.has_role(user, access.Role.VIEWER) and access.in_scope(user, report.organisation))
            or (settings.DASHBOARD_PUBLIC and report.status != Report.Status.NEEDS_REVIEW)
        )
    )
    if not allowed:
        if not user.is_authenticated and not settings.DASHBOARD_PUBLIC:
            return redirect_to_login(request.get_full_path())
        raise Http404
    response = FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.original_name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
