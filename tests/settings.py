"""Settings for the test suite: the project's settings with test-only overrides.

Unit tests run tasks eagerly on SQLite. Integration tests (``-m integration``)
set DATABASE_URL/REDIS_URL and run a real worker process instead.
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="ttd-test-"))

from dashboard.settings import *  # noqa: E402,F403

CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "true") == "true"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
