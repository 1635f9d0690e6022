"""Quality checks of a stored report: the catalogue, their evaluation, and their storage as CheckResult rows.

The catalogue (docs/checks.md explains each check to people):

* I1–I4  the template's accounting identities (FORMAT.md §4.3, §5). The parser computes them
         (``ingest.parsing.checks``); we only read ``Report.checks`` and, after a reviewer's
         correction, ask the same parser function again, so both always agree.
* V1–V4  cell values: non-negative integers where counts are expected; unreadable text; cells not
         found; blank / “—” / 无 read as 0 (shown, never silently equated with a printed 0).
* Y1–Y2  across years of one organisation: 上年结转 (Y) = 结转下年度 (Y−1) per column; for the 2021
         template 现行有效 (Y−1) + 本年制发 (Y) − 本年废止 (Y) = 现行有效 (Y).
* P1–P3  plausibility by kind of organisation: 规章 below 设区的市 level, absurd fee amounts, a fee
         written in 元 in the 万元 column.
* T1     figures stated in §一 prose that contradict the tables.
* F1–F2  template version against the report year; tables in different versions.
* R1     a re-parse disagrees with a reviewer's correction of the same cell.

``evaluate`` is pure (no writes, one optional query for the previous year); ``report_checks_run``
stores the outcome; ``report_checks_run_around`` also re-runs the following year, whose Y checks
read this report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import cell_value
from dashboard.models import CheckResult, Organisation, Report
from ingest.parsing import template

ERROR, WARNING, INFO = CheckResult.Severity.ERROR, CheckResult.Severity.WARNING, CheckResult.Severity.INFO
MESSAGE_LANGUAGE = "zh-hans"

# family -> (severity when failing, short Chinese title). The id of a check is "<family>.<detail>".
CATALOGUE: dict[str, tuple[str, object]] = {
    "I1": (ERROR, gettext_lazy("§三 列平衡：本年新收 + 上年结转 = 办理结果总计 + 结转下年度")),
    "I2": (ERROR, gettext_lazy("§三 办理结果总计 = 各项办理结果之和")),
    "I3": (ERROR, gettext_lazy("§三 行总计 = 自然人 + 五类法人或其他组织")),
    "I4": (ERROR, gettext_lazy("§四 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结")),
    "V1": (ERROR, gettext_lazy("数量应为非负整数")),
    "V2": (WARNING, gettext_lazy("表格中有单元格的内容不是数字")),
    "V3": (WARNING, gettext_lazy("表格中有单元格未找到")),
    "V4": (INFO, gettext_lazy("空白、“—”或“无”按 0 计算")),
    "Y1": (WARNING, gettext_lazy("本年“上年结转”应等于上一年度报告的“结转下年度继续办理”")),
    "Y2": (WARNING, gettext_lazy("上年现行有效 + 本年制发 − 本年废止 = 本年现行有效")),
    "P1": (WARNING, gettext_lazy("设区的市以下单位不制定规章")),
    "P2": (WARNING, gettext_lazy("行政事业性收费金额（万元）明显不合常理")),
    "P3": (WARNING, gettext_lazy("收费金额写作“元”，而本栏单位是“万元”")),
    "T1": (WARNING, gettext_lazy("§一 文字中的数字与表格不一致")),
    "F1": (WARNING, gettext_lazy("模板版本与报告年度不符")),
    "F2": (WARNING, gettext_lazy("同一报告混用两个版本的模板")),
    "R1": (WARNING, gettext_lazy("重新解析的结果与人工更正不一致")),
}
IDENTITY_FAMILIES = ("I1", "I2", "I3", "I4")

MONEY_KEYS = template.MONEY_KEYS  # the parser's template says which cells are money
FEE_KEY = template.FEE_KEY
S3_COLUMN_LABELS = {
    "natural_person": "自然人", "org_commercial": "商业企业", "org_research": "科研机构",
    "org_public_interest": "社会公益组织", "org_legal_service": "法律服务机构", "org_other": "其他",
    "total": "总计",
}
S4_GROUP_LABELS = {"review": "行政复议", "lit_direct": "行政诉讼（未经复议直接起诉）",
                   "lit_after_review": "行政诉讼（复议后起诉）"}
TOWNSHIP_KINDS = frozenset({"乡", "镇", "民族乡", "苏木", "街道"})
# Above these amounts (万元) a year's 行政事业性收费 is implausible for the level: most likely the
# amount was written in 元. Deliberately generous; the reviewer decides.
FEE_LIMITS_WAN_YUAN = {
    Organisation.Level.TOWNSHIP: Decimal(1000),
    Organisation.Level.DEPARTMENT: Decimal(100_000),
    Organisation.Level.COUNTY: Decimal(100_000),
    Organisation.Level.CITY: Decimal(1_000_000),
    Organisation.Level.PROVINCE: Decimal(10_000_000),
    Organisation.Level.OTHER: Decimal(1_000_000),
}


@dataclass(frozen=True)
class Outcome:
    check_id: str
    ok: bool | None  # None: could not be evaluated
    message: str
    lhs: float | None = None
    rhs: float | None = None
    cells: tuple[str, ...] = ()  # keys on this report; cross-year checks name only this year's cells
    severity: str = ""  # filled in by ``evaluate`` from the catalogue

    @property
    def family(self) -> str:
        return self.check_id.split(".", 1)[0]

    @property
    def diff(self) -> float | None:
        if self.lhs is None or self.rhs is None:
            return None
        return _num(self.lhs - self.rhs)

    @property
    def title(self) -> str:
        return CATALOGUE[self.family][1]


def severity_of(check_id: str, ok: bool | None) -> str:
    sev = CATALOGUE.get(check_id.split(".", 1)[0], (WARNING, ""))[0]
    if ok is None and sev == ERROR:
        return WARNING  # unevaluable identities: a person has to look, but nothing is proven wrong
    return sev


def _num(x: float | int | Decimal | None) -> float | int | None:
    if x is None:
        return None
    x = float(x)
    return int(x) if x.is_integer() else round(x, 6)


def _fmt(x) -> str:
    x = _num(x)
    return "?" if x is None else f"{x:g}" if isinstance(x, float) else str(x)


# --------------------------------------------------------------------------- identities (parser)


def identity_checks(cells: Mapping[str, Mapping]) -> list[dict]:
    """I-1…I-4 for these cells, computed by the parser's own function (after a correction)."""
    from ingest.parsing.checks import run_checks
    from ingest.parsing.model import Cell

    objs = {
        k: Cell(v=c.get("v"), raw=c.get("raw"), st=c.get("st", "missing"), unit=c.get("unit"))
        for k, c in cells.items()
    }
    s3v = "2021" if "s3.outcome.other.no_correction.total" in cells else "2019"
    return [c.to_dict() for c in run_checks(objs, s3v)]


