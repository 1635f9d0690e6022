"""dashboard.quality: every check on a report made to pass it and one made to fail it, and how results are stored."""

from __future__ import annotations

import pytest

from dashboard import quality
from dashboard.models import CheckResult, Organisation, Report
from tests.dashboard import factories as f
from tests.quality.factories import balanced_requests, make_report

pytestmark = pytest.mark.django_db


def ids(report: Report) -> set[str]:
    return set(CheckResult.objects.filter(report=report).values_list("check_id", flat=True))


def result(report: Report, check_id: str) -> CheckResult:
    return CheckResult.objects.get(report=report, check_id=check_id)


# --------------------------------------------------------------------------- I-1..I-4 (the parser's)


def test_a_balanced_report_passes_every_identity(town):
    report = make_report(town, 2021, values=balanced_requests())
    assert not {i for i in ids(report) if i[:2] in ("I1", "I2", "I3", "I4")}
    assert ids(report) == set()  # printed zeros everywhere: no V4 note either
    assert report.checks_failed == 0
    assert report.status == Report.Status.PARSED


def test_i1_fails_with_both_sides_the_difference_and_the_cells(town):
    values = balanced_requests()
    values["s3.received_new.total"] = 4  # 4 + 0 on the left, 2 + 1 on the right
    report = make_report(town, 2021, values=values)
    row = result(report, "I1.total")
    assert (row.ok, row.lhs, row.rhs, row.severity) == (False, 4, 3, "error")
    assert row.cells[:2] == ["s3.received_new.total", "s3.carried_over_prev.total"]
    assert "s3.carried_forward_next.total" in row.cells
    assert "左边 4，右边 3，相差 1" in row.message and "总计" in row.message
    assert "I3.received_new" in ids(report)  # the same cell breaks its row total too
    assert report.status == Report.Status.NEEDS_REVIEW and report.checks_failed == 2


def test_i2_fails_when_outcomes_do_not_add_up(town):
    values = balanced_requests()
    values["s3.outcome.granted.natural_person"] = 1
    values["s3.outcome.granted.total"] = 1
    report = make_report(town, 2021, values=values)
    assert {"I2.natural_person", "I2.total"} <= ids(report)
    assert "I1.total" not in ids(report)


def test_i3_fails_on_a_row_whose_total_is_not_the_sum(town):
    report = make_report(town, 2021, values={"s3.outcome.denied.state_secret.total": 2})
    row = result(report, "I3.outcome.denied.state_secret")
    assert (row.lhs, row.rhs) == (2, 0)
    assert "属于国家秘密" in row.message


def test_i4_fails_per_group_of_section_four(town):
    ok = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 1})
    assert "I4.review" not in ids(ok)
    bad = make_report(town, 2022, values={"s4.review.upheld": 1, "s4.review.total": 2})
    assert result(bad, "I4.review").rhs == 1
    assert "行政复议" in result(bad, "I4.review").message


def test_an_identity_over_an_unreadable_cell_is_unevaluable_not_failed(town):
    report = make_report(town, 2021, values={"s4.review.total": {"v": None, "raw": "见附件", "st": "text"}})
    row = result(report, "I4.review")
    assert row.ok is None and row.severity == "warning"
    assert report.checks_unevaluable >= 1


def test_the_stored_identities_are_the_parsers(town):
    """GIVEN a report whose stored checks say I1.total failed WHEN checks run THEN that is what is stored:
    the parser's result is read, not recomputed differently."""
    report = make_report(town, 2021, values=balanced_requests(), run_checks=False)
    report.checks = [{**c, "ok": False, "lhs": 9, "rhs": 8} if c["id"] == "I1.total" else c for c in report.checks]
    Report.objects.filter(pk=report.pk).update(checks=report.checks)
    quality.report_checks_run(report=report)
    assert (result(report, "I1.total").lhs, result(report, "I1.total").rhs) == (9, 8)


# --------------------------------------------------------------------------- values


