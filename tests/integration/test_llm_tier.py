"""The LLM tier end to end on the real PostgreSQL: the worker's extraction and `docproc extract`
against the OpenAI-compatible contract server (tests/llm_server.py) on 127.0.0.1, with the
real openai and instructor code. Nothing is patched.

Documents are generated invoices with labels redacted, so the heuristics miss exactly the
fields a test needs the LLM for while the values stay printed (groundable).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pymupdf
import pytest
from sqlalchemy import func, select

from fixtures.generator import GeneratedDocument, generate_invoice
from service.api import create_app
from service.bootstrap import Container
from service.db.documents import mark_queued
from service.db.session import unit_of_work
from service.db.tables import AlertRecord, DocumentRecord, LlmUsageRecord, ResultRecord
from service.worker import jobs
from tests.conftest import FakeQueue, LiveServer, make_container, make_settings, new_tenant
from tests.integration.worker_fixtures import document_state, seed_document
from tests.llm_server import LlmServer, Reply, error, rate_limited, requested_fields

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# The invoice number and date labels blacked out, and the terms too: without them the date
# still stands alone at the top, but nothing confirms that it is the date of issue.
DATE_AND_NUMBER = ("Invoice #:", "Date:", "Terms:")
TOTAL = ("Total",)


@dataclass
class Endpoint:
    """The contract server and its base URL."""

    server: LlmServer
    url: str


@pytest.fixture
def llm(live_server: Callable[[Any], LiveServer]) -> Endpoint:
    """A fresh scripted OpenAI-compatible server on 127.0.0.1."""
    server = LlmServer()
    return Endpoint(server, live_server(server.app).url)


def redacted(seed: int, labels: tuple[str, ...], layout: str = "classic_left") -> bytes:
    """A generated invoice with these labels blacked out (their values stay printed)."""
    document = generate_invoice(layout, seed)
    with pymupdf.open(stream=document.pdf, filetype="pdf") as pdf:
        for page in pdf:
            hits = [r for label in labels for r in page.search_for(label)]
            left = min((r.x0 for r in hits), default=0.0)
            for rect in hits:
                # "Date:" also matches "Due Date:": only the label column's own hit goes.
                if "Date:" not in labels or abs(rect.x0 - left) < 2 or len(labels) == 1:
                    page.add_redact_annot(rect)
            page.apply_redactions()
        data: bytes = pdf.tobytes()
    return data


def truth(seed: int, layout: str = "classic_left") -> GeneratedDocument:
    """The generated document (and its truth) a redacted file was made from."""
    return generate_invoice(layout, seed)


def llm_container(tmp_path: Path, pg_url: str, endpoint: Endpoint, **llm: Any) -> Container:
    """A container on the session's PostgreSQL with the LLM tier pointed at the server."""
    config = {"mode": "fallback", "base_url": f"{endpoint.url}/v1", "model": "test-model",
              "timeout_s": 5.0, "transport_retries": 1, "validation_retries": 1,
              "price_input_per_mtok": "0.15", "price_output_per_mtok": "0.60", **llm}  # fmt: skip
    return make_container(make_settings(tmp_path / "data", pg_url, llm=config))


@pytest.fixture
def containers(tmp_path: Path, pg_url: str) -> Iterator[list[Container]]:
    """Containers made by a test, disposed after it."""
    made: list[Container] = []
    yield made
    for container in made:
        container.engine.dispose()


def extract(container: Container, data: bytes, tenant: str, tmp_path: Path) -> uuid.UUID:
    """Store the bytes as a QUEUED document of the tenant and run the worker's job on it."""
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    document_id, generation = seed_document(container, path, tenant)
    jobs.extract(container, document_id, generation, owner="test-worker")
    return document_id


def envelope_of(container: Container, document_id: uuid.UUID) -> dict[str, Any]:
    """The stored envelope of the document's latest result."""
    state = document_state(container, document_id)
    assert state.envelope is not None
    return state.envelope


def provenance_of(container: Container, document_id: uuid.UUID) -> dict[str, Any]:
    """The provenance stored beside the latest extracted result."""
    with container.sessions() as session:
        row = session.scalars(
            select(ResultRecord)
            .where(ResultRecord.document_id == document_id)
            .order_by(ResultRecord.version.desc())
        ).first()
        assert row is not None and row.provenance is not None
        return row.provenance


def test_mode_off_makes_no_request_from_the_worker(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm, mode="off")
    containers.append(container)
    document_id = extract(container, redacted(800000, DATE_AND_NUMBER), "llm-off", tmp_path)
    assert llm.server.count == 0
    assert document_state(container, document_id).status == "needs_review"


