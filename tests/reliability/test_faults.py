"""Faults on real processes: Redis stopped, a worker killed mid-parse, two workers racing for one
upload, PostgreSQL restarted under load. TEST_STACK=postgres only (``integration``).

Each test runs its own app (gunicorn, 2 workers) and Celery workers on a Redis database of its
own, so a worker left over from another test file cannot take the tasks. Whatever happens,
Redis and PostgreSQL are running again when a test ends (``finally``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
from django.db import connections

from dashboard.models import Report
from ingest.models import Upload
from tests.paths import REPO
from tests.reliability.hostile import big_pdf_report, report_variant
from tests.stack import Browserless

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("TEST_STACK") != "postgres", reason="stops and starts Redis and PostgreSQL"),
]

FAULT_REDIS_DB = 13  # not the suite's 15: no other worker listens here
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
PG_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else ""
PG_CTL = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main"]


# --------------------------------------------------------------------------- helpers


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 0.2):
    """Poll ``check`` until it returns something truthy; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def redis_up() -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def ensure_redis() -> None:
    if not redis_up():
        Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
        Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
        subprocess.run(REDIS_START, check=True, timeout=20)
        wait_for("Redis to answer", redis_up, 20)


def pg_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], timeout=10).returncode == 0


def ensure_postgres() -> None:
    if not pg_up():
        subprocess.run([*PG_CTL, "start"], timeout=60)
        wait_for("PostgreSQL to accept connections", pg_up, 60, every=0.5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(
    args: list[str], env: dict, log_path: Path, ready: Callable[[], bool], what: str
) -> subprocess.Popen:
    # A session of its own, so a SIGKILL reaches the worker and its pool children, and only them.
    proc = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, start_new_session=True
    )

    def check():
        if proc.poll() is not None:
            pytest.fail(f"{what} exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        return ready()

    try:
        wait_for(f"{what} to start", check, 60)
    except BaseException:
        _stop(proc, signal.SIGKILL)  # never leave it running behind a failed test
        raise
    return proc


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Stack:
    """The app (gunicorn, 2 workers) and Celery workers, all started by this test and stopped by it."""

    def __init__(self, base_env: dict, tmp_path: Path):
        self.env = {**base_env, "REDIS_URL": f"redis://127.0.0.1:6379/{FAULT_REDIS_DB}"}
        self.tmp = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.url = ""

    def worker(self, name: str, *, concurrency: int = 1, **extra_env: str) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard",
            "worker",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ]
        proc = _spawn(
            args, {**self.env, **extra_env}, log, lambda: b" ready." in log.read_bytes(), f"worker {name}"
        )
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def web(self) -> str:
        port = _free_port()
        log = self.tmp / "gunicorn.log"
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "dashboard.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ]

        def ready() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).status_code == 200
            except (requests.ConnectionError, requests.Timeout):  # still importing the app
                return False

        self.procs.append(_spawn(args, self.env, log, ready, "gunicorn"))
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def client(self, django_user_model) -> Browserless:
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        # The app runs the project settings, which do not accept the test suite's MD5 hashes.
        hasher = PBKDF2PasswordHasher()
        from dashboard.models import Membership

        user = django_user_model.objects.create(
            username="faults", password=hasher.encode("faults-password-1", hasher.salt()), is_active=True
        )
        Membership.objects.create(user=user, role=Membership.Role.UPLOADER)
        client = Browserless(self.url)
        client.login("faults", "faults-password-1")
        return client

    def celery(self):
        from celery import Celery

        return Celery("faults", broker=self.env["REDIS_URL"])

    def stop(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc)


@pytest.fixture
def stack(worker_env, tmp_path) -> Iterator[Stack]:
    redis.Redis(host="127.0.0.1", port=6379, db=FAULT_REDIS_DB).flushdb()
    s = Stack(worker_env, tmp_path)
    try:
        yield s
    finally:
        s.stop()
        ensure_redis()
        ensure_postgres()


@contextmanager
def redis_stopped() -> Iterator[None]:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], timeout=20, capture_output=True)
    try:
        wait_for("Redis to stop", lambda: not redis_up(), 20)
        yield
    finally:
        ensure_redis()


