"""Report text is untrusted: an uploaded page can never run script in the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.demo import demo_organisations
from dashboard.models import Report
from ingest import services
from ingest.parsing import synthetic
from ingest.parsing.render import render

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_report():
    demo_organisations()
    report = synthetic.generate_report(seed=9, year=2023, agency="示例县东河镇")
    html = render(report, "html").decode("utf-8")
    # a real script block in the page, and the same markup as *text* in §一 (escaped in the source)
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = html.replace("一、总体情况</h2>", f"一、总体情况</h2><script>alert('page')</script><p>{escaped}</p>", 1)
    assert escaped in html
    upload = services.upload_create(name="hostile.html", data=html.encode("utf-8"))
    return Report.objects.get(upload=upload)


def test_the_report_text_keeps_the_markup_as_text(hostile_report):
    assert PAYLOAD in hostile_report.text_overview
    assert "alert('page')" not in hostile_report.text_overview


def test_the_unit_and_review_pages_show_it_escaped(client, django_user_model, hostile_report):
    admin = django_user_model.objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    for url in (
        reverse("dashboard-organisation", args=[hostile_report.organisation.public_id]),
        reverse("review-report", args=[hostile_report.public_id]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "<img src=x onerror" not in page
    # the review page shows §一 as text: the markup is there, escaped
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_sandboxed_original_is_served_as_plain_text(client, django_user_model, hostile_report):
    admin = django_user_model.objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    response = client.get(reverse("review-original", args=[hostile_report.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "sandbox" in response["Content-Security-Policy"]
