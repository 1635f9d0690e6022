"""Settings for the test suite: the project's settings with test-only overrides.

TEST_STACK chooses what the tests run against:
- "unit" (default): SQLite in memory, Celery tasks run eagerly in the test process.
- "postgres": PostgreSQL + Redis, and a real Celery worker process (integration and browser tests).
- "embedded": the zero-install defaults (SQLite file + filesystem broker) with a real worker process.
- "pgunit": the unit tests' eager tasks, but on PostgreSQL (what production runs), no worker.
"""

import os
import tempfile

TEST_STACK = os.environ.get("TEST_STACK", "unit")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix=f"ttd-test-{TEST_STACK}-"))
if TEST_STACK in ("postgres", "pgunit"):
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ttd")
if TEST_STACK == "postgres":
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from dashboard.settings import *  # noqa: E402,F403

CELERY_TASK_ALWAYS_EAGER = TEST_STACK in ("unit", "pgunit")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if TEST_STACK == "embedded":
    # The worker is another process: the test database must be a file it can open.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405