def upload_rows(batch_url: str) -> list[Upload]:
    batch = batch_url.rstrip("/").removesuffix("/status.json").rsplit("/", 1)[-1]
    return list(Upload.objects.filter(batch=batch).order_by("created", "id"))


def final(uploads: list[Upload]) -> bool:
    return all(Upload.objects.get(pk=u.pk).is_final for u in uploads)


# --------------------------------------------------------------------------- the faults


def test_uploads_made_while_redis_is_down_are_kept_and_processed_when_it_returns(stack, django_user_model):
    """GIVEN the app and a worker, and Redis stopped
    WHEN three reports are uploaded
    THEN each upload is answered (302 then the batch page) and kept as a pending row,
    AND once Redis is back the sweep task re-sends them and the worker stores three reports."""
    stack.web()
    stack.worker("sweeper", INGEST_STALE_PENDING_SECONDS="5")
    http = stack.client(django_user_model)
    files = [report_variant(n) for n in (301, 302, 303)]
    with redis_stopped():
        started = time.monotonic()
        status_urls = [http.upload([f]) for f in files]  # asserts 2xx after the redirect
        assert time.monotonic() - started < 30, "uploads hung while Redis was down"
        rows = [row for url in status_urls for row in upload_rows(url)]
        assert [r.status for r in rows] == ["pending"] * 3
        assert all(r.enqueued is None for r in rows), "a message was recorded as sent to a stopped broker"
        assert Report.objects.count() == 0

    # Redis is back, empty (it keeps nothing on disk): only the sweep can bring the uploads back.
    app = stack.celery()

    def swept_and_done() -> bool:
        if final(rows):
            return True
        app.send_task("ingest.tasks.sweep_stale_uploads")
        return False

    wait_for("the swept uploads to be processed", swept_and_done, 50, every=2)
    for row in rows:
        row.refresh_from_db()
        assert row.status == Upload.Status.DONE, row.message
        assert Report.objects.filter(upload=row).count() == 1


def test_a_worker_killed_mid_parse_is_redelivered_and_the_report_stored_once(stack, django_user_model):
    """GIVEN a worker whose broker redelivers unacknowledged tasks after 10 s
    WHEN it is killed with SIGKILL while parsing a big report (250 pages)
    THEN a worker started afterwards receives the same task again, resumes the upload,
    and exactly one report is stored."""
    stack.web()
    fast = {"CELERY_VISIBILITY_TIMEOUT": "10"}
    victim = stack.worker("victim", **fast)
    http = stack.client(django_user_model)
    status_url = http.upload([("big-report.pdf", big_pdf_report(401, pages=250))])
    (row,) = upload_rows(status_url)

    def claimed():
        row.refresh_from_db()
        return row.status == Upload.Status.PROCESSING

    wait_for("the victim to claim the upload", claimed, 20, every=0.05)
    task_id = row.task_id
    assert task_id
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    row.refresh_from_db()
    assert row.status == Upload.Status.PROCESSING, "the parse finished before the kill: make the file bigger"
    assert not Report.objects.filter(upload=row).exists()

    # The message is still unacknowledged in Redis; a worker restores it once it is older than the
    # visibility timeout (kombu scans at start-up, then only every ~100 s).
    unacked = redis.Redis(host="127.0.0.1", port=6379, db=FAULT_REDIS_DB)

    def older_than_visibility():
        scores = unacked.zrange("unacked_index", 0, -1, withscores=True)
        return scores and all(time.time() - score > 10.5 for _, score in scores)

    wait_for("the unacknowledged message to pass the visibility timeout", older_than_visibility, 20)
    rescuer = stack.worker("rescuer", **fast)
    wait_for("the redelivered task to finish", lambda: final([row]), 45)
    row.refresh_from_db()
    assert row.status == Upload.Status.DONE, row.message
    assert row.task_id == task_id, "not the same task: redelivery, not a new message"
    assert row.attempts == 2
    assert Report.objects.filter(upload=row).count() == 1
    assert task_id in rescuer.log.read_text(errors="replace")


