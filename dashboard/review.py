"""Review of parsed reports by people: services (writes) first, then the selectors the review pages use.

Every change a reviewer makes is recorded with who, when, the old and new value and the reason:
cell corrections as ``CellCorrection`` rows, everything else (a check confirmed or dismissed, the
organisation or year filled in, verification, re-parsing, a correction conflict settled) as
``ReviewEvent`` rows. After each change the headline figures and the checks are brought up to date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard import figures, quality, selectors
from dashboard.audit import audit
from dashboard.models import CellCorrection, CheckResult, Organisation, Report, ReviewEvent

# Upload failures a newer parser may get past (refusals of the file itself are not retried).
REPARSEABLE_ERRORS = ("parser_crash", "no_report", "timeout", "gave_up")
REPROCESS_CHUNK = 50


class ReviewError(Exception):
    """A refused review action; ``message`` is for people (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _event(report: Report, action: str, *, user, target: str = "", old=None, new=None, reason: str = "") -> ReviewEvent:
    """The report's review history, and the project-wide audit log (dashboard.audit). Every recorded
    change may move the report in the rankings (figures, status, place): the caches hear of it."""
    event = ReviewEvent.objects.create(report=report, action=action, target=target, old=old, new=new,
                                       reason=reason, user=user)
    audit(user=user, action=f"review_{action}", obj=report,
          summary=f"{event.get_action_display()} {target}：{_short(old)} → {_short(new)}；{reason}",
          target=target, old=old, new=new, reason=reason)
    transaction.on_commit(selectors.data_changed)
    return event


def _short(value) -> str:
    if isinstance(value, dict) and "st" in value:
        return (value.get("raw") or "").strip() or value.get("st", "")
    return str(value)[:200]


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=report.pk)


def _cell_from_text(key: str, raw: str) -> dict:
    from ingest.parsing.values import parse_value

    money = key in quality.MONEY_KEYS
    cell = parse_value(raw, money=money, signed=key.endswith(".items_change")).to_dict(money=money)
    if key == quality.FEE_KEY and cell.get("st") == "ok" and not cell.get("unit"):
        cell["unit"] = "万元"
    return cell


def _same_cell(a: dict | None, b: dict | None) -> bool:
    """Two cells say the same thing: same status and value (padding and spelling of raw aside)."""
    a, b = a or {"st": "missing", "v": None}, b or {"st": "missing", "v": None}
    return a.get("st") == b.get("st") and a.get("v") == b.get("v")


def _refresh_from_cells(report: Report) -> None:
    """Identities (the parser's own function) and headline figures from the current cells."""
    report.checks = quality.identity_checks(report.cells)
    for name, value in figures.compute(report.cells, report.stated_counts).items():
        setattr(report, name, value)