def _identity_message(check: Mapping) -> str:
    from ingest.parsing.template import label_of

    cid = check["id"]
    family, detail = cid.split(".", 1)
    if family == "I1":
        what = _("§三“%(col)s”列：一、本年新收 + 二、上年结转 应等于 （七）总计 + 四、结转下年度继续办理") % {
            "col": S3_COLUMN_LABELS.get(detail, detail)}
    elif family == "I2":
        what = _("§三“%(col)s”列：（七）总计 应等于 各项办理结果之和") % {"col": S3_COLUMN_LABELS.get(detail, detail)}
    elif family == "I3":
        row = label_of(f"s3.{detail}.total").split(" / ")[0]
        what = _("§三“%(row)s”行：总计 应等于 自然人与五类法人或其他组织之和") % {"row": row}
    else:
        what = _("§四“%(group)s”：总计 应等于 结果维持、结果纠正、其他结果、尚未审结之和") % {
            "group": S4_GROUP_LABELS.get(detail, detail)}
    if check["ok"] is None:
        return what + _("。有单元格未能识别为数字，无法核对。")
    lhs, rhs = check["lhs"], check["rhs"]
    return what + _("。左边 %(lhs)s，右边 %(rhs)s，相差 %(diff)s。") % {
        "lhs": _fmt(lhs), "rhs": _fmt(rhs), "diff": _fmt(_num(lhs - rhs))}


