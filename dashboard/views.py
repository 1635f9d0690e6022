"""Dashboard pages. Each view: check access, bind the query-string filters, call selectors,
hand plain rows to a chart function and a table, render (or export the table)."""

from __future__ import annotations

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from dashboard import access, charts, exports, filters, metrics, selectors, tables
from dashboard.models import Organisation, Report

# Public when settings.DASHBOARD_PUBLIC, otherwise for signed-in users with a role; a scoped
# user reads (and exports) only their part of the hierarchy (see dashboard.access).
dashboard_view = access.read_required


def home(request):
    """Links to every view and, for whoever may read the data, the latest year at a glance: how many
    units of their scope have a report, which are missing, how many wait for review."""
    context = {}
    user = request.user
    if access.can_read(user):
        scope = access.read_scope(user)
        years = selectors.year_range()
        if years:
            glance = selectors.coverage_glance(scope=scope, year=years[0])
            q = QueryDict(mutable=True)
            if scope is not None:
                q["scope"] = str(scope.public_id)
            q["missing"] = years[0]
            missing_url = f"{reverse('dashboard-overview')}?{q.urlencode()}"
            context["glance"] = {**glance, "scope": scope, "missing_url": missing_url}
    if access.has_role(user, access.Role.REVIEWER):
        waiting = Report.objects.filter(status=Report.Status.NEEDS_REVIEW)
        context["to_review"] = waiting.filter(access.organisations_q(user, "organisation__")).count()
    return render(request, "dashboard/home.html", context)


# ------------------------------------------------------------------ helpers
def _export_links(request, table: str | None = None) -> dict[str, str]:
    links = {}
    for fmt in exports.FORMATS:
        q = request.GET.copy()
        q.pop("page", None)
        q["export"] = fmt
        if table:
            q["table"] = table
        links[fmt] = f"{request.path}?{q.urlencode()}"
    return links


def _scope_trail(request, scope: Organisation | None, path: str | None = None) -> list[tuple[str, str]]:
    """Breadcrumbs 全国 › province › city › county, each a link to the same view at that scope."""
    chain = [] if scope is None else [o for o in (scope.province, scope.city) if o and o != scope] + [scope]
    links = []
    for org in (None, *chain):
        q = request.GET.copy() if path is None else QueryDict(mutable=True)
        for key in ("scope", "page", "export", "table"):
            q.pop(key, None)
        if org is not None:
            q["scope"] = str(org.public_id)
        links.append((org.name if org else _("全国"), f"{path or request.path}?{q.urlencode()}"))
    return links


def _labels() -> dict:
    return {"n_label": "N", "top_label": _("前列"), "bottom_label": _("末位")}


# ------------------------------------------------------------------ metric dictionary
@dashboard_view
def metric_list(request):
    rows = [
        {
            "id": m.id,
            "name_zh": m.name_zh,
            "name_en": m.name_en,
            "group": metrics.group_label(m.group),
            "formula": m.formula,
            "cell_formula": m.cell_formula,
            "unit": m.unit,
            "denominator": m.denominator_label or "—",
            "versions": " / ".join(sorted(m.versions)),
            "comparable": _("是") if m.comparable_across_versions else _("否"),
            "direction": {True: _("越高越好"), False: _("越低越好"), None: _("不评优劣")}[m.higher_is_better],
            "note": m.note,
        }
        for m in metrics.METRICS
    ]
    table = tables.MetricTable(rows)
    if fmt := exports.requested(request):
        return exports.table_response(table, fmt=fmt, view="metrics", parts=[])
    return render(request, "dashboard/metrics.html", {"table": table, "export_links": _export_links(request)})


