"""Charts are pure functions from plain rows: no database here."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from dashboard import charts

OKABE_ITO = {
    "#0072B2",
    "#D55E00",
    "#56B4E9",
    "#E69F00",
    "#009E73",
    "#999999",
    "#F0E442",
    "#CC79A7",
    "#000000",
}


def _rows(n):
    return [
        {
            "name": f"单位{i}",
            "value": 1 - i / (n + 1),
            "denom": 10 + i,
            "rank": i,
            "rank_from_bottom": n - i + 1,
        }
        for i in range(1, n + 1)
    ]


def test_ranking_bar_is_a_valid_plotly_figure_with_chinese_labels():
    fig = charts.ranking_bar(_rows(5), title="予以公开占比 · 2024", is_rate=True, n=10, total=5)
    go.Figure(fig)  # raises on any invalid property
    assert fig["data"][0]["y"][0] == "1. 单位1"
    assert "CJK SC" in fig["layout"]["font"]["family"]
    assert json.dumps(fig, ensure_ascii=False)  # serialisable for json_script


def test_ranking_bar_shows_the_n_behind_each_rate():
    fig = charts.ranking_bar(_rows(3), title="t", is_rate=True, n=10, total=3)
    assert fig["data"][0]["text"][0] == "75.0%（N=11）"


def test_a_large_group_is_split_into_top_and_bottom_in_two_colours():
    rows = [dict(r, pos_top=r["rank"]) for r in _rows(100) if r["rank"] <= 10 or r["rank_from_bottom"] <= 10]
    fig = charts.ranking_bar(rows, title="t", is_rate=True, n=10, total=100)
    assert [t["name"] for t in fig["data"]] == ["前列", "末位"]
    assert len(fig["data"][0]["y"]) == 10 and len(fig["data"][1]["y"]) == 10
    assert fig["data"][1]["y"][-1] == "100. 单位100"
    assert {t["marker"]["color"] for t in fig["data"]} <= OKABE_ITO


def test_a_small_group_is_drawn_whole_in_one_colour():
    fig = charts.ranking_bar(_rows(12), title="t", is_rate=False, n=10, total=12)
    assert len(fig["data"]) == 1 and len(fig["data"][0]["y"]) == 12
    assert "tickformat" not in fig["layout"]["xaxis"]


def test_ties_keep_their_shared_rank_in_the_labels():
    rows = [
        {"name": "甲", "value": 0.5, "denom": 2, "rank": 1, "rank_from_bottom": 3},
        {"name": "乙", "value": 0.5, "denom": 2, "rank": 1, "rank_from_bottom": 2},
        {"name": "丙", "value": 0.1, "denom": 2, "rank": 3, "rank_from_bottom": 1},
    ]
    fig = charts.ranking_bar(rows, title="t", is_rate=True, n=10, total=3)
    assert [y.split(".")[0] for y in fig["data"][0]["y"]] == ["1", "1", "3"]


def test_heatmap_keeps_missing_years_empty_not_zero():
    rows = [
        {"name": "甲镇", "year": 2020, "value": 0.5},
        {"name": "甲镇", "year": 2022, "value": 0.7},
        {"name": "乙镇", "year": 2021, "value": 0.1},
    ]
    fig = charts.heatmap(rows, years=[2020, 2021, 2022], title="t", is_rate=True, higher_is_better=True)
    go.Figure(fig)
    trace = fig["data"][0]
    assert trace["x"] == ["2020", "2021", "2022"] and trace["y"] == ["甲镇", "乙镇"]
    assert trace["z"] == [[0.5, None, 0.7], [None, 0.1, None]]
    assert trace["colorscale"] == "Viridis" and trace["reversescale"] is False


def test_heatmap_reverses_the_scale_when_lower_is_better():
    fig = charts.heatmap(
        [{"name": "甲", "year": 2020, "value": 1}],
        years=[2020],
        title="t",
        is_rate=False,
        higher_is_better=False,
    )
    assert fig["data"][0]["reversescale"] is True


def test_slope_draws_one_line_per_unit_with_a_legend_entry_per_side():
    improved = [
        {"name": "甲", "prev_value": 0.1, "value": 0.6},
        {"name": "乙", "prev_value": 0.2, "value": 0.5},
    ]
    declined = [{"name": "丙", "prev_value": 0.9, "value": 0.3}]
    fig = charts.slope(improved, declined, from_year=2023, to_year=2024, title="t", is_rate=True)
    go.Figure(fig)
    assert len(fig["data"]) == 3
    assert [t["showlegend"] for t in fig["data"]] == [True, False, True]
    assert fig["data"][2]["y"] == [0.9, 0.3]


def test_trend_line_breaks_where_years_are_not_comparable():
    points = [
        {"year": 2019, "value": 1, "comparable": True},
        {"year": 2020, "value": 2, "comparable": True},
        {"year": 2021, "value": 5, "comparable": False},
        {"year": 2022, "value": 6, "comparable": True},
    ]
    fig = charts.trend_line(points, title="t", is_rate=False)
    go.Figure(fig)
    assert fig["data"][0]["x"] == ["2019", "2020", None, "2021", "2022"]
    assert fig["data"][0]["y"] == [1, 2, None, 5, 6]


def test_coverage_bars_stack_to_the_number_of_units():
    rows = [
        {
            "year": 2024,
            "units": 10,
            "reported": 7,
            "missing": 3,
            "needs_review": 2,
            "verified": 1,
            "failing": 0,
        }
    ]
    fig = charts.coverage_bars(rows, title="t", labels={})
    go.Figure(fig)
    assert sum(t["y"][0] for t in fig["data"]) == 10


def test_charts_module_does_not_touch_the_database():
    import inspect

    source = inspect.getsource(charts)
    assert "objects" not in source and "django.db" not in source


def test_same_names_from_different_counties_get_distinct_labels():
    rows = [
        {"name": "公安局", "county_name": "甲县", "value": 0.5, "denom": 2, "rank": 1},
        {"name": "公安局", "county_name": "乙县", "value": 0.4, "denom": 5, "rank": 2},
        {"name": "城关镇", "county_name": "甲县", "value": 0.3, "denom": 3, "rank": 3},
    ]
    fig = charts.ranking_bar(rows, title="t", is_rate=True, n=10, total=3)
    assert fig["data"][0]["y"] == ["1. 公安局（甲县）", "2. 公安局（乙县）", "3. 城关镇"]
