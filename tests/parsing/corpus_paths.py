"""Where the shared corpus lives for parser tests: beside the project, never copied into it."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed-report.txt"
