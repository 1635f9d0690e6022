"""Legacy .doc/.wps: LibreOffice conversion when it is installed, a clear refusal when it is not."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ingest.parsing.errors import ParseError
from ingest.parsing.extract import docx, extract, legacy
from ingest.parsing.model import Table

from ._factories import CORPUS

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_without_libreoffice_it_says_what_to_do(monkeypatch, tmp_path):
    """GIVEN a PATH without soffice/libreoffice WHEN a .doc arrives THEN converter_missing, in both languages."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert legacy.converter() is None
    with pytest.raises(ParseError) as e:
        extract(OLE2 + b"\x00" * 4000, "报告.doc")  # the registry sends OLE2 files here
    assert e.value.code == "converter_missing"
    assert e.value.message_zh == ("无法读取旧版 Word（.doc/.wps）文件：服务器未安装 LibreOffice。"
                                  "请另存为 .docx 后上传，或请管理员安装 LibreOffice。")
    assert "LibreOffice" in e.value.message_en and ".docx" in e.value.message_en


needs_soffice = pytest.mark.skipif(legacy.converter() is None, reason="LibreOffice (soffice) not installed")


@pytest.fixture(scope="module")
def doc_bytes(tmp_path_factory) -> bytes:
    """024.docx saved as Word 97 .doc by LibreOffice, the way an office re-saves a report."""
    tmp = tmp_path_factory.mktemp("doc")
    src = tmp / "024.docx"
    src.write_bytes((CORPUS / "024.docx").read_bytes())
    subprocess.run([legacy.converter(), f"-env:UserInstallation={(tmp / 'p').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp), str(src)],
                   check=True, capture_output=True, timeout=120)
    return (tmp / "024.doc").read_bytes()


@needs_soffice
def test_a_doc_is_converted_and_read_like_the_docx(doc_bytes):
    assert doc_bytes.startswith(OLE2)
    got = extract(doc_bytes, "024.doc")
    want = docx.extract((CORPUS / "024.docx").read_bytes(), "024.docx")
    assert got.source_format == "doc"

    def grids(d):
        return [[["".join(c.text.split()) for c in r] for r in b.rows] for b in d.blocks if isinstance(b, Table)]

    assert grids(got) == grids(want)
    assert got.meta_title == want.meta_title


@needs_soffice
def test_a_wps_named_file_is_converted_too(doc_bytes):
    got = legacy.extract(doc_bytes, "报告.wps")
    assert len([b for b in got.blocks if isinstance(b, Table)]) == 3


@needs_soffice
def test_garbage_with_an_ole2_header_is_corrupt():
    with pytest.raises(ParseError) as e:
        legacy.extract(OLE2 + b"\x00" * 512, "broken.doc")
    assert e.value.code == "corrupt"


def test_the_conversion_has_a_timeout(monkeypatch, tmp_path):
    """A converter that hangs is stopped and reported as a timeout, not waited for."""
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(legacy, "TIMEOUT_S", 1)
    if shutil.which("soffice") != str(fake):
        pytest.skip("cannot place a fake soffice on PATH")
    with pytest.raises(ParseError) as e:
        legacy.extract(OLE2 + b"\x00" * 512, "slow.doc")
    assert e.value.code == "timeout"


def test_the_conversion_gets_only_what_is_left_of_the_parse_budget(monkeypatch, tmp_path):
    """GIVEN a converter that hangs and a parse budget of 2 s
    THEN parse() gives up after about the budget, not after the converter's own 60 s."""
    import time

    from ingest.parsing import parse

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    if shutil.which("soffice") != str(fake):
        pytest.skip("cannot place a fake soffice on PATH")
    started = time.monotonic()
    with pytest.raises(ParseError) as e:
        parse(OLE2 + b"\x00" * 512, "slow.doc", time_budget=2)
    assert e.value.code == "timeout"
    assert time.monotonic() - started < 20  # far below TIMEOUT_S: the budget was passed down
