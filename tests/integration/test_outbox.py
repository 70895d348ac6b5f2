"""The transactional outbox end to end: approval and export intents commit together,
dead-letter → alert → replay through the API, the webhook's signature and stable delivery id
(F12), auto-approval, connector settings sealed at rest, and the CSV/JSON exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.alerts import MemoryAlertSink
from service.bootstrap import Container
from service.db.documents import get_document_by_id
from service.db.session import unit_of_work
from service.db.tables import (
    ConnectorConfigRecord,
    DocumentStatus,
    OutboxRecord,
    OutboxState,
    ResultRecord,
    TenantRecord,
)
from service.outbox.approval import after_extraction, approve
from service.outbox.registry import RealConnectors
from service.signing import verify
from tests.contract_servers.harness import (
    configure,
    drain,
    fake_pdf,
    invoice_envelope,
    seed_document,
)
from tests.contract_servers.receiver import Receiver
from tests.integration.conftest import Api

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1."""
    hook = Receiver()
    yield hook
    hook.stop()


def _fast(container: Container, max_attempts: int = 3) -> Container:
    connectors = container.settings.connectors.model_copy(
        update={
            "backoff_base_s": 0.01,
            "backoff_max_s": 0.02,
            "max_attempts": max_attempts,
            "http_timeout_s": 2.0,
        }
    )
    settings = container.settings.model_copy(update={"connectors": connectors})
    return Container(settings, container.engine, container.sessions, container.blobs)


def _count(container: Container, table: type, **where: object) -> int:
    with container.sessions() as session:
        query = select(func.count()).select_from(table).filter_by(**where)
        return int(session.scalar(query) or 0)


def test_approval_and_its_outbox_rows_commit_together(container: Container, api: Api) -> None:
    """If the approving transaction rolls back, neither the approved version nor a row stays."""
    configure(container, api.tenant.tenant_id, "files", {})
    doc = seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme", "TX-1"), fake_pdf("tx")
    )
    with pytest.raises(RuntimeError), unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, doc)
        assert document is not None
        assert approve(session, document, "t", container.settings).outbox_ids
        raise RuntimeError("the request failed after approving")
    assert _count(container, OutboxRecord, document_id=doc) == 0
    assert _count(container, ResultRecord, document_id=doc, kind="approved") == 0
    answer = api.client.post(f"/v1/documents/{doc}/approve")
    assert answer.status_code == 200, answer.text
    assert answer.json()["connectors"] == ["files"]
    assert _count(container, OutboxRecord, document_id=doc) == 1
    assert _count(container, ResultRecord, document_id=doc, kind="approved") == 1


def test_dead_letter_alert_and_replay_through_the_api(
    container: Container, api: Api, receiver: Receiver
) -> None:
    """Receiver down: retried with one webhook-id, dead after N, an alert; the API lists it;
    replayed after recovery it is delivered once more and the document is exported."""
    receiver.status = 503
    assert (
        api.client.put(
            "/v1/connectors/webhook", json={"settings": {"url": receiver.url}}
        ).status_code
        == 200
    )
    doc = seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme", "DL-1"), fake_pdf("dl")
    )
    assert api.client.post(f"/v1/documents/{doc}/approve").status_code == 200
    alerts = MemoryAlertSink()
    fast = _fast(container, max_attempts=3)
    counts = drain(fast, RealConnectors(fast), alerts, tenant_id=api.tenant.tenant_id)
    assert counts[OutboxState.DEAD] == 1
    assert [a.kind for a in alerts.alerts] == ["outbox.dead"]
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    dead = api.client.get("/v1/outbox", params={"state": "dead"}).json()["rows"]
    assert [row["document_id"] for row in dead] == [str(doc)]
    receiver.status = 200
    replayed = api.client.post(f"/v1/outbox/{dead[0]['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["state"] == "pending"
    counts = drain(fast, RealConnectors(fast), alerts, tenant_id=api.tenant.tenant_id)
    assert counts[OutboxState.DELIVERED] == 1
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert api.client.get(f"/v1/documents/{doc}").json()["status"] == DocumentStatus.EXPORTED
    exports = api.client.get(f"/v1/documents/{doc}/exports").json()["exports"]
    assert [e["connector"] for e in exports] == ["webhook"]
    assert api.client.post(f"/v1/outbox/{dead[0]['id']}/replay").status_code == 409


def test_webhook_is_signed_like_callbacks(
    container: Container, api: Api, receiver: Receiver
) -> None:
    """The body verifies with the tenant's secret (service.signing) and carries the envelope."""
    configure(container, api.tenant.tenant_id, "webhook", {"url": receiver.url, "secret": "k3y"})
    doc = seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme", "W-1"), fake_pdf("w")
    )
    api.client.post(f"/v1/documents/{doc}/approve")
    drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=api.tenant.tenant_id)
    (got,) = receiver.received
    assert verify(
        "k3y", got.headers["x-docproc-timestamp"], got.body, got.headers["x-docproc-signature"]
    )
    assert not verify(
        "wrong", got.headers["x-docproc-timestamp"], got.body, got.headers["x-docproc-signature"]
    )
    payload = json.loads(got.body)
    assert payload["event"] == "document.approved"
    assert payload["envelope"]["invoice"]["invoice_number"] == "W-1"
    assert got.headers["x-docproc-delivery"] == got.headers["webhook-id"]