def test_v1_flags_negative_and_fractional_counts_but_not_signed_changes(town):
    report = make_report(town, 2021, values={
        "s2.art20_5.licensing.decisions": {"v": -1, "raw": "-1", "st": "ok"},
        "s2.art20_6.penalty.decisions": {"v": 2.5, "raw": "2.5", "st": "ok"},
        "s2.art20_8.admin_fees.amount_wan_yuan": {"v": 1.25, "raw": "1.25", "st": "ok", "unit": "万元"},
    })
    assert {"V1.s2.art20_5.licensing.decisions", "V1.s2.art20_6.penalty.decisions"} <= ids(report)
    assert "V1.s2.art20_8.admin_fees.amount_wan_yuan" not in ids(report)  # money may be decimal
    old = make_report(town, 2020, values={"s2.art20_5.licensing.items_change": {"v": -2, "raw": "-2", "st": "ok"}})
    assert not {i for i in ids(old) if i.startswith("V1.")}
    assert "非负整数" in result(report, "V1.s2.art20_5.licensing.decisions").message


def test_v1_flags_a_read_cell_without_a_value_money_or_count(town):
    """A cell marked read ("ok") but holding no number is flagged, not a crash (count cells used to
    reach float(None) before the None test)."""
    report = make_report(town, 2021, values={
        "s2.art20_5.licensing.decisions": {"v": None, "raw": "?", "st": "ok"},
        "s2.art20_8.admin_fees.amount_wan_yuan": {"v": None, "raw": "?", "st": "ok", "unit": "万元"},
    })
    assert {"V1.s2.art20_5.licensing.decisions", "V1.s2.art20_8.admin_fees.amount_wan_yuan"} <= ids(report)


def test_v2_and_v3_flag_unreadable_and_missing_cells(town):
    report = make_report(town, 2021, values={"s4.review.upheld": {"v": None, "raw": "若干", "st": "text"},
                                             "s3.received_new.org_other": None})
    row = result(report, "V2.s4")  # one row per table, naming the cells
    assert row.cells == ["s4.review.upheld"] and "若干" in row.message and "结果维持" in row.message
    assert result(report, "V3.s3").lhs == 1
    clean = make_report(town, 2022)
    assert not {i for i in ids(clean) if i[:2] in ("V1", "V2", "V3")}


def test_zero_blank_dash_and_none_word_stay_distinct_and_only_inform(town):
    values = {
        "s4.review.upheld": {"v": None, "raw": "", "st": "blank"},
        "s4.review.corrected": {"v": None, "raw": "—", "st": "dash"},
        "s4.review.other": {"v": None, "raw": "无", "st": "none_word"},
    }
    report = make_report(town, 2021, values=values)
    row = result(report, "V4.s4")
    assert row.severity == "info" and row.lhs == 3
    assert report.checks_failed == 0 and report.status == Report.Status.PARSED  # info never blocks
    report.refresh_from_db()
    assert [report.cells[k]["st"] for k in values] == ["blank", "dash", "none_word"]
    assert report.cells["s4.review.pending"] == {"v": 0, "raw": "0", "st": "ok"}
    assert report.review_total == 0  # read as 0 for the figures


# --------------------------------------------------------------------------- across years


def test_y1_carry_over_matches_last_years_carry_forward(town):
    make_report(town, 2020, values=balanced_requests(carried_forward=1))
    good = make_report(town, 2021, values=balanced_requests(carried_over=1))
    assert not {i for i in ids(good) if i.startswith("Y1")}
    bad = make_report(f.org("乙镇", parent=town.county), 2021, values=balanced_requests(carried_over=2))
    assert not {i for i in ids(bad) if i.startswith("Y1")}  # no previous year: nothing to compare


def test_y1_fails_per_column_and_is_rerun_when_the_previous_year_arrives(town):
    later = make_report(town, 2021, values=balanced_requests(carried_over=2))
    assert "Y1.total" not in ids(later)
    earlier = make_report(town, 2020, values=balanced_requests(carried_forward=1), run_checks=False)
    quality.report_checks_run_around(report=earlier)
    row = result(later, "Y1.total")
    assert (row.lhs, row.rhs) == (2, 1)
    assert "Y1.natural_person" in ids(later) and "Y1.org_commercial" not in ids(later)
    assert "2021 年报告" in row.message and "2020 年报告" in row.message
    later.refresh_from_db()
    assert later.status == Report.Status.NEEDS_REVIEW


def test_y2_in_force_documents_carry_across_2021_template_years(town):
    make_report(town, 2021, values={"s2.art20_1.normative_docs.in_force": 5})
    good = make_report(town, 2022, values={"s2.art20_1.normative_docs.made": 2,
                                           "s2.art20_1.normative_docs.repealed": 1,
                                           "s2.art20_1.normative_docs.in_force": 6})
    assert "Y2.normative_docs" not in ids(good)
    bad = make_report(town, 2023, values={"s2.art20_1.normative_docs.made": 1,
                                          "s2.art20_1.normative_docs.in_force": 9})
    row = result(bad, "Y2.normative_docs")
    assert (row.lhs, row.rhs) == (7, 9)


