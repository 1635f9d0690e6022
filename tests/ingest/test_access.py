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


def test_a_copy_of_a_file_refused_for_its_first_uploader_is_parsed_for_the_next(world, broker, django_user_model):
    """GIVEN a report of 另一县 uploaded by 示例县's clerk (out of their scope) and, while it waits, the
    same file by 另一县's own clerk (a duplicate) WHEN the first is refused THEN the copy is parsed for
    its own uploader and stored; later copies follow the released one."""
    clerk_b = make_user(django_user_model, "clerk_b", "uploader", world["county_b"])
    data = _report_file("另一县甲镇")
    (first,) = services.uploads_create([services.IncomingFile("a.txt", data)], user=world["clerk_a"])
    (copy,) = services.uploads_create([services.IncomingFile("b.txt", data)], user=clerk_b)
    (third,) = services.uploads_create([services.IncomingFile("c.txt", data)], user=clerk_b)
    copy.refresh_from_db()
    assert copy.status == Upload.Status.DUPLICATE and copy.duplicate_of_id == first.pk
    assert "由其他用户上传的文件" in copy.message and "a.txt" not in copy.message  # not their file name
    assert broker == [first.pk]

    services.uploads_process(upload_ids=[first.pk])
    first.refresh_from_db()
    copy.refresh_from_db()
    third.refresh_from_db()
    assert first.error_code == "out_of_scope"
    assert (copy.status, copy.duplicate_of_id, copy.message) == (Upload.Status.PENDING, None, "")
    assert third.status == Upload.Status.DUPLICATE and third.duplicate_of_id == copy.pk
    assert broker == [first.pk, copy.pk]

    services.uploads_process(upload_ids=[copy.pk])
    copy.refresh_from_db()
    assert copy.status == Upload.Status.DONE, copy.message
    assert list(Report.objects.values_list("organisation__full_name", "upload_id")) == [("另一县甲镇", copy.pk)]


def test_the_sweep_releases_a_copy_marked_while_its_original_was_failing(world, broker):
    data = _report_file("示例县东河镇")
    (first,) = services.uploads_create([services.IncomingFile("a.txt", data)], user=world["clerk_a"])
    (copy,) = services.uploads_create([services.IncomingFile("b.txt", data)], user=world["clerk_a"])
    # The failure is recorded without the release (as when the copy's row committed just after it).
    Upload.objects.filter(pk=first.pk).update(status=Upload.Status.FAILED, error_code="gave_up")
    services.uploads_sweep_stale()
    copy.refresh_from_db()
    assert copy.status == Upload.Status.PENDING and copy.pk in broker


def test_copies_of_a_failed_file_point_at_a_live_upload_of_the_same_bytes_instead_of_parsing(world, broker):
    data = _report_file("示例县东河镇")
    (first,) = services.uploads_create([services.IncomingFile("a.txt", data)], user=world["clerk_a"])
    (copy,) = services.uploads_create([services.IncomingFile("b.txt", data)], user=world["clerk_a"])
    Upload.objects.filter(pk=first.pk).update(status=Upload.Status.FAILED, error_code="gave_up")
    (again,) = services.uploads_create([services.IncomingFile("again.txt", data)], user=world["clerk_a"])
    assert again.status == Upload.Status.PENDING  # a failed upload is no original
    broker.clear()
    assert services.uploads_release_duplicates(of=[first.pk]) == 0
    copy.refresh_from_db()
    assert copy.status == Upload.Status.DUPLICATE and copy.duplicate_of_id == again.pk
    assert broker == []


def test_a_copy_of_a_file_that_failed_on_its_content_is_not_parsed_again(world, broker, django_user_model):
    clerk_b = make_user(django_user_model, "clerk_b", "uploader", world["county_b"])
    data = "今天开会，讨论了绿化工作。\n".encode() * 20  # no report in it: any copy fails the same way
    (first,) = services.uploads_create([services.IncomingFile("a.txt", data)], user=world["clerk_a"])
    (copy,) = services.uploads_create([services.IncomingFile("b.txt", data)], user=clerk_b)
    services.uploads_process(upload_ids=[first.pk])
    first.refresh_from_db()
    copy.refresh_from_db()
    assert first.status == Upload.Status.FAILED and first.error_code != "out_of_scope"
    assert (copy.status, copy.duplicate_of_id) == (Upload.Status.DUPLICATE, first.pk)
    services.uploads_sweep_stale()
    assert broker == [first.pk]
