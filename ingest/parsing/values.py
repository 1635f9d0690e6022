"""Reading one table cell's text as a value (FORMAT.md §8.3, §10.1 cell statuses).

A cell is never "repaired": text that is not clearly a number keeps its raw
text and the status ``text``; the caller decides what an empty cell means.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .model import Cell

# Characters that pad cells in real reports: NBSP, ideographic space, zero-width space, BOM.
_PAD = "\u00a0\u3000\u200b\u200c\u200d\ufeff\t\r\n "
_DASHES = {"-", "—", "——", "–", "─", "/", "／", "空", "N/A", "n/a", "NA", "－", "―", "-/-", "--", "---"}
_NONE_WORDS = {"无", "暂无", "没有"}
_NUM = re.compile(
    r"(?P<sign>[+\-−]|增加?|减少?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|元|件|条|个|项|笔|次|宗)?"
)
MONEY_UNITS = ("万元", "元")


@lru_cache(maxsize=16384)
def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), once per distinct string; pure ASCII is already NFKC."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=16384)
def clean(raw: str) -> str:
    """The cell text without padding at either end, full-width forms folded (NFKC).

    Inner whitespace is kept: "1 0" is two numbers that lost their cells, not ten.
    """
    return nfkc(raw).strip(_PAD)


def parse_value(raw: str | None, *, money: bool = False, signed: bool = False) -> Cell:
    """Classify one cell: ok (numeric), blank, dash, none_word or text."""
    return _parse_value(raw, money, signed)


@lru_cache(maxsize=8192)
def _parse_value(raw: str | None, money: bool, signed: bool) -> Cell:  # Cells are frozen: safe to share
    if raw is None:
        return Cell(v=None, raw=None, st="missing")
    text = clean(raw)
    if not text:
        return Cell(v=None, raw=raw, st="blank", unit=None)
    if text in _DASHES:
        return Cell(v=None, raw=raw, st="dash")
    if text in _NONE_WORDS:
        return Cell(v=None, raw=raw, st="none_word")
    m = _NUM.fullmatch(text)
    if not m:
        return Cell(v=None, raw=raw, st="text")
    unit = m.group("unit")
    if unit and (unit in MONEY_UNITS) != money:
        # "万元" in a count cell, or "件" in a money cell: not something to read silently.
        return Cell(v=None, raw=raw, st="text")
    sign = m.group("sign")
    if sign and not signed and sign != "+":
        # A negative count where only non-negative counts make sense: keep it for people.
        return Cell(v=None, raw=raw, st="text")
    value = _number(m.group("num"))
    if sign in ("-", "−") or (sign and sign.startswith("减")):
        value = -value
    return Cell(v=value, raw=raw, st="ok", unit=unit if unit in MONEY_UNITS else None)


def _number(text: str) -> int | float:
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


@lru_cache(maxsize=8192)
def is_value_text(raw: str) -> bool:
    """True when a text can stand in a value cell: a number (money or count), blank, dash or 无."""
    if len(raw) > 80:
        return False  # prose; no cell value is this long, even padded
    # == parse_value(raw, money=True, signed=True).st != "text" or the same with money=False: signed,
    # no sign is refused, and a unit is accepted by one of the two, so any number matches.
    text = clean(raw)
    return not text or text in _DASHES or text in _NONE_WORDS or _NUM.fullmatch(text) is not None
