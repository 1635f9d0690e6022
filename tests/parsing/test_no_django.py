"""The parser is plain Python: importing it, and parsing a report, loads no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.parsing.corpus_paths import SEED

REPO = Path(__file__).resolve().parents[2]


def test_importing_and_parsing_does_not_import_django() -> None:
    code = (
        "import sys, pathlib\n"
        "import ingest.parsing as p\n"
        f"r = p.parse(pathlib.Path({str(SEED)!r}).read_bytes(), 'seed.txt')\n"
        "assert r.report_year == 2020\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO' if bad else 'CLEAN', bad[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("CLEAN"), out.stdout
