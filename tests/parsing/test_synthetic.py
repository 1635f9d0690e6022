"""The synthetic generator makes series that a real county's reports would form."""

from __future__ import annotations

import pytest

from ingest.parsing import synthetic


@pytest.mark.parametrize("seed", range(8))
def test_a_series_carries_applications_and_documents_in_force_from_year_to_year(seed):
    reports = synthetic.generate_series(seed=seed, agency="示例县东河镇", years=range(2019, 2026))
    for last, this in zip(reports, reports[1:], strict=False):
        for col in ("natural_person", "total"):
            assert this.cells[f"s3.carried_over_prev.{col}"].v == last.cells[f"s3.carried_forward_next.{col}"].v
        if last.versions["s2"] == this.versions["s2"] == "2021":
            for row in ("regulations", "normative_docs"):
                k = f"s2.art20_1.{row}."
                expected = last.cells[k + "in_force"].v + this.cells[k + "made"].v - this.cells[k + "repealed"].v
                assert this.cells[k + "in_force"].v == expected


def test_every_generated_report_passes_its_own_identities():
    for report in synthetic.generate_county(seed=5, year=2023):
        assert all(c.ok for c in report.checks), [c.id for c in report.checks if not c.ok]


def test_a_deliberate_error_breaks_exactly_what_it_says():
    broken = synthetic.generate_report(seed=5, year=2023, errors={"broken_identity"})
    failing = {c.id for c in broken.checks if c.ok is False}
    assert "I3.received_new" in failing and "I1.total" in failing