def test_y2_is_not_applied_across_template_versions(town):
    make_report(town, 2020, values={"s2.art20_1.normative_docs.published_total": 5})
    report = make_report(town, 2021, values={"s2.art20_1.normative_docs.in_force": 9})
    assert "Y2.normative_docs" not in ids(report)


# --------------------------------------------------------------------------- plausibility


def test_p1_a_township_reporting_regulations_is_flagged(town, county):
    bad = make_report(town, 2021, values={"s2.art20_1.regulations.made": 1})
    assert "规章" in result(bad, "P1.regulations").message
    street = f.org("城关街道", parent=county, kind=Organisation.Kind.JIEDAO)
    assert "P1.regulations" in ids(make_report(street, 2021, values={"s2.art20_1.regulations.in_force": 3}))
    assert "P1.regulations" not in ids(make_report(town, 2022))
    city = county.city
    assert "P1.regulations" not in ids(make_report(city, 2021, values={"s2.art20_1.regulations.made": 2}))


def test_p2_absurd_fee_amounts_are_flagged_by_level(town, county):
    bad = make_report(town, 2021, values={quality.FEE_KEY: 38000})
    assert result(bad, "P2.fees").lhs == 38000 and "万元" in result(bad, "P2.fees").message
    assert "P2.fees" not in ids(make_report(town, 2022, values={quality.FEE_KEY: 3.5}))
    assert "P2.fees" not in ids(make_report(county, 2021, values={quality.FEE_KEY: 38000}))


def test_p3_a_fee_written_in_yuan_is_flagged(town):
    report = make_report(town, 2021, values={quality.FEE_KEY: {"v": 400, "raw": "400元", "st": "ok", "unit": "元"}})
    assert "P3.fee_unit" in ids(report)
    assert "P3.fee_unit" not in ids(make_report(town, 2022, values={quality.FEE_KEY: 0.04}))


# --------------------------------------------------------------------------- prose


def test_t1_prose_numbers_that_contradict_the_tables(town):
    text = "2021年，本镇共收到政府信息公开申请5件，均已按时答复。全年未发生政府信息公开行政复议和行政诉讼案件。"
    bad = make_report(town, 2021, values={**balanced_requests(new=3), "s4.review.upheld": 1, "s4.review.total": 1},
                      text_overview=text)
    row = result(bad, "T1.requests")
    assert (row.lhs, row.rhs) == (5, 3) and "收到政府信息公开申请5件" in row.message
    assert result(bad, "T1.review").lhs == 0
    assert "T1.litigation" not in ids(bad)
    good = make_report(town, 2022, values=balanced_requests(new=5, granted=4), text_overview=text)
    assert not {i for i in ids(good) if i.startswith("T1")}


def test_t1_accepts_a_count_that_includes_last_years_carried_over_applications(town):
    text = "全年共受理政府信息公开申请4件，均在法定期限内办结。"
    report = make_report(town, 2021, values=balanced_requests(new=3, carried_over=1), text_overview=text)
    assert "T1.requests" not in ids(report)


def test_t1_counts_stated_in_the_parsers_stated_counts_are_read_too(town):
    counts = [{"what": "规范性文件", "value": 4, "unit": "件", "sentence": "全年制发规范性文件4件。"}]
    report = make_report(town, 2021, values={"s2.art20_1.normative_docs.made": 2}, stated_counts=counts)
    assert result(report, "T1.normative").lhs == 4


# --------------------------------------------------------------------------- template version


def test_f1_template_version_must_match_the_year(town):
    bad = make_report(town, 2022, version="2019")
    assert "2022 年度的报告应使用 2021 年版" in result(bad, "F1.version_year").message
    assert "F1.version_year" not in ids(make_report(town, 2023))
    assert "F1.version_year" not in ids(make_report(town, 2020))


def test_f2_mixed_versions_are_flagged(town):
    report = make_report(town, 2021, version="2021", run_checks=False)
    Report.objects.filter(pk=report.pk).update(version_s2="2019", version="mixed")
    report.refresh_from_db()
    quality.report_checks_run(report=report)
    assert "F2.mixed" in ids(report)
    assert "F2.mixed" not in ids(make_report(town, 2022))