def _identities(report: Report) -> list[Outcome]:
    return [
        Outcome(check_id=c["id"], ok=c["ok"], lhs=c.get("lhs"), rhs=c.get("rhs"), cells=tuple(c.get("cells") or ()),
                message=_identity_message(c))
        for c in report.checks or ()
        if c.get("id", "").split(".", 1)[0] in IDENTITY_FAMILIES
    ]


# --------------------------------------------------------------------------- values


def _values(report: Report) -> list[Outcome]:
    from ingest.parsing.template import label_of

    out: list[Outcome] = []
    zeroish: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    text_cells: dict[str, list[str]] = {}
    for key, cell in (report.cells or {}).items():
        st = cell.get("st")
        section = key.split(".", 1)[0]
        if st == "ok":
            v = cell.get("v")
            signed = key.endswith(".items_change")
            if v is None or (not signed and v < 0) or not (key in MONEY_KEYS or float(v).is_integer()):
                out.append(Outcome(
                    check_id=f"V1.{key}", ok=False, lhs=_num(v), cells=(key,),
                    message=_("“%(label)s”填的是 %(raw)s，这一栏应为非负整数。") % {
                        "label": label_of(key), "raw": cell.get("raw") or _fmt(v)}))
        elif st == "text":
            text_cells.setdefault(section, []).append(key)
        elif st == "missing":
            missing.setdefault(section, []).append(key)
        elif st in ("blank", "dash", "none_word"):
            zeroish.setdefault(section, []).append(key)
    names = {"s2": "§二", "s3": "§三", "s4": "§四"}
    for section, keys in sorted(text_cells.items()):
        examples = "；".join(f"“{label_of(k)}”：“{(report.cells[k].get('raw') or '').strip()[:30]}”" for k in keys[:3])
        out.append(Outcome(
            check_id=f"V2.{section}", ok=False, lhs=len(keys), cells=tuple(keys),
            message=_("%(sec)s 表格中有 %(n)s 个单元格的内容不是数字，无法计入统计，例如%(examples)s。") % {
                "sec": names.get(section, section), "n": len(keys), "examples": examples}))
    for section, keys in sorted(missing.items()):
        out.append(Outcome(
            check_id=f"V3.{section}", ok=False, lhs=len(keys), cells=tuple(keys),
            message=_("%(sec)s 表格中有 %(n)s 个单元格没有找到（原文缺失或未能识别）。") % {
                "sec": names.get(section, section), "n": len(keys)}))
    for section, keys in sorted(zeroish.items()):
        out.append(Outcome(
            check_id=f"V4.{section}", ok=False, lhs=len(keys), cells=tuple(keys),
            message=_("%(sec)s 表格中有 %(n)s 个单元格为空白、“—”或“无”，统计和校验时按 0 计算，原文照录。") % {
                "sec": names.get(section, section), "n": len(keys)}))
    return out


# --------------------------------------------------------------------------- across years


def previous_report(report: Report) -> Report | None:
    """The report of the same organisation for the year before: the current one, else the newest."""
    if report.organisation_id is None or report.year is None:
        return None
    return (
        Report.objects.filter(organisation_id=report.organisation_id, year=report.year - 1)
        .exclude(pk=report.pk)
        .order_by(*PREVIOUS_ORDER)
        .first()
    )


# Which of last year's versions the cross-year checks compare with: the current one, else the newest.
PREVIOUS_ORDER = ("-is_current", "-created", "-id")


