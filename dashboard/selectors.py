"""Reads for the dashboard: peer groups, rankings, time series, coverage.

Every selector returns an annotated queryset (or plain rows built from one); the
views, tables and charts only display them. A ranking is one query over the peer
group's organisations joined twice to ``Report`` (this year, comparison year)
through the ``(organisation, year, is_current)`` index, so its cost grows
linearly with the size of the peer group and never reads the cell JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, NullIf, Rank, RowNumber
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard.metrics import METRICS, Metric
from dashboard.models import CellCorrection, Organisation, Report

Level = Organisation.Level
Kind = Organisation.Kind

# Peer-group kinds offered in the filters (query-string value -> organisation filter).
KINDS: dict[str, tuple[str, dict]] = {
    "xiangzhen": (
        pgettext_lazy("peer group", "乡镇"),
        {"level": Level.TOWNSHIP, "kind__in": [Kind.XIANG, Kind.ZHEN, Kind.ETHNIC_XIANG, Kind.SUMU]},
    ),
    "jiedao": (pgettext_lazy("peer group", "街道"), {"level": Level.TOWNSHIP, "kind": Kind.JIEDAO}),
    "department": (_("县级部门"), {"level": Level.DEPARTMENT}),
    "county": (_("县级政府"), {"level": Level.COUNTY}),
}
UNIT_LEVELS = (Level.TOWNSHIP, Level.DEPARTMENT)
SCOPE_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)

# Rank groups, in display order. Only group RANKED gets a rank.
RANKED, EMPTY, INCOMPLETE, NOT_APPLICABLE, NO_REPORT = 0, 1, 2, 3, 4


# ------------------------------------------------------------------ organisations
def scope_choices(*, scope: Organisation | None) -> QuerySet[Organisation]:
    """Scopes worth offering next to the current one: provinces, the current province's cities,
    the current city's counties (a cascade, so the list stays short at national scale)."""
    q = Q(level=Level.PROVINCE)
    if scope is not None:
        province_id = scope.pk if scope.level == Level.PROVINCE else scope.province_id
        city_id = scope.pk if scope.level == Level.CITY else scope.city_id
        if province_id:
            q |= Q(level=Level.CITY, province_id=province_id)
        if city_id:
            q |= Q(level=Level.COUNTY, city_id=city_id)
    # Administrative codes sort a tree in order: province 110000, city 110100, county 110101.
    return Organisation.objects.filter(q).order_by(F("code").asc(nulls_last=True), "name")


def peer_group(*, scope: Organisation | None = None, kind: str | None = None) -> QuerySet[Organisation]:
    """All units of a county, city or province (or the whole country), optionally of one kind."""
    qs = Organisation.objects.filter(merged_into__isnull=True)
    qs = qs.filter(**KINDS[kind][1]) if kind in KINDS else qs.filter(level__in=UNIT_LEVELS)
    if scope is not None:
        if scope.level == Level.PROVINCE:
            qs = qs.filter(province=scope)
        elif scope.level == Level.CITY:
            qs = qs.filter(city=scope)
        elif scope.level == Level.COUNTY:
            qs = qs.filter(county=scope)
        else:
            qs = qs.filter(parent=scope)
    return qs


def year_range() -> list[int]:
    """Report years present (min..max of current reports; two index look-ups)."""
    agg = Report.objects.filter(is_current=True, year__isnull=False).aggregate(lo=Min("year"), hi=Max("year"))
    if agg["lo"] is None:
        return []
    return list(range(agg["hi"], agg["lo"] - 1, -1))


