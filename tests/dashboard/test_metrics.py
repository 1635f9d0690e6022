"""Metric definitions: formulas, denominators, version comparability, SQL = Python."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.utils import translation

from dashboard import figures, metrics
from dashboard.models import Report
from tests.dashboard import factories as f


def test_every_metric_has_names_units_and_a_direction_field():
    ids = [m.id for m in metrics.METRICS]
    assert len(ids) == len(set(ids))
    for m in metrics.METRICS:
        assert m.name_zh and m.name_en and m.unit_zh and m.unit_en
        assert m.versions <= {"2019", "2021"}
        if m.is_rate:
            assert m.denominator_zh and m.denominator_en and m.empty_zh


def test_every_headline_column_a_metric_reads_exists_on_report():
    fields = {fld.name for fld in Report._meta.get_fields()}
    for column in metrics.headline_columns():
        assert column in fields, column


def test_the_brief_s_metrics_are_all_defined():
    for mid in (
        "items_stated",
        "normative_made",
        "normative_in_force",
        "licensing_decisions",
        "penalty_decisions",
        "coercion_decisions",
        "fees_wan_yuan",
        "req_new",
        "req_carried_over",
        "req_handled",
        "req_carried_forward",
        "share_granted",
        "share_partial",
        "share_denied",
        "share_unable",
        "share_not_processed",
        "share_other",
        "substantive_rate",
        "review_total",
        "review_correction_rate",
        "lit_total",
        "lit_correction_rate",
        "checks_failed",
    ):
        assert mid in metrics.BY_ID


def test_substantive_rate_excludes_procedural_outcomes_from_its_denominator():
    m = metrics.BY_ID["substantive_rate"]
    row = {
        "req_granted": 6,
        "req_partial": 2,
        "req_denied": 1,
        "req_unable": 1,
        "req_not_processed": 30,
        "req_other": 10,
        "req_handled": 50,
    }
    assert m.evaluate(row) == pytest.approx(8 / 10)
    assert m.denominator_value(row) == 10
    assert "req_not_processed" not in m.columns and "req_other" not in m.columns


def test_correction_rate_divides_by_concluded_cases_total_minus_pending():
    m = metrics.BY_ID["review_correction_rate"]
    assert m.evaluate({"review_corrected": 1, "review_total": 5, "review_pending": 1}) == pytest.approx(0.25)
    # Every case still pending: no concluded case, no rate (not 0%).
    assert m.evaluate({"review_corrected": 0, "review_total": 2, "review_pending": 2}) is None
    assert "s4.review.pending" in m.cell_formula


def test_a_rate_is_unknown_when_a_term_is_unknown_and_when_its_denominator_is_zero():
    m = metrics.BY_ID["share_granted"]
    assert m.evaluate({"req_granted": None, "req_handled": 10}) is None
    assert m.evaluate({"req_granted": 0, "req_handled": 0}) is None
    assert m.evaluate({"req_granted": 3, "req_handled": 4}) == pytest.approx(0.75)


def test_normative_in_force_is_2021_only_and_not_comparable_with_2019():
    m = metrics.BY_ID["normative_in_force"]
    assert not m.defined_for("2019") and m.defined_for("2021")
    assert not m.comparable("2019", "2021")
    assert m.comparable("2021", "2021")


def test_share_other_is_comparable_only_within_one_template_version():
    m = metrics.BY_ID["share_other"]
    assert m.comparable("2019", "2019") and m.comparable("2021", "2021")
    assert not m.comparable("2019", "2021")
    assert not m.comparable("mixed", "mixed")


def test_counts_that_kept_their_meaning_are_comparable_across_versions():
    assert metrics.BY_ID["licensing_decisions"].comparable("2019", "2021")
    assert metrics.BY_ID["share_granted"].comparable("2019", "2021")


def test_change_gives_points_for_rates_and_respects_direction():
    better = metrics.change(metrics.BY_ID["share_granted"], 0.6, 0.5, True)
    assert better["abs"] == pytest.approx(0.1) and better["rel"] == pytest.approx(0.2)
    assert better["direction"] == "better"
    worse = metrics.change(metrics.BY_ID["share_denied"], 0.6, 0.5, True)
    assert worse["direction"] == "worse"
    assert metrics.change(metrics.BY_ID["req_new"], 5, 0, True)["rel"] is None
    assert metrics.change(metrics.BY_ID["normative_in_force"], 5, 3, False) == {
        "comparable": False,
        "abs": None,
        "rel": None,
        "direction": None,
    }


def test_cell_formula_names_canonical_cell_keys():
    assert metrics.BY_ID["share_denied"].cell_formula.count("s3.outcome.denied.") == len(figures.S3_DENIED)
    assert "s3.outcome.total.total" in metrics.BY_ID["share_denied"].cell_formula
    assert "s2.art20_8.admin_fees.amount_wan_yuan" in metrics.BY_ID["fees_wan_yuan"].cell_formula


def test_names_follow_the_active_language():
    m = metrics.BY_ID["share_granted"]
    with translation.override("en"):
        assert m.name == "Share granted"
    with translation.override("zh-hans"):
        assert m.name == "予以公开占比"


def test_unknown_metric_id_falls_back_to_the_default():
    assert metrics.get("nope").id == metrics.DEFAULT
    assert metrics.get(None).id == metrics.DEFAULT


@pytest.mark.django_db
def test_sql_expression_agrees_with_python_evaluation_for_every_metric():
    h = f.hierarchy()
    unit = f.org("甲镇", parent=h["county"])
    figs = {
        **f.requests_figs(6, 20, partial=2, denied=3, unable=4, not_processed=3, other=2),
        "review_total": 5,
        "review_corrected": 1,
        "review_pending": 1,
        "lit_total": 3,
        "lit_corrected": 1,
        "lit_pending": 0,
        "items_stated": 120,
        "normative_made": 2,
        "normative_in_force": 9,
        "licensing_decisions": 40,
        "penalty_decisions": 7,
        "coercion_decisions": 1,
        "fees_wan_yuan": "12.5",
        "checks_failed": 2,
        "cells_unresolved": 1,
        "regulations_made": 0,
    }
    report = f.report(unit, 2022, **figs)
    report.refresh_from_db()
    row = (
        Report.objects.filter(pk=report.pk)
        .annotate(**{f"m_{m.id}": m.expression("") for m in metrics.METRICS})
        .values()
        .get()
    )
    plain = {c: getattr(report, c) for c in metrics.headline_columns()}
    for m in metrics.METRICS:
        expected = m.evaluate(plain)
        assert row[f"m_{m.id}"] == pytest.approx(expected), m.id
    assert F  # imported for readers: expressions are plain F() arithmetic
