"""People and places for review tests: a reviewer, an administrator, a user with no role; a county."""

from __future__ import annotations

import pytest

from dashboard.models import Organisation
from tests.conftest import make_user
from tests.dashboard import factories as f


@pytest.fixture
def reviewer(django_user_model):
    """A reviewer role, nationwide."""
    return make_user(django_user_model, "rita", "reviewer")


@pytest.fixture
def staff(django_user_model):
    """An administrator role, nationwide (re-parse and recheck everything)."""
    return make_user(django_user_model, "sam", "admin")


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("olga", password="olga-password-1")


@pytest.fixture
def county(db):
    return f.hierarchy()["county"]


@pytest.fixture
def town(county):
    return f.org("甲镇", parent=county, kind=Organisation.Kind.ZHEN)
