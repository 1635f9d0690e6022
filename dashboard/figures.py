"""Headline figures: the few numbers per report that rankings sort and filter on.

They are computed from the canonical cells in one place and stored as indexed
columns on ``Report`` so a ranking over hundreds of thousands of reports never
has to open the cell JSON. A figure is ``None`` whenever any cell it needs is
unresolved (``text`` or ``missing``): an unknown is never shown as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ingest.parsing.model import ZEROISH
from ingest.parsing.template import FEE_KEY, s3_rows


def _sub_rows(group: str, version: str = "2021") -> tuple[str, ...]:
    """The sub-rows of one §三 outcome group, in printed order, from the template itself."""
    prefix = f"outcome.{group}."
    return tuple(r[len(prefix):] for r in s3_rows(version) if r.startswith(prefix))


S3_DENIED = _sub_rows("denied")
S3_UNABLE = _sub_rows("unable")
S3_NOT_PROCESSED = _sub_rows("not_processed")
S3_OTHER_2021 = _sub_rows("other")

# field name on Report -> the cell keys summed to make it (a single key for most).
COUNT_FIGURES: dict[str, tuple[str, ...]] = {
    "regulations_made": ("s2.art20_1.regulations.made",),
    "normative_made": ("s2.art20_1.normative_docs.made",),
    "normative_in_force": ("s2.art20_1.normative_docs.in_force",),
    "licensing_decisions": ("s2.art20_5.licensing.decisions",),
    "penalty_decisions": ("s2.art20_6.penalty.decisions",),
    "coercion_decisions": ("s2.art20_6.coercion.decisions",),
    "req_new": ("s3.received_new.total",),
    "req_carried_over": ("s3.carried_over_prev.total",),
    "req_handled": ("s3.outcome.total.total",),
    "req_granted": ("s3.outcome.granted.total",),
    "req_partial": ("s3.outcome.partial.total",),
    "req_denied": tuple(f"s3.outcome.denied.{r}.total" for r in S3_DENIED),
    "req_unable": tuple(f"s3.outcome.unable.{r}.total" for r in S3_UNABLE),
    "req_not_processed": tuple(f"s3.outcome.not_processed.{r}.total" for r in S3_NOT_PROCESSED),
    "req_carried_forward": ("s3.carried_forward_next.total",),
    "review_total": ("s4.review.total",),
    "review_corrected": ("s4.review.corrected",),
    "review_pending": ("s4.review.pending",),
    "lit_total": ("s4.lit_direct.total", "s4.lit_after_review.total"),
    "lit_corrected": ("s4.lit_direct.corrected", "s4.lit_after_review.corrected"),
    "lit_pending": ("s4.lit_direct.pending", "s4.lit_after_review.pending"),
}
# 其他处理 is one row in the 2019 template and three sub-rows in 2021.
OTHER_2019 = ("s3.outcome.other.sum.total",)
OTHER_2021 = tuple(f"s3.outcome.other.{r}.total" for r in S3_OTHER_2021)


def cell_value(cells: Mapping[str, Mapping], key: str) -> float | int | None:
    """The number a cell stands for: its value, 0 for blank/dash/无, None when unknown."""
    cell = cells.get(key)
    if not cell:
        return None
    st = cell.get("st")
    if st == "ok":
        return cell.get("v")
    if st in ZEROISH:
        return 0
    return None


def sum_cells(cells: Mapping[str, Mapping], keys: tuple[str, ...]) -> int | None:
    total = 0
    for key in keys:
        v = cell_value(cells, key)
        if v is None:
            return None
        total += v
    return int(total) if float(total).is_integer() else None


def stated_items(stated_counts: list[Mapping]) -> int | None:
    """Items published proactively, as the report's own prose states them (§一)."""
    for count in stated_counts or ():
        sentence = count.get("sentence", "")
        if "主动公开" in sentence or "公开" in count.get("what", ""):
            return int(count["value"])
    return None


def compute(cells: Mapping[str, Mapping], stated_counts: list[Mapping] | None = None) -> dict:
    figures: dict = {name: sum_cells(cells, keys) for name, keys in COUNT_FIGURES.items()}
    if any(k in cells for k in OTHER_2021):
        figures["req_other"] = sum_cells(cells, OTHER_2021)
    else:
        figures["req_other"] = sum_cells(cells, OTHER_2019)
    fee = cell_value(cells, FEE_KEY)
    figures["fees_wan_yuan"] = None if fee is None else Decimal(str(fee))
    figures["items_stated"] = stated_items(stated_counts or [])
    return figures