# ------------------------------------------------------------------ ranking
@dashboard_view
def ranking(request):
    f = filters.RankingFilter(request.GET, request=request)
    p = f.params
    context = {"filter": f, "p": p, "metric": p.metric, "trail": _scope_trail(request, p.scope)}
    if p.year is None:
        return render(request, "dashboard/ranking.html", context)
    table = tables.RankingTable(
        f.qs,
        metric=p.metric,
        year=p.year,
        compare_year=p.compare_year,
        show_county=p.scope is None or p.scope.level != Organisation.Level.COUNTY,
        order_by=request.GET.get("sort"),
    )
    if fmt := exports.requested(request):
        RequestConfig(request, paginate=False).configure(table)  # sorts the queryset in SQL
        rows = selectors.ranking_details(table.data.data)
        table = tables.RankingTable(
            rows, metric=p.metric, year=p.year, compare_year=p.compare_year, show_county=table.show_county
        )
        return exports.table_response(table, fmt=fmt, view="ranking", parts=p.slug())
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    selectors.ranking_details(row.record for row in table.page.object_list)
    chart_rows, counts = selectors.ranking_summary_for(
        metric=p.metric, year=p.year, compare_year=p.compare_year, scope=p.scope, kind=p.kind, n=p.top
    )
    figure = charts.ranking_bar(
        chart_rows,
        title=f"{p.metric.name} · {p.year}",
        is_rate=p.metric.is_rate,
        n=p.top,
        total=counts[selectors.RANKED],
        **_labels(),
    )
    group_counts = [
        (g, p.metric.empty_label if g == selectors.EMPTY else tables.GROUP_LABELS[g], n)
        for g, n in counts.items()
    ]
    context.update(
        table=table,
        figure=figure,
        group_counts=group_counts,
        export_links=_export_links(request),
        total=sum(counts.values()),
    )
    return render(request, "dashboard/ranking.html", context)


# ------------------------------------------------------------------ year on year
HEATMAP_MAX_UNITS = 60


@dashboard_view
def trend(request):
    f = filters.TrendFilter(request.GET, request=request)
    p = f.params
    context = {"filter": f, "p": p, "metric": p.metric, "trail": _scope_trail(request, p.scope)}
    if p.year is None:
        return render(request, "dashboard/trend.html", context)
    improved, declined = selectors.changes_for(
        metric=p.metric, year=p.year, compare_year=p.compare_year, scope=p.scope, kind=p.kind, n=p.top
    )
    years = sorted(f.years)[-10:]
    group_size = selectors.peer_group(scope=p.scope, kind=p.kind).count()
    # A heatmap of thousands of rows helps nobody: large groups show the biggest movers only.
    only = None if group_size <= HEATMAP_MAX_UNITS else [r["public_id"] for r in (*improved, *declined)]
    series = list(
        selectors.series_for(metric=p.metric, years=years, scope=p.scope, kind=p.kind, public_ids=only)
    )
    label = _unit_labels(series)
    improved_t = tables.ChangesTable(improved, metric=p.metric, attrs={"id": "improved-table"})
    declined_t = tables.ChangesTable(declined, metric=p.metric, attrs={"id": "declined-table"})
    matrix_t = tables.TrendTable(
        _matrix_rows(series, p.metric), years=years, exclude=("group",), attrs={"id": "matrix-table"}
    )
    matrix_t.columns["metric"].column.verbose_name = _("单位")
    if fmt := exports.requested(request):
        which = {"improved": improved_t, "declined": declined_t}.get(request.GET.get("table"), matrix_t)
        name = request.GET.get("table") if request.GET.get("table") in ("improved", "declined") else "matrix"
        return exports.table_response(
            which, fmt=fmt, view=f"trend-{name}", parts=[*p.slug(), str(p.compare_year)]
        )
    heat = charts.heatmap(
        [{"name": label[r["organisation_id"]], "year": r["year"], "value": r["value"]} for r in series],
        years=years,
        title=f"{p.metric.name}",
        is_rate=p.metric.is_rate,
        higher_is_better=p.metric.higher_is_better,
    )
    slope = charts.slope(
        improved,
        declined,
        from_year=p.compare_year,
        to_year=p.year,
        title=f"{p.metric.name} · {p.compare_year}→{p.year}",
        is_rate=p.metric.is_rate,
        improved_label=_("进步最大") if p.metric.higher_is_better is not None else _("增幅最大"),
        declined_label=_("退步最大") if p.metric.higher_is_better is not None else _("降幅最大"),
    )
    context.update(
        improved=improved_t,
        declined=declined_t,
        matrix=matrix_t,
        heatmap=heat,
        slope=slope,
        group_size=group_size,
        heatmap_limited=only is not None,
        export_links={t: _export_links(request, t) for t in ("improved", "declined", "matrix")},
    )
    return render(request, "dashboard/trend.html", context)


