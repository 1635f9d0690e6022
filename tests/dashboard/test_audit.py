"""Every change to data lands in the audit log, which nobody can edit through the app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.models import AuditLog, Membership, Report
from ingest import services
from ingest.models import Upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    return client


def test_an_upload_is_logged_with_who_and_what(alice, seed_bytes):
    upload = services.upload_create(name="seed.txt", data=seed_bytes, user=alice)
    entry = AuditLog.objects.get(action="upload")
    assert entry.user == alice and entry.object_id == str(upload.public_id)
    assert "seed.txt" in entry.summary and entry.data["sha256"] == upload.sha256


def test_a_role_change_in_the_admin_is_logged(admin_client, bob):
    m = Membership.objects.get(user=bob)
    response = admin_client.post(
        reverse("admin:dashboard_membership_change", args=[m.pk]),
        {"user": bob.pk, "role": "reviewer", "scope": "", "must_change_password": ""},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == "reviewer"
    entry = AuditLog.objects.get(action="role_change")
    assert "bob" in entry.summary and entry.data["changed"] == ["role"]


def test_deleting_a_report_in_the_admin_is_logged(admin_client, seed_bytes):
    upload = services.upload_create(name="seed.txt", data=seed_bytes)
    report = Report.objects.get(upload=upload)
    response = admin_client.post(reverse("admin:dashboard_report_delete", args=[report.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Report.objects.exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(report.public_id)).exists()
    assert Upload.objects.filter(pk=upload.pk).exists()  # the original is kept


def test_deleting_the_current_report_in_the_admin_makes_the_other_version_current(admin_client, county):
    """GIVEN two versions of 甲镇 2021, the newer current WHEN the admin deletes the current one (one by
    one or as a selection) THEN the other is current: coverage and rankings read current reports only."""
    from dashboard import selectors
    from tests.dashboard import factories as f

    older = county["jia2021"]
    newer = f.report(county["jia"], 2021, **f.requests_figs(6, 10))
    Report.objects.filter(pk=older.pk).update(is_current=False)
    before = selectors._generation()
    admin_client.post(reverse("admin:dashboard_report_delete", args=[newer.pk]), {"post": "yes"})
    older.refresh_from_db()
    assert older.is_current and selectors._generation() > before
    newest = f.report(county["jia"], 2021, **f.requests_figs(7, 10))
    Report.objects.filter(pk=older.pk).update(is_current=False)
    admin_client.post(reverse("admin:dashboard_report_changelist"),
                      {"action": "delete_selected", "_selected_action": [newest.pk], "post": "yes"})
    older.refresh_from_db()
    assert not Report.objects.filter(pk=newest.pk).exists() and older.is_current


def test_the_audit_log_cannot_be_edited_or_deleted_through_the_admin(admin_client, alice, seed_bytes):
    services.upload_create(name="seed.txt", data=seed_bytes, user=alice)
    entry = AuditLog.objects.get()
    assert admin_client.get(reverse("admin:dashboard_auditlog_changelist")).status_code == 200
    admin_client.post(reverse("admin:dashboard_auditlog_change", args=[entry.pk]), {"summary": "forged"})
    admin_client.post(reverse("admin:dashboard_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    entry.refresh_from_db()
    assert entry.summary != "forged"
    assert AuditLog.objects.filter(pk=entry.pk).exists()
