"""Plotly figures as plain dicts, built from plain rows: no queries, no request, no settings.

A figure is ``{"data": [...], "layout": {...}}``; the template hands it to the page with
``json_script`` and ``static/dashboard/charts.js`` draws it with the locally served plotly.js.
Colours are Okabe–Ito (bars, lines) and viridis (heatmaps): both readable with the common
forms of colour blindness and on a projector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext

# Okabe–Ito
BLUE = "#0072B2"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
ORANGE = "#E69F00"
GREEN = "#009E73"
GREY = "#999999"
FONT = {
    "family": '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif',
    "size": 14,
}


def _layout(title: str, **extra) -> dict:
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 30, "t": 50, "b": 40},
        "hoverlabel": {"font": FONT},
    }
    layout.update(extra)
    return layout


def _fmt(value: float | None, *, is_rate: bool) -> str:
    if value is None:
        return "—"
    if is_rate:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def ranking_bar(
    rows: Sequence[Mapping],
    *,
    title: str,
    is_rate: bool,
    n: int,
    total: int,
    n_label: str = "N",
    top_label: str = "前列",
    bottom_label: str = "末位",
) -> dict:
    """Horizontal bars, rank 1 at the top. ``rows``: name, value, denom, rank and optionally
    pos_top (position in the ranked order, which differs from the rank where there are ties).
    When the ranked group (``total`` units) has more than 2n units, ``rows`` holds its top n and
    bottom n and the two halves are drawn in two colours."""
    rows = sorted(rows, key=lambda r: (r.get("pos_top") or r["rank"], r["rank"]))
    if total > 2 * n:
        top = [r for r in rows if (r.get("pos_top") or r["rank"]) <= n]
        rest = [r for r in rows if (r.get("pos_top") or r["rank"]) > n]
        parts = [(top_label, top, BLUE), (bottom_label, rest, VERMILLION)]
    else:
        parts = [("", rows, BLUE)]
    # Category labels must be unique: two 公安局 of different counties get their county added.
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["name"]] = counts.get(r["name"], 0) + 1

    def label_of(r: Mapping) -> str:
        name = r["name"]
        if counts[name] > 1 and r.get("county_name"):
            name = gettext("%(name)s（%(detail)s）") % {"name": name, "detail": r["county_name"]}
        return f"{r['rank']}. {name}"

    traces = []
    for label, part, colour in parts:
        if not part:
            continue
        text = [
            _fmt(r["value"], is_rate=is_rate)
            + (gettext("（%(detail)s）") % {"detail": f"{n_label}={r['denom']:.0f}"}
               if is_rate and r.get("denom") is not None else "")
            for r in part
        ]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "showlegend": bool(label),
                "x": [r["value"] for r in part],
                "y": [label_of(r) for r in part],
                "text": text,
                "textposition": "auto",
                "marker": {"color": colour},
                "hovertemplate": "%{y}<br>%{text}<extra></extra>",
            }
        )
    height = max(260, 70 + 26 * len(rows))
    xaxis: dict = {"rangemode": "tozero", "automargin": True}
    if is_rate:
        xaxis.update(tickformat=".0%", range=[0, 1.05])
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=height,
            xaxis=xaxis,
            barmode="overlay",
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            legend={"orientation": "h", "y": -0.08},
        ),
    }


def heatmap(
    rows: Iterable[Mapping],
    *,
    years: Sequence[int],
    title: str,
    is_rate: bool,
    higher_is_better: bool | None,
    not_comparable_label: str = "不可比",
) -> dict:
    """Unit × year grid. ``rows``: name, year, value. Missing values stay empty (not 0)."""
    names: list[str] = []
    grid: dict[tuple[str, int], float | None] = {}
    for r in rows:
        if r["name"] not in names:
            names.append(r["name"])
        grid[(r["name"], r["year"])] = r["value"]
    ys = sorted(years)
    z = [[grid.get((name, y)) for y in ys] for name in names]
    text = [[_fmt(v, is_rate=is_rate) if v is not None else "" for v in row] for row in z]
    trace = {
        "type": "heatmap",
        "x": [str(y) for y in ys],
        "y": names,
        "z": z,
        "text": text,
        "texttemplate": "%{text}",
        "colorscale": "Viridis",
        "reversescale": higher_is_better is False,
        "hoverongaps": False,
        "xgap": 2,
        "ygap": 2,
        "hovertemplate": "%{y} %{x}: %{text}<extra></extra>",
        "colorbar": {"tickformat": ".0%"} if is_rate else {},
    }
    height = max(300, 80 + 24 * len(names))
    return {
        "data": [trace],
        "layout": _layout(
            title,
            height=height,
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            xaxis={"type": "category", "side": "top"},
            margin={"l": 10, "r": 30, "t": 90, "b": 20},
        ),
    }


def slope(
    improved: Sequence[Mapping],
    declined: Sequence[Mapping],
    *,
    from_year: int,
    to_year: int,
    title: str,
    is_rate: bool,
    improved_label: str = "进步最大",
    declined_label: str = "退步最大",
) -> dict:
    """One line per unit from ``from_year`` to ``to_year``. Rows: name, prev_value, value."""
    traces = []
    for rows, colour, label in ((improved, BLUE, improved_label), (declined, VERMILLION, declined_label)):
        for i, r in enumerate(rows):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers+text",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": i == 0,
                    "x": [str(from_year), str(to_year)],
                    "y": [r["prev_value"], r["value"]],
                    "text": ["", r["name"]],
                    "textposition": "middle right",
                    "line": {"color": colour, "width": 2},
                    "hovertemplate": r["name"] + ": %{y}<extra></extra>"
                    if not is_rate
                    else r["name"] + ": %{y:.1%}<extra></extra>",
                }
            )
    yaxis = {"tickformat": ".0%"} if is_rate else {}
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=460,
            xaxis={"type": "category", "range": [-0.2, 1.6]},
            yaxis=yaxis,
            legend={"orientation": "h", "y": -0.1},
        ),
    }


def trend_line(
    points: Sequence[Mapping],
    *,
    title: str,
    is_rate: bool,
) -> dict:
    """One unit's metric over the years. Points: year, value, comparable (with the year before).
    The line is broken where the template change makes two years not comparable."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    for i, p in enumerate(sorted(points, key=lambda p: p["year"])):
        if i and not p.get("comparable", True):
            xs.append(None)
            ys.append(None)
        xs.append(str(p["year"]))
        ys.append(p["value"])
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": xs,
        "y": ys,
        "connectgaps": False,
        "line": {"color": BLUE, "width": 3},
        "marker": {"size": 9},
        "hovertemplate": "%{x}: %{y:.1%}<extra></extra>" if is_rate else "%{x}: %{y}<extra></extra>",
    }
    yaxis = {"tickformat": ".0%", "rangemode": "tozero"} if is_rate else {"rangemode": "tozero"}
    return {"data": [trace], "layout": _layout(title, height=320, xaxis={"type": "category"}, yaxis=yaxis)}


def coverage_bars(rows: Sequence[Mapping], *, title: str, labels: Mapping[str, str]) -> dict:
    """Stacked bars per year: verified, other reported, needs review, missing. Rows from
    ``selectors.coverage_summary``."""
    ys = [str(r["year"]) for r in rows]
    series = (
        ("verified", [r["verified"] for r in rows], GREEN),
        ("reported", [r["reported"] - r["verified"] - r["needs_review"] for r in rows], SKY),
        ("needs_review", [r["needs_review"] for r in rows], ORANGE),
        ("missing", [r["missing"] for r in rows], GREY),
    )
    traces = [
        {"type": "bar", "name": labels.get(key, key), "x": ys, "y": values, "marker": {"color": colour}}
        for key, values, colour in series
    ]
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=320,
            barmode="stack",
            xaxis={"type": "category"},
            legend={"orientation": "h", "y": -0.15},
        ),
    }
