"""Review pages: the queue, one report beside its original, coverage and timeliness, copy-paste.

Every view requires a login and a reviewer (or administrator) role in ``dashboard.access``; anyone
else gets 403 and nothing changes. A reviewer whose role is scoped sees only reports and units in
scope; anything else is 404. What reaches every report at once (re-parse all, recheck all) is for
administrators of the whole country. Views authorise, bind a form, call one service or selector and render.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from dashboard import access, quality, review, similarity
from dashboard.models import CheckResult, Organisation, Report
from dashboard.tables import official_layout
from ingest.forms import PlacementForm

reviewer_required = access.role_required(access.Role.REVIEWER)


def may_act_on_everything(user) -> bool:
    """Re-parse or recheck every report: an administrator whose scope is the whole country."""
    return access.has_role(user, access.Role.ADMIN) and access.scope_of(user) is None


def _in_scope(user, queryset, prefix: str = ""):
    """Only what the user's scope covers (dashboard.access); out of scope is 404, never 403."""
    return queryset.filter(access.organisations_q(user, prefix))


def _get_report(request, public_id) -> Report:
    reports = _in_scope(request.user, Report.objects.select_related("organisation", "upload"), "organisation__")
    return get_object_or_404(reports, public_id=public_id)


# --------------------------------------------------------------------------- forms


class CorrectForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("单元格"), max_length=120,
                          help_text=gettext_lazy("点击右侧表格中的单元格即可填入。"),
                          widget=forms.TextInput(attrs={"id": "correct-key", "autocomplete": "off"}))
    value = forms.CharField(label=gettext_lazy("更正为"), max_length=60, required=False,
                            help_text=gettext_lazy("数字；也可填“—”或“无”，留空表示空白单元格。"))
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CheckReviewForm(forms.Form):
    check_id = forms.CharField(max_length=80, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=CheckResult.Review.choices)
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=1000, required=False)


class FillInForm(PlacementForm):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("说明"), max_length=1000, required=False)


class ConflictForm(forms.Form):
    key = forms.CharField(max_length=120, widget=forms.HiddenInput)
    keep = forms.TypedChoiceField(choices=[("1", gettext_lazy("保留人工更正")), ("0", gettext_lazy("采用重新解析的结果"))],
                                  coerce=lambda v: v == "1")
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=1000, required=False)


class ReprocessSelectionForm(forms.Form):
    reports = forms.ModelMultipleChoiceField(queryset=Report.objects.all(), to_field_name="public_id",
                                             required=False)
    everything = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = _in_scope(user, Report.objects.all(), "organisation__")


def _county_choices():
    return Organisation.objects.filter(level=Organisation.Level.COUNTY, merged_into__isnull=True).order_by("full_name")


class CountyYearForm(forms.Form):
    county = forms.ModelChoiceField(label=gettext_lazy("县（区）"), queryset=_county_choices(), to_field_name="public_id")
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2008, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _in_scope(user, _county_choices())


class QueueFilterForm(CountyYearForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["county"].required = self.fields["year"].required = False


class SimilarityForm(CountyYearForm):
    section = forms.ChoiceField(label=gettext_lazy("部分"), choices=[("s1", gettext_lazy("一、总体情况")),
                                                               ("s5", gettext_lazy("五、存在的主要问题及改进情况"))],
                                required=False)
    threshold = forms.FloatField(label=gettext_lazy("相似度阈值"), min_value=0.2, max_value=1.0, required=False)


# --------------------------------------------------------------------------- the queue


@reviewer_required
@require_GET
def queue(request):
    status = request.GET.get("status", Report.Status.NEEDS_REVIEW)
    if status not in Report.Status.values and status != "all":
        status = Report.Status.NEEDS_REVIEW
    where = QueueFilterForm(request.GET or None, user=request.user)
    county = year = None
    if where.is_valid():
        county, year = where.cleaned_data.get("county"), where.cleaned_data.get("year")
    reports = _in_scope(request.user, review.review_queue(
        status=None if status == "all" else status, county=county, year=year), "organisation__")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "review/queue.html", {
        "page": page, "status": status, "statuses": Report.Status.choices, "where": where,
        "query": query.urlencode(), "provenance_labels": review.PROVENANCE_LABELS,
        "may_act_on_everything": may_act_on_everything(request.user),
    })