def pick_previous(versions: list[Report]) -> Report | None:
    """``previous_report`` over versions already fetched (all of one organisation and year)."""
    return min(versions, key=lambda r: (not r.is_current, -r.created.timestamp(), -r.pk), default=None)


def _years(report: Report, prev: Report | None) -> list[Outcome]:
    if prev is None:
        return []
    out: list[Outcome] = []
    y, y0 = report.year, prev.year
    for col, label in S3_COLUMN_LABELS.items():
        this_key, prev_key = f"s3.carried_over_prev.{col}", f"s3.carried_forward_next.{col}"
        lhs, rhs = cell_value(report.cells, this_key), cell_value(prev.cells, prev_key)
        if this_key not in report.cells and prev_key not in prev.cells:
            continue
        ok = None if lhs is None or rhs is None else abs(lhs - rhs) < 1e-6
        msg = _("“%(col)s”列：%(y)s 年报告的“二、上年结转”为 %(lhs)s，%(y0)s 年报告的“四、结转下年度继续办理”为 %(rhs)s。") % {
            "col": label, "y": y, "y0": y0, "lhs": _fmt(lhs), "rhs": _fmt(rhs)}
        out.append(Outcome(check_id=f"Y1.{col}", ok=ok, lhs=_num(lhs), rhs=_num(rhs), cells=(this_key,), message=msg))
    if report.version_s2 == "2021" and prev.version_s2 == "2021":
        for row, label in (("regulations", "规章"), ("normative_docs", "行政规范性文件")):
            base = f"s2.art20_1.{row}"
            before = cell_value(prev.cells, f"{base}.in_force")
            made = cell_value(report.cells, f"{base}.made")
            repealed = cell_value(report.cells, f"{base}.repealed")
            now = cell_value(report.cells, f"{base}.in_force")
            parts = (before, made, repealed, now)
            ok = None if any(p is None for p in parts) else abs(before + made - repealed - now) < 1e-6
            lhs = None if ok is None else before + made - repealed
            msg = _("%(row)s：%(y0)s 年现行有效 %(a)s + %(y)s 年制发 %(b)s − 本年废止 %(c)s = %(d)s，而 %(y)s 年报告的现行有效为 %(e)s。") % {
                "row": label, "y0": y0, "y": y, "a": _fmt(before), "b": _fmt(made), "c": _fmt(repealed),
                "d": _fmt(lhs), "e": _fmt(now)}
            out.append(Outcome(check_id=f"Y2.{row}", ok=ok, lhs=_num(lhs), rhs=_num(now),
                               cells=(f"{base}.made", f"{base}.repealed", f"{base}.in_force"), message=msg))
    return out


# --------------------------------------------------------------------------- plausibility


def below_city_level(org: Organisation | None) -> bool:
    """Units that cannot make 规章 (立法法: only provincial and 设区的市 governments, and ministries)."""
    if org is None:
        return False
    if org.level in (Organisation.Level.TOWNSHIP, Organisation.Level.COUNTY) or org.kind in TOWNSHIP_KINDS:
        return True
    return org.level == Organisation.Level.DEPARTMENT and org.county_id is not None