# ------------------------------------------------------------------ ranking
def ranking_rows(
    *,
    metric: Metric,
    year: int,
    scope: Organisation | None = None,
    kind: str | None = None,
    compare_year: int | None = None,
) -> QuerySet[Organisation]:
    """The peer group with this year's and the comparison year's figures, unranked."""
    compare_year = compare_year or year - 1
    # §四 and quality metrics mean the same in both templates; show the §三 version for them.
    vf = metric.version_field or "version_s3"
    qs = (
        peer_group(scope=scope, kind=kind)
        .only("id", "public_id", "name", "county_id")
        .annotate(
            cur=FilteredRelation("reports", condition=Q(reports__year=year, reports__is_current=True)),
            prev=FilteredRelation(
                "reports", condition=Q(reports__year=compare_year, reports__is_current=True)
            ),
        )
    )
    qs = qs.annotate(
        report_id=F("cur__id"),
        report_public_id=F("cur__public_id"),
        prev_report_id=F("prev__id"),
        status=F("cur__status"),
        version=F(f"cur__{vf}"),
        value=metric.expression("cur__"),
        denom=metric.denominator_expression("cur__"),
        prev_value=metric.expression("prev__"),
        comparable=metric.comparable_expression("cur", "prev"),
    )
    groups = [When(report_id__isnull=True, then=Value(NO_REPORT))]
    if metric.versions != frozenset({"2019", "2021"}) and metric.version_field:
        groups.append(When(~Q(version__in=sorted(metric.versions)), then=Value(NOT_APPLICABLE)))
    groups.append(When(value__isnull=False, then=Value(RANKED)))
    if metric.is_rate:
        groups.append(When(denom=0, then=Value(EMPTY)))
    return qs.annotate(
        rank_group=Case(*groups, default=Value(INCOMPLETE), output_field=IntegerField()),
        change_abs=Case(When(comparable=True, then=F("value") - F("prev_value"))),
        change_rel=Case(
            When(comparable=True, then=(F("value") - F("prev_value")) / NullIf(Abs(F("prev_value")), 0.0))
        ),
    )


def _value_order(metric: Metric, *, reverse: bool = False):
    best_first_desc = metric.higher_is_better is not False
    desc = best_first_desc != reverse
    return F("value").desc() if desc else F("value").asc()


def ranking_for(
    *,
    metric: Metric,
    year: int,
    scope: Organisation | None = None,
    kind: str | None = None,
    compare_year: int | None = None,
) -> QuerySet[Organisation]:
    """Every unit of the peer group with the metric for ``year``, its competition rank (ties
    share a rank: 1, 2, 2, 4) inside its rank group, and the change since ``compare_year``.

    Annotations: report_id, report_public_id, prev_report_id, value, denom, prev_value,
    comparable, change_abs, change_rel, rank_group, rank, status, version. The county name and
    whether a reviewer corrected the report are added to the rows actually shown, by
    ``ranking_details`` (computing them for every unit of the country would double the cost).
    """
    qs = ranking_rows(metric=metric, year=year, scope=scope, kind=kind, compare_year=compare_year)
    return qs.annotate(
        rank=Window(Rank(), partition_by=[F("rank_group")], order_by=_value_order(metric)),
    ).order_by("rank_group", "rank", "name")


def ranking_summary(
    rows: QuerySet[Organisation], *, metric: Metric, n: int
) -> tuple[list[dict], dict[int, int]]:
    """For the chart and the group counts, in one query over ``ranking_rows(...)``:
    the ranked group's top n and bottom n (or all of it when it is small) as plain rows, and
    how many units fall in each rank group (ranked, 无申请, incomplete, n/a, no report).
    All windows share one sort (rank, position and group size over the same ordering)."""
    order = [_value_order(metric), F("name").asc()]
    qs = rows.annotate(
        rank=Window(Rank(), partition_by=[F("rank_group")], order_by=_value_order(metric)),
        pos_top=Window(RowNumber(), partition_by=[F("rank_group")], order_by=order),
        group_size=Window(Count("id"), partition_by=[F("rank_group")]),
    ).filter(
        Q(rank_group=RANKED, pos_top__lte=n)
        | Q(rank_group=RANKED, pos_top__gt=F("group_size") - n)
        | Q(pos_top=1)
    )
    counts = {g: 0 for g in (RANKED, EMPTY, INCOMPLETE, NOT_APPLICABLE, NO_REPORT)}
    chart = []
    for r in qs.values(
        "public_id", "name", "county_id", "value", "denom", "rank", "pos_top", "rank_group", "group_size"
    ):
        counts[r["rank_group"]] = r["group_size"]
        if r["rank_group"] == RANKED:
            chart.append(r)
    chart.sort(key=lambda r: r["pos_top"])
    names = _county_names({r["county_id"] for r in chart})
    for r in chart:
        r["county_name"] = names.get(r["county_id"])
    return chart, counts


def _county_names(ids: Iterable[int | None]) -> dict[int, str]:
    ids = [i for i in ids if i]
    return dict(Organisation.objects.filter(id__in=ids).values_list("id", "name")) if ids else {}


