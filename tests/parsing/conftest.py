"""Fixtures for parser tests."""

from __future__ import annotations

import pytest

from tests.parsing.corpus_paths import SEED


@pytest.fixture(autouse=True)
def pdf_loops_checked(monkeypatch):
    """Every PDF a parser test reads runs the extractor's C loops and their Python alike and requires
    the same results (tests/parsing/pdfgeom_check.py). Yields the checker (None without the C module)."""
    from ingest.parsing.extract import pdf

    from .pdfgeom_check import Checked

    if pdf._c is None or isinstance(pdf._c, Checked):
        yield None
        return
    checked = Checked(pdf._c)
    monkeypatch.setattr(pdf, "_c", checked)
    yield checked


@pytest.fixture(scope="session")
def seed_report():
    from ingest.parsing import parse

    return parse(SEED.read_bytes(), "seed-report.txt")
