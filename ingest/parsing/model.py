"""Data the parser works with and returns. Plain frozen dataclasses, no Django.

Two layers:

* The *document* layer (``Document``: paragraphs and tables) is what every
  format extractor (text, HTML, DOCX, PDF) produces. Tables have their
  rowspan/colspan already expanded into a rectangular grid.
* The *report* layer (``ParsedReport``) is what the interpreter produces from a
  ``Document``: every canonical cell, the checks and the warnings. Its
  ``to_dict()`` is the JSON shape of FORMAT.md §10.1 that the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA = "ogi-annual-report/1.0"

CellStatus = Literal["ok", "blank", "dash", "none_word", "text", "missing"]
VersionTag = Literal["2019", "2021", "mixed", "unknown"]

# Statuses that validation treats as 0 by default (FORMAT.md §10.1).
ZEROISH: frozenset[str] = frozenset({"blank", "dash", "none_word"})


# --------------------------------------------------------------------------- document layer


@dataclass(frozen=True)
class GridCell:
    """One position of an expanded table grid.

    ``origin`` is False for positions covered by a rowspan/colspan of another
    cell; such positions repeat that cell's ``text`` so label lookups work, but
    must never be read as a second value.
    """

    text: str
    origin: bool = True


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[GridCell, ...], ...]


@dataclass(frozen=True)
class Paragraph:
    """A line or block of running text, un-normalised (NBSP and all)."""

    text: str


Block = Paragraph | Table


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    source_format: str  # "text" | "html" | "docx" | "pdf" | "markdown"
    # Facts the container itself states (HTML <title>, <meta name="PubDate">, DOCX core properties).
    meta_title: str | None = None
    meta_date: str | None = None  # ISO yyyy-mm-dd


# --------------------------------------------------------------------------- report layer


@dataclass(frozen=True)
class Cell:
    v: float | int | None
    raw: str | None
    st: CellStatus
    unit: str | None = None  # only on money cells
    note: str | None = None  # why a cell is missing/unresolved, for people

    def to_dict(self, money: bool = False) -> dict:
        d: dict = {"v": self.v, "raw": self.raw, "st": self.st}
        if money or self.unit is not None:
            d["unit"] = self.unit
        if self.note:
            d["note"] = self.note
        return d


MISSING = Cell(v=None, raw=None, st="missing")


@dataclass(frozen=True)
class Check:
    id: str  # e.g. "I1.total", "I2.natural_person", "I3.outcome.granted", "I4.review"
    ok: bool | None  # None: not evaluable (a cell is text or missing)
    lhs: float | None
    rhs: float | None
    expr: str
    cells: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "ok": self.ok, "lhs": self.lhs, "rhs": self.rhs, "expr": self.expr,
                "cells": list(self.cells)}


@dataclass(frozen=True)
class ParseWarning:
    code: str  # stable identifier, e.g. "s3.row_value_count"
    message_zh: str
    message_en: str
    section: str | None = None  # "s2" | "s3" | "s4" | ...
    row: str | None = None
    column: str | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.message_zh, "en": self.message_en, "section": self.section,
                "row": self.row, "column": self.column}


@dataclass(frozen=True)
class StatedCount:
    """A count of published items stated in §一's prose, e.g. "公开信息39条"."""

    what: str  # the noun phrase, e.g. "政府信息"
    value: int
    unit: str  # 条 / 件 / 篇 / 个
    sentence: str

    def to_dict(self) -> dict:
        return {"what": self.what, "value": self.value, "unit": self.unit, "sentence": self.sentence}


@dataclass(frozen=True)
class Heading:
    raw: str | None
    found: bool


@dataclass(frozen=True)
class ParsedReport:
    agency: str | None
    report_year: int | None
    title: str | None
    published_date: str | None  # ISO date
    source_path: str | None
    source_format: str
    versions: dict[str, VersionTag]  # {"s2": ..., "s3": ...}
    version_evidence: tuple[str, ...]
    headings: dict[str, Heading]
    text: dict[str, str]  # s1_overview, s5_problems, s6_other
    cells: dict[str, Cell]  # every canonical key of the detected version(s)
    derived: dict[str, dict]
    checks: tuple[Check, ...]
    warnings: tuple[ParseWarning, ...]
    stated_counts: tuple[StatedCount, ...] = ()
    parser_version: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def version(self) -> VersionTag:
        """One tag for the whole report: the tables' versions if they agree."""
        tags = {v for v in self.versions.values() if v != "unknown"}
        if not tags:
            return "unknown"
        if len(tags) == 1:
            return next(iter(tags))
        return "mixed"

    def to_dict(self) -> dict:
        from .template import MONEY_KEYS as money
        return {
            "schema": SCHEMA,
            "parser_version": self.parser_version,
            "doc": {
                "agency": self.agency,
                "report_year": self.report_year,
                "title": self.title,
                "published_date": self.published_date,
                "source": {"path": self.source_path, "url": None, "format": self.source_format},
            },
            "format": {**self.versions, "evidence": list(self.version_evidence)},
            "headings": {k: {"raw": h.raw, "found": h.found} for k, h in self.headings.items()},
            "text": dict(self.text),
            "stated_counts": [s.to_dict() for s in self.stated_counts],
            "cells": {k: c.to_dict(money=k in money) for k, c in self.cells.items()},
            "derived": dict(self.derived),
            "checks": [c.to_dict() for c in self.checks],
            "warnings": [w.to_dict() for w in self.warnings],
        }
