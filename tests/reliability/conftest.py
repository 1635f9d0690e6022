from tests.stack import celery_worker, http, worker_env  # noqa: F401  fixtures
