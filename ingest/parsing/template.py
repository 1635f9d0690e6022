"""The national report template (both versions) as data: every canonical cell key.

The JSON beside this module is the project's copy of the specification's
``format_template.json``; everything else reads the template through here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

VERSIONS = ("2019", "2021")
SECTION_KEYS = (
    "s1_overview",
    "s2_proactive",
    "s3_applications",
    "s4_review_litigation",
    "s5_problems",
    "s6_other",
)
S3_COLUMNS = (
    "natural_person",
    "org_commercial",
    "org_research",
    "org_public_interest",
    "org_legal_service",
    "org_other",
    "total",
)
S4_GROUPS = ("review", "lit_direct", "lit_after_review")
S4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


@cache
def template() -> dict:
    return json.loads((Path(__file__).with_name("format_template.json")).read_text(encoding="utf-8"))


@cache
def s2_blocks(version: str) -> tuple[dict, ...]:
    return tuple(template()["s2"][version])


def _s2_keys_by_unit(prefix: str) -> frozenset[str]:
    """§二 cell keys (either version) whose column's unit starts with ``prefix``."""
    return frozenset(
        f"s2.{block['key']}.{row['key']}.{col['key']}"
        for version in ("2019", "2021") for block in s2_blocks(version)
        for row in block["rows"] for col in block["columns"] if col.get("unit", "").startswith(prefix)
    )


#: money cells (a value with 元/万元, maybe decimal) and signed counts (本年增/减), from the template
MONEY_KEYS = _s2_keys_by_unit("money")
SIGNED_KEYS = _s2_keys_by_unit("signed")
#: the one money cell whose unit the template prints (万元)
FEE_KEY = next(k for k in MONEY_KEYS if k.endswith("wan_yuan"))


@cache
def s2_keys(version: str) -> tuple[str, ...]:
    return tuple(k for block in s2_blocks(version) for k in block["cell_keys"])


@cache
def s3_rows(version: str) -> tuple[str, ...]:
    """Data rows of §三 in printed order (23 for 2019, 25 for 2021)."""
    return tuple(template()["s3"][f"data_rows_{version}"])


@cache
def s3_keys(version: str) -> tuple[str, ...]:
    return tuple(f"s3.{row}.{col}" for row in s3_rows(version) for col in S3_COLUMNS)


@cache
def s4_keys() -> tuple[str, ...]:
    return tuple(template()["s4"]["cell_order"])


@cache
def all_keys(version: str) -> tuple[str, ...]:
    """Every cell key of one version: 198 for 2019, 200 for 2021."""
    return s2_keys(version) + s3_keys(version) + s4_keys()


@cache
def label_of(key: str) -> str:
    """The official Chinese label for a cell key, for people (e.g. in warnings and the UI)."""
    t = template()
    parts = key.split(".")
    if parts[0] == "s2":
        for version in VERSIONS:
            for block in t["s2"][version]:
                if block["key"] != parts[1]:
                    continue
                rows = {r["key"]: r["label"] for r in block["rows"]}
                cols = {c["key"]: c["label"] for c in block["columns"]}
                if parts[2] in rows and parts[3] in cols:
                    return f"{block['caption']} {rows[parts[2]]} {cols[parts[3]]}"
    elif parts[0] == "s3":
        row, col = ".".join(parts[1:-1]), parts[-1]
        rows = {r["key"]: r["label"] for r in t["s3"]["rows"]}
        cols = {c["key"]: c["label"] for c in t["s3"]["columns"]}
        if row in rows and col in cols:
            return f"{rows[row]} / {cols[col]}"
    elif parts[0] == "s4":
        groups = {g["key"]: g["label"] for g in t["s4"]["groups"]}
        cols = {c["key"]: c["label"] for c in t["s4"]["columns"]}
        if len(parts) == 3 and parts[1] in groups and parts[2] in cols:
            return f"{groups[parts[1]]} / {cols[parts[2]]}"
    return key
