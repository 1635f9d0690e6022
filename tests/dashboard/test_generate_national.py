"""The generate_national command: a consistent synthetic hierarchy with reports."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dashboard import figures
from dashboard.models import Organisation, Report

pytestmark = pytest.mark.django_db


def test_it_generates_a_hierarchy_with_one_report_per_unit_and_year():
    call_command(
        "generate_national",
        provinces=2,
        cities=2,
        counties=2,
        years="2020-2022",
        missing=0.0,
        stdout=io.StringIO(),
    )
    counties = Organisation.objects.filter(level=Organisation.Level.COUNTY)
    units = Organisation.objects.filter(
        level__in=[Organisation.Level.TOWNSHIP, Organisation.Level.DEPARTMENT]
    )
    assert counties.count() == 8 and units.count() == 8 * 14
    unit = units.first()
    assert (
        unit.county == unit.parent and unit.city == unit.parent.parent and unit.province == unit.city.parent
    )
    assert Report.objects.count() == (8 + 8 * 14) * 3
    assert set(Report.objects.filter(year=2020).values_list("version_s3", flat=True)) == {"2019"}
    assert set(Report.objects.filter(year=2021).values_list("version_s2", flat=True)) == {"2021"}


def test_headline_figures_balance_and_the_first_county_has_full_cells():
    call_command(
        "generate_national",
        provinces=1,
        cities=1,
        counties=2,
        years="2021-2021",
        missing=0.0,
        stdout=io.StringIO(),
    )
    for r in Report.objects.all():
        assert r.req_new + r.req_carried_over == r.req_handled + r.req_carried_forward
        assert (
            r.req_granted + r.req_partial + r.req_denied + r.req_unable + r.req_not_processed + r.req_other
            == r.req_handled
        )
        assert r.review_corrected + r.review_pending <= r.review_total
    first = Organisation.objects.filter(level=Organisation.Level.COUNTY).order_by("code").first()
    full = Report.objects.filter(organisation__county=first).first()
    assert len(full.cells) == 200  # every V2021 key
    computed = figures.compute(full.cells)
    assert computed["req_handled"] == full.req_handled and computed["req_denied"] == full.req_denied
    other = Report.objects.exclude(organisation__county=first).exclude(organisation=first).first()
    assert other.cells == {}


def test_it_refuses_to_generate_twice_without_wipe():
    call_command(
        "generate_national", provinces=1, cities=1, counties=1, years="2021-2021", stdout=io.StringIO()
    )
    with pytest.raises(CommandError):
        call_command(
            "generate_national", provinces=1, cities=1, counties=1, years="2021-2021", stdout=io.StringIO()
        )
