"""Shared fixtures: the corpus location and the people who use the app."""

from __future__ import annotations

import pytest

from tests.paths import SEED


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


def make_user(django_user_model, username: str, role: str | None, scope=None):
    """A user with a role (viewer/uploader/reviewer/admin) and an optional scope organisation."""
    from dashboard.models import Membership

    user = django_user_model.objects.create_user(username, password=f"{username}-password-1")
    if role:
        Membership.objects.create(user=user, role=role, scope=scope)
    return user


@pytest.fixture
def alice(django_user_model):
    """An uploader, nationwide."""
    return make_user(django_user_model, "alice", "uploader")


@pytest.fixture
def bob(django_user_model):
    """Another uploader, who must not see alice's uploads."""
    return make_user(django_user_model, "bob", "uploader")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # On the real stacks the worker process reads the files: keep the shared DATA_DIR/media.
    if settings.TEST_STACK in ("unit", "pgunit"):
        settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(config, items):
    """Integration and browser tests need a real stack; on the unit stack they are skipped, saying why."""
    from django.conf import settings

    stack = getattr(settings, "TEST_STACK", "unit")
    for item in items:
        if stack in ("unit", "pgunit") and ("integration" in item.keywords or "browser" in item.keywords):
            item.add_marker(pytest.mark.skip(reason="needs TEST_STACK=postgres or embedded (see scripts/test)"))
        if stack == "embedded" and "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="browser tests run on the postgres stack"))
