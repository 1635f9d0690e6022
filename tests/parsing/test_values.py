"""Cell values: statuses, signs, units, separators, padding (FORMAT.md §8.3, §10.1)."""

from __future__ import annotations

import pytest

from ingest.parsing.values import is_value_text, parse_value


@pytest.mark.parametrize("raw, v, st", [
    ("  0", 0, "ok"), ("\u00a04", 4, "ok"), ("0\u00a0", 0, "ok"), ("１２", 12, "ok"), ("1,234", 1234, "ok"),
    ("", None, "blank"), ("\u00a0", None, "blank"), ("\u3000 ", None, "blank"),
    ("—", None, "dash"), ("-", None, "dash"), ("/", None, "dash"), ("空", None, "dash"), ("N/A", None, "dash"),
    ("无", None, "none_word"),
    ("见附件", None, "text"), ("1,23", None, "text"), ("12件3", None, "text"),
])
def test_it_classifies_cells(raw: str, v, st: str) -> None:
    cell = parse_value(raw)
    assert (cell.v, cell.st) == (v, st)
    assert cell.raw == raw


def test_it_reads_signed_changes_only_where_a_sign_makes_sense() -> None:
    assert parse_value("+4", signed=True).v == 4
    assert parse_value("-2", signed=True).v == -2
    assert parse_value("−2", signed=True).v == -2
    assert parse_value("减少3", signed=True).v == -3
    # A negative count is kept for people, not read as a number.
    assert parse_value("-2").st == "text"


def test_it_reads_money_with_units() -> None:
    cell = parse_value("251000元", money=True)
    assert (cell.v, cell.unit, cell.st) == (251000, "元", "ok")
    cell = parse_value("4166.214619", money=True)
    assert cell.v == pytest.approx(4166.214619) and cell.unit is None
    assert parse_value("3.5万元", money=True).unit == "万元"


def test_it_does_not_read_money_in_a_count_cell_or_counts_in_a_money_cell() -> None:
    assert parse_value("251000元").st == "text"
    assert parse_value("2笔").v == 2
    assert parse_value("2笔", money=True).st == "text"


def test_value_tokens_are_short() -> None:
    assert is_value_text("0")
    assert is_value_text("\u00a0")
    assert not is_value_text("行政许可")
    assert not is_value_text("0" * 100)


@pytest.mark.parametrize("raw, v, st", [
    ("增3", 3, "ok"), ("减少1", -1, "ok"), ("+0", 0, "ok"), ("−2", -2, "ok"),
])
def test_signed_change_forms(raw, v, st):
    cell = parse_value(raw, signed=True)
    assert (cell.v, cell.st) == (v, st)


@pytest.mark.parametrize("raw, v, unit", [
    ("251000元", 251000, "元"), ("25.1万元", 25.1, "万元"), ("1,251,000", 1251000, None), ("0.092", 0.092, None),
    ("１２．５", 12.5, None),
])
def test_money_cells(raw, v, unit):
    cell = parse_value(raw, money=True)
    assert (cell.v, cell.st, cell.unit) == (v, "ok", unit)


@pytest.mark.parametrize("raw", ["12万元", "3元"])
def test_a_money_unit_in_a_count_cell_is_not_read(raw):
    assert parse_value(raw).st == "text"
