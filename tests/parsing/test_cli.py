"""python -m ingest.parsing: JSON for one file, a list for several, --summary, errors as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.parsing.corpus_paths import CORPUS, SEED

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest.parsing", *args], cwd=REPO, capture_output=True,
                          timeout=120)


def test_one_file_prints_one_object_with_the_schema_keys() -> None:
    p = _run(str(SEED))
    assert p.returncode == 0
    out = json.loads(p.stdout.decode("utf-8"))
    assert {"schema", "doc", "format", "headings", "text", "cells", "derived", "checks", "warnings",
            "stated_counts"} <= set(out)
    assert out["doc"]["agency"] == "定州市砖路镇"
    assert out["format"]["s2"] == "2019"
    assert len(out["cells"]) == 198
    assert out["cells"]["s2.art20_5.licensing.items_change"] == {"v": 4, "raw": " 4", "st": "ok"}
    assert out["cells"]["s2.art20_9.central_procurement.amount"]["unit"] is None


def test_several_files_print_a_list_and_output_is_stable() -> None:
    other = CORPUS / "raw" / "030.txt"
    p1, p2 = _run(str(SEED), str(other)), _run(str(SEED), str(other))
    out = json.loads(p1.stdout.decode("utf-8"))
    assert isinstance(out, list) and len(out) == 2
    assert p1.stdout == p2.stdout


def test_errors_are_json_with_a_non_zero_exit(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    p = _run(str(empty))
    assert p.returncode != 0
    out = json.loads(p.stdout.decode("utf-8"))
    assert out["error"]["code"] == "empty"
    assert b"Traceback" not in p.stderr
    p = _run(str(tmp_path / "does-not-exist.html"))
    assert p.returncode != 0 and json.loads(p.stdout)["error"]["code"] == "unreadable"


def test_summary_is_short_and_human() -> None:
    p = _run("--summary", str(SEED))
    text = p.stdout.decode("utf-8")
    assert p.returncode == 0
    assert "定州市砖路镇 2020" in text and "s2=2019" in text
    assert len(text.splitlines()) < 12