def _plausibility(report: Report) -> list[Outcome]:
    out: list[Outcome] = []
    org = report.organisation
    cells = report.cells or {}
    if below_city_level(org):
        keys = tuple(k for k in cells if k.startswith("s2.art20_1.regulations.") and (cell_value(cells, k) or 0) > 0)
        out.append(Outcome(
            check_id="P1.regulations", ok=not keys, cells=keys,
            lhs=_num(max((cell_value(cells, k) for k in keys), default=0)),
            message=_("%(org)s 不是省级或设区的市级人民政府，不能制定规章，但“规章”一行填了非零数字，"
                      "可能是把规范性文件填进了规章行。") % {"org": org}))
    fee = cell_value(cells, FEE_KEY)
    if fee is not None and org is not None:
        limit = FEE_LIMITS_WAN_YUAN.get(org.level, FEE_LIMITS_WAN_YUAN[Organisation.Level.OTHER])
        out.append(Outcome(
            check_id="P2.fees", ok=Decimal(str(fee)) <= limit, lhs=_num(fee), rhs=_num(limit), cells=(FEE_KEY,),
            message=_("本年收费金额填报为 %(fee)s 万元（即 %(yuan)s 元），超过同类单位的合理上限 %(limit)s 万元，"
                      "可能是按“元”填写了。") % {"fee": _fmt(fee), "yuan": _fmt(Decimal(str(fee)) * 10000),
                                                 "limit": _fmt(limit)}))
    fee_cell = cells.get(FEE_KEY) or {}
    if fee_cell.get("unit") == "元":
        out.append(Outcome(check_id="P3.fee_unit", ok=False, cells=(FEE_KEY,), lhs=_num(fee),
                           message=_("收费金额单元格写的是“%(raw)s”，单位为元，而本栏要求以万元填报。") % {
                               "raw": (fee_cell.get("raw") or "").strip()}))
    return out


# --------------------------------------------------------------------------- prose vs tables

_NUM = r"(?<![\d.])(\d{1,7})"


@dataclass(frozen=True)
class ProseFact:
    """A figure §一 often states in words, the table cells it must agree with, and how it is worded."""

    check_id: str
    what: str
    keys: tuple[str, ...]  # the table's figure is the sum of these cells
    patterns: tuple[str, ...]  # group 1 is the stated number
    nones: tuple[str, ...] = ()  # sentences that state "none" (0)
    # Other sums the wording may mean, accepted as agreement ("受理/办理" often counts carried-over ones too).
    also: tuple[tuple[str, ...], ...] = ()


PROSE_FACTS: tuple[ProseFact, ...] = (
    ProseFact(
        "T1.requests", "本年新收政府信息公开申请", ("s3.received_new.total",),
        (rf"(?:收到|受理|新收|接收|接到|办理)[^。；，,]{{0,14}}?(?:依申请公开|信息公开申请|公开申请)[^。；，,\d]{{0,6}}?{_NUM}\s*(?:件|个|份|条)",
         rf"(?:依申请公开|信息公开申请|公开申请)[^。；，,\d]{{0,10}}?(?:共|合计|总计)?{_NUM}\s*(?:件|个|份)"),
        (r"(?:未|没有|无)(?:收到|受理|接到)[^。；，,]{0,12}?(?:申请)",),
        also=(("s3.received_new.total", "s3.carried_over_prev.total"),)),
    ProseFact(
        "T1.review", "政府信息公开行政复议案件", ("s4.review.total",),
        (rf"行政复议[^。；，,\d]{{0,8}}?{_NUM}\s*(?:件|起|宗|次)",),
        (r"(?:未|没有|无)(?:发生|出现|收到|产生)?[^。；，,]{0,10}?行政复议",)),
    ProseFact(
        "T1.litigation", "政府信息公开行政诉讼案件", ("s4.lit_direct.total", "s4.lit_after_review.total"),
        (rf"行政诉讼[^。；，,\d]{{0,8}}?{_NUM}\s*(?:件|起|宗|次)",),
        (r"(?:未|没有|无)(?:发生|出现|收到|产生)?[^。；，,]{0,10}?行政诉讼",)),
    ProseFact(
        "T1.normative", "本年制发（新制作）的规范性文件", ("s2.art20_1.normative_docs.made",),
        (rf"(?:制发|印发|出台|制定|新制作)[^。；，,\d]{{0,6}}?规范性文件[^。；，,\d]{{0,4}}?{_NUM}\s*(?:件|个|份)",)),
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。；;！!？?\n])", unicodedata.normalize("NFKC", text or "")) if s.strip()]


