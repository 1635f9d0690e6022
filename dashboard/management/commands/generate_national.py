"""Generate a synthetic national data set for benchmarks: provinces › cities › counties ›
townships, street offices and departments, with one report per unit and year.

    manage.py generate_national                       # ~40,000 organisations, 7 years, ~280,000 reports
    manage.py generate_national --provinces 2 --cities 2 --counties 2 --years 2020-2022   # tiny

Everything is bulk-inserted. Reports carry their headline figures (the indexed columns the
dashboard ranks on); only the first county's reports also get a full set of cells in the
official layout (FORMAT.md §10), so its unit pages show real tables without making the
database many gigabytes. All names are synthetic (示例省01 …) and the organisation codes use
the unassigned prefix 99.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dashboard import figures
from dashboard.models import Organisation, Report
from ingest.models import Upload
from ingest.parsing import template as tpl

Level = Organisation.Level
Kind = Organisation.Kind
SYLLABLES = "安宝昌城春大东丰福高广河和华吉江金康乐林龙明南宁平青清庆瑞山胜顺泰天田文西祥新兴阳永玉元长正中"
# Per county: kind -> how many units of that kind.
UNIT_MIX = ((Kind.ZHEN, 6), (Kind.XIANG, 3), (Kind.JIEDAO, 2), (Kind.DEPARTMENT, 3))
DEPARTMENTS = (
    "发展和改革局",
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康局",
    "市场监督管理局",
)
BATCH = 2000


class Command(BaseCommand):
    help = "Generate a synthetic national data set (organisations and reports) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--provinces", type=int, default=31)
        parser.add_argument("--cities", type=int, default=11, help="cities per province")
        parser.add_argument("--counties", type=int, default=8, help="counties per city")
        parser.add_argument("--years", default="2019-2025", help="first-last report year")
        parser.add_argument(
            "--missing", type=float, default=0.04, help="share of unit-years without a report"
        )
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument(
            "--wipe", action="store_true", help="delete all reports, uploads and organisations first"
        )

    def handle(self, *args, **opts):
        try:
            first, last = (int(y) for y in opts["years"].split("-"))
        except ValueError as exc:
            raise CommandError("--years must look like 2019-2025") from exc
        rng = random.Random(opts["seed"])
        t0 = time.monotonic()
        with transaction.atomic():
            if opts["wipe"]:
                self._wipe()
            elif Organisation.objects.filter(code__startswith="99").exists():
                raise CommandError("Synthetic organisations already exist; pass --wipe to regenerate.")
            units, counties = self._organisations(rng, opts["provinces"], opts["cities"], opts["counties"])
            t1 = time.monotonic()
            self.stdout.write(f"organisations: {Organisation.objects.count()} in {t1 - t0:.1f}s")
            n = self._reports(
                rng,
                [*units, *counties],
                range(first, last + 1),
                opts["missing"],
                full_cells_county=counties[0].pk if counties else None,
            )
            self.stdout.write(f"reports: {n} in {time.monotonic() - t1:.1f}s")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # A bulk load leaves no planner statistics and no visibility map until autovacuum gets to
            # it: the national queries then run about twice as slow (no index-only scans). (VACUUM
            # cannot run inside a transaction, as when a test calls this command.)
            t2 = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"vacuum analyze: {time.monotonic() - t2:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"done in {time.monotonic() - t0:.1f}s"))

    # ------------------------------------------------------------------ organisations
    def _wipe(self) -> None:
        Report.objects.all().delete()
        Upload.objects.all().delete()
        # Children before parents (PROTECT foreign keys).
        for level in (
            Level.DEPARTMENT,
            Level.TOWNSHIP,
            Level.OTHER,
            Level.COUNTY,
            Level.CITY,
            Level.PROVINCE,
        ):
            Organisation.objects.filter(level=level).delete()

    def _organisations(self, rng, n_prov: int, n_city: int, n_county: int):
        provinces = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"示例省{p:02d}",
                    full_name=f"示例省{p:02d}",
                    level=Level.PROVINCE,
                    kind=Kind.PROVINCE,
                    code=f"99{p:02d}00",
                )
                for p in range(1, n_prov + 1)
            ]
        )
        cities = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{name}市",
                    full_name=f"{prov.name}{name}市",
                    level=Level.CITY,
                    kind=Kind.CITY,
                    parent=prov,
                    province=prov,
                    code=f"{prov.code[:4]}{c:02d}",
                )
                for prov in provinces
                for c, name in enumerate(_names(rng, n_city), start=1)
            ],
            batch_size=BATCH,
        )
        counties = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{name}县",
                    full_name=f"{city.full_name}{name}县",
                    level=Level.COUNTY,
                    kind=Kind.COUNTY,
                    parent=city,
                    province_id=city.province_id,
                    city=city,
                    code=f"{city.code}{k:02d}",
                )
                for city in cities
                for k, name in enumerate(_names(rng, n_county), start=1)
            ],
            batch_size=BATCH,
        )
        units = []
        for county in counties:
            i = 0
            names = iter(_names(rng, sum(count for _, count in UNIT_MIX)))
            for kind, count in UNIT_MIX:
                for j in range(count):
                    i += 1
                    if kind == Kind.DEPARTMENT:
                        name, level, code = DEPARTMENTS[j % len(DEPARTMENTS)], Level.DEPARTMENT, None
                    else:
                        suffix = {Kind.ZHEN: "镇", Kind.XIANG: "乡", Kind.JIEDAO: "街道"}[kind]
                        name, level, code = f"{next(names)}{suffix}", Level.TOWNSHIP, f"{county.code}{i:03d}"
                    units.append(
                        Organisation(
                            name=name,
                            full_name=f"{county.full_name}{name}",
                            level=level,
                            kind=kind,
                            parent=county,
                            province_id=county.province_id,
                            city_id=county.city_id,
                            county=county,
                            code=code,
                        )
                    )
        units = Organisation.objects.bulk_create(units, batch_size=BATCH)
        return units, counties

    # ------------------------------------------------------------------ reports
    def _reports(self, rng, orgs, years, missing: float, full_cells_county: int | None) -> int:
        batch_id = uuid.uuid4()
        total = 0
        pending_uploads: list[Upload] = []
        pending_reports: list[Report] = []
        for org in orgs:
            # A unit's size carries over from year to year, so rankings and trends are not pure noise.
            size = rng.choice((0, 0, 1, 2, 4, 8, 15, 30, 60)) * (6 if org.level == Level.COUNTY else 1)
            quality = rng.random()
            for year in years:
                if rng.random() < missing:
                    continue
                version = "2019" if year <= 2020 else "2021"
                figs = _figures(rng, size, quality, version)
                full = full_cells_county is not None and (
                    org.county_id == full_cells_county or org.pk == full_cells_county
                )
                cells = _cells(version, figs) if full else {}
                if full:
                    figs.update({k: v for k, v in figures.compute(cells).items() if k != "items_stated"})
                digest = hashlib.sha256(f"{org.pk}-{year}".encode()).hexdigest()
                up = Upload(
                    batch=batch_id,
                    file=f"bench/{digest[:2]}/{digest}.bin",
                    original_name=f"{org.name}{year}年报告.docx",
                    size=40_000 + int(rng.random() * 200_000),
                    sha256=digest,
                    status=Upload.Status.DONE,
                    detected_format="docx",
                )
                pending_uploads.append(up)
                status = rng.choices(("parsed", "verified", "needs_review"), weights=(75, 15, 10))[0]
                pending_reports.append(
                    Report(
                        organisation=org,
                        year=year,
                        upload=up,
                        agency_name=org.name,
                        title=f"{org.name}{year}年政府信息公开工作年度报告",
                        version=version,
                        version_s2=version,
                        version_s3=version,
                        parser_version="synthetic",
                        status=status,
                        is_current=True,
                        cells=cells,
                        checks=_checks(figs) if full else [],
                        **figs,
                    )
                )
                if len(pending_reports) >= BATCH * 5:
                    total += self._flush(pending_uploads, pending_reports)
        total += self._flush(pending_uploads, pending_reports)
        return total

    def _flush(self, uploads: list[Upload], reports: list[Report]) -> int:
        Upload.objects.bulk_create(uploads, batch_size=BATCH)
        for r in reports:
            r.upload_id = r.upload.pk
        Report.objects.bulk_create(reports, batch_size=BATCH)
        n = len(reports)
        uploads.clear()
        reports.clear()
        self.stdout.write(f"  … {n} reports")
        return n


PAIRS = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]


def _names(rng, n: int) -> list[str]:
    """n distinct two-character names (unique within one parent)."""
    return rng.sample(PAIRS, n)


def _split(rng, total: int, weights: tuple[float, ...]) -> list[int]:
    """Split ``total`` into parts roughly proportional to ``weights``, summing exactly to total
    (sequential normal approximation of a multinomial draw: fast for 280,000 reports)."""
    parts, remaining, wsum = [], total, sum(weights)
    for w in weights[:-1]:
        share = w / wsum if wsum else 0
        wsum -= w
        mean = remaining * share
        k = min(remaining, max(0, round(mean + rng.gauss(0, (mean * (1 - share)) ** 0.5))))
        parts.append(k)
        remaining -= k
    parts.append(remaining)
    return parts


def _figures(rng, size: int, quality: float, version: str) -> dict:
    new = max(0, int(rng.gauss(size, size / 3))) if size else 0
    carried_over = rng.randint(0, max(0, new // 8))
    forward = rng.randint(0, max(0, (new + carried_over) // 10))
    handled = new + carried_over - forward
    good = 0.4 + 0.5 * quality
    granted, partial, denied, unable, not_processed, other = _split(
        rng, handled, (good, 0.1, 0.08, (1 - good) * 0.6, 0.06, 0.04)
    )
    review = rng.choice((0, 0, 0, 0, 1, 2)) if size else 0
    review_pending = rng.randint(0, review)
    review_corrected = rng.randint(0, review - review_pending) if rng.random() < 0.3 else 0
    lit = rng.choice((0, 0, 0, 0, 0, 1))
    lit_pending = rng.randint(0, lit)
    checks_failed = 0 if rng.random() < 0.6 + 0.3 * quality else rng.randint(1, 4)
    return {
        "items_stated": rng.randint(20, 400) if rng.random() < 0.7 else None,
        "regulations_made": 0,
        "normative_made": rng.randint(0, 6),
        "normative_in_force": rng.randint(0, 40) if version == "2021" else None,
        "licensing_decisions": rng.randint(0, 500),
        "penalty_decisions": rng.randint(0, 120),
        "coercion_decisions": rng.randint(0, 10),
        "fees_wan_yuan": Decimal(rng.randint(0, 50000)) / 100 if version == "2021" else None,
        "req_new": new,
        "req_carried_over": carried_over,
        "req_handled": handled,
        "req_granted": granted,
        "req_partial": partial,
        "req_denied": denied,
        "req_unable": unable,
        "req_not_processed": not_processed,
        "req_other": other,
        "req_carried_forward": forward,
        "review_total": review,
        "review_corrected": review_corrected,
        "review_pending": review_pending,
        "lit_total": lit,
        "lit_corrected": 0,
        "lit_pending": lit_pending,
        "checks_failed": checks_failed,
        "checks_unevaluable": 0,
        "cells_unresolved": 0,
    }


def _cells(version: str, figs: dict) -> dict:
    """A full set of cells for ``version`` whose headline figures equal ``figs``: each row's total
    is put in 自然人 and 总计, each outcome group's count in its first sub-row."""
    cells = {
        key: {"v": 0, "raw": "0", "st": "ok"}
        for key in (*tpl.s2_keys(version), *tpl.s3_keys(version), *tpl.template()["s4"]["cell_order"])
    }

    def put(key: str, v) -> None:
        if v is not None and key in cells:
            cells[key] = {"v": v, "raw": str(v), "st": "ok"}

    for row, fig in (
        ("received_new", "req_new"),
        ("carried_over_prev", "req_carried_over"),
        ("outcome.granted", "req_granted"),
        ("outcome.partial", "req_partial"),
        ("outcome.denied.third_party", "req_denied"),
        ("outcome.unable.not_held", "req_unable"),
        ("outcome.not_processed.duplicate", "req_not_processed"),
        ("outcome.total", "req_handled"),
        ("carried_forward_next", "req_carried_forward"),
        ("outcome.other.sum" if version == "2019" else "outcome.other.other", "req_other"),
    ):
        put(f"s3.{row}.natural_person", figs[fig])
        put(f"s3.{row}.total", figs[fig])
    put("s2.art20_1.normative_docs.made", figs["normative_made"])
    put("s2.art20_1.normative_docs.in_force", figs["normative_in_force"])
    put("s2.art20_5.licensing.decisions", figs["licensing_decisions"])
    put("s2.art20_6.penalty.decisions", figs["penalty_decisions"])
    put("s2.art20_6.coercion.decisions", figs["coercion_decisions"])
    if figs["fees_wan_yuan"] is not None:
        put("s2.art20_8.admin_fees.amount_wan_yuan", float(figs["fees_wan_yuan"]))
    put("s4.review.upheld", figs["review_total"] - figs["review_corrected"] - figs["review_pending"])
    put("s4.review.corrected", figs["review_corrected"])
    put("s4.review.pending", figs["review_pending"])
    put("s4.review.total", figs["review_total"])
    put("s4.lit_direct.upheld", figs["lit_total"] - figs["lit_pending"])
    put("s4.lit_direct.pending", figs["lit_pending"])
    put("s4.lit_direct.total", figs["lit_total"])
    return cells


def _checks(figs: dict) -> list[dict]:
    lhs = figs["req_new"] + figs["req_carried_over"]
    rhs = figs["req_handled"] + figs["req_carried_forward"]
    checks = [
        {
            "id": "I1.total",
            "ok": lhs == rhs,
            "lhs": lhs,
            "rhs": rhs,
            "expr": "received_new+carried_over_prev = outcome.total+carried_forward_next",
        }
    ]
    for i in range(figs["checks_failed"]):
        checks.append(
            {"id": f"I3.synthetic_{i}", "ok": False, "lhs": 1, "rhs": 0, "expr": "synthetic failure"}
        )
    return checks