@reviewer_required
@require_POST
def reprocess_batch(request):
    form = ReprocessSelectionForm(request.POST, user=request.user)
    if form.is_valid() and form.cleaned_data["everything"] and not may_act_on_everything(request.user):
        # Re-parsing everything loads the workers for hours on a national database: staff only.
        raise PermissionDenied(_("只有系统管理人员可以重新解析全部报告。"))
    if form.is_valid() and (form.cleaned_data["everything"] or form.cleaned_data["reports"]):
        n = review.report_reprocess_enqueue(
            report_ids=[r.pk for r in form.cleaned_data["reports"]], everything=form.cleaned_data["everything"],
            user=request.user)
        messages.success(request, _("已安排重新解析 %(n)s 份，完成后结果会自动更新。") % {"n": n})
    else:
        messages.error(request, _("请选择要重新解析的报告。"))
    return redirect("review-queue")


@reviewer_required
@require_POST
def recheck_all(request):
    if not may_act_on_everything(request.user):
        raise PermissionDenied(_("只有系统管理人员可以重新校验全部报告。"))
    n = review.reports_recheck_enqueue()
    messages.success(request, _("已安排重新校验 %(n)s 份报告。") % {"n": n})
    return redirect("review-queue")


# --------------------------------------------------------------------------- one report


@reviewer_required
@require_GET
def report_detail(request, public_id):
    report = _get_report(request, public_id)
    outcomes = quality.evaluate(report)
    rows = {r.check_id: r for r in report.check_results.select_related("reviewed_by")}
    failing = [(o, rows.get(o.check_id)) for o in outcomes if o.ok is not True]
    order = {CheckResult.Severity.ERROR: 0, CheckResult.Severity.WARNING: 1, CheckResult.Severity.INFO: 2}
    failing.sort(key=lambda pair: (order.get(pair[0].severity, 3), pair[0].check_id))
    passing = [o for o in outcomes if o.ok is True]
    highlight = {o.check_id: list(o.cells) for o, _row in failing}
    fmt = report.upload.detected_format
    return render(request, "review/report.html", {
        "report": report,
        "entry": {"report": report, "layout": official_layout(
            report, set(report.corrections.values_list("key", flat=True)))},
        "failing": failing,
        "passing": passing,
        "history": review.report_history(report),
        "provenance": review.report_provenance(report),
        "provenance_labels": review.PROVENANCE_LABELS,
        "highlight": highlight,
        "original_is_pdf": fmt == "pdf",
        "correct_form": CorrectForm(),
        "fill_form": FillInForm(user=request.user, initial={
            "organisation": report.organisation and report.organisation.public_id, "year": report.year}),
        "reason_form": ReasonForm(),
        "review_choices": CheckResult.Review.choices,
    })


def original_text(report: Report) -> str:
    """What the parser read, as plain text: paragraphs, and table rows with cells separated by tabs."""
    from ingest.parsing import ParseError
    from ingest.parsing.extract import extract
    from ingest.parsing.model import Paragraph

    with report.upload.file.open("rb") as fh:
        data = fh.read()
    try:
        doc = extract(data, report.upload.original_name)
    except ParseError as exc:
        return _("无法显示原文：%(msg)s") % {"msg": exc.message_zh}
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.append("")
            for row in block.rows:
                lines.append("\t".join(c.text.replace("\n", " ") if c.origin else "" for c in row).rstrip())
            lines.append("")
    return "\n".join(lines)


@reviewer_required
@require_GET
@xframe_options_sameorigin
def original(request, public_id):
    """The original for the iframe beside the tables. Never rendered as our HTML: a PDF goes to the
    browser's viewer; everything else (HTML included) is shown as the text the parser extracted,
    as text/plain under a sandbox CSP."""
    report = _get_report(request, public_id)
    upload = report.upload
    if upload.detected_format == "pdf":
        response = FileResponse(upload.file.open("rb"), content_type="application/pdf")  # streamed
        response["Content-Disposition"] = "inline"
        response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    else:
        response = HttpResponse(original_text(report), content_type="text/plain; charset=utf-8")
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _done(request, report, ok_message: str):
    messages.success(request, ok_message)
    return redirect("review-report", public_id=report.public_id)


def _refused(request, report, message: str):
    messages.error(request, message)
    return redirect("review-report", public_id=report.public_id)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _act(request, public_id, form: forms.Form, action, ok_message: str):
    """One reviewer action on one report: a valid form, then the service; its refusal or success is
    shown on the report page as a message."""
    report = _get_report(request, public_id)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    try:
        action(report, form.cleaned_data)
    except review.ReviewError as exc:
        return _refused(request, report, exc.message)
    return _done(request, report, ok_message)


@reviewer_required
@require_POST
def correct(request, public_id):
    return _act(request, public_id, CorrectForm(request.POST), lambda report, data: review.cell_correct(
        report=report, key=data["key"], raw=data["value"], reason=data["reason"], user=request.user),
        _("已更正，校验和统计数字已更新。"))


