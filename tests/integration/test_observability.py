"""Logs, metrics and readiness: JSON log lines carry the document context and no secrets,
/metrics counts an upload and shows database state, /readyz reports each dependency and
answers 503 when one fails (a database at an old migration, an unreachable broker)."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import httpx
import pytest

from service.api import create_app
from service.bootstrap import Container
from service.config import Settings
from service.db.migrations import downgrade_database
from service.observability.logging import bind_document, bound, clear_context, configure_logging
from tests.conftest import FakeQueue, make_container, make_settings, sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


def test_json_log_lines_carry_context_and_hide_secrets() -> None:
    """Every line has document_id, tenant, task_id, stage; keys, tokens, passwords redacted."""
    stream = io.StringIO()
    configure_logging(Settings(log_format="json"), stream)
    try:
        bind_document(document_id="d-1", tenant="t-1", task_id="task-9")
        with bound(stage="document.extract"):
            logging.getLogger("docproc.worker").warning(
                "pushing with Authorization: Bearer sk-live-123 key dp_ab12_secretpart",
                extra={"password": "hunter2", "url": "https://u:pw@host/x?token=abc"},
            )
        logging.getLogger("docproc.api").info("after the block")
    finally:
        clear_context()
    first, second = _lines(stream)[-2:]
    assert {first[k] for k in ("document_id", "tenant", "task_id", "stage")} == {
        "d-1",
        "t-1",
        "task-9",
        "document.extract",
    }
    text = stream.getvalue()
    for secret in ("sk-live-123", "dp_ab12_secretpart", "hunter2", "u:pw@", "token=abc"):
        assert secret not in text
    assert "stage" not in second and second["document_id"] == "d-1"


def test_metrics_count_an_upload_and_show_database_state(api: Api) -> None:
    """After one upload: received counter, documents per status, queue age gauge."""
    pdf, _ = sample()
    response = api.client.post("/v1/documents", files={"file": ("inv.pdf", pdf)})
    assert response.status_code in (200, 201, 202), response.text
    metrics = httpx.get(f"{api.url}/metrics", timeout=30)
    assert metrics.status_code == 200
    body = metrics.text
    assert 'docproc_documents_received_total{media_type="application/pdf",source="api"}' in body
    # The gauge counts the whole database, shared by the session's tests: at least this one.
    queued = re.search(r'^docproc_documents\{status="queued"\} ([0-9.]+)$', body, re.MULTILINE)
    assert queued is not None and float(queued.group(1)) >= 1
    assert "docproc_queue_oldest_age_seconds" in body
    assert "docproc_outbox_rows" in body and "docproc_alerts_open" in body


def test_readyz_reports_every_check(api: Api) -> None:
    """All dependencies present: 200 and each check ok."""
    response = httpx.get(f"{api.url}/readyz", timeout=30)
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "broker", "blob_store", "tesseract", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_when_migrations_or_the_broker_fail(tmp_path: Path) -> None:
    """An old schema and an unreachable Redis make /readyz 503 with the failing checks named."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    settings = make_settings(tmp_path / "data", url, broker={"url": "redis://127.0.0.1:1/0"})
    container: Container = make_container(settings)
    downgrade_database(url, "0005")
    from fastapi.testclient import TestClient

    with TestClient(create_app(container, FakeQueue(container))) as client:
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert not body["checks"]["migrations"]["ok"] and not body["checks"]["broker"]["ok"]
    assert body["checks"]["database"]["ok"]
    assert client is not None


def test_downloads_never_carry_an_executable_content_type(api: Api) -> None:
    """Originals come back as their sniffed type, as an attachment, with nosniff."""
    pdf, _ = sample()
    created = api.client.post("/v1/documents", files={"file": ("x.html", pdf)}).json()
    document_id = created["documents"][0]["id"]
    response = api.client.get(f"/v1/documents/{document_id}/file")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
