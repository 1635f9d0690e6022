"""People and places for review tests: a reviewer (group), a staff member, an ordinary user; a county."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from dashboard.models import Organisation
from tests.dashboard import factories as f


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user("rita", password="rita-password-1")
    user.groups.add(Group.objects.get_or_create(name="reviewer")[0])
    return user


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("sam", password="sam-password-1", is_staff=True)


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("olga", password="olga-password-1")


@pytest.fixture
def county(db):
    return f.hierarchy()["county"]


@pytest.fixture
def town(county):
    return f.org("甲镇", parent=county, kind=Organisation.Kind.ZHEN)
