"""dashboard.review services: corrections and their history, check review, verification, provenance, reprocessing."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard import review
from dashboard.models import AuditLog, CellCorrection, CheckResult, Report, ReviewEvent
from tests.dashboard import factories as f
from tests.quality.factories import balanced_requests, make_report

pytestmark = pytest.mark.django_db


def ids(report: Report) -> set[str]:
    return set(CheckResult.objects.filter(report=report).values_list("check_id", flat=True))


# --------------------------------------------------------------------------- corrections


def test_a_correction_needs_a_reason_and_changes_nothing_without_one(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    with pytest.raises(review.ReviewError):
        review.cell_correct(report=report, key="s4.review.total", raw="1", reason="  ", user=reviewer)
    report.refresh_from_db()
    assert report.cells["s4.review.total"]["v"] == 2 and not CellCorrection.objects.exists()


def test_a_correction_is_recorded_and_updates_figures_checks_and_status(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    assert report.review_total == 2 and "I4.review" in ids(report)
    correction = review.cell_correct(report=report, key="s4.review.total", raw=" 1 ", reason="原文为 1，解析错位",
                                     user=reviewer)
    report.refresh_from_db()
    assert (correction.old["v"], correction.new["v"], correction.user, correction.reason) == (2, 1, reviewer,
                                                                                          "原文为 1，解析错位")
    assert report.cells["s4.review.total"]["v"] == 1 and report.review_total == 1
    assert "I4.review" not in ids(report)
    assert next(c for c in report.checks if c["id"] == "I4.review")["ok"] is True
    assert report.status == Report.Status.PARSED and report.checks_failed == 0
    history = review.report_history(report)
    assert history[0].what == "更正单元格" and history[0].old == "2" and history[0].new == "1"
    assert history[0].user == reviewer and "复议" in history[0].target
    logged = AuditLog.objects.get(action="cell_correct")
    assert (logged.user, logged.object_id, logged.data["reason"]) == (reviewer, str(report.public_id), "原文为 1，解析错位")


def test_a_correction_keeps_blank_dash_and_none_word_apart(town, reviewer):
    report = make_report(town, 2021)
    review.cell_correct(report=report, key="s4.review.upheld", raw="—", reason="原文为横线", user=reviewer)
    review.cell_correct(report=report, key="s4.review.other", raw="无", reason="原文为无", user=reviewer)
    review.cell_correct(report=report, key="s4.review.pending", raw="", reason="原文空白", user=reviewer)
    report.refresh_from_db()
    assert [report.cells[k]["st"] for k in ("s4.review.upheld", "s4.review.other", "s4.review.pending")] == [
        "dash", "none_word", "blank"]


def test_correcting_a_year_reruns_the_next_years_cross_year_checks(town, reviewer):
    earlier = make_report(town, 2020, values=balanced_requests(carried_forward=1))
    later = make_report(town, 2021, values=balanced_requests(carried_over=2))
    assert "Y1.total" in ids(later)
    for col in ("natural_person", "total"):
        review.cell_correct(report=earlier, key=f"s3.carried_forward_next.{col}", raw="2", reason="原文为 2",
                            user=reviewer)
        review.cell_correct(report=earlier, key=f"s3.outcome.total.{col}", raw="1", reason="原文为 1",
                            user=reviewer)
        review.cell_correct(report=earlier, key=f"s3.outcome.granted.{col}", raw="1", reason="原文为 1",
                            user=reviewer)
    assert not {i for i in ids(later) if i.startswith("Y1")}
    assert not {i for i in ids(earlier) if i[:2] in ("I1", "I2", "I3")}


# --------------------------------------------------------------------------- check review and verification


def test_dismissing_a_check_needs_a_reason_and_is_recorded(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    with pytest.raises(review.ReviewError):
        review.check_review(report=report, check_id="I4.review", decision="dismissed", user=reviewer)
    assert CheckResult.objects.get(report=report, check_id="I4.review").review == "open"
    review.check_review(report=report, check_id="I4.review", decision="dismissed", reason="原表如此，已电话确认",
                        user=reviewer)
    row = CheckResult.objects.get(report=report, check_id="I4.review")
    assert row.review == "dismissed" and row.reviewed_by == reviewer and row.reviewed_at is not None
    event = ReviewEvent.objects.get(report=report)
    assert (event.action, event.target, event.old, event.new, event.user) == ("check", "I4.review", "open",
                                                                              "dismissed", reviewer)
    report.refresh_from_db()
    assert report.checks_failed == 0
    assert review.report_history(report)[0].new == "已忽略"
    assert AuditLog.objects.filter(action="review_check", object_id=str(report.public_id)).count() == 1


def test_verification_is_refused_while_checks_are_open_then_recorded(town, reviewer):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    with pytest.raises(review.ReviewError):
        review.report_verify(report=report, user=reviewer)
    report.refresh_from_db()
    assert report.status == Report.Status.NEEDS_REVIEW
    review.check_review(report=report, check_id="I4.review", decision="confirmed", user=reviewer)
    review.report_verify(report=report, user=reviewer, reason="与原件核对无误")
    report.refresh_from_db()
    assert report.status == Report.Status.VERIFIED
    assert report.checks_failed == 1  # confirmed: the report itself is wrong, and stays counted
    assert ReviewEvent.objects.filter(report=report, action="verify", user=reviewer).exists()


def test_filling_in_organisation_and_year_is_recorded_and_rechecked(town, reviewer):
    report = make_report(None, None, values={"s4.review.upheld": 1, "s4.review.total": 1})
    assert report.status == Report.Status.NEEDS_REVIEW and "单位未确定" in report.review_reasons
    review.report_fill_in(report=report, organisation=town, year=2021, reason="标题中有单位名称", user=reviewer)
    report.refresh_from_db()
    assert (report.organisation, report.year, report.status) == (town, 2021, Report.Status.PARSED)
    event = ReviewEvent.objects.get(report=report, action="place")
    assert event.old == {"organisation": None, "year": None} and event.new["year"] == 2021
    shown = review.report_history(report)[0]
    assert (shown.old, shown.new, shown.reason) == ("— / —", f"{town} / 2021", "标题中有单位名称")


@pytest.fixture
def generation_bumps(django_capture_on_commit_callbacks):
    """Runs a review action committed, and says whether the ranking caches were told."""
    from dashboard import selectors

    def run(action) -> bool:
        before = selectors._generation()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return selectors._generation() > before

    return run


def test_verifying_filling_in_and_reviewing_checks_tell_the_ranking_caches(town, reviewer, generation_bumps):
    report = make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})
    assert generation_bumps(lambda: review.check_review(report=report, check_id="I4.review", decision="confirmed",
                                                        user=reviewer))
    assert generation_bumps(lambda: review.report_verify(report=report, user=reviewer))
    unplaced = make_report(None, None)
    assert generation_bumps(lambda: review.report_fill_in(report=unplaced, organisation=town, year=2020,
                                                          user=reviewer))
    assert generation_bumps(lambda: review.cell_correct(report=report, key="s4.review.total", raw="1", reason="x",
                                                        user=reviewer))
    assert generation_bumps(lambda: review.reports_recheck(report_ids=[report.pk]))


# --------------------------------------------------------------------------- provenance


def test_provenance_helper_and_annotation_agree(town, reviewer):
    plain = make_report(town, 2020)
    corrected = make_report(town, 2021)
    review.cell_correct(report=corrected, key="s4.review.upheld", raw="1", reason="原文为 1", user=reviewer)
    verified = make_report(town, 2022)
    review.report_verify(report=verified, user=reviewer)
    expected = {plain.pk: "unreviewed", corrected.pk: "corrected", verified.pk: "verified"}
    for report in Report.objects.filter(pk__in=expected):
        assert review.report_provenance(report) == expected[report.pk]
    annotated = dict(review.with_provenance(Report.objects.filter(pk__in=expected)).values_list("pk", "provenance"))
    assert annotated == expected
    rows = review.with_provenance(CheckResult.objects.filter(report=corrected), prefix="report__")
    assert {r.provenance for r in rows} <= {"corrected"}


# --------------------------------------------------------------------------- reprocessing


@pytest.fixture
def seed_report(seed_bytes, alice, django_capture_on_commit_callbacks):
    from ingest.services import upload_create

    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_create(name="seed.txt", data=seed_bytes, user=alice)
    upload.refresh_from_db()
    return upload.report


KEY = "s2.art20_5.licensing.decisions"


def _parser_saying(monkeypatch, value: int):
    """Stand in for a parser upgrade: the real parse, with one cell read differently."""
    import ingest.parsing as parsing
    from ingest.parsing.model import Cell

    real = parsing.parse

    def parse(data, filename, **kw):
        parsed = real(data, filename, **kw)
        cells = dict(parsed.cells)
        cells[KEY] = Cell(v=value, raw=str(value), st="ok")
        return dataclasses.replace(parsed, cells=cells, parser_version="9.9.9")

    monkeypatch.setattr(parsing, "parse", parse)


def test_reprocessing_keeps_corrections_when_the_parser_still_reads_the_same(seed_report, reviewer):
    assert seed_report.cells[KEY]["v"] == 4
    review.cell_correct(report=seed_report, key=KEY, raw="5", reason="原件为 5", user=reviewer)
    review.report_reprocess(report=seed_report, user=reviewer)
    seed_report.refresh_from_db()
    assert seed_report.cells[KEY]["v"] == 5 and "conflict" not in seed_report.cells[KEY]
    assert seed_report.licensing_decisions == 5
    assert not {i for i in ids(seed_report) if i.startswith("R1")}
    event = ReviewEvent.objects.get(report=seed_report, action="reprocess")
    assert event.new["kept"] == [KEY] and event.new["conflicts"] == []
    assert "保留人工更正 1 处；冲突 0 处；因模板版本改变不再适用 0 处" in review.report_history(seed_report)[0].new


def test_reprocessing_shows_a_conflict_instead_of_overwriting_a_correction(seed_report, reviewer, monkeypatch):
    review.cell_correct(report=seed_report, key=KEY, raw="5", reason="原件为 5", user=reviewer)
    _parser_saying(monkeypatch, 7)
    review.report_reprocess(report=seed_report, user=reviewer)
    seed_report.refresh_from_db()
    assert seed_report.parser_version == "9.9.9"
    assert seed_report.cells[KEY]["v"] == 5 and seed_report.cells[KEY]["conflict"]["v"] == 7
    row = CheckResult.objects.get(report=seed_report, check_id=f"R1.{KEY}")
    assert (row.lhs, row.rhs) == (5, 7) and "人工更正" in row.message
    assert seed_report.status == Report.Status.NEEDS_REVIEW

    review.conflict_resolve(report=seed_report, key=KEY, keep=True, reason="原件确为 5", user=reviewer)
    seed_report.refresh_from_db()
    assert "conflict" not in seed_report.cells[KEY] and f"R1.{KEY}" not in ids(seed_report)
    # The same parser again: the reviewer has already overruled this reading.
    review.report_reprocess(report=seed_report, user=reviewer)
    seed_report.refresh_from_db()
    assert seed_report.cells[KEY]["v"] == 5 and "conflict" not in seed_report.cells[KEY]


def test_reprocessing_reads_the_settled_conflicts_once_however_many_cells_were_corrected(seed_report, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def event_reads() -> int:
        with CaptureQueriesContext(connection) as ctx:
            review.report_reprocess(report=seed_report, user=reviewer)
        return sum(q["sql"].lstrip().upper().startswith("SELECT") and "reviewevent" in q["sql"].lower()
                   for q in ctx.captured_queries)

    review.cell_correct(report=seed_report, key=KEY, raw="5", reason="原件为 5", user=reviewer)
    one = event_reads()
    for key in ("s2.art20_6.penalty.decisions", "s2.art20_6.coercion.decisions"):
        review.cell_correct(report=seed_report, key=key, raw="9", reason="原件为 9", user=reviewer)
    assert event_reads() == one


def test_taking_the_new_parse_is_a_correction_too(seed_report, reviewer, monkeypatch):
    review.cell_correct(report=seed_report, key=KEY, raw="5", reason="原件为 5", user=reviewer)
    _parser_saying(monkeypatch, 7)
    review.report_reprocess(report=seed_report, user=reviewer)
    review.conflict_resolve(report=seed_report, key=KEY, keep=False, user=reviewer)
    seed_report.refresh_from_db()
    assert seed_report.cells[KEY]["v"] == 7 and "conflict" not in seed_report.cells[KEY]
    assert CellCorrection.objects.filter(report=seed_report, key=KEY).count() == 2
    assert seed_report.licensing_decisions == 7
    review.report_reprocess(report=seed_report, user=reviewer)  # the parser now agrees with the reviewer
    seed_report.refresh_from_db()
    assert "conflict" not in seed_report.cells[KEY] and f"R1.{KEY}" not in ids(seed_report)


def test_reprocessing_without_corrections_takes_the_new_parse_but_keeps_what_it_does_not_name(
        seed_report, reviewer, monkeypatch):
    """GIVEN a report with no corrections WHEN a new parser reads another value and finds no agency,
    title or date THEN the new value, figures and checks are stored; agency, title and date stay."""
    import datetime as dt

    import ingest.parsing as parsing

    Report.objects.filter(pk=seed_report.pk).update(published_date=dt.date(2022, 1, 20))
    seed_report.refresh_from_db()
    before = (seed_report.agency_name, seed_report.title, seed_report.published_date)
    assert all(before)
    _parser_saying(monkeypatch, 7)
    with_cell = parsing.parse

    def parse(data, filename, **kw):
        return dataclasses.replace(with_cell(data, filename, **kw), agency=None, title=None, published_date="bad")

    monkeypatch.setattr(parsing, "parse", parse)
    review.report_reprocess(report=seed_report, user=reviewer)
    seed_report.refresh_from_db()
    assert (seed_report.agency_name, seed_report.title, seed_report.published_date) == before
    assert seed_report.parser_version == "9.9.9"
    assert seed_report.cells[KEY]["v"] == 7 and seed_report.licensing_decisions == 7
    assert ReviewEvent.objects.get(report=seed_report, action="reprocess").new["kept"] == []


def test_reprocessing_without_corrections_tells_the_ranking_caches(seed_report, reviewer, generation_bumps):
    assert generation_bumps(lambda: review.report_reprocess(report=seed_report, user=reviewer))


def test_a_correction_must_name_a_cell_of_the_reports_template(town, reviewer):
    report = make_report(town, 2020)  # 2019 template: no (六) sub-rows
    with pytest.raises(review.ReviewError):
        review.cell_correct(report=report, key="s3.outcome.other.fee_unpaid.total", raw="1", reason="x", user=reviewer)


def test_reprocessing_runs_in_the_worker_for_a_selection(seed_report, reviewer, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    _parser_saying(monkeypatch, 4)
    with django_capture_on_commit_callbacks(execute=True):
        queued = review.report_reprocess_enqueue(report_ids=[seed_report.pk], user=reviewer)
    assert queued == 1
    seed_report.refresh_from_db()
    assert seed_report.parser_version == "9.9.9"
    assert ReviewEvent.objects.get(report=seed_report, action="reprocess").user == reviewer


def test_reprocess_all_also_retries_uploads_the_parser_crashed_on(seed_report, reviewer,
                                                                   django_capture_on_commit_callbacks):
    from ingest.models import Upload

    crashed = f.upload("broken.txt", content=b"not a report")
    Upload.objects.filter(pk=crashed.pk).update(status=Upload.Status.FAILED, error_code="parser_crash")
    with django_capture_on_commit_callbacks(execute=True):
        queued = review.report_reprocess_enqueue(everything=True, user=reviewer)
    assert queued == 2
    crashed.refresh_from_db()
    assert crashed.status == Upload.Status.FAILED and crashed.error_code == "no_report"  # parsed again


def test_recheck_everything_runs_the_checks_in_the_worker(town, django_capture_on_commit_callbacks):
    """GIVEN a report stored before the checks existed (parser rows only) WHEN everything is rechecked
    THEN it has its full set of check results."""
    report = make_report(town, 2021, values={"s2.art20_1.regulations.made": 1}, run_checks=False)
    assert "P1.regulations" not in ids(report)
    with django_capture_on_commit_callbacks(execute=True):
        assert review.reports_recheck_enqueue() == 1
    assert "P1.regulations" in ids(report)


def test_a_correction_of_a_cell_the_new_parse_does_not_have_is_not_applied(seed_report, reviewer, monkeypatch):
    """GIVEN a correction of a 2019-only cell WHEN the new parser reads the report without it
    THEN the cell is not brought back (it would mix template versions) and the re-parse says so."""
    import ingest.parsing as parsing

    key = "s2.art20_9.central_procurement.projects"
    review.cell_correct(report=seed_report, key=key, raw="3", reason="原件为 3", user=reviewer)
    real = parsing.parse

    def parse(data, filename, **kw):
        parsed = real(data, filename, **kw)
        return dataclasses.replace(parsed, cells={k: c for k, c in parsed.cells.items() if k != key})

    monkeypatch.setattr(parsing, "parse", parse)
    review.report_reprocess(report=seed_report, user=reviewer)
    seed_report.refresh_from_db()
    assert key not in seed_report.cells
    assert ReviewEvent.objects.get(report=seed_report, action="reprocess").new["dropped"] == [key]
    assert CellCorrection.objects.filter(report=seed_report, key=key).exists()