@transaction.atomic
def cell_correct(*, report: Report, key: str, raw: str, reason: str, user) -> CellCorrection:
    """Replace one cell with what the reviewer read in the original; figures and checks follow."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("请填写更正理由。"))
    report = _locked(report)
    if key not in report.cells:  # the parser stores every key of the report's template version
        raise ReviewError(_("没有这个单元格：%(key)s") % {"key": key})
    old = {k: v for k, v in (report.cells.get(key) or {"v": None, "raw": None, "st": "missing"}).items()
           if k != "conflict"}
    new = _cell_from_text(key, raw)
    if _same_cell(old, new) and (old.get("raw") or "").strip() == (new.get("raw") or "").strip() \
            and "conflict" not in (report.cells.get(key) or {}):
        raise ReviewError(_("新值与原值相同，无需更正。"))
    cells = dict(report.cells)
    cells[key] = new  # a correction also settles a conflict with a re-parse
    report.cells = cells
    _refresh_from_cells(report)
    report.save()
    correction = CellCorrection.objects.create(report=report, key=key, old=old, new=new, reason=reason, user=user)
    audit(user=user, action="cell_correct", obj=report, summary=f"更正 {key}：{_short(old)} → {_short(new)}；{reason}",
          key=key, old=old, new=new, reason=reason)
    quality.report_checks_run_around(report=report)
    transaction.on_commit(selectors.data_changed)
    return correction


@transaction.atomic
def check_review(*, report: Report, check_id: str, decision: str, user, reason: str = "") -> CheckResult:
    """Confirm (the report itself is wrong) or dismiss (not a real problem) a failed check, or reopen it."""
    if decision not in CheckResult.Review.values:
        raise ReviewError(_("无效的处理方式。"))
    reason = (reason or "").strip()
    if decision == CheckResult.Review.DISMISSED and not reason:
        raise ReviewError(_("忽略一项校验时请说明理由。"))
    report = _locked(report)
    row = CheckResult.objects.select_for_update().filter(report=report, check_id=check_id).first()
    if row is None:
        raise ReviewError(_("没有这一项校验结果（可能已经通过）。"))
    if row.review == decision:
        return row
    old = row.review
    row.review, row.reviewed_by, row.reviewed_at = decision, user, timezone.now()
    row.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    _event(report, ReviewEvent.Action.CHECK, user=user, target=check_id, old=old, new=decision, reason=reason)
    quality.report_status_refresh(report=report)
    return row


@transaction.atomic
def report_fill_in(*, report: Report, organisation: Organisation, year: int, user, reason: str = "") -> Report:
    """Set the organisation and year of a report (what the parser could not determine, or got wrong)."""
    from dashboard.services import report_place

    if not 2000 <= int(year) <= timezone.now().year + 1:
        raise ReviewError(_("报告年度不合理。"))
    report = _locked(report)
    old = {"organisation": str(report.organisation) if report.organisation else None, "year": report.year}
    old_neighbours = quality.following_reports(report)
    report = report_place(report=report, organisation=organisation, year=int(year))
    _event(report, ReviewEvent.Action.PLACE, user=user, target="organisation,year", old=old,
           new={"organisation": str(organisation), "year": int(year)}, reason=(reason or "").strip())
    quality.report_checks_run_around(report=report)
    for other in old_neighbours:
        quality.report_checks_run(report=other)
    return report


@transaction.atomic
def report_verify(*, report: Report, user, reason: str = "") -> Report:
    """A reviewer vouches for the report. Refused while any failed check is still open."""
    from dashboard.services import report_refresh_current

    report = _locked(report)
    if report.organisation_id is None or report.year is None:
        raise ReviewError(_("请先指定所属单位和报告年度。"))
    open_rows = [r for r in CheckResult.objects.filter(report=report) if quality.needs_attention(r)]
    if open_rows:
        raise ReviewError(_("还有 %(n)s 项校验待处理：请逐项确认或忽略后再核实。") % {"n": len(open_rows)})
    old = report.status
    report.status = Report.Status.VERIFIED
    report.save(update_fields=["status", "updated"])
    _event(report, ReviewEvent.Action.VERIFY, user=user, old=old, new=report.status, reason=(reason or "").strip())
    quality.report_status_refresh(report=report)
    report_refresh_current(organisation_id=report.organisation_id, year=report.year)
    return report


def _acknowledged_parse(correction: CellCorrection, conflicts: Iterable[ReviewEvent]) -> list[dict]:
    """Readings of a corrected cell that raise no conflict: the corrected value itself, and the parser
    values a reviewer has seen and overruled (the one the correction replaced, and any kept over since;
    ``conflicts`` are the settled conflicts of this cell)."""
    seen = [correction.new, correction.old]
    for ev in conflicts:
        if ev.created >= correction.created and isinstance(ev.new, dict) and ev.new.get("kept") \
                and ev.new.get("parsed") is not None:
            seen.append(ev.new["parsed"])
    return seen


@transaction.atomic
def conflict_resolve(*, report: Report, key: str, keep: bool, user, reason: str = "") -> Report:
    """Settle a disagreement between a correction and a re-parse: keep the correction or take the parse."""
    report = _locked(report)
    cell = report.cells.get(key) or {}
    parsed = cell.get("conflict")
    if parsed is None:
        raise ReviewError(_("这个单元格没有待处理的冲突。"))
    if not keep:
        cell_correct(report=report, key=key, raw=parsed.get("raw") or "",
                     reason=(reason or "").strip() or _("采用重新解析的结果"), user=user)
        return Report.objects.get(pk=report.pk)
    cells = dict(report.cells)
    cells[key] = {k: v for k, v in cell.items() if k != "conflict"}
    report.cells = cells
    report.save(update_fields=["cells", "updated"])
    _event(report, ReviewEvent.Action.CONFLICT, user=user, target=key, old=parsed,
           new={"kept": cells[key], "parsed": parsed}, reason=(reason or "").strip() or _("保留人工更正"))
    quality.report_checks_run(report=report)
    return report


@transaction.atomic
def report_reprocess(*, report: Report, user=None) -> Report:
    """Parse the stored upload again with the current parser, keeping every manual correction.

    Where the new parse of a corrected cell differs from what the reviewer overruled, the correction
    is kept and the new value is stored beside it as a conflict (check R1) for a person to settle.
    A correction of a cell the new parse does not have (it now reads the other template version) is
    not applied; the re-parse event lists it, and the CellCorrection row stays in the history.
    """
    from dashboard.services import organisation_place, report_fields_from_parse, report_refresh_current
    from ingest.parsing import ParseError, parse

    report = _locked(report)
    with report.upload.file.open("rb") as fh:
        data = fh.read()
    try:
        parsed = parse(data, report.upload.original_name, time_budget=settings.PARSE_TIME_BUDGET_SECONDS)
    except ParseError as exc:
        _event(report, ReviewEvent.Action.REPROCESS, user=user, old={"parser_version": report.parser_version},
               new={"error": exc.message_zh}, reason=_("重新解析失败，保留原结果"))
        return report
    fields = report_fields_from_parse(parsed)
    cells = fields["cells"]
    latest: dict[str, CellCorrection] = {}
    for c in report.corrections.order_by("created", "id"):
        latest[c.key] = c
    settled: dict[str, list[ReviewEvent]] = {}
    if latest:  # every settled conflict of the report in one query, not one per corrected cell
        for ev in report.review_events.filter(action=ReviewEvent.Action.CONFLICT).only("target", "new", "created"):
            settled.setdefault(ev.target, []).append(ev)
    conflicts, dropped = [], []
    for key, correction in latest.items():
        if key not in cells:  # the new parse reads another template version: the cell no longer exists
            dropped.append(key)
            continue
        fresh = cells[key]
        kept = {k: v for k, v in correction.new.items() if k != "conflict"}
        if not any(_same_cell(fresh, seen) for seen in _acknowledged_parse(correction, settled.get(key, ()))):
            kept["conflict"] = fresh
            conflicts.append(key)
        cells[key] = kept
    old_parser = report.parser_version
    old_place = (report.organisation_id, report.year)
    # What the new parse does not name (agency, title, date) keeps its earlier value.
    fields["agency_name"] = fields["agency_name"] or report.agency_name
    fields["title"] = fields["title"] or report.title
    fields["published_date"] = fields["published_date"] or report.published_date
    for name, value in fields.items():
        setattr(report, name, value)
    # Organisation and year: a person's or an earlier placement stands; only gaps are filled.
    if report.organisation_id is None:
        report.organisation = organisation_place(agency_name=parsed.agency).organisation
    if report.year is None:
        report.year = parsed.report_year
    if latest:  # the parse's checks and figures were computed before the corrections went in
        _refresh_from_cells(report)
    report.save()
    _event(report, ReviewEvent.Action.REPROCESS, user=user, old={"parser_version": old_parser},
           new={"parser_version": report.parser_version, "kept": sorted(set(latest) - set(dropped)),
                "conflicts": conflicts, "dropped": dropped})
    quality.report_checks_run_around(report=report)
    if (report.organisation_id, report.year) != old_place:
        report_refresh_current(organisation_id=report.organisation_id, year=report.year)
    return report


def report_reprocess_enqueue(*, report_ids: Iterable[int] | None = None, everything: bool = False,
                             user=None) -> int:
    """Queue re-parsing in the worker: the given reports, or every report and every upload a parser
    error stopped. Returns how many reports and uploads were queued."""
    from ingest.models import Upload
    from ingest.services import uploads_enqueue
    from ingest.tasks import reprocess_reports

    if everything:
        ids = list(Report.objects.order_by("pk").values_list("pk", flat=True))
        stuck = list(
            Upload.objects.filter(status=Upload.Status.FAILED, error_code__in=REPARSEABLE_ERRORS, report__isnull=True)
            .only("id", "size")
        )
        Upload.objects.filter(pk__in=[u.pk for u in stuck]).update(
            status=Upload.Status.PENDING, error_code="", message="", attempts=0, task_id="", enqueued=timezone.now()
        )
        uploads_enqueue(uploads=stuck)
    else:
        ids = sorted(set(int(i) for i in report_ids or ()))
        stuck = []
    user_id = getattr(user, "pk", None)
    for start in range(0, len(ids), REPROCESS_CHUNK):
        chunk = ids[start:start + REPROCESS_CHUNK]
        transaction.on_commit(lambda chunk=chunk: reprocess_reports.delay(chunk, user_id))
    return len(ids) + len(stuck)


def reports_recheck_enqueue() -> int:
    """Queue every report for the checks again (after the catalogue changed, or for reports stored
    before it existed). Returns how many reports were queued."""
    from ingest.tasks import recheck_reports

    ids = list(Report.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), REPROCESS_CHUNK):
        chunk = ids[start:start + REPROCESS_CHUNK]
        transaction.on_commit(lambda chunk=chunk: recheck_reports.delay(chunk))
    return len(ids)


def reports_recheck(*, report_ids: Iterable[int]) -> int:
    """Run every check again (e.g. after the catalogue changed). Used by the recheck task, one chunk
    of reports at a time: statuses may change, so the caches hear of it once per chunk."""
    n = 0
    for report in Report.objects.filter(pk__in=list(report_ids)).select_related("organisation"):
        quality.report_checks_run(report=report)
        n += 1
    transaction.on_commit(selectors.data_changed)
    return n


# =========================================================================== selectors


def report_provenance(report: Report) -> str:
    """How far a report's figures can be trusted: "verified", "corrected" (by a person) or "unreviewed"."""
    if report.status == Report.Status.VERIFIED:
        return "verified"
    if report.corrections.exists():
        return "corrected"
    return "unreviewed"


