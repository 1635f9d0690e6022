"""Shared fixtures: the corpus location and the people who use the app."""

from __future__ import annotations

import pytest

from tests.paths import SEED


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture
def alice(django_user_model):
    """An uploader."""
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    """Another uploader, who must not see alice's uploads."""
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # On the real stacks the worker process reads the files: keep the shared DATA_DIR/media.
    if settings.TEST_STACK == "unit":
        settings.MEDIA_ROOT = tmp_path / "media"


def pytest_collection_modifyitems(config, items):
    """Integration and browser tests need a real stack; on the unit stack they are skipped, saying why."""
    from django.conf import settings

    stack = getattr(settings, "TEST_STACK", "unit")
    for item in items:
        if stack == "unit" and ("integration" in item.keywords or "browser" in item.keywords):
            item.add_marker(pytest.mark.skip(reason="needs TEST_STACK=postgres or embedded (see scripts/test)"))
        if stack == "embedded" and "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="browser tests run on the postgres stack"))
