"""Uploads over real HTTP, parsed by a real Celery worker process, stored in the real database."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command

from dashboard.models import Report
from ingest.models import Upload
from tests.paths import CORPUS, SEED

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_seed_uploaded_through_the_form_becomes_a_report(celery_worker, http):
    status_url = http.upload([("seed-report.txt", SEED.read_bytes())])
    data = http.wait_until_final(status_url)
    assert data["done"], data
    (item,) = data["uploads"]
    assert item["status"] == "done", item
    report = Report.objects.select_related("organisation").get(upload__public_id=item["id"])
    assert report.organisation.full_name.endswith("砖路镇")
    assert report.year == 2020
    assert report.version == "2019"
    licensing = report.cells["s2.art20_5.licensing.decisions"]
    assert (licensing["v"], licensing["st"]) == (4, "ok") and "4" in licensing["raw"]
    assert all(c["ok"] for c in report.checks)
    assert report.status == Report.Status.PARSED

    # the same file again is a duplicate of the first, not a second report
    again = http.wait_until_final(http.upload([("copy.txt", SEED.read_bytes())]))
    (dup,) = again["uploads"]
    assert dup["status"] == "duplicate"
    assert Report.objects.count() == 1
    assert Upload.objects.get(public_id=dup["id"]).duplicate_of.public_id.hex == item["id"].replace("-", "")


def test_many_files_at_once_each_reach_a_final_state(celery_worker, http):
    files = [
        ("seed.txt", SEED.read_bytes()),
        ("pingtan-2023.html", (CORPUS / "raw" / "024.html").read_bytes()),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 200),
        ("empty.txt", b""),
    ]
    data = http.wait_until_final(http.upload(files))
    states = {u["name"]: u["status"] for u in data["uploads"]}
    assert states == {"seed.txt": "done", "pingtan-2023.html": "done", "broken.docx": "failed", "empty.txt": "failed"}
    messages = {u["name"]: u["message"] for u in data["uploads"]}
    assert "空" in messages["empty.txt"]
    assert Report.objects.count() == 2


def test_import_reports_takes_a_zip_through_the_worker(celery_worker, tmp_path, capsys):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/seed.txt", SEED.read_bytes())
        zf.writestr("b/2024.html", (CORPUS / "raw" / "025.html").read_bytes())
    archive = tmp_path / "reports.zip"
    archive.write_bytes(buf.getvalue())
    call_command("import_reports", str(archive), "--timeout", "120")
    out = capsys.readouterr().out
    assert "0 failed" in out and "0 not finished" in out
    assert Report.objects.count() == 2
    assert set(Report.objects.values_list("year", flat=True)) == {2020, 2024}


def test_a_bulk_import_travels_in_batch_tasks_and_stores_every_report(celery_worker, tmp_path, capsys):
    from ingest.parsing import synthetic
    from ingest.parsing.render import render

    towns = ["定州市砖路镇", "定州市开元镇", "定州市东亭镇", "定州市李亲顾镇"]
    for i, town in enumerate(towns):
        for year in (2021, 2022, 2023):
            fmt = ("txt", "html")[(i + year) % 2]
            report = synthetic.generate_report(seed=i, year=year, agency=town)
            (tmp_path / f"{i}-{year}.{fmt}").write_bytes(render(report, fmt))
    call_command("import_reports", str(tmp_path), "--timeout", "180")
    out = capsys.readouterr().out
    assert "done: 12 file(s), 0 failed, 0 not finished" in out, out
    assert Report.objects.filter(organisation__isnull=False).count() == 12
    # several uploads were claimed by one task: the batch path ran in the worker
    per_task = Upload.objects.values_list("task_id", flat=True)
    assert max(list(per_task).count(t) for t in set(per_task)) >= 2
    # the cross-year checks (stored when they fail; the synthetic years are not chained, so they
    # do) saw last year's report wherever there is one, and only there
    with_cross_year = Report.objects.filter(check_results__check_id__startswith="Y").distinct()
    assert sorted(with_cross_year.values_list("year", flat=True)) == [2022] * 4 + [2023] * 4


def test_import_reports_exits_non_zero_when_a_file_fails(celery_worker, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("这不是年度报告。\n".encode())
    with pytest.raises(SystemExit) as exc:
        call_command("import_reports", str(bad), "--timeout", "60")
    assert exc.value.code == 1