def prose_claims(text: str) -> dict[str, tuple[int, str]]:
    """Numbers §一 states, by check id: {id: (value, sentence)}; the first clear statement wins."""
    claims: dict[str, tuple[int, str]] = {}
    for sentence in _sentences(text):
        for fact in PROSE_FACTS:
            if fact.check_id in claims:
                continue
            for pattern in fact.patterns:
                m = re.search(pattern, sentence)
                if m:
                    claims[fact.check_id] = (int(m.group(1)), sentence[:300])
                    break
            else:
                if any(re.search(p, sentence) for p in fact.nones):
                    claims[fact.check_id] = (0, sentence[:300])
    return claims


def _table_sum(cells: Mapping[str, Mapping], keys: tuple[str, ...]) -> float | int | None:
    vals = [cell_value(cells, k) for k in keys]
    return None if any(v is None for v in vals) else _num(sum(vals))


def _prose(report: Report) -> list[Outcome]:
    text = report.text_overview or ""
    if report.stated_counts:
        text += "\n" + "\n".join(c.get("sentence", "") for c in report.stated_counts)
    claims = prose_claims(text)
    cells = report.cells or {}
    out: list[Outcome] = []
    for fact in PROSE_FACTS:
        if fact.check_id not in claims or not all(k in cells for k in fact.keys):
            continue
        stated, sentence = claims[fact.check_id]
        table = _table_sum(cells, fact.keys)
        ok = None if table is None else table == stated or any(
            _table_sum(cells, alt) == stated for alt in fact.also if all(k in cells for k in alt))
        out.append(Outcome(
            check_id=fact.check_id, ok=ok, lhs=stated, rhs=table, cells=fact.keys,
            message=_("§一写道“%(sentence)s”，即%(what)s %(stated)s；表格中为 %(table)s。") % {
                "sentence": sentence, "what": fact.what, "stated": stated, "table": _fmt(table)}))
    return out


# --------------------------------------------------------------------------- template version


def expected_version(year: int | None) -> str | None:
    if year is None or year < 2019:
        return None
    return "2019" if year <= 2020 else "2021"


def _versions(report: Report) -> list[Outcome]:
    out: list[Outcome] = []
    known = {s: v for s, v in (("§二", report.version_s2), ("§三", report.version_s3)) if v in ("2019", "2021")}
    expected = expected_version(report.year)
    if expected and known:
        wrong = {s: v for s, v in known.items() if v != expected}
        out.append(Outcome(
            check_id="F1.version_year", ok=not wrong,
            message=_("%(year)s 年度的报告应使用 %(exp)s 年版格式，但 %(which)s 使用的是 %(got)s 年版。") % {
                "year": report.year, "exp": expected, "which": "、".join(wrong) or "—",
                "got": "、".join(sorted(set(wrong.values()))) or "—"}))
    mixed = "mixed" in (report.version_s2, report.version_s3, report.version) or len(set(known.values())) > 1
    out.append(Outcome(
        check_id="F2.mixed", ok=not mixed,
        message=_("§二 为 %(s2)s 版、§三 为 %(s3)s 版：同一报告中混用了两个版本的表格。") % {
            "s2": report.get_version_s2_display(), "s3": report.get_version_s3_display()}))
    return out


# --------------------------------------------------------------------------- corrections vs re-parse


def _conflicts(report: Report) -> list[Outcome]:
    from ingest.parsing.template import label_of

    out = []
    for key, cell in (report.cells or {}).items():
        parsed = cell.get("conflict")
        if parsed is None:
            continue
        out.append(Outcome(
            check_id=f"R1.{key}", ok=False, cells=(key,), lhs=_num(cell_value(report.cells, key)),
            rhs=_num(cell_value({key: parsed}, key)),
            message=_("“%(label)s”：人工更正为“%(new)s”，重新解析得到“%(parsed)s”。已保留人工更正，请决定采用哪一个。") % {
                "label": label_of(key), "new": cell.get("raw") or "", "parsed": parsed.get("raw") or ""}))
    return out


