"""Who may upload, follow, place and download what: anonymous, in scope, out of scope, too small a role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.demo import demo_organisations
from dashboard.models import Organisation, Report
from ingest import services
from ingest.models import Upload
from ingest.parsing import synthetic
from ingest.parsing.render import render
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _report_file(agency: str, year: int = 2023) -> bytes:
    return render(synthetic.generate_report(seed=3, year=year, agency=agency), "txt")


@pytest.fixture
def world(django_user_model):
    demo_organisations()
    county_a = Organisation.objects.get(full_name__endswith="示例县", level="county")
    county_b = Organisation.objects.create(name="另一县", full_name="另一县", level="county", kind="县")
    Organisation.objects.create(
        name="甲镇", full_name="另一县甲镇", level="township", kind="镇", parent=county_b, county=county_b
    )
    return {
        "county_a": county_a,
        "county_b": county_b,
        "clerk_a": make_user(django_user_model, "clerk_a", "uploader", county_a),
        "viewer_a": make_user(django_user_model, "viewer_a", "viewer", county_a),
        "viewer_b": make_user(django_user_model, "viewer_b", "viewer", county_b),
        "reviewer_a": make_user(django_user_model, "reviewer_a", "reviewer", county_a),
        "reviewer_b": make_user(django_user_model, "reviewer_b", "reviewer", county_b),
        "norole": make_user(django_user_model, "norole", None),
    }


def _upload(client, name, data):
    return client.post(reverse("ingest-upload"), {"files": [SimpleUploadedFile(name, data)]})


@pytest.mark.parametrize("who,expected", [(None, 302), ("norole", 403), ("viewer_a", 403), ("clerk_a", 302)])
def test_only_uploaders_can_upload(client, world, who, expected):
    if who:
        client.force_login(world[who])
    response = _upload(client, "r.txt", _report_file("示例县东河镇"))
    assert response.status_code == expected
    assert Upload.objects.count() == (1 if who == "clerk_a" else 0)
    if who is None:
        assert "/accounts/login/" in response["Location"]


def test_a_report_for_a_unit_outside_the_uploaders_scope_is_refused_and_kept(client, world):
    client.force_login(world["clerk_a"])
    _upload(client, "other.txt", _report_file("另一县甲镇"))
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert upload.error_code == "out_of_scope"
    assert "不在您的管辖范围" in upload.message
    assert Report.objects.count() == 0
    with upload.file.open("rb") as fh:
        assert fh.read() == _report_file("另一县甲镇")


def test_a_refused_report_leaves_no_organisation_behind(client, world):
    """GIVEN a report naming a real unit the database does not know yet, outside the uploader's scope
    WHEN it is refused THEN the organisation path resolved for it is not kept either."""
    before = Organisation.objects.count()
    client.force_login(world["clerk_a"])
    _upload(client, "beijing.txt", _report_file("北京市东城区东华门街道"))
    upload = Upload.objects.get()
    assert upload.error_code == "out_of_scope", upload.message
    assert "东华门街道" in upload.message
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name="东华门街道").exists()


def test_reports_inside_a_zip_are_held_to_the_uploaders_scope_too(client, world):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mine.txt", _report_file("示例县东河镇"))
        zf.writestr("theirs.txt", _report_file("另一县甲镇"))
    client.force_login(world["clerk_a"])
    _upload(client, "reports.zip", buf.getvalue())
    children = {u.original_name: u for u in Upload.objects.filter(parent__isnull=False)}
    assert children["mine.txt"].status == Upload.Status.DONE
    assert children["theirs.txt"].status == Upload.Status.FAILED
    assert children["theirs.txt"].error_code == "out_of_scope"
    assert {u.uploaded_by for u in children.values()} == {world["clerk_a"]}
    assert list(Report.objects.values_list("organisation__full_name", flat=True)) == ["示例县东河镇"]


def test_reviewers_follow_uploads_in_their_scope_only(client, world):
    upload = services.upload_create(name="r.txt", data=_report_file("示例县东河镇"), user=world["clerk_a"])
    url = reverse("ingest-upload-detail", args=[upload.public_id])
    client.force_login(world["reviewer_a"])
    assert client.get(url).status_code == 200
    client.force_login(world["reviewer_b"])
    assert client.get(url).status_code == 404
    client.force_login(world["viewer_a"])
    assert client.get(url).status_code == 403


def test_originals_can_be_traced_by_readers_in_scope(client, world, settings):
    upload = services.upload_create(name="r.txt", data=_report_file("示例县东河镇"), user=world["clerk_a"])
    url = reverse("ingest-original", args=[upload.public_id])
    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(world["viewer_b"])
    assert client.get(url).status_code == 404
    client.force_login(world["viewer_a"])
    assert client.get(url).status_code == 200
    client.logout()
    settings.DASHBOARD_PUBLIC = True
    assert client.get(url).status_code == 200


def test_placing_a_report_offers_and_accepts_only_units_in_scope(client, world):
    upload = services.upload_create(name="x.txt", data=_report_file("无名乡"), user=world["clerk_a"])
    report = Report.objects.get(upload=upload)
    assert report.organisation is None
    url = reverse("ingest-upload-detail", args=[upload.public_id])
    client.force_login(world["clerk_a"])
    page = client.get(url).content.decode()
    assert "东河镇" in page and "另一县甲镇" not in page
    outside = Organisation.objects.get(full_name="另一县甲镇")
    response = client.post(url, {"organisation": outside.public_id, "year": 2023})
    assert response.status_code == 200  # the form says no
    report.refresh_from_db()
    assert report.organisation is None
    inside = Organisation.objects.get(full_name="示例县东河镇")
    assert client.post(url, {"organisation": inside.public_id, "year": 2023}).status_code == 302
    report.refresh_from_db()
    assert report.organisation == inside