def ranking_details(rows: Iterable[Organisation], *, chunk: int = 2000) -> list[Organisation]:
    """Add ``county_name`` and ``corrected`` (a reviewer corrected a cell of the report) to the
    ranking rows that are displayed or exported; two small queries per chunk of rows."""
    rows = list(rows)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        names = _county_names({r.county_id for r in part})
        report_ids = [r.report_id for r in part if r.report_id]
        corrected = (
            set(
                CellCorrection.objects.filter(report_id__in=report_ids)
                .values_list("report_id", flat=True)
                .distinct()
            )
            if report_ids
            else set()
        )
        for r in part:
            r.county_name = names.get(r.county_id)
            r.corrected = r.report_id in corrected
    return rows


# National rankings read every unit of the country (~40,000): their chart and group counts are
# cached briefly, so officials paging through the table do not recompute them each time.
NATIONAL_SUMMARY_SECONDS = 120


GENERATION_KEY = "dashboard:data-generation"


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 0, None)


def data_changed() -> None:
    """Call after storing or correcting reports: cached national summaries are then recomputed
    (immediately wherever the cache is shared, e.g. Redis; else within NATIONAL_SUMMARY_SECONDS)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _national_cached(key: str, compute):
    """A national result, kept for NATIONAL_SUMMARY_SECONDS under the current data generation."""
    return cache.get_or_set(f"dashboard:{key}:{_generation()}", compute, NATIONAL_SUMMARY_SECONDS)


def ranking_summary_for(
    *,
    metric: Metric,
    year: int,
    compare_year: int | None,
    scope: Organisation | None,
    kind: str | None,
    n: int,
) -> tuple[list[dict], dict[int, int]]:
    def compute():
        rows = ranking_rows(metric=metric, year=year, scope=scope, kind=kind, compare_year=compare_year)
        return ranking_summary(rows, metric=metric, n=n)

    if scope is not None:
        return compute()
    return _national_cached(f"ranking-summary:{metric.id}:{year}:{compare_year}:{kind or ''}:{n}", compute)


def changes_for(
    *,
    metric: Metric,
    year: int,
    compare_year: int,
    scope: Organisation | None = None,
    kind: str | None = None,
    n: int = 10,
) -> tuple[list[dict], list[dict]]:
    """(most improved, most declined) between ``compare_year`` and ``year``; only comparable pairs.
    For metrics where neither direction is better: (largest increases, largest decreases).
    National results are cached like the national ranking summary."""
    def compute():
        return _changes(metric=metric, year=year, compare_year=compare_year, scope=scope, kind=kind, n=n)

    if scope is not None:
        return compute()
    return _national_cached(f"changes:{metric.id}:{year}:{compare_year}:{kind or ''}:{n}", compute)


def _changes(*, metric, year, compare_year, scope, kind, n) -> tuple[list[dict], list[dict]]:
    # One pass: number the rows from both ends of the change order and keep n at each end.
    qs = (
        ranking_rows(metric=metric, year=year, scope=scope, kind=kind, compare_year=compare_year)
        .filter(comparable=True, change_abs__isnull=False)
        .annotate(
            pos_up=Window(RowNumber(), order_by=[F("change_abs").desc(), F("name").asc()]),
            pos_down=Window(RowNumber(), order_by=[F("change_abs").asc(), F("name").asc()]),
        )
        .filter(Q(pos_up__lte=n) | Q(pos_down__lte=n))
        .values(
            "public_id",
            "name",
            "value",
            "prev_value",
            "change_abs",
            "change_rel",
            "denom",
            "pos_up",
            "pos_down",
        )
    )
    rows = list(qs)
    up = sorted((r for r in rows if r["change_abs"] > 0 and r["pos_up"] <= n), key=lambda r: r["pos_up"])
    down = sorted(
        (r for r in rows if r["change_abs"] < 0 and r["pos_down"] <= n), key=lambda r: r["pos_down"]
    )
    return (down, up) if metric.higher_is_better is False else (up, down)


# ------------------------------------------------------------------ time series
def series_for(
    *,
    metric: Metric,
    years: Sequence[int],
    scope: Organisation | None = None,
    kind: str | None = None,
    public_ids: Iterable | None = None,
) -> QuerySet[Report]:
    """(unit, year, value, denominator, version) for the peer group's current reports."""
    vf = metric.version_field or "version"
    units = peer_group(scope=scope, kind=kind)
    if public_ids is not None:
        units = units.filter(public_id__in=list(public_ids))
    return (
        Report.objects.filter(is_current=True, year__in=list(years), organisation__in=units)
        .annotate(value=metric.expression(""), denom=metric.denominator_expression(""), tversion=F(vf))
        .values(
            "organisation_id",
            "organisation__public_id",
            "organisation__name",
            "organisation__county__name",
            "year",
            "value",
            "denom",
            "tversion",
        )
        .order_by("organisation__name", "year")
    )


