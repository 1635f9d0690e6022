from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.models import Report
from ingest.models import Upload

pytestmark = pytest.mark.django_db(transaction=True)


def _post(client, *files):
    return client.post(reverse("ingest-upload"), {"files": list(files)})


def test_anonymous_users_are_sent_to_login(client, seed_bytes):
    response = _post(client, SimpleUploadedFile("seed.txt", seed_bytes))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Upload.objects.count() == 0


def test_uploading_several_files_shows_one_batch(alice_client, alice, seed_bytes):
    response = _post(
        alice_client,
        SimpleUploadedFile("seed.txt", seed_bytes),
        SimpleUploadedFile("empty.txt", b""),
    )
    assert response.status_code == 302
    batch_url = response["Location"]
    status = alice_client.get(batch_url + "status.json").json()
    assert status["done"] is True
    by_name = {u["name"]: u for u in status["uploads"]}
    assert by_name["seed.txt"]["status"] == "done"
    assert by_name["seed.txt"]["report"]["status"] == Report.Status.PARSED
    assert by_name["empty.txt"]["status"] == "failed"
    assert "空" in by_name["empty.txt"]["message"]
    assert Upload.objects.filter(uploaded_by=alice).count() == 2
    page = alice_client.get(batch_url)
    assert "seed.txt" in page.content.decode()


def test_the_form_refuses_a_submission_without_files(alice_client):
    response = alice_client.post(reverse("ingest-upload"), {})
    assert response.status_code == 200
    assert Upload.objects.count() == 0


def test_another_uploader_cannot_see_my_batch_or_upload(alice_client, client, bob, seed_bytes):
    response = _post(alice_client, SimpleUploadedFile("seed.txt", seed_bytes))
    batch_url = response["Location"]
    upload = Upload.objects.get()
    client.force_login(bob)
    assert client.get(batch_url).status_code == 404
    assert client.get(batch_url + "status.json").status_code == 404
    assert client.get(reverse("ingest-upload-detail", args=[upload.public_id])).status_code == 404


def test_the_original_is_downloaded_byte_for_byte_and_never_rendered(alice_client):
    html = b"<html><body><script>alert(1)</script></body></html>"
    _post(alice_client, SimpleUploadedFile("page.html", html))
    upload = Upload.objects.get()
    response = alice_client.get(reverse("ingest-original", args=[upload.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == html
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]


def test_a_report_without_a_known_organisation_asks_the_uploader_to_place_it(alice_client, seed_bytes):
    from dashboard.models import Organisation

    text = seed_bytes.decode("utf-8").replace("定州市砖路镇", "某某乡")
    _post(alice_client, SimpleUploadedFile("x.txt", text.encode("utf-8")))
    upload = Upload.objects.get()
    report = upload.report
    assert report.organisation is None
    assert report.status == Report.Status.NEEDS_REVIEW
    detail = alice_client.get(reverse("ingest-upload-detail", args=[upload.public_id]))
    assert 'id="placement"' in detail.content.decode()

    org = Organisation.objects.create(name="某某乡", full_name="示例县某某乡", level="township", kind="乡")
    response = alice_client.post(
        reverse("ingest-upload-detail", args=[upload.public_id]), {"organisation": org.public_id, "year": 2020}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.organisation == org and report.year == 2020
    assert report.status == Report.Status.PARSED
    assert report.is_current
