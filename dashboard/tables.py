"""django-tables2 tables. They display what the selectors computed; nothing is aggregated here.

``value_<column>`` methods give the plain values used by the CSV/XLSX exports;
``render_<column>`` methods only format.
"""

from __future__ import annotations

from html import escape as _esc

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboard import selectors
from dashboard.metrics import Metric, direction
from dashboard.models import Report

GROUP_LABELS = {
    selectors.RANKED: _("参与排名"),
    selectors.EMPTY: None,  # the metric's own label, e.g. 无申请
    selectors.INCOMPLETE: _("数据不全"),
    selectors.NOT_APPLICABLE: _("不适用（模板版本）"),
    selectors.NO_REPORT: _("无报告"),
}
STATUS_LABELS = {
    "verified": _("已核实"),
    "corrected": _("已更正"),
    "parsed": _("未审核"),
    "needs_review": _("待审核"),
    None: _("无报告"),
}


def format_value(metric: Metric, value) -> str:
    if value is None:
        return "—"
    if metric.is_rate:
        return f"{value * 100:.1f}%"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def format_change(metric: Metric, change_abs, change_rel) -> str:
    if change_abs is None:
        return "—"
    if metric.is_rate:
        text = f"{change_abs * 100:+.1f}" + str(_("个百分点"))
    else:
        text = f"{change_abs:+,.0f}" if float(change_abs).is_integer() else f"{change_abs:+,.2f}"
    if change_rel is not None:
        text = gettext("%(name)s（%(detail)s）") % {"name": text, "detail": f"{change_rel * 100:+.0f}%"}
    return text


def figure_status(status: str | None, corrected: bool) -> str | None:
    if status == Report.Status.VERIFIED:
        return "verified"
    if corrected:
        return "corrected"
    return status


