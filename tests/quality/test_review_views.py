"""Review views: reviewer vs non-reviewer vs anonymous; a refusal changes nothing."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dashboard.models import CellCorrection, CheckResult, Report, ReviewEvent
from ingest.models import Upload
from tests.dashboard import factories as f
from tests.quality.factories import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(town):
    return make_report(town, 2021, values={"s4.review.upheld": 1, "s4.review.total": 2})


def snapshot(report: Report) -> tuple:
    report.refresh_from_db()
    return (report.cells, report.status, report.organisation_id, report.year, report.review_total,
            list(CheckResult.objects.filter(report=report).values_list("check_id", "review")),
            CellCorrection.objects.count(), ReviewEvent.objects.count())


def posts(report: Report, town) -> list[tuple[str, dict]]:
    pid = report.public_id
    return [
        (reverse("review-correct", args=[pid]), {"key": "s4.review.total", "value": "1", "reason": "原文为 1"}),
        (reverse("review-check", args=[pid]), {"check_id": "I4.review", "decision": "dismissed", "reason": "x"}),
        (reverse("review-place", args=[pid]), {"organisation": str(town.public_id), "year": "2020", "reason": "x"}),
        (reverse("review-verify", args=[pid]), {"reason": "x"}),
        (reverse("review-reprocess", args=[pid]), {}),
        (reverse("review-conflict", args=[pid]), {"key": "s4.review.total", "keep": "1"}),
        (reverse("review-reprocess-batch"), {"everything": "on"}),
        (reverse("review-recheck"), {}),
    ]


def gets(report: Report, county) -> list[str]:
    return [
        reverse("review-queue"),
        reverse("review-report", args=[report.public_id]),
        reverse("review-original", args=[report.public_id]),
        reverse("review-coverage") + f"?county={county.public_id}&year=2021",
        reverse("review-coverage") + f"?county={county.public_id}&year=2021&format=csv",
        reverse("review-similarity") + f"?county={county.public_id}&year=2021",
        reverse("review-similarity-unit", args=[report.organisation.public_id]),
    ]


def test_anonymous_visitors_are_sent_to_login_and_nothing_changes(client, report, town, county):
    before = snapshot(report)
    for url in gets(report, county):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url, data in posts(report, town):
        response = client.post(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert snapshot(report) == before


def test_non_reviewers_get_403_and_nothing_changes(client, outsider, report, town, county):
    client.force_login(outsider)
    before = snapshot(report)
    for url in gets(report, county):
        assert client.get(url).status_code == 403, url
    for url, data in posts(report, town):
        assert client.post(url, data).status_code == 403, url
    assert snapshot(report) == before


def test_administrators_are_reviewers(client, staff, report):
    client.force_login(staff)
    assert client.get(reverse("review-report", args=[report.public_id])).status_code == 200


def test_django_staff_or_a_reviewer_group_without_a_role_is_not_a_reviewer(client, django_user_model, report,
                                                                           town, county):
    """GIVEN users with Django's is_staff or in a group named "reviewer", but no role in dashboard.access
    WHEN they open or post to the review pages THEN 403 and nothing changes (no role, no scope: no access)."""
    from django.contrib.auth.models import Group

    staff_only = django_user_model.objects.create_user("stan", password="stan-password-1", is_staff=True)
    grouped = django_user_model.objects.create_user("gina", password="gina-password-1")
    grouped.groups.add(Group.objects.create(name="reviewer"))
    before = snapshot(report)
    for user in (staff_only, grouped):
        client.force_login(user)
        for url in gets(report, county):
            assert client.get(url).status_code == 403, url
        for url, data in posts(report, town):
            assert client.post(url, data).status_code == 403, url
    assert snapshot(report) == before


def test_a_scoped_administrator_cannot_act_on_every_report(client, django_user_model, report, county, monkeypatch):
    """GIVEN an administrator scoped to one county WHEN it asks to re-parse or recheck everything
    THEN 403 and nothing is queued (everything reaches other counties); the queue offers neither."""
    from dashboard import review
    from tests.conftest import make_user

    queued = []
    monkeypatch.setattr(review, "report_reprocess_enqueue", lambda **kw: queued.append(kw) or 1)
    monkeypatch.setattr(review, "reports_recheck_enqueue", lambda: queued.append("recheck") or 1)
    client.force_login(make_user(django_user_model, "cora", "admin", county))
    assert client.post(reverse("review-reprocess-batch"), {"everything": "on"}).status_code == 403
    assert client.post(reverse("review-recheck")).status_code == 403
    assert queued == []
    html = client.get(reverse("review-queue")).content.decode()
    assert 'name="everything"' not in html and 'id="recheck-form"' not in html


def test_a_national_administrator_is_offered_everything(client, staff):
    client.force_login(staff)
    html = client.get(reverse("review-queue")).content.decode()
    assert 'name="everything"' in html and 'id="recheck-form"' in html


def test_the_review_page_shows_tables_checks_and_the_sandboxed_original(client, reviewer, report):
    client.force_login(reviewer)
    response = client.get(reverse("review-report", args=[report.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'sandbox=""' in html and reverse("review-original", args=[report.public_id]) in html
    assert 'data-key="s4.review.total"' in html
    assert 'id="check-I4.review"' in html and "相差 1" in html
    assert 'id="review-highlight"' in html and "s4.review.total" in html
    for tag in re.findall(r"<script[^>]*>", html):  # no inline script: files, or json_script data
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_a_reviewer_corrects_a_cell_and_sees_the_history(client, reviewer, report):
    client.force_login(reviewer)
    url = reverse("review-correct", args=[report.public_id])
    response = client.post(url, {"key": "s4.review.total", "value": "1", "reason": "原文为 1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.cells["s4.review.total"]["v"] == 1 and report.review_total == 1
    page = client.get(reverse("review-report", args=[report.public_id])).content.decode()
    assert "更正单元格" in page and "原文为 1" in page and "rita" in page


def test_a_correction_without_reason_is_refused_with_a_message(client, reviewer, report):
    client.force_login(reviewer)
    before = snapshot(report)
    response = client.post(reverse("review-correct", args=[report.public_id]),
                           {"key": "s4.review.total", "value": "1", "reason": ""}, follow=True)
    assert "理由" in response.content.decode()
    assert snapshot(report) == before


def test_a_reviewer_dismisses_a_check_then_verifies(client, reviewer, report):
    client.force_login(reviewer)
    client.post(reverse("review-check", args=[report.public_id]),
                {"check_id": "I4.review", "decision": "dismissed", "reason": "原表如此"})
    client.post(reverse("review-verify", args=[report.public_id]), {"reason": ""})
    report.refresh_from_db()
    assert report.status == Report.Status.VERIFIED
    assert CheckResult.objects.get(report=report, check_id="I4.review").review == "dismissed"


def test_verifying_with_an_over_long_note_is_refused_with_a_message(client, reviewer, town):
    """GIVEN a report with nothing open WHEN verified with a note over 1000 characters THEN refused with the
    form's message and nothing changes (the note used to be dropped silently and the report verified)."""
    fine = make_report(town, 2022)
    client.force_login(reviewer)
    before = snapshot(fine)
    response = client.post(reverse("review-verify", args=[fine.public_id]), {"reason": "x" * 1001}, follow=True)
    assert "1000" in response.content.decode()
    assert snapshot(fine) == before and fine.status != Report.Status.VERIFIED
    client.post(reverse("review-verify", args=[fine.public_id]), {"reason": "与原件核对无误"})
    fine.refresh_from_db()
    assert fine.status == Report.Status.VERIFIED