def test_two_workers_racing_for_the_same_upload_store_one_report(stack, monkeypatch):
    """GIVEN one pending upload and two workers with two processes each
    WHEN four task messages for it arrive at once (two of them the same task id, as after a
    redelivery; two of them new)
    THEN one delivery stores the report, the others do nothing, and nothing fails."""
    from ingest import services

    a = stack.worker("racer-a", concurrency=2)
    b = stack.worker("racer-b", concurrency=2)
    monkeypatch.setattr(services, "uploads_enqueue", lambda *, uploads, one_per_task=False: None)  # the test sends them
    upload = services.upload_create(name="race.pdf", data=big_pdf_report(402, pages=60))
    assert upload.status == Upload.Status.PENDING
    app = stack.celery()
    for task_id in ("race-same", "race-same", "race-other-1", "race-other-2"):
        app.send_task("ingest.tasks.process_upload", args=[upload.pk], task_id=task_id)

    def all_four_ran() -> bool:
        logs = a.log.read_text(errors="replace") + b.log.read_text(errors="replace")
        return logs.count("succeeded in") + logs.count("raised") >= 4

    wait_for("all four deliveries to run", all_four_ran, 45)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE, upload.message
    assert Report.objects.filter(upload=upload).count() == 1
    assert Report.objects.count() == 1
    logs = a.log.read_text(errors="replace") + b.log.read_text(errors="replace")
    assert " raised " not in logs and "Traceback" not in logs, logs[-3000:]
    assert upload.task_id == "race-same" or upload.task_id.startswith("race-other")


def test_postgresql_restarted_under_load_fails_cleanly_and_recovers_without_restarting_the_app(
    stack, django_user_model
):
    """GIVEN the app and a worker, with three big uploads being parsed
    WHEN PostgreSQL is stopped
    THEN pages and uploads fail fast with HTTP 5xx (no hang),
    AND once it is started again the same app processes answer 200 without a restart,
    AND the uploads that were in flight end in a final state."""
    stack.web()
    worker = stack.worker("pg", concurrency=2)
    http = stack.client(django_user_model)
    status_url = http.upload([(f"big-{n}.pdf", big_pdf_report(n, pages=120)) for n in (501, 502, 503)])
    in_flight = upload_rows(status_url)
    wait_for("a parse to start", lambda: Upload.objects.filter(status="processing").exists(), 20, every=0.05)
    connections.close_all()  # this process's own connection is about to break

    pages = ["/", "/ingest/upload/", status_url]
    try:
        subprocess.run([*PG_CTL, "stop"], check=True, timeout=60)
        assert not pg_up()
        for url in pages:
            started = time.monotonic()
            r = http.session.get(url if url.startswith("http") else stack.url + url, timeout=15)
            assert r.status_code >= 500, (url, r.status_code)
            assert time.monotonic() - started < 10, f"{url} took too long to fail"
        started = time.monotonic()
        r = http.session.post(
            f"{stack.url}/ingest/upload/",
            files=[("files", report_variant(504))],
            data={"csrfmiddlewaretoken": http.session.cookies["csrftoken"]},
            headers={"Referer": f"{stack.url}/ingest/upload/"},
            timeout=15,
        )
        assert r.status_code >= 500 and time.monotonic() - started < 10
    finally:
        ensure_postgres()
    connections.close_all()

    # The same gunicorn processes answer again: CONN_HEALTH_CHECKS drops the dead connections.
    for url in pages:
        r = http.session.get(url if url.startswith("http") else stack.url + url, timeout=15)
        assert r.status_code == 200, (url, r.status_code)
    after = http.wait_until_final(http.upload([report_variant(505)]), timeout=40)
    assert after["uploads"][0]["status"] == "done", after

    wait_for("the in-flight uploads to end", lambda: final(in_flight), 45, every=0.5)
    for row in in_flight:
        row.refresh_from_db()
        assert row.is_final, row.status
        assert (row.status == Upload.Status.DONE) == Report.objects.filter(upload=row).exists()
    assert sum(r.status == Upload.Status.DONE for r in in_flight) == 3, [
        (r.status, r.message) for r in in_flight
    ]
    # The parses that were running held connections opened before the restart: their first query
    # afterwards failed, and the task was retried (autoretry_for OperationalError), not lost.
    log = worker.log.read_text(errors="replace")
    assert "retry: Retry in" in log and "OperationalError" in log, log[-3000:]
