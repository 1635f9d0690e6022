"""Every metric the dashboard shows, defined once.

A metric is a count (one headline column of ``Report``) or a rate (a sum of
headline columns over another sum). Headline columns are computed from the
canonical cells in ``dashboard.figures``; ``Metric.cell_formula`` spells a
metric out in canonical cell keys (FORMAT.md §10) for the metric dictionary.

The same definition drives SQL (``Metric.expression``, used by the selectors)
and Python (``Metric.evaluate``, used on plain rows and in tests), so the two
cannot drift apart silently: tests compare them.

Template versions: a metric lists the versions in which it is defined. When
the meaning changed between V2019 and V2021 (FORMAT.md §10.4) the metric is
``comparable_across_versions=False`` and a change between a V2019 year and a
V2021 year is shown as "not comparable", never as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, ExpressionWrapper, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, NullIf
from django.utils.translation import get_language

from dashboard import figures
from ingest.parsing.template import FEE_KEY

BOTH = frozenset({"2019", "2021"})
ONLY_2021 = frozenset({"2021"})

# Which of Report's version columns decides comparability for a metric's section.
VERSION_FIELD = {"s1": None, "s2": "version_s2", "s3": "version_s3", "s4": None, "quality": "version"}

Term = tuple[str, int]  # (headline column, +1 / -1)


@dataclass(frozen=True)
class Metric:
    id: str
    name_zh: str
    name_en: str
    group: str  # proactive | requests | review | quality
    section: str  # s1 | s2 | s3 | s4 | quality
    numerator: tuple[Term, ...]
    unit_zh: str
    unit_en: str
    denominator: tuple[Term, ...] = ()
    denominator_zh: str = ""
    denominator_en: str = ""
    # Label of the group shown instead of a rank when the denominator is 0 (e.g. 无申请).
    empty_zh: str = ""
    empty_en: str = ""
    versions: frozenset[str] = BOTH
    comparable_across_versions: bool = True
    # True: higher is better; False: lower is better; None: neither (volume figures).
    higher_is_better: bool | None = None
    note_zh: str = ""
    note_en: str = ""
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        cols = tuple(dict.fromkeys(c for c, _ in (*self.numerator, *self.denominator)))
        object.__setattr__(self, "columns", cols)

    # ---------------------------------------------------------------- description
    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_zh

    @property
    def unit(self) -> str:
        return self.unit_en if _english() else self.unit_zh

    @property
    def denominator_label(self) -> str:
        return self.denominator_en if _english() else self.denominator_zh

    @property
    def empty_label(self) -> str:
        return self.empty_en if _english() else self.empty_zh

    @property
    def note(self) -> str:
        return self.note_en if _english() else self.note_zh

    @property
    def version_field(self) -> str | None:
        return VERSION_FIELD[self.section]

    @property
    def formula(self) -> str:
        """The formula over headline columns, e.g. ``req_granted / req_handled``."""
        num = _terms_text(self.numerator)
        if not self.denominator:
            return num
        den = _terms_text(self.denominator)
        num = f"({num})" if len(self.numerator) > 1 else num
        den = f"({den})" if len(self.denominator) > 1 else den
        return f"{num} / {den}"

    @property
    def cell_formula(self) -> str:
        """The same formula over canonical cell keys (FORMAT.md §10)."""
        num = _terms_cells(self.numerator)
        if not self.denominator:
            return num
        return f"({num}) / ({_terms_cells(self.denominator)})"

    def defined_for(self, version: str | None) -> bool:
        """Whether a report of this template version has this metric at all."""
        if self.versions == BOTH:
            return True
        return version in self.versions

    def comparable(self, version_a: str | None, version_b: str | None) -> bool:
        """Whether values from two reports (by template version) may be compared."""
        if not (self.defined_for(version_a) and self.defined_for(version_b)):
            return False
        if self.comparable_across_versions:
            return True
        return version_a == version_b and version_a in BOTH

    # ---------------------------------------------------------------- Python evaluation
    def evaluate(self, row: Mapping) -> float | None:
        """The metric for one plain row of headline figures; None when unknown or 0/0."""
        num = _sum_terms(row, self.numerator)
        if num is None:
            return None
        if not self.denominator:
            return num
        den = _sum_terms(row, self.denominator)
        if not den:
            return None
        return num / den

    def denominator_value(self, row: Mapping) -> float | None:
        return _sum_terms(row, self.denominator) if self.denominator else None

    # ---------------------------------------------------------------- SQL
    def expression(self, prefix: str = ""):
        """A float SQL expression over the headline columns (``prefix`` = relation path)."""
        num = _terms_expr(self.numerator, prefix)
        if not self.denominator:
            return num
        return ExpressionWrapper(
            num / NullIf(_terms_expr(self.denominator, prefix), Value(0.0)), output_field=FloatField()
        )

    def denominator_expression(self, prefix: str = ""):
        if not self.denominator:
            return Value(None, output_field=FloatField())
        return _terms_expr(self.denominator, prefix)

    def comparable_expression(self, cur: str, prev: str):
        """SQL boolean: the reports at relations ``cur`` and ``prev`` may be compared."""
        vf = self.version_field
        if vf is None or (self.versions == BOTH and self.comparable_across_versions):
            return Value(True)
        allowed = sorted(self.versions)
        cond = Q(**{f"{cur}__{vf}__in": allowed, f"{prev}__{vf}__in": allowed})
        if not self.comparable_across_versions:
            cond &= Q(**{f"{cur}__{vf}": F(f"{prev}__{vf}")})
        return Case(When(cond, then=Value(True)), default=Value(False), output_field=BooleanField())


def _english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def _sum_terms(row: Mapping, terms: tuple[Term, ...]) -> float | None:
    total = 0.0
    for column, sign in terms:
        v = row.get(column)
        if v is None:
            return None
        total += sign * float(v if not isinstance(v, Decimal) else float(v))
    return total


def _terms_expr(terms: tuple[Term, ...], prefix: str):
    expr = None
    for column, sign in terms:
        term = Cast(F(f"{prefix}{column}"), FloatField())
        if expr is None:
            expr = term if sign > 0 else Value(0.0) - term
        else:
            expr = expr + term if sign > 0 else expr - term
    return ExpressionWrapper(expr, output_field=FloatField())


def _terms_text(terms: tuple[Term, ...]) -> str:
    out = []
    for i, (column, sign) in enumerate(terms):
        out.append(("" if i == 0 and sign > 0 else (" + " if sign > 0 else " − ")) + column)
    return "".join(out)


def _cells_of(column: str) -> tuple[str, ...]:
    if column == "fees_wan_yuan":
        return (FEE_KEY,)
    if column == "items_stated":
        return ("§一 (text)",)
    if column in ("checks_failed", "checks_unevaluable", "cells_unresolved"):
        return (f"checks:{column}",)
    return figures.COUNT_FIGURES[column]


def _terms_cells(terms: tuple[Term, ...]) -> str:
    out = []
    for i, (column, sign) in enumerate(terms):
        if column == "req_other":
            text = "[2019: s3.outcome.other.sum.total | 2021: " + " + ".join(figures.OTHER_2021) + "]"
        else:
            text = " + ".join(_cells_of(column))
            if len(_cells_of(column)) > 1 and len(terms) > 1:
                text = f"({text})"
        out.append(("" if i == 0 and sign > 0 else (" + " if sign > 0 else " − ")) + text)
    return "".join(out)


def _count(id, zh, en, group, section, column, unit_zh="件", unit_en="items", **kw) -> Metric:
    return Metric(
        id=id,
        name_zh=zh,
        name_en=en,
        group=group,
        section=section,
        numerator=((column, 1),),
        unit_zh=unit_zh,
        unit_en=unit_en,
        **kw,
    )


HANDLED = (("req_handled", 1),)
SHARE = {
    "unit_zh": "%",
    "unit_en": "%",
    "denominator": HANDLED,
    "denominator_zh": "本年度办理结果总计（七）",
    "denominator_en": "applications concluded this year (row (7) total)",
    "empty_zh": "无申请",
    "empty_en": "no requests",
}
REVIEW_CONCLUDED = (("review_total", 1), ("review_pending", -1))
LIT_CONCLUDED = (("lit_total", 1), ("lit_pending", -1))

METRICS: tuple[Metric, ...] = (
    # ------------------------------------------------------------ proactive disclosure (§一, §二)
    _count(
        "items_stated",
        "主动公开信息条数（§一自述）",
        "Items published proactively (as stated in §I)",
        "proactive",
        "s1",
        "items_stated",
        unit_zh="条",
        unit_en="items",
        higher_is_better=True,
        note_zh="取自报告正文“总体情况”中的自述数字，不是表格数据；口径由各单位自定。",
        note_en="Taken from the report's own prose in §I, not from a table; each body counts its own way.",
    ),
    _count(
        "regulations_made",
        "本年制发规章",
        "Regulations made this year",
        "proactive",
        "s2",
        "regulations_made",
        note_zh="2019版“本年新制作数量”与2021版“本年制发件数”含义相近，视为可比。",
        note_en="V2019 “newly made this year” and V2021 “issued this year” mean nearly the same; treated as comparable.",
    ),
    _count(
        "normative_made",
        "本年制发规范性文件",
        "Normative documents made this year",
        "proactive",
        "s2",
        "normative_made",
        higher_is_better=None,
        note_zh="2019版“规范性文件·本年新制作数量”与2021版“行政规范性文件·本年制发件数”视为可比。",
        note_en="V2019 normative documents made and V2021 administrative normative documents issued are treated as comparable.",
    ),
    _count(
        "normative_in_force",
        "现行有效行政规范性文件",
        "Normative documents in force",
        "proactive",
        "s2",
        "normative_in_force",
        versions=ONLY_2021,
        comparable_across_versions=False,
        note_zh="仅2021版有“现行有效件数”；2019版的“对外公开总数量”含义不同，不可比。",
        note_en="Only V2021 has “number in force”; V2019's “total published” (cumulative) means something else.",
    ),
    _count(
        "licensing_decisions",
        "行政许可处理决定",
        "Licensing decisions",
        "proactive",
        "s2",
        "licensing_decisions",
    ),
    _count("penalty_decisions", "行政处罚决定", "Penalty decisions", "proactive", "s2", "penalty_decisions"),
    _count(
        "coercion_decisions",
        "行政强制决定",
        "Coercive-measure decisions",
        "proactive",
        "s2",
        "coercion_decisions",
    ),
    _count(
        "fees_wan_yuan",
        "行政事业性收费金额",
        "Administrative fees collected",
        "proactive",
        "s2",
        "fees_wan_yuan",
        unit_zh="万元",
        unit_en="10,000 CNY",
        versions=ONLY_2021,
        comparable_across_versions=False,
        note_zh="仅2021版填报金额；2019版填报的是收费项目数，不可比。",
        note_en="Only V2021 reports an amount; V2019 reports the number of fee items, not comparable.",
    ),
    # ------------------------------------------------------------ requests (§三, 总计 column)
    _count("req_new", "本年新收申请", "New requests received", "requests", "s3", "req_new"),
    _count(
        "req_carried_over",
        "上年结转申请",
        "Requests carried over from last year",
        "requests",
        "s3",
        "req_carried_over",
    ),
    _count(
        "req_handled", "本年办结申请（总计）", "Requests concluded (total)", "requests", "s3", "req_handled"
    ),
    _count(
        "req_carried_forward",
        "结转下年度办理",
        "Requests carried forward",
        "requests",
        "s3",
        "req_carried_forward",
        higher_is_better=False,
    ),
    Metric(
        id="share_granted",
        name_zh="予以公开占比",
        name_en="Share granted",
        group="requests",
        section="s3",
        numerator=(("req_granted", 1),),
        higher_is_better=True,
        **SHARE,
    ),
    Metric(
        id="share_partial",
        name_zh="部分公开占比",
        name_en="Share partially granted",
        group="requests",
        section="s3",
        numerator=(("req_partial", 1),),
        **SHARE,
    ),
    Metric(
        id="share_denied",
        name_zh="不予公开占比",
        name_en="Share denied",
        group="requests",
        section="s3",
        numerator=(("req_denied", 1),),
        higher_is_better=False,
        **SHARE,
    ),
    Metric(
        id="share_unable",
        name_zh="无法提供占比",
        name_en="Share unable to provide",
        group="requests",
        section="s3",
        numerator=(("req_unable", 1),),
        higher_is_better=False,
        **SHARE,
    ),
    Metric(
        id="share_not_processed",
        name_zh="不予处理占比",
        name_en="Share not processed",
        group="requests",
        section="s3",
        numerator=(("req_not_processed", 1),),
        higher_is_better=False,
        **SHARE,
    ),
    Metric(
        id="share_other",
        name_zh="其他处理占比",
        name_en="Share other handling",
        group="requests",
        section="s3",
        numerator=(("req_other", 1),),
        comparable_across_versions=False,
        note_zh="2021版把“其他处理”拆为三行并新增“逾期未缴费”情形，与2019版单行不可比。",
        note_en="V2021 splits “other handling” into three rows and adds “fee not paid”; not comparable with V2019's single row.",
        **SHARE,
    ),
    Metric(
        id="substantive_rate",
        name_zh="实质公开率",
        name_en="Substantive disclosure rate",
        group="requests",
        section="s3",
        numerator=(("req_granted", 1), ("req_partial", 1)),
        denominator=(("req_granted", 1), ("req_partial", 1), ("req_denied", 1), ("req_unable", 1)),
        unit_zh="%",
        unit_en="%",
        higher_is_better=True,
        denominator_zh="作出实体答复的申请：予以公开＋部分公开＋不予公开＋无法提供（不含不予处理、其他处理等程序性结果）",
        denominator_en="requests answered on substance: granted + partial + denied + unable "
        "(excludes the procedural outcomes “not processed” and “other handling”)",
        empty_zh="无申请",
        empty_en="no requests",
    ),
    # ------------------------------------------------------------ reviews and lawsuits (§四)
    _count(
        "review_total",
        "行政复议案件",
        "Administrative review cases",
        "review",
        "s4",
        "review_total",
        higher_is_better=False,
    ),
    Metric(
        id="review_correction_rate",
        name_zh="行政复议纠错率",
        name_en="Administrative review correction rate",
        group="review",
        section="s4",
        numerator=(("review_corrected", 1),),
        denominator=REVIEW_CONCLUDED,
        unit_zh="%",
        unit_en="%",
        higher_is_better=False,
        denominator_zh="已审结的复议案件：总计－尚未审结",
        denominator_en="concluded cases: total − pending",
        empty_zh="无已审结案件",
        empty_en="no concluded cases",
    ),
    _count(
        "lit_total",
        "行政诉讼案件",
        "Administrative litigation cases",
        "review",
        "s4",
        "lit_total",
        higher_is_better=False,
        note_zh="未经复议直接起诉＋复议后起诉。",
        note_en="Suits filed directly + suits filed after administrative review.",
    ),
    Metric(
        id="lit_correction_rate",
        name_zh="行政诉讼纠错率",
        name_en="Administrative litigation correction rate",
        group="review",
        section="s4",
        numerator=(("lit_corrected", 1),),
        denominator=LIT_CONCLUDED,
        unit_zh="%",
        unit_en="%",
        higher_is_better=False,
        denominator_zh="已审结的诉讼案件（两类合计）：总计－尚未审结",
        denominator_en="concluded cases (both kinds): total − pending",
        empty_zh="无已审结案件",
        empty_en="no concluded cases",
    ),
    # ------------------------------------------------------------ report quality
    _count(
        "checks_failed",
        "未通过的勾稽校验",
        "Failing consistency checks",
        "quality",
        "quality",
        "checks_failed",
        unit_zh="项",
        unit_en="checks",
        higher_is_better=False,
        note_zh="2019版共37项表内校验，2021版共39项（FORMAT.md §4.3），数量级相同，视为可比。",
        note_en="V2019 has 37 in-table checks and V2021 39 (FORMAT.md §4.3); treated as comparable.",
    ),
    _count(
        "cells_unresolved",
        "无法识别的单元格",
        "Unresolved cells",
        "quality",
        "quality",
        "cells_unresolved",
        unit_zh="个",
        unit_en="cells",
        higher_is_better=False,
    ),
)

BY_ID: dict[str, Metric] = {m.id: m for m in METRICS}
DEFAULT = "substantive_rate"

GROUPS = (
    ("proactive", "主动公开", "Proactive disclosure"),
    ("requests", "依申请公开", "Disclosure on request"),
    ("review", "行政复议与诉讼", "Administrative review and litigation"),
    ("quality", "报告质量", "Report quality"),
)


def get(metric_id: str | None) -> Metric:
    return BY_ID.get(metric_id or DEFAULT, BY_ID[DEFAULT])


def group_label(group: str) -> str:
    for key, zh, en in GROUPS:
        if key == group:
            return en if _english() else zh
    return group


def choices() -> list[tuple[str, str]]:
    return [(m.id, m.name) for m in METRICS]


def headline_columns() -> tuple[str, ...]:
    """Every Report column any metric reads (plus what comparability needs)."""
    return tuple(dict.fromkeys(c for m in METRICS for c in m.columns))


def change(metric: Metric, value: float | None, previous: float | None, comparable: bool) -> dict:
    """Change from the previous value: absolute (points for rates) and relative; plain Python."""
    if not comparable:
        return {"comparable": False, "abs": None, "rel": None, "direction": None}
    if value is None or previous is None:
        return {"comparable": True, "abs": None, "rel": None, "direction": None}
    delta = value - previous
    rel = None if previous == 0 else delta / abs(previous)
    return {"comparable": True, "abs": delta, "rel": rel, "direction": direction(metric, delta)}


def direction(metric: Metric, delta: float | None) -> str | None:
    """'better', 'worse', 'same', or 'up'/'down' for metrics where neither is better."""
    if delta is None:
        return None
    if abs(delta) < 1e-12:
        return "same"
    if metric.higher_is_better is None:
        return "up" if delta > 0 else "down"
    return "better" if (delta > 0) == metric.higher_is_better else "worse"
