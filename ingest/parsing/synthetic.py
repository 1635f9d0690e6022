"""Realistic, valid reports for a fictional county (示例县), for tests, benchmarks and demos.

    from ingest.parsing.synthetic import generate_report, generate_county, generate_series
    r = generate_report(seed=7, year=2023)                       # one 乡镇/街道 report, all identities hold
    r = generate_report(seed=7, year=2023, errors={"broken_identity"})
    reports = generate_county(seed=1, year=2024)                  # every 乡镇/街道 of 示例县
    series = generate_series(seed=1, agency="示例县东河镇", years=range(2019, 2026))  # carry-overs chain

Everything is deterministic from the seed. Numbers look like township data:
mostly zeros, a few applications, some licensing and penalty decisions.
The template version follows the year (2019 for 2019–2020, 2021 from 2021).

Deliberate errors (``errors=``), each breaking exactly one thing a checker looks for:

* ``broken_identity``: one §三 总计 cell is off by one (I-3 fails) and so (七)总计 no longer balances.
* ``missing_carry_over``: 二、上年结转 is all zero although last year carried applications forward
  (the cross-year soft check S-1 fails; within the report all identities still hold). What
  last year carried forward is in ``report.extra["previous_carried_forward"]``.
* ``township_regulations``: the township reports 规章 — townships cannot make 规章.

``strategies`` (hypothesis, imported only when called) draws the same kind of reports with
hypothesis choosing every number, so failures shrink to small reports.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from .checks import run_checks
from .model import Cell, Heading, ParsedReport, StatedCount
from .template import (
    MONEY_KEYS,
    S3_COLUMNS,
    S4_COLUMNS,
    S4_GROUPS,
    SECTION_KEYS,
    SIGNED_KEYS,
    s2_blocks,
    s3_rows,
    template,
)
from .values import parse_value

COUNTY = "示例县"
TOWNSHIPS: tuple[str, ...] = (
    "示例县城关街道", "示例县新华街道", "示例县临江街道", "示例县东河镇", "示例县西湖镇", "示例县青石镇",
    "示例县柳林镇", "示例县桃源镇", "示例县南山乡", "示例县北岭乡", "示例县白沙乡", "示例县石门乡",
)
ERRORS = frozenset({"broken_identity", "missing_carry_over", "township_regulations"})
APPLICANTS = S3_COLUMNS[:6]  # the six applicant columns; the 7th is their total


class Rng(Protocol):
    """What the generator needs from a source of randomness (random.Random or a hypothesis draw)."""

    def randint(self, a: int, b: int) -> int: ...
    def random(self) -> float: ...
    def choice(self, seq: Sequence[Any]) -> Any: ...


def version_for(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


# --------------------------------------------------------------------------- numbers


def _few(rng: Rng, p_nonzero: float, hi: int) -> int:
    """Mostly 0; sometimes a small count up to ``hi``."""
    return rng.randint(1, hi) if rng.random() < p_nonzero else 0


def _s2_values(rng: Rng, version: str) -> dict[str, str]:
    """Raw texts of §二 cells."""
    out: dict[str, str] = {}
    for block in s2_blocks(version):
        for row in block["rows"]:
            for col in block["columns"]:
                key = f"s2.{block['key']}.{row['key']}.{col['key']}"
                out[key] = _s2_cell(rng, block["key"], row["key"], col["key"])
    # Cumulative counts cannot be smaller than this year's (对外公开总数量 ≥ 本年新公开, 现行有效 ≥ 本年制发).
    for made, total in (("published_new", "published_total"), ("made", "in_force")):
        k_new, k_tot = f"s2.art20_1.normative_docs.{made}", f"s2.art20_1.normative_docs.{total}"
        if k_new in out and k_tot in out and int(out[k_tot]) < int(out[k_new]):
            out[k_tot] = str(int(out[k_new]) + int(out[k_tot]))
    return out


def _s2_cell(rng: Rng, block: str, row: str, col: str) -> str:
    if row == "regulations":
        return "0"  # townships have no power to make 规章
    if block == "art20_1":
        if col in ("made", "published_new"):
            return str(_few(rng, 0.4, 4))
        if col == "repealed":
            return str(_few(rng, 0.2, 2))
        return str(rng.randint(0, 12))  # published_total / in_force
    if col == "items_prev_year":
        return str(_few(rng, 0.6, 60))
    if col == "items_change":
        n = _few(rng, 0.3, 6)
        return f"-{n}" if n and rng.random() < 0.3 else str(n)
    if col == "decisions":
        hi = {"licensing": 120, "other_admin_services": 80, "penalty": 40, "coercion": 8}.get(row, 20)
        return str(_few(rng, 0.6, hi))
    if col == "projects":
        return str(_few(rng, 0.5, 15))
    if col == "amount":  # 政府集中采购 amount (元), no unit printed
        return str(rng.randint(1, 900) * 1000) if rng.random() < 0.4 else "0"
    if col == "amount_wan_yuan":  # 行政事业性收费 (万元), may be decimal
        if rng.random() < 0.7:
            return "0"
        return f"{rng.randint(1, 99999) / 100:.2f}".rstrip("0").rstrip(".")
    return "0"


def _s3_values(rng: Rng, version: str, carried_in: dict[str, int] | None) -> dict[str, int]:
    """§三 as numbers, every identity (I-1, I-2, I-3) holding."""
    rows = s3_rows(version)
    outcome_rows = [r for r in rows if r.startswith("outcome.") and r != "outcome.total"]
    # Where decided applications go: mostly 予以公开 or 不掌握, rarely anything else.
    weights = {r: 1 for r in outcome_rows}
    weights.update({"outcome.granted": 30, "outcome.partial": 6, "outcome.unable.not_held": 10,
                    "outcome.not_processed.duplicate": 2, "outcome.denied.third_party": 2})
    total_weight = sum(weights.values())
    v: dict[str, int] = {}
    for col in APPLICANTS:
        p = 0.5 if col == "natural_person" else 0.12
        new = _few(rng, p, 9 if col == "natural_person" else 2)
        prev = carried_in.get(col, 0) if carried_in is not None else _few(rng, 0.15, 2)
        avail = new + prev
        forward = rng.randint(0, min(avail, 2)) if avail and rng.random() < 0.25 else 0
        decided = avail - forward
        v[f"received_new.{col}"], v[f"carried_over_prev.{col}"] = new, prev
        v[f"carried_forward_next.{col}"], v[f"outcome.total.{col}"] = forward, decided
        for r in outcome_rows:
            v[f"{r}.{col}"] = 0
        for _ in range(decided):
            pick = rng.randint(1, total_weight)
            for r in outcome_rows:
                pick -= weights[r]
                if pick <= 0:
                    v[f"{r}.{col}"] += 1
                    break
    for r in rows:
        v[f"{r}.total"] = sum(v[f"{r}.{c}"] for c in APPLICANTS)
    return v


def _s4_values(rng: Rng) -> dict[str, int]:
    v: dict[str, int] = {}
    for g in S4_GROUPS:
        parts = [_few(rng, 0.08, 2) for _ in S4_COLUMNS[:4]]
        for c, n in zip(S4_COLUMNS[:4], parts, strict=True):
            v[f"{g}.{c}"] = n
        v[f"{g}.total"] = sum(parts)
    return v


# --------------------------------------------------------------------------- prose

_WORK = ("坚持以公开为常态、不公开为例外", "围绕群众关切做好信息发布", "持续推进基层政务公开标准化规范化",
         "加强政务公开专栏日常维护", "落实信息发布保密审查制度")
_PROBLEMS = ("信息更新不够及时", "政策解读形式较为单一", "工作人员业务能力有待提高", "公开内容的针对性有待加强")
_MEASURES = ("加强业务培训", "完善信息发布审核机制", "丰富政策解读形式", "加强对村（社区）公开栏的指导")


def _two(rng: Rng, phrases: Sequence[str], sep: str = "，") -> str:
    """Two different phrases, in order."""
    i = rng.randint(0, len(phrases) - 1)
    return phrases[i] + sep + phrases[(i + 1) % len(phrases)]


def _prose(rng: Rng, agency: str, year: int, s3: dict[str, int]) -> tuple[dict[str, str], tuple[StatedCount, ...]]:
    short = agency.removeprefix(COUNTY)
    published = rng.randint(20, 400)
    budget = rng.randint(1, 4)
    received = s3.get("received_new.total", 0)
    first = f"{year}年，{short}主动公开政府信息{published}条，其中部门预决算信息{budget}条。"
    s1 = "\n".join((
        f"{year}年，{short}{_two(rng, _WORK)}，保障人民群众的知情权、参与权、表达权和监督权。",
        "（一）主动公开",
        first,
        "（二）依申请公开",
        f"全年共收到政府信息公开申请{received}件，均在法定期限内答复。" if received
        else "全年未收到政府信息公开申请。",
        "（三）政府信息管理",
        "严格落实信息发布审核制度，做到先审后发。",
        "（四）政府信息公开平台建设",
        f"依托{COUNTY}人民政府门户网站乡镇专栏发布信息，及时更新公开内容。",
        "（五）监督保障",
        "将政务公开工作纳入年度考核，本年度未发生责任追究情况。",
    ))
    s5 = "\n".join((
        f"{year}年，{short}政府信息公开工作取得一定成效，但仍存在{_two(rng, _PROBLEMS, '、')}等问题。",
        f"下一步，将{_two(rng, _MEASURES)}，不断提升政务公开质量。",
    ))
    s6 = "本年度未收取信息处理费。" if year >= 2021 and rng.random() < 0.6 else "无。"
    counts = (StatedCount(what="政府信息", value=published, unit="条", sentence=first),)
    return {"s1_overview": s1, "s5_problems": s5, "s6_other": s6}, counts


# --------------------------------------------------------------------------- assembly


def _cell(key: str, raw: str) -> Cell:
    # Read the printed text the way the parser reads a cell, so a round trip can compare exactly.
    return parse_value(raw, money=key in MONEY_KEYS, signed=key in SIGNED_KEYS)


def build_report(rng: Rng, *, year: int, agency: str, version: str | None = None,
                 errors: Iterable[str] = (), carried_in: dict[str, int] | None = None,
                 in_force_prev: dict[str, int] | None = None) -> ParsedReport:
    """One report from any source of randomness (see ``generate_report`` for the seeded form).

    ``in_force_prev`` is last year's 现行有效件数 per §二 (一) row; with the 2021 template this
    year's is then last year's + 本年制发 − 本年废止, as a real series must be.
    """
    errors = set(errors)
    unknown = errors - ERRORS
    if unknown:
        raise ValueError(f"unknown errors {sorted(unknown)}; choose from {sorted(ERRORS)}")
    version = version or version_for(year)
    s2 = _s2_values(rng, version)
    if version == "2021" and in_force_prev:
        for row, prev in in_force_prev.items():
            base = f"s2.art20_1.{row}"
            made = int(s2[f"{base}.made"])
            repealed = min(int(s2[f"{base}.repealed"]), prev + made)
            s2[f"{base}.repealed"] = str(repealed)
            s2[f"{base}.in_force"] = str(prev + made - repealed)
    expected_in = carried_in
    if "missing_carry_over" in errors:
        # Last year carried applications forward, but this report starts from nothing: within the
        # report every identity holds; only the cross-year check (S-1) can see the loss. Without a
        # known last year, invent one that carried something.
        if carried_in is None:
            expected_in = {c: 0 for c in APPLICANTS} | {"natural_person": rng.randint(1, 3)}
        carried_in = {c: 0 for c in APPLICANTS}
    s3 = _s3_values(rng, version, carried_in)
    s4 = _s4_values(rng)
    if "township_regulations" in errors:
        s2["s2.art20_1.regulations.made"] = str(rng.randint(1, 3))
    if "broken_identity" in errors:
        s3["received_new.total"] += 1  # I-3 (row sum) and I-1 (总计 column) now fail

    cells: dict[str, Cell] = {k: _cell(k, raw) for k, raw in s2.items()}
    cells.update({f"s3.{k}": _cell(f"s3.{k}", str(n)) for k, n in s3.items()})
    cells.update({f"s4.{k}": _cell(f"s4.{k}", str(n)) for k, n in s4.items()})
    text, counts = _prose(rng, agency, year, s3)
    headings = dict(zip(SECTION_KEYS, template()["headings"][version], strict=True))
    return ParsedReport(
        agency=agency,
        report_year=year,
        title=f"{agency}{year}年政府信息公开工作年度报告",
        published_date=f"{year + 1}-01-{rng.randint(5, 28):02d}",
        source_path=None,
        source_format="synthetic",
        versions={"s2": version, "s3": version},
        version_evidence=("synthetic",),
        headings={k: Heading(raw=h, found=True) for k, h in headings.items()},
        text=text,
        cells=cells,
        derived={},
        checks=tuple(run_checks(cells, version)),
        warnings=(),
        stated_counts=counts,
        # What last year's report carried forward (None: unknown), for the cross-year check.
        extra={"synthetic_errors": sorted(errors), "previous_carried_forward": expected_in},
    )


def generate_report(*, seed: int, year: int, agency: str | None = None, version: str | None = None,
                    errors: Iterable[str] = (), carried_in: dict[str, int] | None = None,
                    in_force_prev: dict[str, int] | None = None) -> ParsedReport:
    """One valid report (unless ``errors`` asks otherwise), deterministic from ``seed``.

    ``agency`` defaults to a 乡镇/街道 of 示例县 picked by the seed; ``version`` defaults to the
    template of ``year``; ``carried_in`` is last year's 结转下年度 per applicant column.
    """
    rng = random.Random(f"{seed}:{year}:{agency}")
    agency = agency or rng.choice(TOWNSHIPS)
    return build_report(rng, year=year, agency=agency, version=version, errors=errors, carried_in=carried_in,
                        in_force_prev=in_force_prev)


def generate_county(*, seed: int, year: int, errors: dict[str, Iterable[str]] | None = None
                    ) -> list[ParsedReport]:
    """Every 乡镇/街道 of 示例县 for one year; ``errors`` maps an agency to the errors it gets."""
    errors = errors or {}
    return [generate_report(seed=seed, year=year, agency=a, errors=errors.get(a, ())) for a in TOWNSHIPS]


def generate_series(*, seed: int, agency: str, years: Iterable[int],
                    errors: dict[int, Iterable[str]] | None = None) -> list[ParsedReport]:
    """Consecutive years of one agency; each year's 上年结转 equals the previous 结转下年度 (S-1), and
    from the 2021 template on, 现行有效 is last year's plus 本年制发 minus 本年废止.

    ``errors`` maps a year to its errors; ``missing_carry_over`` only loses something in a year
    whose previous year carried applications forward.
    """
    errors = errors or {}
    out: list[ParsedReport] = []
    carried: dict[str, int] | None = None
    in_force: dict[str, int] | None = None
    for year in years:
        r = generate_report(seed=seed, year=year, agency=agency, errors=errors.get(year, ()), carried_in=carried,
                            in_force_prev=in_force)
        carried = {c: int(r.cells[f"s3.carried_forward_next.{c}"].v or 0) for c in APPLICANTS}
        in_force = {
            row: int(r.cells[f"s2.art20_1.{row}.in_force"].v or 0)
            for row in ("regulations", "normative_docs")
            if f"s2.art20_1.{row}.in_force" in r.cells
        } or None
        out.append(r)
    return out


# --------------------------------------------------------------------------- hypothesis


class _DrawRng:
    """The Rng protocol on top of hypothesis's ``draw``: every number becomes a shrinkable choice."""

    def __init__(self, draw: Any):
        from hypothesis import strategies as st

        self._draw, self._st = draw, st

    def randint(self, a: int, b: int) -> int:
        return self._draw(self._st.integers(a, b))

    def random(self) -> float:
        # Coarse on purpose: the generator only compares it with probabilities.
        return self._draw(self._st.integers(0, 99)) / 100

    def choice(self, seq: Sequence[Any]) -> Any:
        return self._draw(self._st.sampled_from(seq))


def strategies(versions: Sequence[str] = ("2019", "2021")):
    """A hypothesis strategy of valid reports of the given template versions.

    Imported lazily so the module works without hypothesis installed.
    """
    from hypothesis import strategies as st

    @st.composite
    def reports(draw: Any) -> ParsedReport:
        version = draw(st.sampled_from(tuple(versions)))
        year = draw(st.integers(2019, 2020) if version == "2019" else st.integers(2021, 2025))
        agency = draw(st.sampled_from(TOWNSHIPS))
        return build_report(_DrawRng(draw), year=year, agency=agency, version=version)

    return reports()