PROVENANCE_LABELS = {"verified": gettext_lazy("已核实"), "corrected": gettext_lazy("已人工更正"),
                     "unreviewed": gettext_lazy("未经审核")}


def with_provenance(queryset: QuerySet[Report], *, field: str = "provenance", prefix: str = "") -> QuerySet:
    """Annotate a queryset (of reports, or of rows with a report FK given as ``prefix="report__"``)
    with ``provenance``: the same three values as ``report_provenance``, in one query."""
    outer = f"{prefix}pk" if prefix else "pk"
    corrected = Exists(CellCorrection.objects.filter(report_id=OuterRef(outer)))
    return queryset.annotate(**{field: Case(
        When(**{f"{prefix}status": Report.Status.VERIFIED}, then=Value("verified")),
        When(corrected, then=Value("corrected")),
        default=Value("unreviewed"),
        output_field=CharField(),
    )})


# What the parser stored in full: the lists of many reports never show it.
BULKY_FIELDS = ("cells", "derived", "checks", "warnings", "headings", "version_evidence", "text_overview",
                "text_problems", "text_other", "stated_counts")


def review_queue(*, status: str | None = Report.Status.NEEDS_REVIEW, county: Organisation | None = None,
                 year: int | None = None) -> QuerySet[Report]:
    reports = Report.objects.select_related("organisation").defer(*BULKY_FIELDS)
    if status:
        reports = reports.filter(status=status)
    if county is not None:
        reports = reports.filter(Q(organisation__county=county) | Q(organisation=county))
    if year:
        reports = reports.filter(year=year)
    open_checks = Count("check_results", filter=Q(check_results__review=CheckResult.Review.OPEN,
                                                  check_results__severity__in=["error", "warning"]))
    return with_provenance(reports).annotate(open_checks=open_checks).order_by("-open_checks", "-created")


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    user: object
    what: str
    target: str
    old: object
    new: object
    reason: str


