"""Fixtures for tests on a real stack: a Celery worker process against the test database (PostgreSQL + Redis, or the embedded defaults), and an HTTP client that uses the real forms."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.paths import REPO


def _database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("postgresql"):
        user = settings_dict.get("USER") or "postgres"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or "5432"
        return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"
    return f"sqlite:///{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker) -> dict:
    from django.conf import settings
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TEST_STACK"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DEBUG="true",
        DATA_DIR=str(settings.DATA_DIR),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DATABASE_URL=_database_url(connection.settings_dict),
        REDIS_URL=settings.REDIS_URL or "",
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no leftover messages from earlier runs
    return env


def start_worker(env: dict, log_path: Path, *, concurrency: int = 2, name: str | None = None) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "dashboard", "worker",
            "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", name or f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        if b" ready." in log_path.read_bytes():
            return proc
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"worker did not become ready:\n{log_path.read_text(errors='replace')[-3000:]}")


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def celery_worker(worker_env, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    proc = start_worker(worker_env, log_path)
    yield proc
    stop_worker(proc)


class Browserless:
    """An HTTP client that logs in and uploads through the real forms, CSRF and all."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()

    def login(self, username: str, password: str) -> None:
        self.session.get(f"{self.base}/accounts/login/", timeout=10)
        r = self.session.post(
            f"{self.base}/accounts/login/",
            data={"username": username, "password": password,
                  "csrfmiddlewaretoken": self.session.cookies["csrftoken"]},
            headers={"Referer": f"{self.base}/accounts/login/"},
            timeout=10,
        )
        assert r.ok and "/accounts/login/" not in r.url, "login failed"

    def upload(self, files: list[tuple[str, bytes]]) -> str:
        """Post files through the upload form; returns the batch status URL."""
        self.session.get(f"{self.base}/ingest/upload/", timeout=10)
        r = self.session.post(
            f"{self.base}/ingest/upload/",
            data={"csrfmiddlewaretoken": self.session.cookies["csrftoken"]},
            files=[("files", (name, data)) for name, data in files],
            headers={"Referer": f"{self.base}/ingest/upload/"},
            timeout=60,
        )
        assert r.ok, r.text[:500]
        assert "/ingest/batches/" in r.url, r.url
        return r.url.rstrip("/") + "/status.json"

    def wait_until_final(self, status_url: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            data = self.session.get(status_url, timeout=10).json()
            if data["done"] or time.monotonic() > deadline:
                return data
            time.sleep(0.3)


@pytest.fixture
def http(live_server, django_user_model) -> Browserless:
    from dashboard.models import Membership

    user = django_user_model.objects.create_user("uploader", password="uploader-password-1")
    Membership.objects.create(user=user, role=Membership.Role.UPLOADER)
    client = Browserless(live_server.url)
    client.login("uploader", "uploader-password-1")
    return client