def test_the_readme_verifier_accepts_a_real_delivery(
    container: Container, api: Api, receiver: Receiver
) -> None:
    """The README's verifier (extracted and run) accepts a delivery and refuses a tampered one."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\n(# verify a docproc webhook.*?)```", text, re.S)
    assert block is not None, "README lost its webhook verifier"
    assert len(block.group(1).strip().splitlines()) <= 11
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    check = namespace["verify_webhook"]
    assert callable(check)
    configure(container, api.tenant.tenant_id, "webhook", {"url": receiver.url, "secret": "n8n"})
    doc = seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme", "R-1"), fake_pdf("r")
    )
    api.client.post(f"/v1/documents/{doc}/approve")
    drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=api.tenant.tenant_id)
    (got,) = receiver.received
    assert check("n8n", got.headers, got.body) is True
    assert check("n8n", got.headers, got.body + b" ") is False
    assert check("other", got.headers, got.body) is False


def test_auto_approve_writes_the_outbox_in_the_extraction_transaction(
    container: Container, api: Api
) -> None:
    """With auto_approve on, a result that needs no review is approved and queued at once."""
    assert api.client.put("/v1/delivery/settings", json={"auto_approve": True}).json() == {
        "auto_approve": True
    }
    configure(container, api.tenant.tenant_id, "files", {})
    doc = seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme", "AA-1"), fake_pdf("aa")
    )
    with unit_of_work(container.sessions) as session:
        document = get_document_by_id(session, doc)
        assert document is not None
        tenant = session.get(TenantRecord, api.tenant.tenant_id)
        assert tenant is not None and tenant.auto_approve
        done = after_extraction(
            session, document, invoice_envelope("Acme", "AA-1"), container.settings
        )
        assert done is not None and done.connectors == ["files"]
    drain(container, RealConnectors(container), MemoryAlertSink(), tenant_id=api.tenant.tenant_id)
    assert api.client.get(f"/v1/documents/{doc}").json()["status"] == DocumentStatus.EXPORTED
    written = container.settings.data_dir / "exports" / str(api.tenant.tenant_id) / "invoices"
    assert (written / f"{doc}.json").exists() and (written / f"{doc}.csv").exists()


def test_connector_secrets_are_sealed_and_masked(container: Container, api: Api) -> None:
    """Secrets are stored as AES-GCM ciphertext, shown masked, kept when the mask is sent."""
    body = {
        "settings": {
            "realm_id": "1",
            "client_id": "c",
            "client_secret": "top-secret",
            "refresh_token": "rt-1",
            "expense_account_id": "7",
        }
    }
    shown = api.client.put("/v1/connectors/quickbooks", json=body).json()
    assert shown["settings"]["client_secret"] == "********"
    assert shown["settings"]["realm_id"] == "1"
    with container.sessions() as session:
        stored = session.scalars(
            select(ConnectorConfigRecord).where(
                ConnectorConfigRecord.tenant_id == api.tenant.tenant_id
            )
        ).one()
        first = dict(stored.settings)
    assert "top-secret" not in json.dumps(first) and first["client_secret"].startswith("enc:v1:")
    body["settings"]["client_secret"] = "********"
    api.client.put("/v1/connectors/quickbooks", json=body)
    with container.sessions() as session:
        again = session.get(ConnectorConfigRecord, stored.id)
        assert again is not None and again.settings["client_secret"] == first["client_secret"]
    assert api.client.put("/v1/connectors/nope", json={}).status_code == 404
    unsafe = api.client.put("/v1/connectors/webhook", json={"settings": {"url": "file:///etc/x"}})
    assert unsafe.status_code == 422 and unsafe.json()["code"] == "unsafe_url"


def test_exports_as_csv_and_json(container: Container, api: Api) -> None:
    """The invoice register, its line items and the (empty) drawing register via the API."""
    seed_document(
        container, api.tenant.tenant_id, invoice_envelope("Acme, Inc", "EX-1"), fake_pdf("ex")
    )
    invoices = api.client.get("/v1/exports/invoices.csv")
    assert invoices.status_code == 200 and invoices.headers["content-type"].startswith("text/csv")
    lines = invoices.text.splitlines()
    assert lines[0].startswith("document_id,vendor,invoice_number")
    assert '"Acme, Inc",EX-1' in lines[1] and "583.20" in lines[1]
    items = api.client.get("/v1/exports/line_items.json").json()["line_items"]
    assert items[0]["amount"] == "583.20" and items[0]["cost_code"] == "09-2900"
    assert api.client.get("/v1/exports/drawings.csv").text.startswith("document_id,page,")
    assert api.client.get("/v1/exports/secrets.csv").status_code == 404
