"""Upload → extraction → result through the HTTP API, on PostgreSQL and SQLite."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.api import create_app
from service.bootstrap import Container
from tests.conftest import LiveServer, TenantKey, count_documents, count_results, sample
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


def _upload_and_extract(api: Api, name: str = "classic_left-000001") -> tuple[str, dict[str, str]]:
    data, _ = sample(name)
    response = api.upload(data, f"{name}.pdf")
    assert response.status_code == 202, response.text
    document = response.json()["documents"][0]
    api.queue.run_pending()
    return document["id"], document["links"]


def test_healthz_needs_no_key(api: Api) -> None:
    response = httpx.get(f"{api.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("name", ["classic_left-000001", "supply_house-000004"])
def test_upload_then_result_is_the_right_invoice(api: Api, name: str) -> None:
    data, truth = sample(name)
    response = api.upload(data, f"{name}.pdf")
    assert response.status_code == 202, response.text
    (document,) = response.json()["documents"]
    assert document["status"] == "queued"
    assert document["links"]["result"].startswith(api.url + "/v1/documents/")
    pending = api.client.get(document["links"]["result"])
    assert pending.status_code == 202
    assert pending.json() == {"id": document["id"], "status": "queued"}
    api.queue.run_pending()
    result = api.client.get(document["links"]["result"])
    assert result.status_code == 200
    envelope = result.json()
    assert envelope["invoice"]["invoice_number"] == truth["invoice"]["invoice_number"]
    assert envelope["invoice"]["total"] == truth["invoice"]["total"]
    assert envelope["sha256"] == truth["sha256"]
    status = api.client.get(document["links"]["self"]).json()
    assert status["status"] in {"extracted", "needs_review"}
    assert status["attempts"] == 1
    assert status["finished_at"] is not None


def test_same_bytes_twice_is_one_document_and_one_extraction(api: Api) -> None:
    data, _ = sample()
    first = api.upload(data, "a.pdf")
    second = api.upload(data, "b.pdf")
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["documents"][0]["id"] == first.json()["documents"][0]["id"]
    assert second.json()["documents"][0]["created"] is False
    assert len(api.queue.jobs) == 1
    api.queue.run_pending()
    assert count_documents(api.container, api.tenant.tenant_id) == 1
    assert count_results(api.container, uuid.UUID(first.json()["documents"][0]["id"])) == 1


def test_many_files_in_any_field_answer_in_upload_order(api: Api) -> None:
    names = ["classic_left-000001", "letterhead_right-000002", "centred_vat-000003"]
    files = [
        (field, (f"{name}.pdf", sample(name)[0], "application/pdf"))
        for field, name in zip(["file", "files", "attachment_0"], names, strict=True)
    ]
    response = api.client.post("/v1/documents", files=files, data={"project": "24-017"})
    assert response.status_code == 202
    documents = response.json()["documents"]
    assert [d["filename"] for d in documents] == [f"{n}.pdf" for n in names]
    assert len({d["id"] for d in documents}) == 3
    view = api.client.get(documents[0]["links"]["self"]).json()
    assert view["project_hint"] == "24-017"


def test_form_hints_are_stored(api: Api) -> None:
    data, _ = sample()
    fields = {"document_type": "invoice", "source": "n8n", "external_id": "mail-4711"}
    response = api.client.post(
        "/v1/documents", files={"data": ("x.pdf", data, "application/pdf")}, data=fields
    )
    view = api.client.get(response.json()["documents"][0]["links"]["self"]).json()
    assert view["document_type_hint"] == "invoice"
    assert view["source"] == "n8n"
    assert view["external_id"] == "mail-4711"


def test_raw_body_upload_with_filename_query(api: Api) -> None:
    data, truth = sample()
    response = api.client.post(
        "/v1/documents",
        params={"filename": "raw invoice.pdf"},
        content=data,
        headers={"content-type": "application/pdf"},
    )
    assert response.status_code == 202, response.text
    (document,) = response.json()["documents"]
    assert document["filename"] == "raw invoice.pdf"
    assert document["sha256"] == truth["sha256"]


def test_raw_body_upload_without_any_name(api: Api) -> None:
    data, _ = sample()
    response = api.client.post(
        "/v1/documents", content=data, headers={"content-type": "application/pdf"}
    )
    assert response.status_code == 202
    assert response.json()["documents"][0]["filename"] is None


def test_download_is_the_original_as_an_attachment(api: Api) -> None:
    data, _ = sample()
    document = api.upload(data, 'quote"s <b>.pdf').json()["documents"][0]
    response = api.client.get(document["links"]["file"])
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_wait_answers_once_done(api: Api) -> None:
    data, truth = sample()
    document = api.upload(data).json()["documents"][0]
    timer = threading.Timer(1.0, api.queue.run_pending)
    timer.start()
    try:
        result = api.client.get(document["links"]["result"], params={"wait": 30})
    finally:
        timer.join()
    assert result.status_code == 200
    assert result.json()["invoice"]["total"] == truth["invoice"]["total"]


def test_wait_on_upload_and_on_document(api: Api) -> None:
    api.queue.inline = True
    data, _ = sample("banner_gst-000006")
    response = api.client.post(
        "/v1/documents", params={"wait": 20}, files={"file": ("b.pdf", data, "application/pdf")}
    )
    assert response.status_code == 200
    assert response.json()["documents"][0]["status"] in {"extracted", "needs_review"}
    view = api.client.get(response.json()["documents"][0]["links"]["self"], params={"wait": 5})
    assert view.json()["status"] in {"extracted", "needs_review"}


def test_wait_ends_when_the_wait_ends(api: Api) -> None:
    document = api.upload(sample()[0]).json()["documents"][0]
    result = api.client.get(document["links"]["result"], params={"wait": 1})
    assert result.status_code == 202
    assert result.json()["status"] == "queued"


def test_events_stream_status_changes_until_done(api: Api) -> None:
    document = api.upload(sample()[0]).json()["documents"][0]
    timer = threading.Timer(1.2, api.queue.run_pending)
    timer.start()
    statuses: list[str] = []
    ended = False
    try:
        with api.client.stream("GET", document["links"]["events"]) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if line.startswith("data: ") and line != "data: {}":
                    statuses.append(json.loads(line[6:])["kind"])
                if line == "event: end":
                    ended = True
    finally:
        timer.join()
    assert ended
    assert statuses[:3] == ["received", "queued", "processing"]
    assert statuses[-1] in {"extracted", "needs_review"}


def test_events_resume_after_last_event_id(api: Api) -> None:
    api.queue.inline = True
    document = api.upload(sample()[0]).json()["documents"][0]
    body = api.client.get(document["links"]["events"], headers={"last-event-id": "0"}).text
    ids = [int(line[4:]) for line in body.splitlines() if line.startswith("id: ")]
    resumed = api.client.get(document["links"]["events"], headers={"last-event-id": str(ids[1])})
    resumed_ids = [int(line[4:]) for line in resumed.text.splitlines() if line.startswith("id: ")]
    assert resumed_ids == ids[2:]


def test_correction_is_a_new_version_and_rechecked(api: Api) -> None:
    document_id, links = _upload_and_extract(api)
    extracted = api.client.get(links["result"]).json()
    patch = {"invoice": {"invoice_number": "INV-CORRECTED", "total": "1.00"}}
    response = api.client.patch(links["result"], json=patch, headers={"x-docproc-author": "ana"})
    assert response.status_code == 200, response.text
    version = response.json()
    assert version["version"] == 2
    assert version["kind"] == "corrected"
    assert version["author"] == "ana"
    latest = api.client.get(links["result"]).json()
    assert latest["invoice"]["invoice_number"] == "INV-CORRECTED"
    assert latest["needs_review"] is True
    assert any(w.startswith("arithmetic: ") for w in latest["warnings"])
    assert latest["sha256"] == extracted["sha256"]
    versions = api.client.get(links["results"]).json()["versions"]
    assert [v["kind"] for v in versions] == ["extracted", "corrected"]
    assert versions[0]["envelope"] == extracted
    view = api.client.get(links["self"]).json()
    assert view["status"] == "needs_review"
    assert document_id == view["id"]


def test_correction_with_a_full_envelope(api: Api) -> None:
    _, links = _upload_and_extract(api)
    envelope = api.client.get(links["result"]).json()
    envelope["invoice"]["po_number"] = "PO-1"
    response = api.client.patch(links["result"], json=envelope)
    assert response.status_code == 200
    assert api.client.get(links["result"]).json()["invoice"]["po_number"] == "PO-1"


@pytest.mark.parametrize(
    "patch",
    [
        {"invoice": {"total": "twelve"}},
        {"invoice": {"invoice_date": "yesterday"}},
        {"sha256": "0" * 64},
        {"invoice": {"unknown_field": "x"}},
    ],
)
def test_invalid_corrections_are_422_and_store_nothing(api: Api, patch: dict[str, object]) -> None:
    document_id, links = _upload_and_extract(api)
    response = api.client.patch(links["result"], json=patch)
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid_envelope", "invalid_correction"}
    assert count_results(api.container, uuid.UUID(document_id)) == 1


def test_correction_before_a_result_is_409(api: Api) -> None:
    document = api.upload(sample()[0]).json()["documents"][0]
    response = api.client.patch(document["links"]["result"], json={"invoice": {}})
    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"


def test_reprocess_starts_a_new_generation(api: Api) -> None:
    document_id, links = _upload_and_extract(api)
    response = api.client.post(f"/v1/documents/{document_id}/reprocess")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["generation"] == 2
    assert api.queue.jobs == [(uuid.UUID(document_id), 2, "application/pdf")]
    api.queue.run_pending()
    versions = api.client.get(links["results"]).json()["versions"]
    assert [(v["kind"], v["generation"]) for v in versions] == [("extracted", 1), ("extracted", 2)]


def test_list_filters_and_paginates_with_a_cursor(api: Api) -> None:
    names = [
        "classic_left-000001",
        "letterhead_right-000002",
        "centred_vat-000003",
        "supply_house-000004",
        "subcontract_retainage-000005",
    ]
    for name in names:
        api.upload(sample(name)[0], f"{name}.pdf")
        time.sleep(0.01)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get("/v1/documents", params=params).json()
        seen.extend(d["filename"] for d in page["documents"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"{n}.pdf" for n in reversed(names)]
    queued = api.client.get("/v1/documents", params={"status": "queued"}).json()
    assert len(queued["documents"]) == 5
    api.queue.run_pending()
    _, truth = sample("classic_left-000001")
    vendor = truth["invoice"]["vendor"]["name"]
    by_vendor = api.client.get("/v1/documents", params={"vendor": vendor.upper()}).json()
    assert [d["filename"] for d in by_vendor["documents"]] == ["classic_left-000001.pdf"]
    invoices = api.client.get("/v1/documents", params={"document_type": "invoice"}).json()
    assert len(invoices["documents"]) >= 1
    future = api.client.get("/v1/documents", params={"created_from": "2999-01-01T00:00:00Z"})
    assert future.json()["documents"] == []
    bad = api.client.get("/v1/documents", params={"cursor": "garbage!"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


def test_a_failed_document_without_a_result_answers_a_failure_envelope(api: Api) -> None:
    from service.db.documents import fail_document, get_document_by_id
    from service.db.session import unit_of_work

    document = api.upload(sample()[0]).json()["documents"][0]
    with unit_of_work(api.container.sessions) as session:
        record = get_document_by_id(session, uuid.UUID(document["id"]))
        assert record is not None
        fail_document(session, record, "poison", "processing stopped after 3 attempts")
    result = api.client.get(document["links"]["result"])
    assert result.status_code == 200
    assert result.json()["error"] == {
        "code": "internal_error",
        "message": "processing stopped after 3 attempts",
    }
    view = api.client.get(document["links"]["self"]).json()
    assert view["error"] == {"code": "poison", "message": "processing stopped after 3 attempts"}


def test_openapi_documents_every_route_with_examples(api: Api) -> None:
    spec = httpx.get(f"{api.url}/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) >= {
        "/healthz",
        "/v1/documents",
        "/v1/documents/{document_id}",
        "/v1/documents/{document_id}/result",
        "/v1/documents/{document_id}/results",
        "/v1/documents/{document_id}/file",
        "/v1/documents/{document_id}/reprocess",
        "/v1/documents/{document_id}/events",
    }
    upload = paths["/v1/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "X-Docproc-Signature" in upload["description"]
    assert "example" in spec["components"]["schemas"]["DocumentSummary"]


def test_events_follow_sends_heartbeats_after_done(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.api import events

    monkeypatch.setattr(events, "HEARTBEAT_S", 0.2)
    api.queue.inline = True
    document = api.upload(sample()[0]).json()["documents"][0]
    kinds: list[str] = []
    with api.client.stream("GET", document["links"]["events"], params={"follow": "true"}) as s:
        for line in s.iter_lines():
            if line.startswith("data: {"):
                kinds.append(json.loads(line[6:])["kind"])
            assert line != "event: end"
            if line == ": heartbeat":
                break
    assert kinds[-1] in {"extracted", "needs_review"}


class BrokenQueue:
    """A queue whose broker is down."""

    def enqueue_extraction(self, document_id: uuid.UUID, generation: int, media_type: str) -> None:
        raise ConnectionError("broker down")


def test_a_broker_outage_still_answers_202_with_a_queued_row(
    container: Container, tenant: TenantKey, live_server: Callable[[Any], LiveServer]
) -> None:
    server = live_server(create_app(container, BrokenQueue()))
    response = httpx.post(
        f"{server.url}/v1/documents",
        headers=tenant.headers,
        files={"file": ("a.pdf", sample()[0], "application/pdf")},
    )
    assert response.status_code == 202
    assert response.json()["documents"][0]["status"] == "queued"
