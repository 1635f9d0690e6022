"""Reading the dashboard by role and scope: anonymous, no role, in scope, out of scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

import tests.dashboard.factories as f
from dashboard.models import Organisation
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGES = ["dashboard-ranking", "dashboard-trend", "dashboard-overview"]


@pytest.fixture
def other_county(county):
    """A second county in the same city, with one town and a report."""
    k = f.org("邻县", level=Organisation.Level.COUNTY, kind=Organisation.Kind.COUNTY, parent=county["city"], code="990102")
    town = f.org("邻镇", parent=k)
    f.report(town, 2021, **f.requests_figs(1, 2))
    return {"county": k, "town": town}


@pytest.fixture
def viewer_here(django_user_model, county):
    return make_user(django_user_model, "viewer_here", "viewer", county["county"])


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_a_role_is_refused(client, settings, django_user_model, county, name):
    settings.DASHBOARD_PUBLIC = False
    client.force_login(make_user(django_user_model, "norole", None))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_a_scoped_viewer_starts_at_their_own_county(client, settings, county, other_county, viewer_here, name):
    settings.DASHBOARD_PUBLIC = False
    client.force_login(viewer_here)
    page = client.get(reverse(name)).content.decode()
    assert "甲镇" in page or name == "dashboard-overview"
    assert "邻镇" not in page
    # the scope menu offers no way out of the county
    assert f'value="{other_county["county"].public_id}"' not in page
    assert '<option value="">全国</option>' not in page


@pytest.mark.parametrize("name", PAGES)
def test_asking_for_a_peer_group_outside_the_scope_is_refused_not_replaced(
    client, settings, county, other_county, viewer_here, name
):
    settings.DASHBOARD_PUBLIC = False
    client.force_login(viewer_here)
    url = reverse(name) + f"?scope={other_county['county'].public_id}"
    assert client.get(url).status_code == 404
    assert client.get(url + "&export=csv").status_code == 404
    wider = reverse(name) + f"?scope={county['city'].public_id}"
    assert client.get(wider).status_code == 404


def test_a_unit_page_outside_the_scope_is_not_found(client, settings, county, other_county, viewer_here):
    settings.DASHBOARD_PUBLIC = False
    client.force_login(viewer_here)
    assert client.get(reverse("dashboard-organisation", args=[county["jia"].public_id])).status_code == 200
    outside = reverse("dashboard-organisation", args=[other_county["town"].public_id])
    assert client.get(outside).status_code == 404
    assert client.get(outside + "?export=csv").status_code == 404


def test_a_city_viewer_sees_every_county_of_the_city(client, settings, django_user_model, county, other_county):
    settings.DASHBOARD_PUBLIC = False
    client.force_login(make_user(django_user_model, "city", "viewer", county["city"]))
    page = client.get(reverse("dashboard-ranking") + "?year=2021").content.decode()
    assert "甲镇" in page and "邻镇" in page
    assert client.get(reverse("dashboard-organisation", args=[other_county["town"].public_id])).status_code == 200


def test_the_public_dashboard_shows_everything_to_everyone(client, settings, county, other_county):
    settings.DASHBOARD_PUBLIC = True
    page = client.get(reverse("dashboard-ranking") + "?year=2021").content.decode()
    assert "甲镇" in page and "邻镇" in page


def test_upgrading_turns_staff_and_reviewer_group_members_into_reviewer_roles(django_user_model):
    """GIVEN users the review pages admitted by is_staff or the "reviewer" group WHEN migration 0007 runs
    THEN each has a reviewer role (an existing role's scope kept); others are left as they are."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from dashboard.models import Membership

    migration = importlib.import_module("dashboard.migrations.0007_reviewers_as_roles")
    county = Organisation.objects.create(name="某县", full_name="某县", level="county", kind="县")
    django_user_model.objects.create_user("stan", is_staff=True)
    grouped = make_user(django_user_model, "gina", "uploader", county)
    grouped.groups.add(Group.objects.create(name="reviewer"))
    admin = make_user(django_user_model, "ada", "admin", county)
    admin.groups.add(Group.objects.get(name="reviewer"))
    make_user(django_user_model, "paul", "viewer")
    nobody = django_user_model.objects.create_user("nina")

    migration.reviewers_as_roles(apps, None)

    roles = {m.user.username: (m.role, m.scope) for m in Membership.objects.select_related("user", "scope")}
    assert roles == {"stan": ("reviewer", None), "gina": ("reviewer", county), "ada": ("admin", county),
                     "paul": ("viewer", None)}
    assert not Membership.objects.filter(user=nobody).exists()