class RankingTable(tables.Table):
    rank = tables.Column(
        verbose_name=_("名次"), order_by=("rank_group", "rank"), attrs={"td": {"class": "num"}}
    )
    name = tables.Column(verbose_name=_("单位"), order_by=("name",))
    value = tables.Column(verbose_name=_("数值"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    denom = tables.Column(verbose_name=_("N（分母）"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    prev_value = tables.Column(
        verbose_name=_("上年数值"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    change_abs = tables.Column(
        verbose_name=_("较上年变化"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    status = tables.Column(verbose_name=_("数据状态"), orderable=False, empty_values=())
    version = tables.Column(verbose_name=_("模板版本"), orderable=False)

    class Meta:
        attrs = {"class": "ranking", "id": "ranking-table"}
        orderable = True
        template_name = "django_tables2/table.html"
        per_page = 50

    def __init__(
        self, data, *, metric: Metric, year: int, compare_year: int, show_county: bool = True, **kwargs
    ):
        self.metric = metric
        # Above county level the same name (公安局, 城关镇) recurs: show the county beside it.
        self.show_county = show_county
        if not metric.is_rate:
            kwargs.setdefault("exclude", ("denom",))
        super().__init__(data, **kwargs)
        self.columns["value"].column.verbose_name = gettext("%(name)s（%(year)s，%(unit)s）") % {
            "name": metric.name, "year": year, "unit": metric.unit
        }
        self.columns["prev_value"].column.verbose_name = gettext("%(name)s（%(detail)s）") % {
            "name": _("上年数值"), "detail": compare_year
        }
        self.columns["change_abs"].column.verbose_name = gettext("%(name)s（%(detail)s）") % {
            "name": _("变化"), "detail": f"{compare_year}→{year}"
        }

    # ordering: unknown values always last, whichever way the column is sorted
    def order_value(self, queryset, is_descending):
        key = F("value").desc(nulls_last=True) if is_descending else F("value").asc(nulls_last=True)
        return queryset.order_by("rank_group", key, "name"), True

    def order_change_abs(self, queryset, is_descending):
        key = F("change_abs").desc(nulls_last=True) if is_descending else F("change_abs").asc(nulls_last=True)
        return queryset.order_by(key, "name"), True

    def order_prev_value(self, queryset, is_descending):
        key = F("prev_value").desc(nulls_last=True) if is_descending else F("prev_value").asc(nulls_last=True)
        return queryset.order_by(key, "name"), True

    def order_denom(self, queryset, is_descending):
        key = F("denom").desc(nulls_last=True) if is_descending else F("denom").asc(nulls_last=True)
        return queryset.order_by(key, "name"), True

    # ---------------------------------------------------------------- display
    def _group_label(self, record) -> str:
        if record.rank_group == selectors.EMPTY:
            return self.metric.empty_label
        return str(GROUP_LABELS[record.rank_group])

    def render_rank(self, record):
        if record.rank_group != selectors.RANKED:
            return format_html(
                '<span class="group group-{}">{}</span>', record.rank_group, self._group_label(record)
            )
        return record.rank

    def render_name(self, record):
        url = reverse("dashboard-organisation", args=[record.public_id])
        if self.show_county and record.county_name:
            return format_html(
                '<a href="{}">{}</a> <span class="muted">{}</span>', url, record.name, record.county_name
            )
        return format_html('<a href="{}">{}</a>', url, record.name)

    def render_value(self, record):
        if record.rank_group != selectors.RANKED:
            return format_html('<span class="muted">{}</span>', self._group_label(record))
        return format_value(self.metric, record.value)

    def render_denom(self, record):
        return "—" if record.denom is None else f"{record.denom:,.0f}"

    def render_prev_value(self, record):
        return format_value(self.metric, record.prev_value)

    def render_change_abs(self, record):
        if record.report_id is None or record.prev_report_id is None:
            return "—"
        if not record.comparable:
            return format_html(
                '<span class="not-comparable" title="{}">{}</span>',
                _("两年模板版本不同，口径不可比"),
                _("不可比"),
            )
        if record.change_abs is None:
            return "—"
        d = direction(self.metric, record.change_abs)
        arrow = "▲" if record.change_abs > 0 else ("▼" if record.change_abs < 0 else "＝")
        return format_html(
            '<span class="change change-{}">{} {}</span>',
            d or "none",
            arrow,
            format_change(self.metric, record.change_abs, record.change_rel),
        )

    def render_status(self, record):
        key = figure_status(record.status, record.corrected)
        return format_html(
            '<span class="status status-{}">{}</span>', key or "none", STATUS_LABELS.get(key, key)
        )

    def render_version(self, value):
        return value or "—"

    # ---------------------------------------------------------------- export values
    def value_rank(self, record):
        return record.rank if record.rank_group == selectors.RANKED else self._group_label(record)

    def value_name(self, record):
        return (
            gettext("%(name)s（%(detail)s）") % {"name": record.name, "detail": record.county_name}
            if self.show_county and record.county_name
            else record.name
        )

    def value_value(self, record):
        if record.value is None:
            return None
        return round(record.value * 100, 2) if self.metric.is_rate else record.value

    def value_prev_value(self, record):
        if record.prev_value is None:
            return None
        return round(record.prev_value * 100, 2) if self.metric.is_rate else record.prev_value

    def value_denom(self, record):
        return record.denom

    def value_change_abs(self, record):
        if record.report_id is None or record.prev_report_id is None:
            return None
        if not record.comparable:
            return str(_("不可比"))
        if record.change_abs is None:
            return None
        return round(record.change_abs * 100, 2) if self.metric.is_rate else record.change_abs

    def value_status(self, record):
        return str(STATUS_LABELS.get(figure_status(record.status, record.corrected), ""))


class ChangesTable(tables.Table):
    """Most improved / most declined (plain rows from ``selectors.changes_for``)."""

    name = tables.Column(verbose_name=_("单位"), orderable=False)
    prev_value = tables.Column(verbose_name=_("基准年"), orderable=False, attrs={"td": {"class": "num"}})
    value = tables.Column(verbose_name=_("本年"), orderable=False, attrs={"td": {"class": "num"}})
    change_abs = tables.Column(verbose_name=_("变化"), orderable=False, attrs={"td": {"class": "num"}})

    class Meta:
        orderable = False

    def __init__(self, data, *, metric: Metric, **kwargs):
        self.metric = metric
        super().__init__(data, **kwargs)

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("dashboard-organisation", args=[record["public_id"]]),
            record["name"],
        )

    def render_prev_value(self, value):
        return format_value(self.metric, value)

    def render_value(self, value):
        return format_value(self.metric, value)

    def render_change_abs(self, record):
        return format_change(self.metric, record["change_abs"], record["change_rel"])

    def value_name(self, record):
        return record["name"]

    def value_prev_value(self, record):
        v = record["prev_value"]
        return None if v is None else (round(v * 100, 2) if self.metric.is_rate else v)

    def value_value(self, record):
        v = record["value"]
        return None if v is None else (round(v * 100, 2) if self.metric.is_rate else v)

    def value_change_abs(self, record):
        v = record["change_abs"]
        return None if v is None else (round(v * 100, 2) if self.metric.is_rate else v)


class TrendTable(tables.Table):
    """One organisation: metrics down, years across (plain rows built by the view)."""

    group = tables.Column(verbose_name=_("类别"), orderable=False)
    metric = tables.Column(verbose_name=_("指标"), orderable=False)

    class Meta:
        orderable = False
        attrs = {"class": "trend", "id": "trend-table"}

    def __init__(self, data, *, years, **kwargs):
        extra = [
            (f"y{y}", tables.Column(verbose_name=str(y), orderable=False, attrs={"td": {"class": "num"}}))
            for y in years
        ]
        super().__init__(data, extra_columns=extra, **kwargs)

    def render_metric(self, record):
        return format_html('<a href="{}">{}</a>', record["metric_url"], record["metric"])

    def value_metric(self, record):
        return record["metric"]


class CoverageTable(tables.Table):
    """Units × years: which have a current report, and in what state."""

    name = tables.Column(verbose_name=_("单位"), order_by=("name",))
    kind = tables.Column(verbose_name=_("类型"))
    county = tables.Column(
        verbose_name=_("所属县区"), accessor="county__name", order_by=("county__name", "name")
    )

    class Meta:
        attrs = {"class": "coverage", "id": "coverage-table"}
        per_page = 50

    def __init__(self, data, *, years, **kwargs):
        extra = [
            (
                f"y{y}",
                tables.Column(
                    verbose_name=str(y), orderable=False, empty_values=(), attrs={"td": {"class": "center"}}
                ),
            )
            for y in years
        ]
        super().__init__(data, extra_columns=extra, **kwargs)
        for y in years:
            self.columns[f"y{y}"].column.render = _coverage_cell
            self.columns[f"y{y}"].column.value = _coverage_value

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("dashboard-organisation", args=[record.public_id]), record.name
        )

    def value_name(self, record):
        return record.name

    def value_kind(self, record):
        return record.get_kind_display()


COVERAGE_LABELS = {
    "verified": ("✓", _("已核实")),
    "parsed": ("●", _("已解析")),
    "needs_review": ("⚠", _("待审核")),
    None: ("✗", _("缺报告")),
}


def _coverage_value(value):
    return str(COVERAGE_LABELS.get(value, ("?", value))[1])


def _coverage_cell(value):
    symbol, label = COVERAGE_LABELS.get(value, ("?", value))
    return format_html(
        '<span class="cov cov-{}" title="{}">{} {}</span>', value or "missing", label, symbol, label
    )


class MetricTable(tables.Table):
    """The metric dictionary."""

    id = tables.Column(verbose_name=_("编号"), orderable=False)
    name_zh = tables.Column(verbose_name=_("名称"), orderable=False)
    name_en = tables.Column(verbose_name=_("英文名称"), orderable=False)
    group = tables.Column(verbose_name=_("类别"), orderable=False)
    formula = tables.Column(verbose_name=_("公式（汇总字段）"), orderable=False)
    cell_formula = tables.Column(verbose_name=_("公式（报告单元格）"), orderable=False)
    unit = tables.Column(verbose_name=_("单位"), orderable=False)
    denominator = tables.Column(verbose_name=_("分母"), orderable=False)
    versions = tables.Column(verbose_name=_("适用模板"), orderable=False)
    comparable = tables.Column(verbose_name=_("跨版本可比"), orderable=False)
    direction = tables.Column(verbose_name=_("方向"), orderable=False)
    note = tables.Column(verbose_name=_("说明"), orderable=False)

    class Meta:
        orderable = False
        attrs = {"class": "metrics", "id": "metrics-table"}
        row_attrs = {"id": lambda record: f"metric-{record['id']}"}

    def render_formula(self, value):
        return format_html("<code>{}</code>", value)

    def render_cell_formula(self, value):
        return format_html("<code>{}</code>", value)

    def value_formula(self, value):
        return value

    def value_cell_formula(self, value):
        return value


# ------------------------------------------------------------------ official report layout
def _cell(report, key: str, corrected_keys: set[str], colspan: int = 1) -> dict:
    """One value cell, pre-rendered (a report has ~200 of them and a unit page shows every
    report: a template include per cell would dominate the page time)."""
    cell = report.cells.get(key) or {"v": None, "raw": None, "st": "missing"}
    st = cell.get("st")
    v = cell.get("v")
    if st == "ok" and v is not None:
        shown = f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    elif st == "missing":
        shown = "?"
    else:
        shown = (cell.get("raw") or "").strip()
    corrected = key in corrected_keys
    dom_id = f"cell-{report.public_id.hex[:12]}-{key}"
    title = f"{key} · {gettext('原文')}: {cell.get('raw') or ''} · {st}" + (
        f" · {gettext('已更正')}" if corrected else ""
    )
    # Plain string building: format_html's lazy machinery costs more than everything else here.
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    html = mark_safe(  # noqa: S308 - every interpolated value is escaped
        f'<td id="{_esc(dom_id)}" class="num cell st-{_esc(str(st))}{" corrected" if corrected else ""}"{span} '
        f'data-key="{_esc(key)}" title="{_esc(title)}">{_esc(shown)}</td>'
    )
    return {
        "key": key,
        "v": v,
        "raw": cell.get("raw"),
        "st": st,
        "shown": shown,
        "corrected": corrected,
        "dom_id": dom_id,
        "html": html,
    }


def _span(name: str, n: int) -> str:
    return f' {name}="{n}"' if n > 1 else ""


def official_layout(report, corrected_keys: set[str] | None = None) -> dict:
    """§二, §三 and §四 of one report in the printed layout of its template version, with
    row/column spans, each value cell carrying its canonical key, raw text and status. Labels are
    the form's own (Chinese) wording, shown translated (dashboard/layout_labels.py lists them)."""
    from ingest.parsing import template as tpl

    t = gettext

    corrected_keys = corrected_keys or set()
    v2 = (
        report.version_s2
        if report.version_s2 in tpl.VERSIONS
        else ("2021" if (report.year or 0) >= 2021 else "2019")
    )
    v3 = (
        report.version_s3
        if report.version_s3 in tpl.VERSIONS
        else ("2021" if (report.year or 0) >= 2021 else "2019")
    )

    s2 = []
    for block in tpl.s2_blocks(v2):
        cols = block["columns"]
        span_last = 3 - len(cols) + 1
        header = [
            {"label": t(c["label"]), "colspan": span_last if i == len(cols) - 1 else 1}
            for i, c in enumerate(cols)
        ]
        rows = []
        for row in block["rows"]:
            cells = [
                _cell(
                    report,
                    f"s2.{block['key']}.{row['key']}.{c['key']}",
                    corrected_keys,
                    colspan=span_last if i == len(cols) - 1 else 1,
                )
                for i, c in enumerate(cols)
            ]
            rows.append(
                {
                    "label": t(row["label"]),
                    "cells": cells,
                    "html": mark_safe(
                        f'<th class="rowlabel">{_esc(t(row["label"]))}</th>'
                        + "".join(c["html"] for c in cells)
                    ),
                }
            )
        s2.append({"caption": t(block["caption"]), "header": header, "rows": rows})

    labels = {r["key"]: r for r in tpl.template()["s3"]["rows"]}
    data_rows = tpl.s3_rows(v3)
    outcome_rows = [k for k in data_rows if k.startswith("outcome.")]
    groups: dict[str, list[str]] = {}
    for key in outcome_rows:
        group = labels[key].get("group", "")
        if group != "三、本年度办理结果":
            groups.setdefault(group, []).append(key)
    s3 = []
    for key in data_rows:
        label_cells = []
        row = labels[key]
        if not key.startswith("outcome."):
            label_cells.append({"label": t(row["label"]), "rowspan": 1, "colspan": 3})
        else:
            if key == outcome_rows[0]:
                label_cells.append(
                    {"label": t("三、本年度办理结果"), "rowspan": len(outcome_rows), "colspan": 1}
                )
            group = row.get("group", "")
            if group in groups:
                if key == groups[group][0]:
                    label_cells.append({"label": t(group), "rowspan": len(groups[group]), "colspan": 1})
                label_cells.append({"label": t(row["label"]), "rowspan": 1, "colspan": 1})
            else:
                label_cells.append({"label": t(row["label"]), "rowspan": 1, "colspan": 2})
        cells = [_cell(report, f"s3.{key}.{col}", corrected_keys) for col in tpl.S3_COLUMNS]
        labels_html = "".join(
            f'<th class="rowlabel"{_span("rowspan", lc["rowspan"])}{_span("colspan", lc["colspan"])}>'
            f"{_esc(lc['label'])}</th>"
            for lc in label_cells
        )
        s3.append(
            {
                "key": key,
                "labels": label_cells,
                "cells": cells,
                "html": mark_safe(labels_html + "".join(c["html"] for c in cells)),
            }
        )

    s4 = [_cell(report, key, corrected_keys) for key in tpl.template()["s4"]["cell_order"]]
    return {
        "version_s2": v2,
        "version_s3": v3,
        "s2": s2,
        "s3": s3,
        "s4": s4,
        "s4_html": mark_safe("".join(c["html"] for c in s4)),
        "s3_note": t(tpl.template()["s3"]["note_cell"]),
    }


class CoverageSummaryTable(tables.Table):
    """Per year: units, reported, missing, needing review (rows from selectors.coverage_summary)."""

    year = tables.Column(verbose_name=_("年度"))
    units = tables.Column(verbose_name=_("单位数"), attrs={"td": {"class": "num"}})
    reported = tables.Column(verbose_name=_("已有报告"), attrs={"td": {"class": "num"}})
    missing = tables.Column(verbose_name=_("缺报告"), attrs={"td": {"class": "num"}})
    needs_review = tables.Column(verbose_name=_("待审核"), attrs={"td": {"class": "num"}})
    verified = tables.Column(verbose_name=_("已核实"), attrs={"td": {"class": "num"}})
    failing = tables.Column(verbose_name=_("有未通过校验"), attrs={"td": {"class": "num"}})

    class Meta:
        orderable = False
        attrs = {"class": "coverage-summary", "id": "coverage-summary-table"}
