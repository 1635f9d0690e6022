"""Server-side timings of the dashboard pages on a national-scale data set.

    createdb -h 127.0.0.1 -U postgres ttd_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ttd_bench DEBUG=true
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_national        # ~40,000 organisations, ~280,000 reports
    .venv/bin/python bench/bench_dashboard.py --runs 20

Each page is requested through Django's test client (the full stack: URL routing,
middleware, filters, selectors, charts, table and template rendering; no network), after
two warm-up requests. Wall-clock time is what a user waits for; "Django CPU" is the CPU time
of this process during the request (PostgreSQL's work is not in it), which other load on a
shared machine does not inflate. Next to each page the main query of that page is run bare (the same
SQL, through a cursor, rows fetched) so the two can be compared in the same run; the page's
own SQL total (all its queries) is shown as well. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DASHBOARD_PUBLIC"] = "true"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboard import filters, metrics, selectors  # noqa: E402
from dashboard.models import Organisation, Report  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def time_page(
    client: Client, url: str, runs: int, cold: bool = False
) -> tuple[list[float], int, float, list[float]]:
    for _ in range(2):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
    times, cpu, sql_ms, n_queries = [], [], 0.0, 0
    for _ in range(runs):
        if cold:
            cache.clear()
        reset_queries()
        t, c = time.perf_counter(), time.process_time()
        resp = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        n_queries = len(connection.queries)
        sql_ms = sum(float(q["time"]) for q in connection.queries) * 1000
    return times, n_queries, sql_ms, cpu


def time_sql(queryset, runs: int) -> list[float]:
    sql, params = queryset.query.sql_with_params()
    times = []
    with connection.cursor() as cur:
        for i in range(runs + 2):
            t = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            if i >= 2:
                times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the national ranking"
    )
    args = parser.parse_args()

    year = selectors.year_range()[0]
    metric = metrics.get("substantive_rate")
    # The first generated county has full cells; any county serves for the ranking.
    county = Organisation.objects.filter(level="county", code__startswith="99").order_by("code").first()
    city, province = county.city, county.province
    unit = Organisation.objects.filter(county=county, level="township").order_by("code").first()
    print(
        f"# data: {Organisation.objects.count()} organisations, {Report.objects.count()} reports, "
        f"vendor={connection.vendor}, year={year}, load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs\n"
    )

    def q(**params):
        return "?" + "&".join(f"{k}={v}" for k, v in params.items())

    ranking = reverse("dashboard-ranking")
    pages = [
        ("ranking · county", ranking + q(metric=metric.id, year=year, scope=county.public_id), county, None),
        ("ranking · city", ranking + q(metric=metric.id, year=year, scope=city.public_id), city, None),
        (
            "ranking · province",
            ranking + q(metric=metric.id, year=year, scope=province.public_id),
            province,
            None,
        ),
        ("ranking · national (top/bottom 10)", ranking + q(metric=metric.id, year=year), None, None),
        (
            "ranking · national, cold (summary not cached)",
            ranking + q(metric=metric.id, year=year),
            None,
            None,
        ),
        (
            "ranking · national 乡镇",
            ranking + q(metric=metric.id, year=year, kind="xiangzhen"),
            None,
            "xiangzhen",
        ),
        (
            "ranking · national, sorted by change",
            ranking + q(metric=metric.id, year=year, sort="-change_abs"),
            None,
            None,
        ),
        (
            "trend · county",
            reverse("dashboard-trend") + q(metric=metric.id, year=year, scope=county.public_id),
            county,
            None,
        ),
        (
            "trend · province",
            reverse("dashboard-trend") + q(metric=metric.id, year=year, scope=province.public_id),
            province,
            None,
        ),
        ("trend · national", reverse("dashboard-trend") + q(metric=metric.id, year=year), None, None),
        (
            "unit page (7 reports, full cells)",
            reverse("dashboard-organisation", args=[unit.public_id]),
            None,
            None,
        ),
        ("overview · county", reverse("dashboard-overview") + q(scope=county.public_id), county, None),
        ("overview · province", reverse("dashboard-overview") + q(scope=province.public_id), province, None),
        ("metric dictionary", reverse("dashboard-metrics"), None, None),
        ("home · national at a glance", reverse("dashboard-home"), None, None),
        ("home · national, cold (glance not cached)", reverse("dashboard-home"), None, None),
    ]
    client = Client(HTTP_HOST="localhost")
    print(
        "| page | units | page min ms | page p50 ms | page p95 ms | Django CPU p50 ms | queries | page SQL ms "
        "| main query p50 ms | page p50 / main query p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, url, scope, kind in pages:
        times, n_queries, page_sql, cpu = time_page(client, url, args.runs, cold="cold" in label)
        main_q = None
        units = "—"
        if label.startswith("ranking"):
            data = dict(metric=metric.id, year=str(year))
            if scope:
                data["scope"] = str(scope.public_id)
            if kind:
                data["kind"] = kind
            qs = filters.RankingFilter(data).qs
            if "change" in label:
                qs = qs.order_by("-change_abs", "name")
            main_q = qs[:51]
            units = selectors.peer_group(scope=scope, kind=kind).count()
        elif label.startswith("trend"):
            main_q = (
                selectors.ranking_rows(metric=metric, year=year, compare_year=year - 1, scope=scope)
                .filter(comparable=True, change_abs__gt=0)
                .order_by("-change_abs")
                .values("public_id", "change_abs")[:10]
            )
            units = selectors.peer_group(scope=scope).count()
        elif label.startswith("unit"):
            main_q = selectors.organisation_reports(organisation=unit)
        elif label.startswith("overview"):
            years = sorted(selectors.year_range())
            main_q = selectors.coverage_for(scope=scope, kind=None, years=years)[:101]
            units = selectors.peer_group(scope=scope).count()
        sql_p50 = statistics.median(time_sql(main_q, args.runs)) if main_q is not None else None
        p50, p95 = statistics.median(times), pct(times, 95)
        ratio = f"{p50 / sql_p50:.1f}×" if sql_p50 else "—"
        sql_txt = f"{sql_p50:.1f}" if sql_p50 is not None else "—"
        print(
            f"| {label} | {units} | {min(times):.0f} | {p50:.0f} | {p95:.0f} | {statistics.median(cpu):.0f} "
            f"| {n_queries} | {page_sql:.0f} "
            f"| {sql_txt} | {ratio} |"
        )

    if args.explain and connection.vendor == "postgresql":
        qs = filters.RankingFilter({"metric": metric.id, "year": str(year)}).qs[:51]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n```\n" + "\n".join(r[0] for r in cur.fetchall()) + "\n```")


if __name__ == "__main__":
    main()
