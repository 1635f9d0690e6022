"""Selectors: peer groups, competition ranks with ties, 无申请, year-on-year change, versions."""

from __future__ import annotations

import pytest

from dashboard import metrics, selectors
from dashboard.models import Organisation, Report
from tests.dashboard import factories as f

pytestmark = pytest.mark.django_db
SHARE = metrics.BY_ID["share_granted"]


def _by_name(qs):
    return {r.name: r for r in qs}


def test_ranking_gives_competition_ranks_with_ties(county):
    """GIVEN 乙镇 80%, 甲镇 and 丙镇 50%, 某局 25% WHEN ranked THEN ranks are 1, 2, 2, 4."""
    rows = _by_name(selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"]))
    assert [rows[n].rank for n in ("乙镇", "甲镇", "丙镇", "某局")] == [1, 2, 2, 4]
    assert rows["乙镇"].value == pytest.approx(0.8)
    assert rows["某局"].denom == 4


def test_units_without_requests_are_their_own_group_not_zero_percent(county):
    rows = _by_name(selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"]))
    assert rows["丁乡"].rank_group == selectors.EMPTY
    assert rows["丁乡"].value is None
    assert rows["丁乡"].denom == 0
    # and it does not push 某局 down: 某局 is 4th of 4 ranked units, not 4th of 5
    assert rows["某局"].rank == 4


def test_a_unit_without_a_report_for_the_year_is_listed_as_no_report(county):
    rows = _by_name(selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"]))
    assert rows["戊街道"].rank_group == selectors.NO_REPORT
    assert rows["戊街道"].report_id is None


def test_ranking_is_ordered_by_group_then_rank(county):
    names = [r.name for r in selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"])]
    assert names[0] == "乙镇" and names[-2:] == ["丁乡", "戊街道"]


def test_lower_is_better_metrics_rank_the_smallest_value_first(county):
    denied = metrics.BY_ID["share_denied"]
    a, b = county["jia2021"], county["yi2021"]
    Report.objects.filter(pk=a.pk).update(req_denied=1)
    Report.objects.filter(pk=b.pk).update(req_denied=4)
    Report.objects.filter(pk=county["bing2021"].pk).update(req_denied=2)
    Report.objects.filter(pk=county["ju2021"].pk).update(req_denied=1)
    rows = _by_name(selectors.ranking_for(metric=denied, year=2021, scope=county["county"]))
    # 甲镇 10%, 丙镇 20%, 某局 25%, 乙镇 40%
    assert [rows[n].rank for n in ("甲镇", "丙镇", "某局", "乙镇")] == [1, 2, 3, 4]


def test_year_on_year_change_is_absolute_and_relative(county):
    rows = _by_name(selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"]))
    jia = rows["甲镇"]  # 2/10 -> 5/10
    assert jia.prev_value == pytest.approx(0.2)
    assert jia.change_abs == pytest.approx(0.3)
    assert jia.change_rel == pytest.approx(1.5)
    assert rows["乙镇"].change_abs == pytest.approx(-0.1)
    assert rows["丙镇"].prev_report_id is None and rows["丙镇"].change_abs is None


def test_change_is_withheld_when_the_template_change_makes_years_not_comparable(county):
    """GIVEN share_other (V2021 split 其他处理) for 甲镇 2020 (V2019) and 2021 (V2021)
    THEN the pair is not comparable and no change is computed."""
    Report.objects.filter(pk__in=[county["jia2020"].pk, county["jia2021"].pk]).update(req_other=1)
    other = metrics.BY_ID["share_other"]
    jia = _by_name(selectors.ranking_for(metric=other, year=2021, scope=county["county"]))["甲镇"]
    assert jia.value is not None and jia.prev_value is not None
    assert jia.comparable is False
    assert jia.change_abs is None
    # the same metric between two V2021 years is comparable
    f.report(county["jia"], 2022, **{**f.requests_figs(5, 10), "req_other": 2})
    jia = _by_name(selectors.ranking_for(metric=other, year=2022, scope=county["county"]))["甲镇"]
    assert jia.comparable is True and jia.change_abs == pytest.approx(0.1)


def test_a_2019_template_report_is_not_applicable_for_a_2021_only_metric(county):
    """丙镇 filed its 2021 report on the old template: normative_in_force does not apply."""
    Report.objects.filter(pk=county["bing2021"].pk).update(version_s2="2019")
    rows = _by_name(
        selectors.ranking_for(metric=metrics.BY_ID["normative_in_force"], year=2021, scope=county["county"])
    )
    assert rows["丙镇"].rank_group == selectors.NOT_APPLICABLE
    assert rows["甲镇"].rank == 1 and rows["乙镇"].rank == 2


def test_comparison_year_can_be_any_year(county):
    f.report(county["jia"], 2019, **f.requests_figs(1, 10))
    jia = _by_name(selectors.ranking_for(metric=SHARE, year=2021, compare_year=2019, scope=county["county"]))[
        "甲镇"
    ]
    assert jia.prev_value == pytest.approx(0.1)


def test_superseded_reports_are_ignored(county):
    f.report(county["yi"], 2021, is_current=False, **f.requests_figs(0, 10))
    rows = list(selectors.ranking_for(metric=SHARE, year=2021, scope=county["county"]))
    assert [r.name for r in rows].count("乙镇") == 1
    assert _by_name(rows)["乙镇"].value == pytest.approx(0.8)


def test_peer_group_by_kind_and_scope(county):
    names = lambda qs: sorted(o.name for o in qs)  # noqa: E731
    assert names(selectors.peer_group(scope=county["county"], kind="xiangzhen")) == [
        "丁乡",
        "丙镇",
        "乙镇",
        "甲镇",
    ]
    assert names(selectors.peer_group(scope=county["city"], kind="jiedao")) == ["戊街道"]
    assert names(selectors.peer_group(scope=county["province"], kind="department")) == ["某局"]
    other_county = f.org(
        "别县", level=Organisation.Level.COUNTY, kind=Organisation.Kind.COUNTY, parent=county["city"]
    )
    f.org("别镇", parent=other_county)
    assert "别镇" not in names(selectors.peer_group(scope=county["county"]))
    assert "别镇" in names(selectors.peer_group(scope=county["city"]))
    assert "别镇" in names(selectors.peer_group())


def test_summary_counts_every_rank_group(county):
    rows = selectors.ranking_rows(metric=SHARE, year=2021, scope=county["county"])
    _, counts = selectors.ranking_summary(rows, metric=SHARE, n=10)
    assert counts == {
        selectors.RANKED: 4,
        selectors.EMPTY: 1,
        selectors.INCOMPLETE: 0,
        selectors.NOT_APPLICABLE: 0,
        selectors.NO_REPORT: 1,
    }


def test_summary_returns_top_and_bottom_n_only(county):
    rows = selectors.ranking_rows(metric=SHARE, year=2021, scope=county["county"])
    chart, _ = selectors.ranking_summary(rows, metric=SHARE, n=1)
    assert [r["name"] for r in chart] == ["乙镇", "某局"]
    assert [r["rank"] for r in chart] == [1, 4]
    chart, _ = selectors.ranking_summary(rows, metric=SHARE, n=10)
    assert [r["name"] for r in chart] == ["乙镇", "丙镇", "甲镇", "某局"]  # ties ordered by name


def test_changes_for_lists_most_improved_and_most_declined(county):
    improved, declined = selectors.changes_for(
        metric=SHARE, year=2021, compare_year=2020, scope=county["county"]
    )
    assert [r["name"] for r in improved] == ["甲镇"]
    assert [r["name"] for r in declined] == ["乙镇"]


def test_series_for_returns_each_unit_year(county):
    rows = list(selectors.series_for(metric=SHARE, years=[2020, 2021], scope=county["county"]))
    got = {(r["organisation__name"], r["year"]): r["value"] for r in rows}
    assert got[("甲镇", 2020)] == pytest.approx(0.2) and got[("甲镇", 2021)] == pytest.approx(0.5)
    assert ("戊街道", 2021) not in got
    assert got[("丁乡", 2021)] is None


def test_coverage_summary_counts_reported_missing_and_needs_review(county):
    summary = {
        r["year"]: r
        for r in selectors.coverage_summary(scope=county["county"], kind=None, years=[2020, 2021])
    }
    assert summary[2021]["units"] == 6
    assert summary[2021]["reported"] == 5 and summary[2021]["missing"] == 1
    assert summary[2021]["needs_review"] == 1 and summary[2021]["verified"] == 1
    assert summary[2020]["reported"] == 3 and summary[2020]["missing"] == 3


def test_coverage_for_can_keep_only_units_missing_a_year(county):
    qs = selectors.coverage_for(scope=county["county"], kind=None, years=[2020, 2021], missing_year=2021)
    rows = list(qs)
    assert [o.name for o in rows] == ["戊街道"]
    assert rows[0].y2020 == "parsed" and rows[0].y2021 is None


def test_year_range_is_newest_first(county):
    assert selectors.year_range() == [2021, 2020]


def test_organisation_trend_annotates_every_metric(county):
    rows = list(selectors.organisation_trend(organisation=county["jia"]))
    assert [r.year for r in rows] == [2020, 2021]
    assert rows[1].m_share_granted == pytest.approx(0.5)
    assert rows[1].d_share_granted == 10


def test_scope_choices_cascade_from_province_to_counties(county):
    names = [o.name for o in selectors.scope_choices(scope=county["county"])]
    assert names == ["测试省", "测试市", "测试县"]
    assert [o.name for o in selectors.scope_choices(scope=None)] == ["测试省"]


def test_coverage_summary_is_the_same_computed_nationally_and_by_scope(county):
    """The national path aggregates reports; the scoped path probes each unit: same answer."""
    years = [2020, 2021]
    assert selectors.coverage_summary(scope=None, kind=None, years=years) == selectors.coverage_summary(
        scope=county["province"], kind=None, years=years
    )


def test_national_summary_is_cached_but_scoped_summaries_are_live(county):
    args = dict(metric=SHARE, year=2021, compare_year=2020, kind=None, n=10)
    _, before = selectors.ranking_summary_for(scope=None, **args)
    f.report(county["wu"], 2021, **f.requests_figs(1, 2))
    _, national = selectors.ranking_summary_for(scope=None, **args)
    _, scoped = selectors.ranking_summary_for(scope=county["county"], **args)
    assert national == before  # cached for NATIONAL_SUMMARY_SECONDS
    assert scoped[selectors.RANKED] == before[selectors.RANKED] + 1
    selectors.data_changed()
    _, national = selectors.ranking_summary_for(scope=None, **args)
    assert national[selectors.RANKED] == before[selectors.RANKED] + 1


def test_changes_for_keeps_the_n_largest_moves_at_each_end(county):
    """GIVEN five units whose share moved by +40, +30, +10, -20, -50 points WHEN n=2
    THEN improved = [+40, +30] and declined = [-50, -20]."""
    k = county["county"]
    moves = {"A镇": (1, 5), "B镇": (2, 5), "C镇": (4, 5), "D镇": (7, 5), "E镇": (9, 4)}
    for name, (before, after) in moves.items():
        unit = f.org(name, parent=k)
        f.report(unit, 2020, **f.requests_figs(before, 10))
        f.report(unit, 2021, **f.requests_figs(after * 2, 20) if name != "E镇" else f.requests_figs(4, 10))
    improved, declined = selectors.changes_for(metric=SHARE, year=2021, compare_year=2020, scope=k, n=2)
    # +40 (A), then +30 shared by B镇 and 甲镇 (2/10 -> 5/10): ties are broken by name
    assert [r["name"] for r in improved] == ["A镇", "B镇"]
    assert [r["name"] for r in declined] == ["E镇", "D镇"]  # -50, -20