def report_history(report: Report) -> list[HistoryEntry]:
    """Every recorded change to a report, newest first."""
    from ingest.parsing.template import label_of

    def show(cell):
        if isinstance(cell, dict) and "st" in cell:
            return (cell.get("raw") or "").strip() or {"blank": _("（空白）"), "missing": _("（缺失）")}.get(
                cell.get("st"), "")
        return cell

    entries = [
        HistoryEntry(c.created, c.user, _("更正单元格"), label_of(c.key), show(c.old), show(c.new), c.reason)
        for c in report.corrections.select_related("user")
    ]
    for ev in report.review_events.select_related("user"):
        old, new = ev.old, ev.new
        if ev.action == ReviewEvent.Action.CHECK:
            labels = dict(CheckResult.Review.choices)
            old, new = labels.get(old, old), labels.get(new, new)
        elif ev.action == ReviewEvent.Action.CONFLICT:
            old, new = show(old), show((new or {}).get("kept"))
        elif ev.action == ReviewEvent.Action.PLACE:
            old, new = (f"{(v or {}).get('organisation') or '—'} / {(v or {}).get('year') or '—'}" for v in (old, new))
        elif ev.action == ReviewEvent.Action.REPROCESS:
            old = _("解析程序 %(v)s") % {"v": (old or {}).get("parser_version", "?")}
            new = (_("失败：%(e)s") % {"e": new["error"]}) if "error" in (new or {}) else _(
                "解析程序 %(v)s；保留人工更正 %(k)s 处；冲突 %(c)s 处；因模板版本改变不再适用 %(d)s 处") % {
                "v": (new or {}).get("parser_version", "?"), "k": len((new or {}).get("kept", [])),
                "c": len((new or {}).get("conflicts", [])), "d": len((new or {}).get("dropped", []))}
        entries.append(HistoryEntry(ev.created, ev.user, ev.get_action_display(), ev.target, old, new, ev.reason))
    return sorted(entries, key=lambda e: e.when, reverse=True)


