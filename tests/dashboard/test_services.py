from __future__ import annotations

import pytest

from dashboard.models import Organisation, Report
from dashboard.services import organisation_merge
from ingest import services as ingest_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_merging_a_duplicate_moves_its_reports_and_keeps_its_name(seed_bytes):
    upload = ingest_services.upload_create(name="seed.txt", data=seed_bytes)
    real = upload.report.organisation
    county = Organisation.objects.create(name="某县", full_name="某县", level="county", kind="县")
    duplicate = Organisation.objects.create(name="砖路", full_name="砖路乡", level="township", kind="乡", parent=county)
    other = ingest_services.upload_create(name="seed2.txt", data=seed_bytes.replace(b"2020", b"2019"))
    Report.objects.filter(upload=other).update(organisation=duplicate)

    moved = organisation_merge(source=duplicate, target=real)

    assert moved == 1
    duplicate.refresh_from_db()
    real.refresh_from_db()
    assert duplicate.merged_into == real
    assert real.alias_rows.filter(name="砖路乡").exists()
    assert set(Report.objects.filter(organisation=real).values_list("year", flat=True)) == {2019, 2020}
    assert Report.objects.filter(organisation=real, is_current=True).count() == 2


def test_merging_tells_the_ranking_caches():
    from dashboard import selectors

    county = Organisation.objects.create(name="某县", full_name="某县", level="county", kind="县")
    real = Organisation.objects.create(name="甲镇", full_name="甲镇", level="township", kind="镇", parent=county)
    duplicate = Organisation.objects.create(name="甲", full_name="甲", level="township", kind="镇", parent=county)
    before = selectors._generation()
    organisation_merge(source=duplicate, target=real)  # commits: this module's tests are transactional
    assert selectors._generation() > before


def test_an_organisation_cannot_be_merged_into_itself():
    org = Organisation.objects.create(name="甲镇", full_name="甲镇", level="township", kind="镇")
    with pytest.raises(ValueError):
        organisation_merge(source=org, target=org)