def _unit_labels(series: list[dict]) -> dict[int, str]:
    """Unit names, with the county added where two units of the group share a name."""
    names: dict[str, set] = {}
    for r in series:
        names.setdefault(r["organisation__name"], set()).add(r["organisation_id"])
    return {
        r["organisation_id"]: r["organisation__name"]
        if len(names[r["organisation__name"]]) == 1
        else _("%(name)s（%(detail)s）")
        % {"name": r["organisation__name"], "detail": r["organisation__county__name"]}
        for r in series
    }


def _matrix_rows(series: list[dict], metric: metrics.Metric) -> list[dict]:
    rows: dict = {}
    for r in series:
        row = rows.setdefault(
            r["organisation__public_id"],
            {
                "group": "",
                "metric": r["organisation__name"],
                "metric_url": reverse("dashboard-organisation", args=[r["organisation__public_id"]]),
            },
        )
        row[f"y{r['year']}"] = tables.format_value(metric, r["value"]) + (
            f" (N={r['denom']:.0f})" if metric.is_rate and r["denom"] is not None else ""
        )
    return list(rows.values())


# ------------------------------------------------------------------ organisation
@dashboard_view
def organisation(request, public_id):
    org = get_object_or_404(
        Organisation.objects.select_related("parent", "province", "city", "county"), public_id=public_id
    )
    if not access.may_read(request.user, org):
        raise Http404
    f = filters.OrganisationFilter(request.GET, request=request)
    metric = f.params.metric
    trend_reports = list(selectors.organisation_trend(organisation=org))
    years = [r.year for r in trend_reports]
    trend_rows = _trend_rows(trend_reports, org)
    if fmt := exports.requested(request):
        table = tables.TrendTable(trend_rows, years=years)
        return exports.table_response(table, fmt=fmt, view="unit", parts=[org.name])
    # Rendered by a plain loop: django-tables2 spends ~1 ms per row on a table this wide.
    for row in trend_rows:
        row["values"] = [row.get(f"y{y}", "") for y in years]
    points = []
    for i, r in enumerate(trend_reports):
        prev = trend_reports[i - 1] if i else None
        comparable = prev is None or metric.comparable(_version(prev, metric), _version(r, metric))
        points.append({"year": r.year, "value": getattr(r, f"m_{metric.id}"), "comparable": comparable})
    figure = charts.trend_line(points, title=f"{org.name} · {metric.name}", is_rate=metric.is_rate)
    reports = []
    for report in selectors.organisation_reports(organisation=org):
        corrected = {c.key for c in report.corrections.all()}
        reports.append(
            {
                "report": report,
                "layout": tables.official_layout(report, corrected),
                "original_url": reverse("ingest-original", args=[report.upload.public_id]),
                "checks": _checks(report),
                "corrections": list(report.corrections.all()),
            }
        )
    context = {
        "org": org,
        "filter": f,
        "metric": metric,
        "trend_rows": trend_rows,
        "years": years,
        "figure": figure,
        "reports": reports,
        "trail": _scope_trail(request, org.county or org.city or org.province, reverse("dashboard-overview")),
        "export_links": _export_links(request),
    }
    return render(request, "dashboard/organisation.html", context)


