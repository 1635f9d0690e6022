"""Identities I-1..I-4: evaluated on ok/zero-ish cells, unevaluable on text/missing, never repaired."""

from __future__ import annotations

from ingest.parsing.checks import run_checks
from ingest.parsing.model import Cell
from ingest.parsing.template import all_keys


def _zeros(version: str = "2019") -> dict[str, Cell]:
    return {k: Cell(v=0, raw="0", st="ok") for k in all_keys(version)}


def _by_id(checks):
    return {c.id: c for c in checks}


def test_all_zero_tables_pass_every_check() -> None:
    checks = run_checks(_zeros(), "2019")
    assert len(checks) == 7 + 7 + 23 + 3
    assert all(c.ok is True for c in checks)
    assert len(run_checks(_zeros("2021"), "2021")) == 7 + 7 + 25 + 3


def test_a_row_total_that_does_not_add_up_fails_I3_with_both_sides() -> None:
    cells = _zeros()
    cells["s3.received_new.natural_person"] = Cell(5, "5", "ok")
    cells["s3.received_new.total"] = Cell(4, "4", "ok")
    c = _by_id(run_checks(cells, "2019"))["I3.received_new"]
    assert (c.ok, c.lhs, c.rhs) == (False, 4, 5)
    assert "s3.received_new.total" in c.cells


def test_I1_balances_each_column() -> None:
    cells = _zeros()
    cells["s3.received_new.total"] = Cell(10, "10", "ok")
    cells["s3.outcome.total.total"] = Cell(8, "8", "ok")
    cells["s3.carried_forward_next.total"] = Cell(2, "2", "ok")
    assert _by_id(run_checks(cells, "2019"))["I1.total"].ok is True
    cells["s3.carried_forward_next.total"] = Cell(3, "3", "ok")
    assert _by_id(run_checks(cells, "2019"))["I1.total"].ok is False


def test_blank_dash_and_none_word_count_as_zero_but_text_and_missing_are_unevaluable() -> None:
    cells = _zeros()
    cells["s4.review.upheld"] = Cell(None, "", "blank")
    cells["s4.review.corrected"] = Cell(None, "—", "dash")
    cells["s4.review.other"] = Cell(None, "无", "none_word")
    assert _by_id(run_checks(cells, "2019"))["I4.review"].ok is True
    cells["s4.review.pending"] = Cell(None, "见说明", "text")
    c = _by_id(run_checks(cells, "2019"))["I4.review"]
    assert c.ok is None and c.lhs is None
    del cells["s4.lit_direct.total"]
    assert _by_id(run_checks(cells, "2019"))["I4.lit_direct"].ok is None


def test_I2_uses_the_three_other_rows_in_2021() -> None:
    cells = _zeros("2021")
    cells["s3.outcome.other.fee_unpaid.natural_person"] = Cell(2, "2", "ok")
    cells["s3.outcome.total.natural_person"] = Cell(2, "2", "ok")
    assert _by_id(run_checks(cells, "2021"))["I2.natural_person"].ok is True
