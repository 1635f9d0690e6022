"""Debian's chromium driven by Playwright against the live test server and a real worker."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run scripts/setup --test")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def logged_in_page(page, live_server, django_user_model):
    django_user_model.objects.create_user("official", password="official-password-1", is_superuser=True, is_staff=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "official")
    page.fill("#id_password", "official-password-1")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


from tests.stack import celery_worker, worker_env  # noqa: E402,F401  fixtures