@reviewer_required
@require_POST
def check(request, public_id):
    return _act(request, public_id, CheckReviewForm(request.POST), lambda report, data: review.check_review(
        report=report, check_id=data["check_id"], decision=data["decision"], reason=data["reason"],
        user=request.user), _("已记录。"))


@reviewer_required
@require_POST
def fill_in(request, public_id):
    return _act(request, public_id, FillInForm(request.POST, user=request.user), lambda report, data:
                review.report_fill_in(report=report, organisation=data["organisation"], year=data["year"],
                                      reason=data["reason"], user=request.user),
                _("已保存所属单位和年度。"))


@reviewer_required
@require_POST
def verify(request, public_id):
    return _act(request, public_id, ReasonForm(request.POST), lambda report, data: review.report_verify(
        report=report, reason=data["reason"], user=request.user), _("报告已核实。"))


@reviewer_required
@require_POST
def conflict(request, public_id):
    return _act(request, public_id, ConflictForm(request.POST), lambda report, data: review.conflict_resolve(
        report=report, key=data["key"], keep=data["keep"], reason=data["reason"], user=request.user),
        _("冲突已处理。"))


@reviewer_required
@require_POST
def reprocess(request, public_id):
    report = _get_report(request, public_id)
    review.report_reprocess_enqueue(report_ids=[report.pk], user=request.user)
    return _done(request, report, _("已安排重新解析，人工更正会保留。"))


# --------------------------------------------------------------------------- coverage and timeliness


@reviewer_required
@require_GET
def coverage(request):
    form = CountyYearForm(request.GET or None, user=request.user, initial={"year": dt.date.today().year - 1})
    rows, summary = [], None
    if form.is_valid():
        county, year = form.cleaned_data["county"], form.cleaned_data["year"]
        rows = review.coverage_for(county=county, year=year)
        if request.GET.get("format") == "csv":
            response = HttpResponse("\ufeff" + review.coverage_csv(rows, year=year),
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="coverage-{county.code or county.public_id}-{year}.csv"'
            return response
        summary = review.coverage_summary(rows)
    return render(request, "review/coverage.html", {
        "form": form, "rows": rows, "summary": summary, "timeliness_labels": review.TIMELINESS_LABELS,
        "provenance_labels": review.PROVENANCE_LABELS,
    })


# --------------------------------------------------------------------------- copy-paste


def _section_threshold(form) -> tuple[str, float]:
    return (form.cleaned_data.get("section") or "s1",
            form.cleaned_data.get("threshold") or similarity.DEFAULT_THRESHOLD)


@reviewer_required
@require_GET
def copy_paste(request):
    form = SimilarityForm(request.GET or None, user=request.user, initial={"year": dt.date.today().year - 1, "section": "s1",
                                                        "threshold": similarity.DEFAULT_THRESHOLD})
    groups, docs = [], []
    if form.is_valid():
        section, threshold = _section_threshold(form)
        docs = similarity.county_year_docs(county=form.cleaned_data["county"], year=form.cleaned_data["year"],
                                           section=section)
        groups = similarity.find_groups(docs, threshold=threshold)
    return render(request, "review/similarity.html", {
        "form": form, "groups": [(g, g.highlighted()) for g in groups], "compared": len(docs),
    })


@reviewer_required
@require_GET
def copy_paste_unit(request, public_id):
    organisation = get_object_or_404(_in_scope(request.user, Organisation.objects.all()), public_id=public_id)
    section = request.GET.get("section", "s1")
    if section not in similarity.SECTIONS:
        raise Http404
    try:
        threshold = min(max(float(request.GET.get("threshold", similarity.DEFAULT_THRESHOLD)), 0.2), 1.0)
    except ValueError:
        threshold = similarity.DEFAULT_THRESHOLD
    docs = similarity.organisation_docs(organisation=organisation, section=section)
    pairs = similarity.similar_pairs(docs, threshold=threshold)
    # Side by side only for consecutive years (the usual copy); every pair is listed in the table.
    consecutive = sorted((p for p in pairs if abs(int(p.a.label) - int(p.b.label)) == 1), key=lambda p: p.a.label)
    shown = [(p, similarity.shared_segments(p.a, [p.b]), similarity.shared_segments(p.b, [p.a])) for p in consecutive]
    return render(request, "review/similarity_unit.html", {
        "organisation": organisation, "pairs": pairs, "shown": shown, "section": section, "threshold": threshold,
        "compared": len(docs),
    })
