"""Legacy Word (.doc) and WPS (.wps) files: convert to DOCX with LibreOffice, then read as DOCX.

The binary formats are not worth a parser of our own; LibreOffice reads them well.
Conversion runs in a throw-away directory with its own LibreOffice profile, so
parallel workers do not fight over the user profile lock, and under a timeout,
so a pathological file cannot hold a worker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import ParseError
from ..model import Document
from . import docx

TIMEOUT_S = 60

MISSING = ParseError(
    "converter_missing",
    "无法读取旧版 Word（.doc/.wps）文件：服务器未安装 LibreOffice。请另存为 .docx 后上传，或请管理员安装 LibreOffice。",
    "Cannot read a legacy Word (.doc/.wps) file: LibreOffice is not installed on the server. Save it as .docx "
    "and upload that, or ask the administrator to install LibreOffice.",
)


def converter() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract(data: bytes, filename: str, deadline: float | None = None) -> Document:
    exe = converter()
    # The conversion gets what is left of the parse's time budget, never more than TIMEOUT_S.
    limit = TIMEOUT_S if deadline is None else max(1.0, min(TIMEOUT_S, deadline - time.monotonic()))
    if exe is None:
        raise MISSING
    suffix = Path(filename).suffix.lower() if Path(filename).suffix.lower() in (".doc", ".wps") else ".doc"
    with tempfile.TemporaryDirectory(prefix="ogi-legacy-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        # Own session, so a timeout can kill LibreOffice's whole process group (oosplash + soffice.bin).
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "HOME": tmp}, start_new_session=True)
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired as e:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise ParseError(
                "timeout",
                f"旧版 Word 文件转换超时（超过 {limit:.0f} 秒）。请另存为 .docx 后上传。",
                f"Converting the legacy Word file timed out (over {limit:.0f} s). Save it as .docx and upload that.",
            ) from e
        out = Path(tmp) / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise ParseError(
                "corrupt",
                "旧版 Word 文件已损坏或无法转换。请用 Word/WPS 打开后另存为 .docx 再上传。",
                "The legacy Word file is damaged or could not be converted. Open it in Word/WPS, save it as .docx "
                "and upload that.",
            )
        doc = docx.extract(out.read_bytes(), out.name)
    return Document(blocks=doc.blocks, source_format="doc", meta_title=doc.meta_title, meta_date=doc.meta_date)