# --------------------------------------------------------------------------- evaluation and storage


def evaluate(report: Report, *, previous: Report | None = None, with_previous: bool = True) -> list[Outcome]:
    """Every check of one report, passing or not. Reads the previous year unless given.

    Messages are always in Chinese, whoever triggers the run: they are stored and read by officials.
    """
    if with_previous and previous is None:
        previous = previous_report(report)
    with translation.override(MESSAGE_LANGUAGE):
        return _evaluate(report, previous)


def _evaluate(report: Report, previous: Report | None) -> list[Outcome]:
    outcomes = [
        *_identities(report),
        *_values(report),
        *_years(report, previous),
        *_plausibility(report),
        *_prose(report),
        *_versions(report),
        *_conflicts(report),
    ]
    return [replace(o, severity=severity_of(o.check_id, o.ok)) for o in outcomes]


def _same_outcome(row: CheckResult, o: Outcome) -> bool:
    def close(a, b):
        return (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) < 1e-6)

    return row.ok == o.ok and close(row.lhs, o.lhs) and close(row.rhs, o.rhs)


def counts_as_failed(row: CheckResult) -> bool:
    return row.ok is False and row.severity != INFO and row.review != CheckResult.Review.DISMISSED


def needs_attention(row: CheckResult) -> bool:
    """Open, and either failed or unevaluable: a reviewer has to confirm or dismiss it before verifying."""
    return row.review == CheckResult.Review.OPEN and (counts_as_failed(row) or row.ok is None)


@transaction.atomic
def report_checks_run(*, report: Report, previous: Report | None = None) -> list[Outcome]:
    """Evaluate every check and store the ones that did not pass; keep status and counters consistent.

    A reviewer's confirm/dismiss survives a re-run when the outcome (ok, both sides) is unchanged;
    a changed outcome reopens the check.
    """
    # One run per report at a time: two workers storing neighbouring years may both re-run a third.
    Report.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True).first()
    outcomes = evaluate(report, previous=previous)
    wanted = {o.check_id: o for o in outcomes if o.ok is not True}
    existing = {r.check_id: r for r in CheckResult.objects.filter(report=report)}
    stale = [r.pk for cid, r in existing.items() if cid not in wanted]
    if stale:
        CheckResult.objects.filter(pk__in=stale).delete()
    create, update = [], []
    for cid, o in wanted.items():
        row = existing.get(cid)
        if row is None:
            create.append(CheckResult(report=report, check_id=cid, severity=o.severity, ok=o.ok, lhs=o.lhs,
                                      rhs=o.rhs, cells=list(o.cells), message=o.message))
            continue
        before = (row.severity, row.ok, row.lhs, row.rhs, row.cells, row.message, row.review)
        if not _same_outcome(row, o):
            row.review, row.reviewed_by, row.reviewed_at = CheckResult.Review.OPEN, None, None
        row.severity, row.ok, row.lhs, row.rhs, row.cells, row.message = (
            o.severity, o.ok, o.lhs, o.rhs, list(o.cells), o.message)
        if (row.severity, row.ok, row.lhs, row.rhs, row.cells, row.message, row.review) != before:
            update.append(row)
    CheckResult.objects.bulk_create(create)
    CheckResult.objects.bulk_update(
        update, ["severity", "ok", "lhs", "rhs", "cells", "message", "review", "reviewed_by", "reviewed_at"])
    report_status_refresh(report=report)
    return outcomes


def report_status_refresh(*, report: Report) -> None:
    """Counters, status and reasons from the stored check rows and the report's own facts."""
    from dashboard.services import report_refresh_current

    rows = list(CheckResult.objects.filter(report=report).only("check_id", "ok", "severity", "review"))
    changed = apply_status(report, rows)
    Report.objects.filter(pk=report.pk).update(
        status=report.status, review_reasons=report.review_reasons, checks_failed=report.checks_failed,
        checks_unevaluable=report.checks_unevaluable, cells_unresolved=report.cells_unresolved)
    if changed:
        report_refresh_current(organisation_id=report.organisation_id, year=report.year)


