from __future__ import annotations

import io
import zipfile

import pytest

from dashboard.models import Organisation, Report
from ingest import services
from ingest.models import Upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_parses_the_seed_into_a_report_for_zhuanlu(seed_bytes):
    upload = services.upload_create(name="seed-report.txt", data=seed_bytes)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE, upload.message
    report = upload.report
    assert report.organisation.name == "砖路镇"
    assert report.organisation.kind == Organisation.Kind.ZHEN
    assert [a.name for a in report.organisation.ancestors()][-1] == "定州市"
    assert report.year == 2020
    assert (report.version_s2, report.version_s3) == ("2019", "2019")
    assert report.cells["s2.art20_5.licensing.decisions"]["v"] == 4
    others = {k: c["v"] for k, c in report.cells.items() if k != "s2.art20_5.licensing.decisions" and k != "s2.art20_5.licensing.items_change"}
    assert set(others.values()) == {0}
    assert len(report.cells) == 198
    assert report.checks and all(c["ok"] for c in report.checks)
    assert report.status == Report.Status.PARSED
    assert report.is_current
    assert report.licensing_decisions == 4 and report.req_new == 0


def test_it_keeps_the_original_bytes(seed_bytes):
    upload = services.upload_create(name="seed-report.txt", data=seed_bytes)
    with upload.file.open("rb") as fh:
        assert fh.read() == seed_bytes
    assert upload.sha256 and len(upload.sha256) == 64
    assert "seed-report" not in upload.file.name  # the stored name is generated


def test_an_identical_file_is_a_duplicate_and_not_parsed_twice(seed_bytes):
    first = services.upload_create(name="a.txt", data=seed_bytes)
    second = services.upload_create(name="b.txt", data=seed_bytes)
    second.refresh_from_db()
    assert second.status == Upload.Status.DUPLICATE
    assert second.duplicate_of_id == first.pk
    assert "内容完全相同" in second.message
    assert Report.objects.count() == 1


def test_a_new_upload_for_the_same_year_becomes_the_current_version(seed_bytes):
    first = services.upload_create(name="a.txt", data=seed_bytes)
    second = services.upload_create(name="b.txt", data=seed_bytes + "\n修订版。\n".encode())
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Upload.Status.DONE, second.message
    assert not first.report.is_current
    assert second.report.is_current
    assert Report.objects.filter(organisation=first.report.organisation, year=2020).count() == 2


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("empty.txt", b"", "empty"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "unsupported_format"),
        ("noise.pdf", bytes(range(256)) * 40, "unsupported_format"),
    ],
)
def test_unusable_files_are_kept_and_fail_with_a_chinese_message(name, data, code):
    upload = services.upload_create(name=name, data=data)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED
    assert upload.error_code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in upload.message)
    with upload.file.open("rb") as fh:
        assert fh.read() == data
    assert Report.objects.count() == 0


def test_a_text_that_is_not_a_report_fails_without_a_report():
    upload = services.upload_create(name="notes.txt", data="今天开会，讨论了绿化工作。\n".encode() * 20)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED
    assert upload.message
    assert Report.objects.count() == 0


def test_a_zip_expands_into_one_upload_per_file(seed_bytes):
    inner = _zip_bytes({"x.txt": b"hello"})  # made once: a zip records the time it was written
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("reports/seed.txt", seed_bytes)
        zf.writestr("../../etc/passwd.txt", b"root:x:0:0")
        zf.writestr("inner.zip", inner)
    upload = services.upload_create(name="batch.zip", data=buf.getvalue())
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    children = {c.original_name: c for c in upload.children.all()}
    assert set(children) == {"seed.txt", "passwd.txt", "inner.zip"}
    assert children["seed.txt"].status == Upload.Status.DONE
    assert children["inner.zip"].status == Upload.Status.FAILED
    assert children["passwd.txt"].status == Upload.Status.FAILED
    assert all(".." not in c.file.name for c in children.values())
    # the nested zip is refused, and kept like every other file
    assert children["inner.zip"].error_code == "nested_zip"
    with children["inner.zip"].file.open("rb") as fh:
        assert fh.read() == inner


def test_a_zip_delivered_again_after_it_was_expanded_is_not_expanded_twice(seed_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("seed.txt", seed_bytes)
        zf.writestr("notes.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    upload = services.upload_create(name="batch.zip", data=buf.getvalue())
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE and upload.children.count() == 2
    first_message = upload.message
    # its worker died after the children were created but before the zip was marked done
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, task_id="t9")
    services.upload_process(upload_id=upload.pk, task_id="t9")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE and upload.attempts == 2
    assert upload.children.count() == 2
    assert upload.message == first_message


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", b"0" * (40 * 1024 * 1024))
    upload = services.upload_create(name="bomb.zip", data=buf.getvalue())
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED
    assert upload.error_code == "zip_limits"
    assert upload.children.count() == 0


def test_a_redelivered_task_does_nothing_twice(seed_bytes, broker):
    upload = services.upload_create(name="seed.txt", data=seed_bytes)
    assert broker == [upload.pk]
    assert services.upload_process(upload_id=upload.pk, task_id="t1") is not None
    assert services.upload_process(upload_id=upload.pk, task_id="t2") is None
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert Report.objects.filter(upload=upload).count() == 1


def test_a_task_redelivered_after_its_worker_died_resumes(seed_bytes, broker):
    upload = services.upload_create(name="seed.txt", data=seed_bytes)
    # the first delivery claimed the row, then its worker was killed before storing anything
    assert [u.pk for u in services.uploads_claim(upload_ids=[upload.pk], task_id="t1")] == [upload.pk]
    services.upload_process(upload_id=upload.pk, task_id="t1")
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert upload.attempts == 2
    assert Report.objects.filter(upload=upload).count() == 1


def test_an_upload_made_while_the_broker_is_down_is_kept_and_swept_later(seed_bytes, monkeypatch):
    def broker_down(upload_id):
        raise ConnectionRefusedError("broker down")

    with monkeypatch.context() as m:
        m.setattr("ingest.tasks.process_upload.delay", broker_down)
        upload = services.upload_create(name="seed.txt", data=seed_bytes)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.PENDING and upload.enqueued is None
    Upload.objects.filter(pk=upload.pk).update(created=upload.created.replace(year=2020))
    assert services.uploads_sweep_stale() == 1  # eager again: the resent task runs now
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("attempts", "status", "error_code"), [(1, Upload.Status.DONE, ""), (3, Upload.Status.FAILED, "gave_up")])
def test_the_sweep_retries_an_upload_stuck_in_processing_until_it_gives_up(seed_bytes, broker, attempts, status, error_code):
    upload = services.upload_create(name="seed.txt", data=seed_bytes)
    # a worker claimed it long ago and vanished
    long_ago = upload.created.replace(year=2020)
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.PROCESSING, attempts=attempts, started=long_ago, enqueued=long_ago, task_id="lost"
    )
    broker.clear()
    services.uploads_sweep_stale()
    upload.refresh_from_db()
    if status == Upload.Status.DONE:
        assert broker == [upload.pk] and upload.status == Upload.Status.PENDING  # sent again
        services.upload_process(upload_id=upload.pk, task_id="again")
        upload.refresh_from_db()
    else:
        assert broker == []
        assert "已停止重试" in upload.message
    assert (upload.status, upload.error_code) == (status, error_code)