def _cli(paths: list[Path], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`docproc extract` in a child process; it reports on stderr whether LLM code loaded."""
    code = ("import sys; from service.cli import main; status = main(['extract', *sys.argv[1:]]);"
            " loaded = [m for m in ('service.llm', 'instructor', 'openai') if m in sys.modules];"
            " print('LOADED', loaded, file=sys.stderr); sys.exit(status)")  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_cli_mode_off_makes_no_request_and_imports_no_llm_code(
    tmp_path: Path, llm: Endpoint
) -> None:
    path = tmp_path / "redacted.pdf"
    path.write_bytes(redacted(800000, DATE_AND_NUMBER))
    done = _cli([path], {"DOCPROC_LLM_MODE": "off", "DOCPROC_LLM_BASE_URL": f"{llm.url}/v1"})
    assert done.returncode == 0, done.stderr
    assert llm.server.count == 0
    assert "LOADED []" in done.stderr
    assert json.loads(done.stdout)["invoice"]["invoice_number"] is None


def test_cli_fallback_asks_once_and_logs_provenance_on_stderr(
    tmp_path: Path, llm: Endpoint
) -> None:
    source = truth(800000).truth.invoice
    assert source is not None
    llm.server.script(Reply({"invoice_number": source.invoice_number,
                             "invoice_date": str(source.invoice_date)}))  # fmt: skip
    path = tmp_path / "redacted.pdf"
    path.write_bytes(redacted(800000, DATE_AND_NUMBER))
    env = {"DOCPROC_LLM_MODE": "fallback", "DOCPROC_LLM_BASE_URL": f"{llm.url}/v1"}
    done = _cli([path], env)
    assert done.returncode == 0, done.stderr
    assert llm.server.count == 1
    line = json.loads(done.stdout)  # nothing but the JSON line on stdout
    assert line["invoice"]["invoice_number"] == source.invoice_number
    assert '"invoice_number": "llm"' in done.stderr


def test_fallback_asks_once_for_exactly_the_missing_fields(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container],
    live_server: Callable[[Any], LiveServer],
) -> None:  # fmt: skip
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    source = truth(800000).truth.invoice
    assert source is not None
    llm.server.script(Reply({"invoice_number": source.invoice_number,
                             "invoice_date": str(source.invoice_date)}))  # fmt: skip
    tenant = new_tenant(container)
    document_id = extract(container, redacted(800000, DATE_AND_NUMBER), tenant.name, tmp_path)

    assert llm.server.count == 1
    assert requested_fields(llm.server.requests[0]) == {"invoice_number", "invoice_date"}
    invoice = envelope_of(container, document_id)["invoice"]
    assert invoice["invoice_number"] == source.invoice_number
    assert invoice["invoice_date"] == str(source.invoice_date)
    assert invoice["total"] == str(source.total)
    # Provenance beside the envelope: stored, and served by GET /v1/documents/{id}/provenance.
    api = live_server(create_app(container, FakeQueue(container)))
    answer = httpx.get(f"{api.url}/v1/documents/{document_id}/provenance",
                       headers=tenant.headers, timeout=30)  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["fields"]["invoice_number"] == "llm"
    # The date line gave an unsure date (asked again); the model agreed, so it stays the
    # heuristic's reading.
    assert body["fields"]["invoice_date"] == "heuristic"
    assert body["fields"]["total"] == "heuristic"
    assert body["llm"]["requests"] == 1
    assert body["llm"]["input_tokens"] == 1200
    assert body["llm"]["cost"] == "0.000216"  # 1200 x 0.15 + 60 x 0.60 per million


def test_hallucinated_total_never_reaches_the_result(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    llm.server.script(Reply({"total": "99999.99"}))
    document_id = extract(container, redacted(800001, TOTAL), "llm-hallucination", tmp_path)
    assert llm.server.count == 1
    assert requested_fields(llm.server.requests[0]) == {"total"}
    state = document_state(container, document_id)
    assert state.status == "needs_review"
    assert state.envelope is not None
    assert state.envelope["invoice"]["total"] is None
    assert (
        "invoice.total: LLM value 99999.99 not found in the document; dropped"
        in (state.envelope["warnings"])
    )
    assert provenance_of(container, document_id)["llm"]["dropped"] == ["total"]


def test_reprocessing_an_unchanged_document_pays_once(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    total = truth(800002).truth.invoice
    assert total is not None
    llm.server.script(Reply({"total": str(total.total)}))
    document_id = extract(container, redacted(800002, TOTAL), "llm-cache", tmp_path)
    with unit_of_work(container.sessions) as session:
        document = session.get(DocumentRecord, document_id)
        assert document is not None
        mark_queued(session, document, reprocess=True)
        generation = document.generation
    jobs.extract(container, document_id, generation, owner="test-worker")

    assert llm.server.count == 1
    assert envelope_of(container, document_id)["invoice"]["total"] == str(total.total)
    assert provenance_of(container, document_id)["llm"]["cached"] is True


def test_a_daily_budget_of_n_requests_stops_at_n_and_alerts(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm, daily_requests=2)
    containers.append(container)
    tenant = new_tenant(container)
    llm.server.responder = lambda body: Reply({"total": None})
    ids = [extract(container, redacted(seed, TOTAL), tenant.name, tmp_path)
           for seed in (800003, 800004, 800005, 800006)]  # fmt: skip

    assert llm.server.count == 2
    last = envelope_of(container, ids[-1])
    assert any("daily LLM budget of 2 requests is spent" in w for w in last["warnings"])
    assert document_state(container, ids[-1]).status == "needs_review"
    with container.sessions() as session:
        alerts = session.scalars(
            select(AlertRecord).where(AlertRecord.tenant_id == tenant.tenant_id)
        ).all()
        paid = session.scalar(
            select(func.sum(LlmUsageRecord.requests)).where(
                LlmUsageRecord.tenant_id == tenant.tenant_id
            )
        )
    assert [a.kind for a in alerts] == ["llm_budget_spent"]  # raised once, not per document
    assert paid == 2


def test_malformed_json_is_re_asked_by_instructor(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    total = truth(800007).truth.invoice
    assert total is not None
    llm.server.script(Reply(raw='{"total": "12,3'), Reply({"total": str(total.total)}))
    document_id = extract(container, redacted(800007, TOTAL), "llm-malformed", tmp_path)
    assert llm.server.count == 2
    assert envelope_of(container, document_id)["invoice"]["total"] == str(total.total)
    assert provenance_of(container, document_id)["llm"]["input_tokens"] == 2400


def test_rate_limit_honours_retry_after(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    total = truth(800008).truth.invoice
    assert total is not None
    llm.server.script(rate_limited(2), Reply({"total": str(total.total)}))
    started = time.monotonic()
    document_id = extract(container, redacted(800008, TOTAL), "llm-429", tmp_path)
    assert time.monotonic() - started >= 2.0
    assert llm.server.count == 2
    assert envelope_of(container, document_id)["invoice"]["total"] == str(total.total)


def test_a_slow_endpoint_times_out_and_goes_to_review(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    """F8: the client timeout fires at the configured value; one transport retry, then review.
    (Proved by the client's own timeout warning and the two requests, not by a wall clock:
    the replies would have come after 5 s.)"""
    container = llm_container(tmp_path, pg_url, llm, timeout_s=0.5, transport_retries=1)
    containers.append(container)
    llm.server.script(Reply({"total": "1.00"}, delay_s=5), Reply({"total": "1.00"}, delay_s=5))
    document_id = extract(container, redacted(800009, TOTAL), "llm-slow", tmp_path)
    assert llm.server.count == 2
    state = document_state(container, document_id)
    assert state.status == "needs_review"
    assert state.envelope is not None
    assert any("did not answer within 0.5 s" in w for w in state.envelope["warnings"])


def test_server_errors_are_retried_at_one_layer_only(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    """F9: two 500s with one transport retry and one validation re-ask allowed: 2 requests,
    not 4 (instructor does not retry transport errors), then review with a typed warning."""
    container = llm_container(tmp_path, pg_url, llm)
    containers.append(container)
    llm.server.script(*[error(500, "The server had an error", "server_error")] * 4)
    document_id = extract(container, redacted(800010, TOTAL), "llm-500", tmp_path)
    assert llm.server.count == 2
    state = document_state(container, document_id)
    assert state.status == "needs_review"
    assert state.envelope is not None
    assert any("HTTP 500: The server had an error" in w for w in state.envelope["warnings"])


def test_a_daily_money_budget_pauses_the_tier(
    tmp_path: Path, pg_url: str, llm: Endpoint, containers: list[Container]
) -> None:
    """One request costs 0.000216 at the test prices; a budget of 0.0002 allows exactly one."""
    container = llm_container(tmp_path, pg_url, llm, daily_cost="0.0002")
    containers.append(container)
    llm.server.responder = lambda body: Reply({"total": None})
    tenant = new_tenant(container)
    ids = [extract(container, redacted(seed, TOTAL), tenant.name, tmp_path)
           for seed in (800011, 800012)]  # fmt: skip
    assert llm.server.count == 1
    assert any("daily LLM budget of 0.0002 is spent" in w
               for w in envelope_of(container, ids[-1])["warnings"])  # fmt: skip


def test_vision_sends_page_images_beside_the_layout_text(llm: Endpoint) -> None:
    from extractors.llm_tier import LlmRequest
    from service.config import LlmSettings
    from service.llm.client import InstructorLlmClient

    client = InstructorLlmClient(LlmSettings(base_url=f"{llm.url}/v1", vision=True))
    request = LlmRequest(("total",), "TOTAL 1.00", {}, "a" * 64, images=(b"\x89PNG",))
    llm.server.script(Reply({"total": "1.00"}))
    client.ask(request)
    content = llm.server.requests[0]["messages"][-1]["content"]
    assert [part["type"] for part in content] == ["text", "image_url"]
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")