def _version(report, metric: metrics.Metric) -> str:
    return getattr(report, metric.version_field or "version")


def _trend_rows(trend_reports, org: Organisation) -> list[dict]:
    scope = org.county or org.city or org.province
    rows = []
    for m in metrics.METRICS:
        query = f"?metric={m.id}" + (f"&scope={scope.public_id}" if scope else "")
        row = {
            "group": metrics.group_label(m.group),
            "metric": _("%(name)s（%(detail)s）") % {"name": m.name, "detail": m.unit},
            "metric_url": reverse("dashboard-ranking") + query,
        }
        prev = None
        for r in trend_reports:
            value = getattr(r, f"m_{m.id}")
            text = tables.format_value(m, value) if m.defined_for(_version(r, m)) else _("不适用")
            if m.is_rate and getattr(r, f"d_{m.id}") is not None:
                text += f" (N={getattr(r, f'd_{m.id}'):.0f})"
            if prev is not None and not m.comparable(_version(prev, m), _version(r, m)):
                text += " ‖" + _("不可比")
            row[f"y{r.year}"] = text
            prev = r
        rows.append(row)
    return rows


def _checks(report) -> list[dict]:
    """The report's failed and unevaluable checks: the parser's (``report.checks``) and the
    quality checks stored as CheckResult rows, with the reviewer's verdict when there is one."""
    reviewed = {c.check_id: c for c in report.check_results.all()}
    out, seen = [], set()
    for check in report.checks or []:
        if check.get("ok") is True:
            continue
        row = reviewed.get(check.get("id"))
        seen.add(check.get("id"))
        out.append(
            {
                "id": check.get("id"),
                "ok": check.get("ok"),
                "lhs": check.get("lhs"),
                "rhs": check.get("rhs"),
                "expr": check.get("expr", ""),
                "review": row.get_review_display() if row else "",
                "message": row.message if row else "",
            }
        )
    for check_id, row in reviewed.items():
        if check_id in seen or row.ok is True:
            continue
        out.append(
            {
                "id": check_id,
                "ok": row.ok,
                "lhs": row.lhs,
                "rhs": row.rhs,
                "expr": "",
                "review": row.get_review_display(),
                "message": row.message,
            }
        )
    return out


# ------------------------------------------------------------------ coverage overview
@dashboard_view
def overview(request):
    f = filters.OverviewFilter(request.GET, request=request)
    p = f.params
    years = sorted(f.years)[-10:]
    summary = selectors.coverage_summary(scope=p.scope, kind=p.kind, years=years)
    table = tables.CoverageTable(
        selectors.coverage_for(scope=p.scope, kind=p.kind, years=years, missing_year=p.missing_year),
        years=years,
        order_by=request.GET.get("sort"),
    )
    summary_t = tables.CoverageSummaryTable(summary)
    if fmt := exports.requested(request):
        which = summary_t if request.GET.get("table") == "summary" else table
        RequestConfig(request, paginate=False).configure(which)
        name = "overview-summary" if which is summary_t else "overview-units"
        parts = [p.scope.name if p.scope else "全国", p.kind or ""]
        if p.missing_year and which is table:
            parts.append(f"missing-{p.missing_year}")
        return exports.table_response(which, fmt=fmt, view=name, parts=parts)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    figure = charts.coverage_bars(
        summary,
        title=_("报告覆盖情况"),
        labels={
            "verified": _("已核实"),
            "reported": _("已解析未核实"),
            "needs_review": _("待审核"),
            "missing": _("缺报告"),
        },
    )
    context = {
        "filter": f,
        "p": p,
        "table": table,
        "summary": summary_t,
        "figure": figure,
        "trail": _scope_trail(request, p.scope),
        "export_links": {t: _export_links(request, t) for t in ("summary", "units")},
    }
    return render(request, "dashboard/overview.html", context)