def apply_status(report: Report, rows: list[CheckResult]) -> bool:
    """Set status, reasons and counters on ``report`` from its check rows (no queries).

    Returns whether the status changed.
    """
    failed = sum(1 for r in rows if counts_as_failed(r))
    # The stored counter keeps its published meaning (metric "未通过的勾稽校验"): the template's own
    # identities only; every other failure shows in the status and its reasons.
    identities_failed = sum(1 for r in rows if counts_as_failed(r) and r.check_id[:2] in IDENTITY_FAMILIES)
    open_failed = sum(1 for r in rows if counts_as_failed(r) and r.review == CheckResult.Review.OPEN)
    attention = sum(1 for r in rows if needs_attention(r))
    unevaluable = sum(1 for r in rows if r.ok is None)
    unresolved = sum(1 for c in (report.cells or {}).values() if c.get("st") in ("text", "missing"))
    reasons = _fact_reasons(report, unresolved)
    status = Report.Status.NEEDS_REVIEW if reasons else Report.Status.PARSED
    with translation.override(MESSAGE_LANGUAGE):  # stored, like the check messages
        failed_reason = _("%(n)s 项校验未通过（其中 %(open)s 项待处理）") % {"n": failed, "open": open_failed}
        reopened_reason = _("核实后出现了新的待处理问题")
    if failed:
        reasons.append(failed_reason)
        status = Report.Status.NEEDS_REVIEW
    if report.status == Report.Status.VERIFIED:
        # Verified stays verified until something new turns up that nobody has looked at.
        if attention or report.organisation_id is None or report.year is None:
            status = Report.Status.NEEDS_REVIEW
            reasons.insert(0, reopened_reason)
        else:
            status = Report.Status.VERIFIED
    changed = report.status != status
    report.status, report.review_reasons = status, reasons
    report.checks_failed, report.checks_unevaluable = identities_failed, unevaluable
    report.cells_unresolved = unresolved
    return changed


def _fact_reasons(report: Report, unresolved: int) -> list[str]:
    """What needs a person regardless of the checks: placement, unreadable cells, the template."""
    reasons = []
    if report.organisation_id is None:
        reasons.append("单位未确定")
    if report.year is None:
        reasons.append("报告年度未确定")
    if unresolved:
        reasons.append(f"{unresolved} 个单元格未能确定数值")
    if report.version in ("mixed", "unknown"):
        reasons.append("模板版本无法确定或混用")
    return reasons


def prepare_new(report: Report, *, previous: Report | None) -> list[CheckResult]:
    """Checks of a report not yet saved: sets its status and counters, returns its unsaved check rows.

    ``previous`` is last year's report (the caller has already looked it up). Lets a new report be
    stored with one insert and one bulk insert of its checks.
    """
    rows = [
        CheckResult(check_id=o.check_id, severity=o.severity, ok=o.ok, lhs=o.lhs, rhs=o.rhs, cells=list(o.cells),
                    message=o.message)
        for o in evaluate(report, previous=previous, with_previous=False)
        if o.ok is not True
    ]
    apply_status(report, rows)
    return rows


def following_reports(report: Report) -> list[Report]:
    """Reports whose cross-year checks read this one: the same organisation's next year."""
    if report.organisation_id is None or report.year is None:
        return []
    return list(Report.objects.filter(organisation_id=report.organisation_id, year=report.year + 1)
                .select_related("organisation"))


def report_checks_run_around(*, report: Report) -> None:
    """Run the checks of a report and of the next year's reports (their 上年结转 reads this one)."""
    report_checks_run(report=report)
    for other in following_reports(report):
        report_checks_run(report=other)