def organisation_trend(*, organisation: Organisation) -> QuerySet[Report]:
    """The organisation's current report per year, with every metric annotated as ``m_<id>``."""
    return (
        Report.objects.filter(organisation=organisation, is_current=True)
        .annotate(**{f"m_{m.id}": m.expression("") for m in METRICS})
        .annotate(**{f"d_{m.id}": m.denominator_expression("") for m in METRICS if m.is_rate})
        .order_by("year")
    )


def organisation_reports(*, organisation: Organisation) -> QuerySet[Report]:
    """Every report of the organisation, current and superseded, newest first."""
    return (
        Report.objects.filter(organisation=organisation)
        .select_related("upload")
        .prefetch_related("check_results", "corrections")
        .order_by("-year", "-is_current", "-created")
    )


# ------------------------------------------------------------------ coverage
def coverage_summary(*, scope: Organisation | None, kind: str | None, years: Sequence[int]) -> list[dict]:
    """Per year: units in the peer group, units with a report, without one, needing review."""
    units = peer_group(scope=scope, kind=kind)
    total = units.count()
    empty = {"reported": 0, "needs_review": 0, "verified": 0, "failing": 0}
    if scope is None:
        # The whole country: one pass over the current reports (index-only) is cheapest.
        per_year = {
            row["year"]: row
            for row in Report.objects.filter(is_current=True, year__in=list(years), organisation__in=units)
            .values("year")
            .annotate(
                reported=Count("id"),
                needs_review=Count("id", filter=Q(status=Report.Status.NEEDS_REVIEW)),
                verified=Count("id", filter=Q(status=Report.Status.VERIFIED)),
                failing=Count("id", filter=Q(checks_failed__gt=0)),
            )
            .order_by()
        }
    else:
        # A county, city or province: start from its units and probe the (organisation, year)
        # index, so the cost follows the size of the group, not of the whole table.
        def current(year, field):
            return Subquery(
                Report.objects.filter(organisation=OuterRef("pk"), year=year, is_current=True)
                .order_by()
                .values(field)[:1]
            )

        per_year = {y: dict(empty) for y in years}
        rows = units.annotate(
            **{f"s{y}": current(y, "status") for y in years},
            **{f"f{y}": current(y, "checks_failed") for y in years},
        )
        for row in rows.values(*(f"s{y}" for y in years), *(f"f{y}" for y in years)):
            for y in years:
                status = row[f"s{y}"]
                if status is None:
                    continue
                counts = per_year[y]
                counts["reported"] += 1
                counts["needs_review"] += status == Report.Status.NEEDS_REVIEW
                counts["verified"] += status == Report.Status.VERIFIED
                counts["failing"] += (row[f"f{y}"] or 0) > 0
    out = []
    for year in years:
        row = per_year.get(year, empty)
        out.append(
            {"year": year, "units": total, "missing": total - row["reported"], **{k: row[k] for k in empty}}
        )
    return out


def coverage_glance(*, scope: Organisation | None, year: int) -> dict:
    """One year of ``coverage_summary`` for the home page; the whole country's is cached like the
    national ranking summary (the home page is the most visited)."""
    def compute() -> dict:
        return coverage_summary(scope=scope, kind=None, years=[year])[0]

    if scope is None:
        return _national_cached(f"coverage-glance:{year}", compute)
    return compute()


def coverage_for(
    *, scope: Organisation | None, kind: str | None, years: Sequence[int], missing_year: int | None = None
) -> QuerySet[Organisation]:
    """Units of the peer group, each annotated ``y<year>`` = status of its current report (or None).
    ``missing_year`` keeps only units without a current report for that year."""
    qs = peer_group(scope=scope, kind=kind).select_related("county")
    for year in years:
        qs = qs.annotate(
            **{
                f"y{year}": Subquery(
                    Report.objects.filter(organisation=OuterRef("pk"), year=year, is_current=True)
                    .order_by()
                    .values("status")[:1]
                )
            }
        )
    if missing_year:
        qs = qs.filter(
            ~Exists(Report.objects.filter(organisation=OuterRef("pk"), year=missing_year, is_current=True))
        )
    return qs.order_by("county__name", "kind", "name")
