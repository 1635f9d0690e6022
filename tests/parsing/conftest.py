"""Fixtures for parser tests."""

from __future__ import annotations

import pytest

from tests.parsing.corpus_paths import SEED


@pytest.fixture(scope="session")
def seed_report():
    from ingest.parsing import parse

    return parse(SEED.read_bytes(), "seed-report.txt")