def test_a_reviewer_fills_in_organisation_and_year(client, reviewer, town):
    orphan = make_report(None, None)
    client.force_login(reviewer)
    client.post(reverse("review-place", args=[orphan.public_id]),
                {"organisation": str(town.public_id), "year": "2021", "reason": "见标题"})
    orphan.refresh_from_db()
    assert (orphan.organisation, orphan.year) == (town, 2021)


def _html_upload_report(town, html: bytes) -> Report:
    report = make_report(town, 2021)
    up = Upload(batch=uuid.uuid4(), original_name="report.html", size=len(html),
                sha256=hashlib.sha256(html).hexdigest(), detected_format="html", status=Upload.Status.DONE)
    up.file.save("evil.bin", ContentFile(html), save=False)
    up.save()
    Report.objects.filter(pk=report.pk).update(upload=up)
    report.refresh_from_db()
    return report


def test_an_uploaded_html_original_is_served_as_sandboxed_plain_text(client, reviewer, town):
    html = ("<html><body><script>alert('x')</script><p>一、总体情况</p><p>本镇全年公开信息39条。</p>"
            "<img src=x onerror=alert(1)></body></html>").encode()
    report = _html_upload_report(town, html)
    client.force_login(reviewer)
    response = client.get(reverse("review-original", args=[report.public_id]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    body = response.content.decode()
    assert "<script" not in body and "onerror" not in body and "公开信息39条" in body
    page = client.get(reverse("review-report", args=[report.public_id])).content.decode()
    assert "alert(" not in page


def test_the_queue_lists_reports_needing_review(client, reviewer, report, town):
    fine = make_report(town, 2022)
    client.force_login(reviewer)
    html = client.get(reverse("review-queue")).content.decode()
    assert str(report.public_id) in html and str(fine.public_id) not in html


def test_reprocessing_a_selection_from_the_queue(client, reviewer, report, django_capture_on_commit_callbacks,
                                                 monkeypatch):
    from dashboard import review

    queued = []
    monkeypatch.setattr(review, "report_reprocess_enqueue", lambda **kw: queued.append(kw) or 1)
    client.force_login(reviewer)
    client.post(reverse("review-reprocess-batch"), {"reports": [str(report.public_id)]})
    assert [r for kw in queued for r in kw["report_ids"]] == [report.pk]


def test_the_queue_filters_by_county_and_year(client, reviewer, report, town):
    other_county = f.org("别县", level="county", kind="县")
    elsewhere = make_report(f.org("外镇", parent=other_county), 2021, values={"s4.review.total": 4})
    same_place_other_year = make_report(town, 2022, values={"s4.review.total": 4})
    client.force_login(reviewer)
    html = client.get(reverse("review-queue"), {"county": town.county.public_id, "year": 2021}).content.decode()
    assert str(report.public_id) in html
    assert str(elsewhere.public_id) not in html and str(same_place_other_year.public_id) not in html


def test_a_pdf_original_goes_to_the_browsers_viewer_and_only_inside_our_pages(client, reviewer, town):
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    report = _html_upload_report(town, pdf)
    Upload.objects.filter(pk=report.upload_id).update(detected_format="pdf", original_name="r.pdf")
    client.force_login(reviewer)
    response = client.get(reverse("review-original", args=[report.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.streaming and b"".join(response.streaming_content) == pdf
    assert response["Content-Disposition"] == "inline"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN" and response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("review-report", args=[report.public_id])).content.decode()
    assert 'id="original-frame"' in page and 'sandbox=""' not in page  # the PDF viewer cannot run sandboxed


def test_reprocessing_everything_is_for_staff_only(client, reviewer, staff, report, monkeypatch):
    from dashboard import review

    queued = []
    monkeypatch.setattr(review, "report_reprocess_enqueue", lambda **kw: queued.append(kw) or 1)
    client.force_login(reviewer)
    assert client.post(reverse("review-reprocess-batch"), {"everything": "on"}).status_code == 403
    assert queued == []
    client.force_login(staff)
    client.post(reverse("review-reprocess-batch"), {"everything": "on"})
    assert queued[0]["everything"] is True


def test_a_reviewer_role_is_limited_to_its_scope(client, django_user_model, report, county):
    """GIVEN a reviewer role scoped to another county WHEN it opens or corrects this county's report
    THEN 404 and nothing changes; within its own county it reviews normally."""
    from dashboard.models import Membership

    other = f.org("别县", level="county", kind="县")
    there = make_report(f.org("外镇", parent=other), 2021, values={"s4.review.total": 4})
    user = django_user_model.objects.create_user("vera", password="vera-password-1")
    Membership.objects.create(user=user, role=Membership.Role.REVIEWER, scope=other)
    client.force_login(user)
    before = snapshot(report)
    assert client.get(reverse("review-report", args=[report.public_id])).status_code == 404
    assert client.post(reverse("review-correct", args=[report.public_id]),
                       {"key": "s4.review.total", "value": "1", "reason": "x"}).status_code == 404
    assert client.get(reverse("review-coverage"), {"county": county.public_id, "year": 2021}).context["rows"] == []
    assert str(report.public_id) not in client.get(reverse("review-queue")).content.decode()
    assert snapshot(report) == before
    assert client.get(reverse("review-report", args=[there.public_id])).status_code == 200
    assert str(there.public_id) in client.get(reverse("review-queue")).content.decode()


def test_a_viewer_role_is_not_a_reviewer(client, django_user_model, report):
    from dashboard.models import Membership

    user = django_user_model.objects.create_user("walt", password="walt-password-1")
    Membership.objects.create(user=user, role=Membership.Role.VIEWER)
    client.force_login(user)
    assert client.get(reverse("review-report", args=[report.public_id])).status_code == 403


def test_the_queue_and_coverage_pages_neither_read_cells_nor_load_reports_one_by_one(client, reviewer, report,
                                                                                     town, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    urls = [reverse("review-queue") + "?status=all",
            reverse("review-coverage") + f"?county={county.public_id}&year=2021",
            reverse("review-coverage") + f"?county={county.public_id}&year=2021&format=csv"]

    def queries(url) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    few = {url: len(queries(url)) for url in urls}
    for name in ("乙镇", "丙镇", "丁镇"):
        make_report(f.org(name, parent=county), 2021, values={"s4.review.total": 4})
    for url in urls:
        sql = queries(url)
        assert len(sql) == few[url], url
        assert not any('"cells"' in q or '"text_overview"' in q for q in sql), url
