from __future__ import annotations

import pytest


@pytest.fixture
def broker(monkeypatch) -> list[int]:
    """The broker boundary: the upload ids that would be sent (one per task or in batches), not run."""
    sent: list[int] = []
    monkeypatch.setattr("ingest.tasks.process_upload.delay", lambda upload_id: sent.append(upload_id))
    monkeypatch.setattr("ingest.tasks.process_uploads.delay", lambda ids: sent.extend(ids))
    return sent