# --------------------------------------------------------------------------- coverage and timeliness


def deadline_for(organisation: Organisation, year: int) -> dt.date:
    """条例第四十九条: departments by 31 January of Y+1, a county (or higher) government's own report by
    31 March. Townships and 街道: ``REVIEW_TOWNSHIP_DEADLINE`` ("MM-DD", default "01-31"), because the
    county's 主管部门 compiles the county report from theirs and county notices set the departments' date."""
    if organisation.level in (Organisation.Level.COUNTY, Organisation.Level.CITY, Organisation.Level.PROVINCE):
        month, day = 3, 31
    elif organisation.level == Organisation.Level.TOWNSHIP:
        month, day = (int(x) for x in getattr(settings, "REVIEW_TOWNSHIP_DEADLINE", "01-31").split("-"))
    else:
        month, day = 1, 31
    return dt.date(year + 1, month, day)


@dataclass(frozen=True)
class CoverageRow:
    organisation: Organisation
    report: Report | None
    deadline: dt.date
    published: dt.date | None
    timeliness: str  # "on_time" | "late" | "undated" | "missing"
    days_late: int | None
    provenance: str | None

    @property
    def needs_review(self) -> bool:
        return self.report is not None and self.report.status == Report.Status.NEEDS_REVIEW


TIMELINESS_LABELS = {"on_time": gettext_lazy("按时"), "late": gettext_lazy("逾期"),
                     "undated": gettext_lazy("未注明发布日期"), "missing": gettext_lazy("未找到报告")}


def coverage_for(*, county: Organisation, year: int) -> list[CoverageRow]:
    """Every unit of a county (the county government itself, its townships and departments) for one year:
    its current report if any, when it was published against the deadline, and its review state.
    (services.report_refresh_current keeps one current report per organisation and year.)"""
    from dashboard.selectors import peer_group

    units = [county, *peer_group(scope=county).order_by("level", "name")]
    current = (Report.objects.filter(organisation__in=units, year=year, is_current=True)
               .only("id", "public_id", "organisation_id", "status", "published_date", "checks_failed"))
    reports = {r.organisation_id: r for r in with_provenance(current)}
    rows = []
    for org in units:
        report = reports.get(org.pk)
        deadline = deadline_for(org, year)
        published = report.published_date if report else None
        if report is None:
            timeliness, late = "missing", None
        elif published is None:
            timeliness, late = "undated", None
        elif published <= deadline:
            timeliness, late = "on_time", 0
        else:
            timeliness, late = "late", (published - deadline).days
        rows.append(CoverageRow(org, report, deadline, published, timeliness, late,
                                getattr(report, "provenance", None)))
    return rows


def coverage_summary(rows: list[CoverageRow]) -> dict[str, int]:
    out = {"units": len(rows), "with_report": 0, "missing": 0, "on_time": 0, "late": 0, "undated": 0,
           "needs_review": 0, "verified": 0}
    for row in rows:
        out[row.timeliness] += 1
        out["with_report"] += row.report is not None
        out["needs_review"] += row.needs_review
        out["verified"] += row.provenance == "verified"
    return out


def coverage_csv(rows: list[CoverageRow], *, year: int) -> str:
    """The coverage table as CSV text (the view adds the UTF-8 BOM so Excel reads the Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("单位"), _("层级"), _("年度"), _("是否有报告"), _("发布日期"), _("截止日期"), _("时效"),
                _("逾期天数"), _("状态"), _("未通过的勾稽校验"), _("数据来源")])
    for r in rows:
        w.writerow([
            r.organisation.full_name or r.organisation.name, r.organisation.get_level_display(), year,
            _("是") if r.report else _("否"), r.published.isoformat() if r.published else "",
            r.deadline.isoformat(), TIMELINESS_LABELS[r.timeliness], "" if r.days_late is None else r.days_late,
            r.report.get_status_display() if r.report else "", r.report.checks_failed if r.report else "",
            PROVENANCE_LABELS.get(r.provenance, "") if r.provenance else "",
        ])
    return buf.getvalue()