# --------------------------------------------------------------------------- storage


def test_rerun_updates_in_place_and_keeps_a_dismissal_while_the_outcome_is_unchanged(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    row = result(report, "I4.review")
    CheckResult.objects.filter(pk=row.pk).update(review=CheckResult.Review.DISMISSED, reviewed_by=reviewer)
    quality.report_checks_run(report=report)
    again = result(report, "I4.review")
    assert again.pk == row.pk and again.review == CheckResult.Review.DISMISSED and again.reviewed_by == reviewer
    assert CheckResult.objects.filter(report=report, check_id="I4.review").count() == 1
    report.refresh_from_db()
    assert report.checks_failed == 0  # a dismissed check no longer counts


def test_a_changed_outcome_reopens_the_check_and_a_passing_one_disappears(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    CheckResult.objects.filter(report=report, check_id="I4.review").update(review=CheckResult.Review.CONFIRMED)
    report.cells["s4.review.total"] = {"v": 3, "raw": "3", "st": "ok"}
    report.checks = quality.identity_checks(report.cells)
    report.save()
    quality.report_checks_run(report=report)
    assert result(report, "I4.review").review == CheckResult.Review.OPEN
    report.cells["s4.review.total"] = {"v": 1, "raw": "1", "st": "ok"}
    report.checks = quality.identity_checks(report.cells)
    report.save()
    quality.report_checks_run(report=report)
    assert "I4.review" not in ids(report)
    report.refresh_from_db()
    assert report.checks_failed == 0 and report.status == Report.Status.PARSED


def test_a_verified_report_stays_verified_until_a_new_problem_appears(town):
    later = make_report(town, 2021, values=balanced_requests(carried_over=2))
    Report.objects.filter(pk=later.pk).update(status=Report.Status.VERIFIED)
    later.refresh_from_db()
    quality.report_checks_run(report=later)
    later.refresh_from_db()
    assert later.status == Report.Status.VERIFIED
    make_report(town, 2020, values=balanced_requests(carried_forward=1), run_checks=False)
    quality.report_checks_run(report=later)
    later.refresh_from_db()
    assert later.status == Report.Status.NEEDS_REVIEW
    assert later.review_reasons[0].startswith("核实后")


def test_every_check_has_a_catalogue_entry_with_a_chinese_title(town):
    report = make_report(town, 2022, version="2019", values={"s2.art20_1.regulations.made": 1}, run_checks=False)
    for outcome in quality.evaluate(report):
        assert outcome.family in quality.CATALOGUE
        assert outcome.message and outcome.title
        assert outcome.severity in ("error", "warning", "info")


def test_the_upload_pipeline_stores_chinese_check_results(seed_bytes, alice, django_capture_on_commit_callbacks):
    """GIVEN the seed with one §三 value changed WHEN it is uploaded THEN the stored I-1 result explains
    itself in Chinese (the quality run replaced the parser's English expression)."""
    from ingest.services import upload_create

    text = seed_bytes.decode("utf-8")
    marker = "一、本年新收政府信息公开申请数量"
    assert marker in text
    head, tail = text.split(marker, 1)
    lines = tail.split("\n")
    for i, line in enumerate(lines):
        if line.strip().replace("\u00a0", "") == "0":
            lines[i] = line.replace("0", "7")
            break
    data = (head + marker + "\n".join(lines)).encode("utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_create(name="seed.txt", data=data, user=alice)
    upload.refresh_from_db()
    report = upload.report
    failing = CheckResult.objects.filter(report=report, check_id__startswith="I1.")
    assert failing.exists()
    assert all(r.message.startswith("§三") for r in failing)
    assert report.status == Report.Status.NEEDS_REVIEW
    assert report.checks_failed == CheckResult.objects.filter(report=report, ok=False, check_id__startswith="I").count()


def test_the_failed_counter_keeps_to_the_identities_while_the_status_counts_everything(town):
    report = make_report(town, 2021, values={"s2.art20_1.regulations.made": 1, "s4.review.total": 1})
    assert {"P1.regulations", "I4.review"} <= ids(report)
    assert report.checks_failed == 1  # the metric "未通过的勾稽校验": I-1..I-4 only
    assert report.status == Report.Status.NEEDS_REVIEW and "2 项校验未通过" in report.review_reasons[-1]
